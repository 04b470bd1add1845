"""The platforms' own test vectors (tests/conformance/, copied from the official suites)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from syndicate.platforms import PLATFORM_CLASSES
from syndicate.platforms.base import PlatformSettings
from syndicate.text.graphemes import count_graphemes
from syndicate.text.mastodon_text import countable_text, mastodon_length
from syndicate.text.twitter_text import is_valid_post, weighted_length

VECTORS = Path(__file__).parent / "conformance"


def load(name: str) -> Any:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


X_V3 = [case for case in load("x_weighted_length.json") if case["config"] == "v3"]
MASTODON = load("mastodon_length.json")["cases"]


def test_the_vectors_are_all_here() -> None:
    assert len(X_V3) == 24
    assert len(MASTODON) == 20


@pytest.mark.parametrize("case", X_V3, ids=[c["description"][:60] for c in X_V3])
def test_x_weighted_length_agrees_with_twitter_text_v3(case: dict[str, Any]) -> None:
    assert weighted_length(case["text"]) == case["weighted_length"]
    assert is_valid_post(case["text"]) == case["valid"]


@pytest.mark.parametrize("case", MASTODON, ids=[c["note"][:60] for c in MASTODON])
def test_mastodon_length_agrees_with_its_validator(case: dict[str, Any]) -> None:
    length = mastodon_length(case["text"], case["spoiler_text"])
    assert length == case["mastodon_countable_length"]
    assert (length <= case["max_characters"]) == case["expected_valid"]
    # What other Mastodon-API servers would see, for the safe rule.
    raw = case["spoiler_text"] + case["text"]
    assert count_graphemes(raw) == case["graphemes_raw"]
    assert len(raw) == case["code_points_raw"]


@pytest.mark.parametrize("case", MASTODON, ids=[c["note"][:60] for c in MASTODON])
def test_unknown_mastodon_api_servers_are_counted_the_safe_way(case: dict[str, Any]) -> None:
    options = {"software": "gotosocial", "content_warning": case["spoiler_text"] or None}
    platform = PLATFORM_CLASSES["mastodon"](PlatformSettings("mastodon", options))
    safe = platform.count(case["text"])
    assert safe >= case["mastodon_countable_length"]
    assert safe >= case["code_points_raw"]


def test_countable_text_keeps_local_mentions_and_short_urls() -> None:
    assert countable_text("hi @mira@social.example") == "hi @mira"
    assert countable_text("see https://example.org/a/b.") == "see " + "x" * 23 + "."
    assert countable_text("glued:https://example.org") == "glued:" + "x" * 23
    assert countable_text("nohttps://example.org") == "nohttps://example.org"
