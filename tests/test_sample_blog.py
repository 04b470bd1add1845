"""The project's own sample blog, built for real with the plugin and the theme."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

from conftest import Site, shows_link

from syndicate.draft import PostedPart, text_hash
from syndicate.ledger import Ledger
from syndicate.text.bluesky_richtext import to_short_url

CONTRACT_KEYS = {"article", "url", "platform", "limit", "parts", "fits"}


def drafts_by(site: Site) -> dict[tuple[str, str], dict]:
    return {(d["article"], d["platform"]): d for d in site.preview_json()}


def test_preview_json_follows_the_design_contract(sample_site: Site) -> None:
    drafts = sample_site.preview_json()
    assert drafts, "the sample blog produces drafts"
    platforms = {d["platform"] for d in drafts}
    assert {"mastodon", "bluesky", "x"} <= platforms
    for draft in drafts:
        assert set(draft) >= CONTRACT_KEYS
        assert isinstance(draft["limit"], int) and draft["limit"] > 0
        assert draft["url"].startswith("http://localhost:8000/posts/")
        assert isinstance(draft["fits"], bool) and draft["fits"]
        # The link is in the first part (the others continue a thread).
        assert shows_link(draft, draft["parts"][0])
        for part in draft["parts"]:
            assert isinstance(part["text"], str) and isinstance(part["length"], int)
            assert part["length"] <= draft["limit"]
            assert isinstance(part["facets"], list)
            if draft["platform"] != "bluesky":
                assert part["facets"] == []
    # The sample blog shows a thread: its Bluesky settings ask for one.
    assert any(len(d["parts"]) > 1 for d in drafts if d["platform"] == "bluesky")


def test_bluesky_link_facets_point_at_the_url_by_utf8_bytes(sample_site: Site) -> None:
    for draft in sample_site.preview_json("--platform", "bluesky"):
        text = draft["parts"][0]["text"].encode("utf-8")
        facets = draft["parts"][0]["facets"]
        links = [f for f in facets if f["features"][0]["$type"].endswith("#link")]
        assert links and links[0]["features"][0]["uri"] == draft["url"]
        index = links[0]["index"]
        shown = text[index["byteStart"]:index["byteEnd"]].decode()
        # Shown the way the official app shows it: host and the start of the path.
        assert shown == to_short_url(draft["url"])
        assert shown.startswith("localhost:8000/posts/")
        tags = [f for f in facets if f["features"][0]["$type"].endswith("#tag")]
        for tag in tags:
            index = tag["index"]
            tagged = text[index["byteStart"]:index["byteEnd"]].decode()
            assert tagged.lstrip("#＃") == tag["features"][0]["tag"]


def test_only_published_articles_that_are_due_produce_drafts(sample_site: Site) -> None:
    content = sample_site.root / "content"
    expected = set()
    texts = []
    for path in (content / "posts").rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        texts.append(text)
        status = re.search(r"^Status:\s*(\w+)", text, re.M | re.I)
        year = int(re.search(r"^Date:\s*(\d{4})", text, re.M).group(1))  # type: ignore[union-attr]
        opted_out = re.search(r"^Syndicate:\s*no\s*$", text, re.M | re.I)
        hidden = status and status.group(1).lower() in ("draft", "hidden")
        if not (hidden or year > 2026 or opted_out):
            expected.add(str(path.relative_to(content)))
    assert {d["article"] for d in sample_site.preview_json()} == expected
    # The sample blog exercises every one of these cases.
    assert any(re.search(r"^Status:\s*draft", t, re.M | re.I) for t in texts)
    assert any(re.search(r"^Status:\s*hidden", t, re.M | re.I) for t in texts)
    assert any(re.search(r"^Date:\s*2027", t, re.M) for t in texts)
    assert any(re.search(r"^Syndicate:\s*no", t, re.M | re.I) for t in texts)


def test_per_article_metadata_overrides_text_and_opts_out_of_a_platform(
        sample_site: Site) -> None:
    content = sample_site.root / "content"
    drafts = drafts_by(sample_site)
    checked = 0
    for path in content.rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        key = str(path.relative_to(content))
        custom = re.search(r"^Mastodon:\s*(.+)$", text, re.M)
        if custom:
            checked += 1
            posted = drafts[(key, "mastodon")]["parts"][0]["text"]
            assert posted.startswith(custom.group(1).strip()[:40])
            assert drafts[(key, "mastodon")]["url"] in posted
        if re.search(r"^Syndicate:\s*-x\s*$", text, re.M):
            checked += 1
            assert (key, "x") not in drafts
            assert (key, "mastodon") in drafts
    assert checked >= 2


def test_hashtags_come_from_tag_names_not_slugs(sample_site: Site) -> None:
    texts = " ".join(p["text"] for d in sample_site.preview_json() for p in d["parts"])
    assert "#日本" in texts
    assert "ri-ben" not in texts and "#riben" not in texts.lower()
    # Devanagari keeps its vowel signs.
    assert "#दिल्ली" in texts or "दिल्ली" not in (sample_site.root / "content").joinpath(
        "posts").joinpath("old-delhi-morning.md").read_text(encoding="utf-8")


def test_summaries_are_plain_text_with_resolved_links(sample_site: Site) -> None:
    for draft in sample_site.preview_json():
        text = draft["parts"][0]["text"]
        assert "{filename}" not in text and "<" not in text and "&amp;" not in text


class MetaCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.links: list[dict[str, str]] = []
        self.classes: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "meta":
            name = values.get("property") or values.get("name")
            if name:
                self.meta[name] = values.get("content", "")
        if tag in ("a", "link"):
            self.links.append({"tag": tag, **values})
        self.classes.extend(values.get("class", "").split())


def page_for(site: Site, url: str) -> MetaCollector:
    relative = url.split("://", 1)[1].split("/", 1)[1]
    html = (site.output / relative / "index.html").read_text(encoding="utf-8")
    collector = MetaCollector()
    collector.feed(html)
    return collector


def test_article_pages_carry_h_entry_and_card_metadata(sample_site: Site) -> None:
    drafts = sample_site.preview_json()
    with_image = 0
    for draft in drafts:
        page = page_for(sample_site, draft["url"])
        assert {"h-entry", "p-name", "e-content", "dt-published", "u-url"} <= set(page.classes)
        assert page.meta["og:url"] == draft["url"]
        assert page.meta["og:title"] and page.meta["og:description"]
        assert any(link.get("rel") == "canonical" and link.get("href") == draft["url"]
                   for link in page.links)
        if "og:image" in page.meta:
            with_image += 1
            assert page.meta["og:image"].startswith("http://localhost:8000/")
            assert page.meta["og:image:alt"]
            assert page.meta["twitter:card"] == "summary_large_image"
            image = sample_site.output / page.meta["og:image"].split("8000/", 1)[1]
            assert image.is_file()
    assert with_image >= 1


def test_the_next_build_links_to_where_an_article_went(sample_site: Site) -> None:
    draft = sample_site.preview_json("--platform", "mastodon")[0]
    ledger = Ledger.load(sample_site.ledger)
    ledger.record_pending(draft["article"], draft["url"], "mastodon", 0,
                          text_hash(draft["parts"][0]["text"]))
    status_url = "https://mastodon.example/@fieldnotes/1234"
    ledger.record_part_posted(draft["article"], "mastodon", 0, PostedPart("1234", status_url))
    ledger.record_posted(draft["article"], "mastodon")
    try:
        assert sample_site.build().exit_code == 0
        page = page_for(sample_site, draft["url"])
        links = [a for a in page.links if a.get("href") == status_url]
        assert links and links[0]["rel"] == "syndication"
        assert "u-syndication" in links[0]["class"].split()
    finally:
        sample_site.ledger.unlink()
        sample_site.build()


def test_manifest_and_output_hold_no_secret(sample_site: Site, tmp_path: Path) -> None:
    secret = "s3cr3t-token-value-123"
    env = {"SYNDICATE_MASTODON_TOKEN": secret, "SYNDICATE_BLUESKY_PASSWORD": secret}
    assert sample_site.build(env=env).exit_code == 0
    sample_site.run("preview", env=env)
    for path in [*sample_site.output.rglob("*"), *sample_site.root.joinpath(
            ".syndicate").rglob("*")]:
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path
    manifest = json.loads((sample_site.root / ".syndicate/manifest.json").read_text())
    assert manifest["drafts"]


def test_cards_carry_the_image_file_for_platforms_that_upload_it(sample_site: Site) -> None:
    cards = [d["card"] for d in sample_site.preview_json("--platform", "bluesky")]
    with_image = [card for card in cards if card.get("image")]
    assert with_image
    for card in with_image:
        assert card["image_alt"], "the sample blog gives every card image its alt text"
        image = sample_site.root / card["image_file"]
        assert image.is_file() and image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert card["image"].endswith(card["image_file"].removeprefix("content/"))
