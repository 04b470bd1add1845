"""Bluesky (AT Protocol): 300 graphemes and 3000 UTF-8 bytes, rich text as facets.

What is sent is what the official app would send: each typed link shown shortened
(host and the start of its path), the full URL kept in its link facet, and facets for
hashtags and cashtags with UTF-8 byte offsets (see syndicate.bluesky_richtext).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from syndicate import bluesky_richtext
from syndicate.platforms.base import Platform
from syndicate.text import count_graphemes

MAX_BYTES = bluesky_richtext.BYTE_LIMIT
MAX_LANGS = 3


def displayed(text: str) -> str:
    """The text as posted: typed links shortened the way the official app shows them."""
    if "://" not in text:
        return text
    return bluesky_richtext.shorten_links(text)[0]


class Bluesky(Platform):
    name = "bluesky"
    label = "Bluesky"
    builds_card = True
    default_limit = bluesky_richtext.GRAPHEME_LIMIT
    option_defaults = {"url": "https://bsky.social", "handle": None}
    secret_keys = ("password",)

    def count(self, text: str) -> int:
        shown = displayed(text)
        graphemes = count_graphemes(shown)
        if len(shown.encode("utf-8")) > MAX_BYTES:
            return max(graphemes, self.limit + 1)  # both limits must hold
        return graphemes

    def extras_for(self, lang: str, metadata: Mapping[str, str]) -> dict[str, Any]:
        langs = [code.strip() for code in lang.replace("_", "-").split(",") if code.strip()]
        return {"langs": langs[:MAX_LANGS]}

    def prepare(self, text: str) -> tuple[str, list[dict[str, Any]]]:
        return bluesky_richtext.shorten_links(text)

    def facets(self, text: str) -> list[dict[str, Any]]:
        return bluesky_richtext.facets(text)
