"""Cadence: a delay after an article goes live, and caps per platform per hour/quota."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from conftest import Site, article
from fakes.mastodon import FakeMastodon
from fakes.x import FakeX

THREE = {f"walk-{n}.md": article(f"Walk number {n}", date=f"2026-01-0{n + 1}")
         for n in range(3)}
TOKEN = {"SYNDICATE_MASTODON_TOKEN": "good-token"}


def rewrite_ledger(site: Site, change: Callable[[dict], None]) -> None:
    data = json.loads(site.ledger.read_text())
    change(data)
    site.ledger.write_text(json.dumps(data))


def ago(minutes: int) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes)).isoformat(timespec="seconds")


def test_an_article_waits_the_delay_after_it_went_live(
        make_site: Callable[..., Site], deployed: str, mastodon: FakeMastodon) -> None:
    site = make_site(THREE, siteurl=deployed, syndicate={
        "platforms": {"mastodon": {"url": mastodon.url}, "outbox": {}}, "delay_minutes": 30})
    assert site.build().exit_code == 0
    first = site.run("post", env=TOKEN)
    assert first.exit_code == 0, first.output
    assert not mastodon.statuses, "live just now: too soon"
    assert first.output.count("Later: ") == 3 and "delay_minutes 30" in first.output
    assert len(site.outbox_posts()) == 3, "the local outbox has no delay"
    # Twenty minutes later: still too soon. Thirty-one: out it goes.
    rewrite_ledger(site, lambda d: [a.update(live_since=ago(20)) for a in
                                    d["articles"].values()])
    site.run("post", env=TOKEN)
    assert not mastodon.statuses
    rewrite_ledger(site, lambda d: [a.update(live_since=ago(31)) for a in
                                    d["articles"].values()])
    result = site.run("post", env=TOKEN)
    assert result.exit_code == 0 and len(mastodon.statuses) == 3


def test_at_most_per_hour_posts_go_oldest_first_and_the_rest_wait(
        make_site: Callable[..., Site], deployed: str, mastodon: FakeMastodon) -> None:
    site = make_site(THREE, siteurl=deployed, syndicate={
        "platforms": {"mastodon": {"url": mastodon.url, "per_hour": 2}}})
    assert site.build().exit_code == 0
    result = site.run("post", env=TOKEN)
    assert result.exit_code == 0
    assert [s["content"].split("\n")[0] for s in mastodon.statuses.values()] == [
        "Walk number 0", "Walk number 1"]
    assert "Later: walk-2.md to mastodon: 2 posts per hour (per_hour) reached" in result.output
    assert "nothing new" not in site.run("status").output
    # An hour later the third goes.
    rewrite_ledger(site, lambda d: [part.update(posted_at=ago(61)) for a in
                                    d["articles"].values() for e in a["platforms"].values()
                                    for part in e["parts"]])
    assert site.run("post", env=TOKEN).exit_code == 0
    assert len(mastodon.statuses) == 3


def test_the_platforms_own_quota_is_respected(
        make_site: Callable[..., Site], deployed: str, x: FakeX) -> None:
    site = make_site(THREE, siteurl=deployed, syndicate={
        "platforms": {"x": {"api_url": x.url}}})
    assert site.build().exit_code == 0
    # 99 posts in the last quarter of an hour (by another run): room for one more.
    recent = {"state": "posted", "hash": "", "updated_at": ago(5), "parts": [
        {"state": "posted", "id": str(n), "url": f"https://x.com/i/web/status/{n}",
         "posted_at": ago(5)} for n in range(99)]}
    site.ledger.write_text(json.dumps({"version": 1, "articles": {"old.md": {
        "url": "https://blog.example/old/", "platforms": {"x": recent}}}}))
    result = site.run("post", env={"SYNDICATE_X_TOKEN": x.token})
    assert result.exit_code == 0, result.output
    assert len(x.tweets) == 1
    assert "100 posts per 15 minutes (X's quota) reached" in result.output
