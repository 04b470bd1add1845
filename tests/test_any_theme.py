"""Any theme shows the "Also on" links and the responses: appended to the article's
content when the theme does not render them, or through the two includes when it does;
never twice, and the drafts stay the same either way."""

from __future__ import annotations

import gzip
import json
import pickle
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from conftest import PROJECT, Site, article

from syndicate.compose.pelican_theme import parts_the_theme_renders

PAGE = "posts/first-walk/index.html"
OUTBOX = "https://outbox.example/posts"
FIELDNOTES = str(PROJECT / "themes/fieldnotes")
HOSTILE = ('<p>Lovely walk! <script>alert("script")</script>'
           '<a href="javascript:alert(1)">click</a> '
           '<a href="https://elsewhere.example/kamo" onclick="alert(2)">the river</a>'
           '<img src=x onerror="alert(3)"></p>')
RESPONSES = {"version": 1, "articles": {"first.md": {
    "replies": [
        {"platform": "mastodon", "kind": "reply", "id": "1",
         "url": "https://social.example/@eve/1", "published": "2026-02-01T10:00:00Z",
         "content": HOSTILE,
         "author": {"name": "<img src=x onerror=alert('name')>Eve", "handle": "@eve",
                    "url": "javascript:alert('url')",
                    "avatar": "https://social.example/eve.png"}},
        {"platform": "bluesky", "kind": "reply", "id": "2", "url": "javascript:alert(4)",
         "published": "2026-02-02T10:00:00Z", "content": "<p>Same river here.</p>",
         "author": {"name": "Sam", "handle": "@sam.example", "url": "https://sam.example",
                    "avatar": "data:image/png;base64,AAAA"}}],
    "reposts": [],
    "likes": [{"platform": "mastodon", "kind": "like", "id": "3",
               "author": {"name": "Kim", "handle": "@kim", "url": "https://kim.example",
                          "avatar": ""}}]}}}
CUSTOM_ARTICLE = """<!doctype html>
<html lang="{{ DEFAULT_LANG }}"><head><title>{{ article.title|striptags }}</title></head>
<body><article>{{ article.content }}
{% include "syndicate/also_on.html" %}
{% include "syndicate/responses.html" %}
</article></body></html>
"""


class Page(HTMLParser):
    """What a built page holds: its elements (tag, attributes, inside an <aside>?)."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str], bool]] = []
        self.asides = 0
        self.text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "aside":
            self.asides += 1
        self.elements.append((tag, {k: v or "" for k, v in attrs}, self.asides > 0))

    def handle_endtag(self, tag: str) -> None:
        if tag == "aside":
            self.asides -= 1

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def having_class(self, name: str) -> list[dict[str, str]]:
        return [attrs for _, attrs, _ in self.elements if name in attrs.get("class", "").split()]

    def syndication_links(self) -> list[dict[str, str]]:
        return [attrs for tag, attrs, _ in self.elements
                if tag == "a" and "syndication" in attrs.get("rel", "").split()]

    def appended(self) -> list[dict[str, str]]:
        return [attrs for tag, attrs, _ in self.elements if tag == "aside"
                and "syndicate" in attrs.get("class", "").split()]


def posted_site(make_site: Callable[..., Site], **options: Any) -> Site:
    """A site whose article went to the outbox and got responses, rebuilt."""
    theme = options.pop("theme", None)
    site = make_site({"first.md": article("First walk"),
                      "second.md": article("Second walk", date="2026-01-11"),
                      "quiet.md": article("Quiet walk", date="2026-01-12", syndicate="no")},
                     theme=theme, syndicate={
                         "platforms": {"outbox": {"public_url": OUTBOX}}, **options})
    assert site.build().exit_code == 0
    result = site.run("post")
    assert result.exit_code == 0, result.output
    (site.root / "responses.json").write_text(json.dumps(RESPONSES), encoding="utf-8")
    result = site.build()
    assert result.exit_code == 0, result.output
    return site


def page(site: Site, path: str = PAGE) -> Page:
    return Page((site.output / path).read_text(encoding="utf-8"))


def outbox_url(site: Site) -> str:
    ledger = json.loads(site.ledger.read_text(encoding="utf-8"))
    url = ledger["articles"]["first.md"]["platforms"]["outbox"]["parts"][0]["url"]
    assert url.startswith(OUTBOX)
    return str(url)


def assert_shown_once(site: Site, path: str = PAGE) -> Page:
    """The "Also on" link and the responses, each exactly once, with nothing active."""
    shown = page(site, path)
    links = shown.syndication_links()
    assert [link["href"] for link in links] == [outbox_url(site)]
    assert "u-syndication" in links[0]["class"].split()
    assert "".join(shown.text).count("Also on") == 1
    assert len(shown.having_class("responses")) == 1
    assert len(shown.having_class("h-cite")) == 2
    assert len(shown.having_class("u-like-of")) == 1
    text = "".join(shown.text)
    assert "Lovely walk!" in text and "Same river here." in text
    assert "<img src=x onerror=alert('name')>Eve" in text, "the name is shown as text"
    for tag, attrs, _ in shown.elements:
        assert tag not in ("script", "style", "iframe"), (tag, attrs)
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, attrs)
            if name in ("href", "src"):
                assert not value.strip().lower().startswith(("javascript:", "data:")), attrs
    # Every link and image of the links and responses goes to an http(s) address.
    section = [attrs for tag, attrs, _ in shown.elements if tag in ("a", "img") and (
        {"u-syndication", "u-author", "u-url", "h-card", "u-photo", "u-like-of"}
        & set(attrs.get("class", "").split()) or "nofollow" in attrs.get("rel", ""))]
    assert len(section) >= 6
    for attrs in section:
        for name in ("href", "src"):
            assert attrs.get(name, "https://").startswith("https://"), attrs
    return shown


def test_the_default_theme_shows_also_on_and_the_responses_once(
        make_site: Callable[..., Site]) -> None:
    site = posted_site(make_site)
    shown = assert_shown_once(site)
    assert len(shown.appended()) == 1, "appended to the content, in one <aside>"
    assert all(inside for tag, attrs, inside in shown.elements
               if {"u-syndication", "reply"} & set(attrs.get("class", "").split()))
    # Rebuilt again: still once.
    assert site.build().exit_code == 0
    assert_shown_once(site)
    # An article that has nothing to show gets nothing appended.
    assert not page(site, "posts/quiet-walk/index.html").appended()
    other = page(site, "posts/second-walk/index.html")
    assert len(other.appended()) == 1 and len(other.syndication_links()) == 1
    assert not other.having_class("responses")


@pytest.mark.parametrize("layer", ["reader", "generator"])
def test_rebuilding_in_one_process_with_cached_content_appends_once(
        make_site: Callable[..., Site], layer: str) -> None:
    """`pelican --autoreload` runs one Pelican again and again, with its caches."""
    from pelican import Pelican
    from pelican.settings import read_settings

    site = posted_site(make_site)
    with site.conf.open("a", encoding="utf-8") as conf:
        conf.write('\nCACHE_CONTENT = True\nLOAD_CONTENT_CACHE = True\n'
                   f'CONTENT_CACHING_LAYER = {layer!r}\nCACHE_PATH = "cache"\n')
    pelican = Pelican(read_settings(str(site.conf)))
    for _ in range(3):
        pelican.run()
        assert_shown_once(site)
    caches = list((site.root / "cache").iterdir())
    saved = [pickle.loads(gzip.decompress(path.read_bytes())) for path in caches]
    assert any(saved), "Pelican could save its caches"
    # The next build reads the caches those runs saved.
    assert site.build().exit_code == 0
    assert_shown_once(site)


def test_the_fieldnotes_theme_shows_each_once_and_nothing_is_appended(
        make_site: Callable[..., Site]) -> None:
    site = posted_site(make_site, theme=FIELDNOTES)
    assert not assert_shown_once(site).appended()
    assert parts_the_theme_renders({"THEME": FIELDNOTES}) == {"also_on", "responses"}


def test_nothing_is_appended_when_the_setting_is_false(
        make_site: Callable[..., Site]) -> None:
    site = posted_site(make_site, append_to_content=False)
    shown = page(site)
    assert not shown.appended()
    assert not shown.syndication_links() and not shown.having_class("responses")


def test_a_theme_using_the_includes_shows_them_once(make_site: Callable[..., Site],
                                                   tmp_path: Path) -> None:
    theme = tmp_path / "mytheme"
    (theme / "templates").mkdir(parents=True)
    (theme / "templates/article.html").write_text(CUSTOM_ARTICLE, encoding="utf-8")
    assert parts_the_theme_renders({"THEME": str(theme)}) == {"also_on", "responses"}
    site = posted_site(make_site, theme=str(theme))
    assert not assert_shown_once(site).appended(), "the theme shows them, not the content"
    # Forced on: appended to the content, and the includes stay quiet.
    conf = site.conf.read_text(encoding="utf-8")
    site.conf.write_text(conf.replace("'platforms'", "'append_to_content': True, "
                                      "'platforms'", 1), encoding="utf-8")
    assert site.build().exit_code == 0
    assert len(assert_shown_once(site).appended()) == 1


def test_a_theme_that_shows_only_the_links_gets_only_the_responses_appended(
        make_site: Callable[..., Site], tmp_path: Path) -> None:
    theme = tmp_path / "linksonly"
    (theme / "templates").mkdir(parents=True)
    (theme / "templates/article.html").write_text(
        CUSTOM_ARTICLE.replace('{% include "syndicate/responses.html" %}', ""),
        encoding="utf-8")
    site = posted_site(make_site, theme=str(theme))
    shown = assert_shown_once(site)
    assert len(shown.appended()) == 1
    assert not any(inside for _, attrs, inside in shown.elements
                   if "u-syndication" in attrs.get("class", "").split())


def test_the_drafts_and_the_manifest_are_the_same_with_and_without_the_block(
        make_site: Callable[..., Site]) -> None:
    site = posted_site(make_site, append_to_content=False)
    manifest = site.root / ".syndicate/manifest.json"
    def drafts() -> tuple[bytes, str]:
        # Every draft, byte for byte (the header's generated_at is the build's time).
        return (manifest.read_bytes().split(b"\n", 1)[1],
                site.run("preview", "--format", "json").stdout)

    without = drafts()
    assert not page(site).appended()
    conf = site.conf.read_text(encoding="utf-8")
    site.conf.write_text(conf.replace("'append_to_content': False",
                                      "'append_to_content': True"), encoding="utf-8")
    manifest.unlink()  # written afresh, not left as it was
    assert site.build().exit_code == 0
    assert page(site).appended()
    assert drafts() == without


@pytest.mark.parametrize("value", ["sometimes", 1, None])
def test_a_bad_append_to_content_value_is_one_line(make_site: Callable[..., Site],
                                                   value: Any) -> None:
    site = make_site({"first.md": article("First walk")},
                     syndicate={"platforms": {"outbox": {}}, "append_to_content": value})
    result = site.build()
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "append_to_content" in lines[0], result.output
    assert '"auto", True or False' in lines[0]
