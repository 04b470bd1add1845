"""Posting to X (API v2), against a faithful fake on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from conftest import Site, article
from fakes.x import FakeX

from syndicate.ledger import Ledger

THREE = {f"walk-{n}.md": article(f"Walk number {n}", date=f"2026-01-0{n + 1}")
         for n in range(3)}


@pytest.fixture
def x_site(live_site: Callable[..., Site], x: FakeX) -> Site:
    return live_site(THREE, {"x": {"api_url": x.url}})


def post(site: Site, token: str) -> object:
    return site.run("post", env={"SYNDICATE_X_TOKEN": token})


def test_posts_and_links(x_site: Site, x: FakeX) -> None:
    x.faults.extend(["429", "ok"])
    result = post(x_site, x.token)
    assert result.exit_code == 0, result.output
    assert len(x.tweets) == 3
    entry = Ledger.load(x_site.ledger).entry("walk-0.md", "x")
    assert entry["parts"][0]["url"] == f"https://x.com/i/web/status/{entry['parts'][0]['id']}"


def test_a_lost_answer_is_found_among_the_latest_posts_not_posted_twice(
        x_site: Site, x: FakeX) -> None:
    x.faults.append("lost")
    first = post(x_site, x.token)
    assert first.exit_code == 0, first.output
    assert len(x.tweets) == 3, "found on the timeline, not posted again"
    second = post(x_site, x.token)
    assert second.exit_code == 0 and "nothing new to post" in second.output
    assert len(x.tweets) == 3
    ledger = Ledger.load(x_site.ledger)
    assert all(ledger.state(key, "x") == "posted" for key in THREE)
    assert {ledger.entry(k, "x")["parts"][0]["id"] for k in THREE} == {
        t["id"] for t in x.tweets}


def test_a_refused_token_is_one_line(x_site: Site, x: FakeX) -> None:
    result = post(x_site, "wrong-token-abcdef")
    assert result.exit_code == 1
    assert "the token was refused (401)" in result.output
    assert "wrong-token" not in result.output
    assert not x.tweets
