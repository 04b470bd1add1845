"""What a platform answers is untrusted: an address it gives for a post becomes an "Also
on" link on the site and in its feed only when it is a plain web address. And two
articles never share an outbox file, however alike their keys."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import feedparser
import pytest
from conftest import PROJECT, Site, article

HOSTILE_URLS = [
    "javascript:alert(document.cookie)",
    "JavaScript:alert(1)//https://ok.example/",
    "data:text/html,<script>alert(1)</script>",
    'https://social.example/@me/1"><script>alert(1)</script>',
    "https://social.example/@me/1' onmouseover='alert(1)",
    "//social.example/@me/1",
    "https:///no-host",
]


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_only_web_addresses_become_also_on_links(make_site: Callable[..., Site],
                                                 url: str) -> None:
    site = make_site({"a.md": article("First walk")},
                     theme=str(PROJECT / "themes" / "fieldnotes"))
    assert site.build().exit_code == 0
    assert site.run("post").exit_code == 0
    # The answer as a hostile or broken platform could give it, recorded in the ledger.
    ledger = json.loads(site.ledger.read_text(encoding="utf-8"))
    ledger["articles"]["a.md"]["platforms"]["outbox"]["parts"][0]["url"] = url
    site.ledger.write_text(json.dumps(ledger), encoding="utf-8")
    assert site.build().exit_code == 0
    page = (site.output / "posts" / "first-walk" / "index.html").read_text(encoding="utf-8")
    assert 'rel="syndication"' not in page
    assert "<script>alert" not in page and "javascript:" not in page.lower()
    feed = feedparser.parse((site.output / "feeds" / "all.atom.xml").read_bytes())
    assert not [link for entry in feed.entries for link in entry.links
                if link.get("rel") == "syndication"]


def test_a_web_address_still_becomes_a_link(make_site: Callable[..., Site]) -> None:
    site = make_site({"a.md": article("First walk")},
                     theme=str(PROJECT / "themes" / "fieldnotes"))
    assert site.build().exit_code == 0
    assert site.run("post").exit_code == 0
    ledger = json.loads(site.ledger.read_text(encoding="utf-8"))
    ledger["articles"]["a.md"]["platforms"]["outbox"]["parts"][0]["url"] = \
        "https://social.example/@me/1"
    site.ledger.write_text(json.dumps(ledger), encoding="utf-8")
    assert site.build().exit_code == 0
    page = (site.output / "posts" / "first-walk" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'rel="syndication"[^>]*href="https://social.example/@me/1"', page)


def test_keys_that_differ_only_in_spaces_and_dashes_get_their_own_outbox_files(
        make_site: Callable[..., Site]) -> None:
    site = make_site({"one.md": article("Walk one", syndicate_key="walks/a b"),
                      "two.md": article("Walk two", syndicate_key="walks/a-b"),
                      "three.md": article("Walk three", syndicate_key="walks/a  b")})
    assert site.build().exit_code == 0
    assert site.run("post").exit_code == 0
    posts = site.outbox_posts()
    assert sorted(p["article"] for p in posts) == ["walks/a  b", "walks/a b", "walks/a-b"]
    assert len({p["id"] for p in posts}) == 3
    # And a second run finds each post where it is: nothing goes out twice.
    assert "nothing new to post" in site.run("post").output
    assert len(site.outbox_posts()) == 3
