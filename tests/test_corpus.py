"""A real blog nobody here wrote: ludochaordic by Lucas Cimon (CC BY 4.0, see its README).

266 French and English articles with real-world metadata. The build with the plugin must
not fail on any of them, and every draft for every platform must fit and keep its link.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import Site, shows_link

from syndicate.platforms import PLATFORM_CLASSES

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
