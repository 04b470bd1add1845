"""A real blog nobody here wrote: ludochaordic by Lucas Cimon (CC BY 4.0, see its README).

266 French and English articles with real-world metadata. The build with the plugin must
not fail on any of them, and every draft for every platform must fit and keep its link.
"""

from __future__ import annotations

import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import Site, shows_link

from syndicate.platforms import PLATFORM_CLASSES
from syndicate.platforms.base import PlatformSettings
from syndicate.text.fitting import ELLIPSIS

CORPUS = Path(__file__).parent / "corpus" / "ludochaordic" / "content"
EVERY_PLATFORM = {"platforms": {name: {} for name in sorted(PLATFORM_CLASSES)}}


@pytest.fixture(scope="module")
def corpus_drafts(tmp_path_factory: pytest.TempPathFactory) -> tuple[Site, list[dict]]:
    from conftest import settings_file

    site = Site(tmp_path_factory.mktemp("corpus") / "site")
    site.root.mkdir()
    shutil.copytree(CORPUS, site.root / "content")
    site.write("pelicanconf.py", settings_file(EVERY_PLATFORM, siteurl="https://ludochaordic.example",
                                               extra="DEFAULT_LANG = 'fr'"))
    result = site.build()
    assert result.exit_code == 0, result.output[-3000:]
    return site, site.preview_json()


def test_every_article_of_a_real_blog_gets_a_draft_per_platform(
        corpus_drafts: tuple[Site, list[dict]]) -> None:
    drafts = corpus_drafts[1]
    articles = {d["article"] for d in drafts}
    published = [p for p in CORPUS.glob("*.md")
                 if "status: draft" not in p.read_text(encoding="utf-8").lower()[:500]]
    assert len(articles) >= 0.95 * len(published)
    assert len(drafts) == len(articles) * len(PLATFORM_CLASSES)


def test_every_draft_of_a_real_blog_fits_and_keeps_its_link(
        corpus_drafts: tuple[Site, list[dict]]) -> None:
    _, drafts = corpus_drafts
    for draft in drafts:
        assert draft["fits"], (draft["article"], draft["platform"], draft["problems"])
        for part in draft["parts"]:
            assert part["length"] <= draft["limit"]
            assert shows_link(draft, part), (draft["article"], draft["platform"])
            assert "{filename}" not in part["text"] and "{static}" not in part["text"]


def test_excerpts_of_a_real_blog_are_prose_not_markup(
        corpus_drafts: tuple[Site, list[dict]]) -> None:
    _, drafts = corpus_drafts
    for draft in drafts:
        if draft["platform"] != "mastodon":
            continue
        text = draft["parts"][0]["text"]
        assert "```" not in text and "<p>" not in text and "&amp;" not in text, text


# --- through the platforms' own counting code, as single posts and as threads ---------

THREADED = {"platforms": {
    "x": {"thread": True}, "mastodon": {"thread": True},
    "bluesky": {"thread": True, "numbering": "{n}/{total}"}}}


@pytest.fixture(scope="module")
def corpus_threads(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    from conftest import settings_file

    site = Site(tmp_path_factory.mktemp("corpus-threads") / "site")
    site.root.mkdir()
    shutil.copytree(CORPUS, site.root / "content")
    site.write("pelicanconf.py", settings_file(THREADED, siteurl="https://ludochaordic.example",
                                               extra="DEFAULT_LANG = 'fr'"))
    result = site.build()
    assert result.exit_code == 0, result.output[-3000:]
    return site.preview_json()


@pytest.fixture(scope="module")
def oracles() -> Iterator[Any]:
    sys.path.insert(0, str(Path(__file__).parent / "oracles"))
    from oracle import Oracles

    process = Oracles()  # fails, naming `make oracles`, when they are not installed
    yield process
    process.close()


def disagreements(drafts: list[dict], oracles: Any) -> list[tuple[str, str, str, int, Any]]:
    """Every part of X, Mastodon and Bluesky drafts whose count or validity differs from
    the platform's own code (twitter-text parseTweet, Mastodon's rule, RichText)."""
    found = []
    drafts = [d for d in drafts if d["platform"] in ("x", "mastodon", "bluesky")]
    texts = [part["text"] for d in drafts for part in d["parts"]]
    references = iter(oracles.measure(texts))
    for draft in drafts:
        for part in draft["parts"]:
            reference = next(references)
            if draft["platform"] == "x":
                ok = part["length"] == reference["x"]["weightedLength"] \
                    and reference["x"]["valid"]
            elif draft["platform"] == "mastodon":
                ok = part["length"] == reference["mastodon"]
            else:
                bluesky = reference["bluesky"]
                ok = part["length"] == bluesky["graphemes"] <= 300 and bluesky["bytes"] <= 3000
            if not ok:
                found.append((draft["article"], draft["platform"], part["text"],
                              part["length"], reference))
    return found


def test_a_real_blog_agrees_with_the_platforms_own_counting_code(
        corpus_drafts: tuple[Site, list[dict]], corpus_threads: list[dict],
        oracles: Any) -> None:
    assert disagreements(corpus_drafts[1], oracles) == []
    assert disagreements(corpus_threads, oracles) == []
    assert all(draft["fits"] for draft in corpus_threads)


def test_threads_of_a_real_blog_read_as_one_text(corpus_threads: list[dict]) -> None:
    from syndicate.text.fitting import stub_floor

    numbered = re.compile(r" \d+/\d+$")
    hashtags = re.compile(r"\n\n#\S+(?: #\S+)*$")
    threads = [d for d in corpus_threads if len(d["parts"]) > 1]
    assert len(threads) >= 20, "the corpus makes threads on every platform that can"
    counters = {name: PLATFORM_CLASSES[name](PlatformSettings(name, {}))
                for name in ("x", "mastodon", "bluesky")}
    stubs, mid_word = [], []
    for draft in threads:
        count = counters[draft["platform"]].count
        # A part's own words: without its number and the hashtags closing the last part.
        texts = [hashtags.sub("", numbered.sub("", part["text"])) for part in draft["parts"]]
        room = draft["limit"] - (count(" 99/99") if draft["platform"] == "bluesky" else 0)
        for text in texts[1:]:
            if count(text) < stub_floor(room):
                stubs.append((draft["article"], draft["platform"], text))
            if text.endswith(ELLIPSIS):
                mid_word.append((draft["article"], draft["platform"], text))
    assert stubs == []
    assert mid_word == []
