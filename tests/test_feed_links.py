"""The "Also on" links go into the Atom feed too: rel="syndication" on each entry."""

from __future__ import annotations

from collections.abc import Callable

import feedparser
from conftest import Site, article
from fakes.mastodon import FakeMastodon


def test_feed_entries_link_to_their_copies(live_site: Callable[..., Site],
                                           mastodon: FakeMastodon) -> None:
    site = live_site({"a.md": article("First walk"),
                      "b.md": article("Second walk", date="2026-01-11")},
                     {"mastodon": {"url": mastodon.url}})
    assert site.run("post", env={"SYNDICATE_MASTODON_TOKEN": "good-token"}).exit_code == 0
    assert site.build().exit_code == 0
    assert site.build().exit_code == 0  # rebuilt again: still one link each, not two
    feed = feedparser.parse((site.output / "feeds/all.atom.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    urls = {s["content"].split("\n")[0]: s["url"] for s in mastodon.statuses.values()}
    for entry in feed.entries:
        copies = [link["href"] for link in entry.links if link.get("rel") == "syndication"]
        assert copies == [urls[entry.title]]
