"""The round trip on the sample blog: post, someone replies, backfeed, rebuild, and the
reply is under the article with its link, escaped and stripped of anything active."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import PROJECT, Site, copy_sample_blog
from fakes.mastodon import FakeMastodon
from playwright.sync_api import Browser

from syndicate.ledger import Ledger
from syndicate.responses import clean_html

ARTICLE = "posts/kyoto-morning-walk.md"
PAGE = "posts/kyoto-morning-walk/index.html"
EVE = {"id": "77", "acct": "eve@elsewhere.example", "url": "javascript:alert('url')",
       "display_name": "<img src=x onerror=alert('name')>Eve",
       "avatar": "https://elsewhere.example/avatars/eve.png"}
SAM = {"id": "78", "acct": "sam@elsewhere.example", "url": "https://elsewhere.example/@sam",
       "display_name": "Sam", "avatar": "https://elsewhere.example/avatars/sam.png"}
REPLY = ('<p>Lovely walk! <script>alert("script")</script><a href="javascript:alert(1)">'
         'click</a> <a href="https://elsewhere.example/kamo" onclick="alert(2)">the river</a>'
         '<img src=x onerror="alert(3)"><style>body{display:none}</style></p>')


@pytest.fixture
def blog(tmp_path: Path, deployed: str, mastodon: FakeMastodon) -> Site:
    """The project's sample blog, deployed on 127.0.0.1, syndicating to the fake Mastodon."""
    root = copy_sample_blog(tmp_path / "site", (
        f"\nSITEURL = {deployed!r}\n"
        f"SYNDICATE = {{'platforms': {{'mastodon': {{'url': {mastodon.url!r}}}}}}}\n"))
    site = Site(root)
    assert site.build().exit_code == 0
    return site


def test_a_reply_on_mastodon_shows_under_the_article(
        blog: Site, mastodon: FakeMastodon, browser: Browser) -> None:
    env = {"SYNDICATE_MASTODON_TOKEN": "good-token"}
    assert blog.run("post", "--max", "100", env=env).exit_code == 0
    status = Ledger.load(blog.ledger).entry(ARTICLE, "mastodon")["parts"][0]
    reply = mastodon.reply(status["id"], EVE, REPLY)
    mastodon.favourite(status["id"], SAM)
    mastodon.reblog(status["id"], SAM)

    result = blog.run("backfeed", env=env)
    assert result.exit_code == 0, result.output
    assert "3 new responses" in result.output
    again = blog.run("backfeed", env=env)
    assert "0 new responses" in again.output, "what is known is not added twice"
    stored = json.loads((blog.root / "responses.json").read_text())["articles"][ARTICLE]
    assert [r["id"] for r in stored["replies"]] == [reply["id"]]
    assert "script" not in stored["replies"][0]["content"]

    assert blog.build().exit_code == 0
    html = (blog.output / PAGE).read_text(encoding="utf-8")
    start = html.index('<section class="responses"')
    section = html[start:html.index("</section>", start)]
    assert "Lovely walk!" in section
    assert f'href="{reply["url"]}"' in section, "a link to the reply where it lives"
    assert "&lt;img src=x onerror=alert(&#39;name&#39;)&gt;Eve" in section or \
        "&lt;img src=x onerror=alert(&#x27;name&#x27;)&gt;Eve" in section
    for active in ("<script", "javascript:", "onerror=\"", "onclick", "<style", "<img src=x"):
        assert active not in section, active
    assert 'href="https://elsewhere.example/kamo" rel="nofollow ugc noopener"' in section
    assert "1 liked this" in section and "1 shared this" in section
    # Other articles have no responses section.
    other = (blog.output / "posts/other-peoples-windows/index.html").read_text()
    assert 'class="responses"' not in other

    # In a real browser: nothing runs, the reply is there, every link goes where it says.
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
        "file://") else route.abort())
    page.goto((blog.output / PAGE).as_uri())
    assert dialogs == []
    assert "Lovely walk!" in page.locator(".reply .e-content").inner_text()
    hrefs = page.locator(".responses a").evaluate_all("links => links.map(a => a.href)")
    assert hrefs and all(href.startswith(("http://", "https://")) or href == ""
                         for href in hrefs), hrefs
    page.close()


@pytest.mark.parametrize("payload", [
    '<a href="javascript:alert(1)">x</a>', "<svg onload=alert(1)>", "<iframe src=x>",
    '<p style="background:url(x)">styled</p>', "<math><mi xlink:href=javascript:1>",
    '<a href="data:text/html,<script>alert(1)</script>">d</a>',
    "<<script>script>alert(1)<</script>",
    '<img src="x" onerror="alert(1)">', "<form action=x><input></form>",
])
def test_clean_html_leaves_nothing_active(payload: str) -> None:
    cleaned = clean_html(payload).lower()
    for active in ("javascript:", "onload", "onerror", "<iframe", "<script", "style=",
                   "data:", "<form", "<input", "<svg", "<img"):
        assert active not in cleaned, (payload, cleaned)


def test_responses_file_edited_by_hand_is_cleaned_again(blog: Site, mastodon: FakeMastodon
                                                        ) -> None:
    tampered: dict[str, Any] = {"version": 1, "articles": {ARTICLE: {"replies": [{
        "platform": "mastodon", "kind": "reply", "id": "1", "url": "javascript:alert(1)",
        "published": "2026-05-01", "content": "<script>alert(1)</script><p>hi</p>",
        "author": {"name": "<b>x</b>", "handle": "@x", "url": "https://a.example",
                   "avatar": "javascript:alert(2)"}}], "reposts": [], "likes": []}}}
    (blog.root / "responses.json").write_text(json.dumps(tampered), encoding="utf-8")
    assert blog.build().exit_code == 0
    html = (blog.output / PAGE).read_text(encoding="utf-8")
    assert "<p>hi</p>" in html and "<script>alert(1)" not in html
    assert "javascript:" not in html and "&lt;b&gt;x&lt;/b&gt;" in html


def test_bluesky_replies_likes_and_reposts_come_home(
        make_site: Any, deployed: str, pds: Any, bluesky_account: Any) -> None:
    from fakes import appview
    from test_bluesky import THREE

    with appview.running() as view:
        site = make_site(THREE, siteurl=deployed, theme=str(PROJECT / "themes/fieldnotes"),
                         syndicate={"platforms": {"bluesky": {
                             "url": pds.url, "handle": bluesky_account.handle,
                             "appview": view.url}}})
        assert site.build().exit_code == 0
        env = {"SYNDICATE_BLUESKY_PASSWORD": bluesky_account.password}
        assert site.run("post", env=env).exit_code == 0
        uri = Ledger.load(site.ledger).entry("walk-1.md", "bluesky")["parts"][0]["id"]
        assert uri.startswith("at://") and pds.get_record(
            bluesky_account.did, "app.bsky.feed.post", uri.rsplit("/", 1)[1])
        kai = appview.actor("kai.example.com", "<b>Kai</b>", "https://cdn.example/kai.jpg")
        text = "Same walk! <script>alert(1)</script> see kai.example.com/walk"
        start = len(b"Same walk! <script>alert(1)</script> see ")
        reply = view.reply(uri, kai, text, [{"index": {"byteStart": start,
                                                       "byteEnd": len(text.encode())},
                                             "features": [{"$type": "app.bsky.richtext.facet#link",
                                                           "uri": "https://kai.example.com/walk"}]}])
        view.reply(reply["uri"], appview.actor("lee.example.com", "Lee"), "Me too")
        view.like(uri, kai)
        view.repost(uri, kai)
        result = site.run("backfeed", env=env)
        assert result.exit_code == 0, result.output
        assert "4 new responses" in result.output
    assert site.build().exit_code == 0
    html = (site.output / "posts/walk-number-1/index.html").read_text(encoding="utf-8")
    assert "Same walk! &lt;script&gt;alert(1)&lt;/script&gt; see" in html
    assert '<a href="https://kai.example.com/walk" rel="nofollow ugc noopener">' in html
    assert "Me too" in html, "replies to replies come home too"
    assert f"https://bsky.app/profile/kai.example.com/post/{reply['uri'].rsplit('/', 1)[1]}" \
        in html
    assert "&lt;b&gt;Kai&lt;/b&gt;" in html and "<script>" not in html
    assert "1 liked this" in html and "1 shared this" in html


@pytest.mark.parametrize("href", ["/elsewhere", "{filename}/posts/x.md", "//evil.example/x",
                                  "x.html", "?q=1"])
def test_a_reply_keeps_only_absolute_http_links(href: str) -> None:
    """A relative link in a reply would become a link into this site once on its pages."""
    cleaned = clean_html(f'<p>see <a href="{href}">this</a></p>')
    assert "href" not in cleaned and "this" in cleaned
