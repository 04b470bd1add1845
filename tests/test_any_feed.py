"""Any blog: articles from an Atom, RSS or JSON Feed, posted once through GUID churn."""

from __future__ import annotations

import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from conftest import Site, serving


class FeedServer(BaseHTTPRequestHandler):
    """Serves whatever feed the test puts in `body`."""

    body = b""
    content_type = "application/rss+xml"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", FeedServer.content_type)
        self.send_header("Content-Length", str(len(FeedServer.body)))
        self.end_headers()
        self.wfile.write(FeedServer.body)


@pytest.fixture
def feed_url() -> Iterator[str]:
    with serving(FeedServer) as url:
        yield f"{url}/feed"


def rss(items: list[tuple[str, str, str, str]]) -> bytes:
    """items: (guid, link path, title, date) newest first, as feeds list them."""
    entries = "".join(
        f"<item><guid isPermaLink='false'>{guid}</guid><link>https://notes.example{path}</link>"
        f"<title>{title}</title><pubDate>{date}</pubDate><category>small web</category>"
        f"<description>&lt;p&gt;What {title} is about, told in a few plain words "
        f"here.&lt;/p&gt;</description></item>" for guid, path, title, date in items)
    return (f"<?xml version='1.0'?><rss version='2.0'><channel><title>Notes</title>"
            f"<link>https://notes.example/</link><language>en</language>{entries}"
            f"</channel></rss>").encode()


FIRST = [("g3", "/three/", "Third note", "Wed, 07 Jan 2026 10:00:00 GMT"),
         ("g2", "/two/", "Second note", "Tue, 06 Jan 2026 10:00:00 GMT"),
         ("g1", "/one/", "First note", "Mon, 05 Jan 2026 10:00:00 GMT")]


def feed_site(tmp_path: Path, url: str) -> Site:
    site = Site(tmp_path / "notes")
    site.root.mkdir()
    site.write("syndicate.py", f'SYNDICATE = {{"feed": {url!r}, '
                               f'"platforms": {{"outbox": {{}}}}}}\n')
    return site


def run(site: Site, *args: str) -> Any:
    from click.testing import CliRunner

    from syndicate.cli import cli

    command, *rest = args
    return CliRunner().invoke(cli, [command, "-s", str(site.root / "syndicate.py"), *rest],
                              catch_exceptions=False)


def test_rss_articles_post_once_through_reordering_new_guids_and_edits(
        tmp_path: Path, feed_url: str) -> None:
    FeedServer.body, FeedServer.content_type = rss(FIRST), "application/rss+xml"
    site = feed_site(tmp_path, feed_url)
    built = run(site, "build")
    assert built.exit_code == 0, built.output
    drafts = json.loads(run(site, "preview", "--format", "json").output)
    assert {d["url"] for d in drafts} == {"https://notes.example/one/",
                                          "https://notes.example/two/",
                                          "https://notes.example/three/"}
    assert all("#SmallWeb" in d["parts"][0]["text"] for d in drafts)
    posted = run(site, "post")
    assert posted.exit_code == 0, posted.output
    assert len(site.outbox_posts()) == 3, posted.output
    # The feed is regenerated: new GUIDs, another order, an edited title, http instead
    # of https, and a fourth entry. Only the fourth is new.
    churned = [("x9", "/one", "First note (edited)", FIRST[2][3]),
               ("x7", "/three/", "Third note", FIRST[0][3]),
               ("x8", "/two/", "Second note", FIRST[1][3]),
               ("x6", "/four/", "Fourth note", "Thu, 08 Jan 2026 10:00:00 GMT")]
    FeedServer.body = rss(churned).replace(b"https://notes", b"http://notes")
    assert run(site, "build").exit_code == 0
    result = run(site, "post")
    assert result.exit_code == 0, result.output
    posted = site.outbox_posts()
    assert len(posted) == 4, result.output
    assert sum("Fourth note" in p["text"] for p in posted) == 1


KYOTO = "夜明けの鴨川は静かで、水の音だけが聞こえる朝でした。"


@pytest.mark.parametrize("kind", ["atom", "json"])
def test_atom_and_json_feed(tmp_path: Path, feed_url: str, kind: str) -> None:
    if kind == "atom":
        FeedServer.content_type = "application/atom+xml"
        FeedServer.body = (
            "<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
            "<title>Notes</title><link href='https://notes.example/'/><id>urn:n</id>"
            "<updated>2026-01-05T10:00:00Z</updated><entry><title>京都の朝</title>"
            "<link href='https://notes.example/kyoto/'/><id>urn:1</id>"
            "<updated>2026-01-05T10:00:00Z</updated><category term='日本'/>"
            f"<summary type='html'>&lt;p&gt;{KYOTO}&lt;/p&gt;"
            "</summary></entry></feed>").encode()
    else:
        FeedServer.content_type = "application/feed+json"
        FeedServer.body = json.dumps({
            "version": "https://jsonfeed.org/version/1.1", "title": "Notes",
            "home_page_url": "https://notes.example/", "language": "ja",
            "items": [{"id": "1", "url": "https://notes.example/kyoto/", "title": "京都の朝",
                       "date_published": "2026-01-05T10:00:00Z", "tags": ["日本"],
                       "content_html": f"<p>{KYOTO}</p>"}]
        }).encode()
    site = feed_site(tmp_path, feed_url)
    assert run(site, "build").exit_code == 0
    (draft,) = json.loads(run(site, "preview", "--format", "json").output)
    assert draft["title"] == "京都の朝" and draft["url"] == "https://notes.example/kyoto/"
    assert "夜明けの鴨川は静かで" in draft["parts"][0]["text"]
    assert "#日本" in draft["parts"][0]["text"]


def test_a_feed_that_is_not_one_is_a_clear_error(tmp_path: Path, feed_url: str) -> None:
    FeedServer.body, FeedServer.content_type = b"<html><p>hello</p></html>", "text/html"
    site = feed_site(tmp_path, feed_url)
    result = run(site, "build")
    assert result.exit_code != 0
    assert feed_url in result.output and "Traceback" not in result.output
