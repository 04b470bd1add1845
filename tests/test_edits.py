"""Changed articles after posting (on_edit: ignore, edit, repost) and `syndicate retract`."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from conftest import Site, article
from fakes.mastodon import FakeMastodon
from pds_server import Account, PdsServer

from syndicate.ledger import Ledger

TOKEN = {"SYNDICATE_MASTODON_TOKEN": "good-token"}


def walk(summary: str) -> dict[str, str]:
    return {"walk.md": article("A walk", summary=summary)}


def posted_then_changed(live_site: Callable[..., Site], mastodon: FakeMastodon,
                        **options: object) -> tuple[Site, str]:
    site = live_site(walk("Along the canal at dawn."),
                     {"mastodon": {"url": mastodon.url, **options}})
    assert site.run("post", env=TOKEN).exit_code == 0
    (status,) = mastodon.statuses.values()
    site.write("content/walk.md", walk("Along the canal at noon.")["walk.md"])
    assert site.build().exit_code == 0
    return site, status["id"]


def test_by_default_a_changed_article_is_not_posted_again(
        live_site: Callable[..., Site], mastodon: FakeMastodon) -> None:
    site, status_id = posted_then_changed(live_site, mastodon)
    result = site.run("post", env=TOKEN)
    assert "nothing new to post" in result.output
    assert "dawn" in mastodon.statuses[status_id]["content"]
    assert "edited_at" not in mastodon.statuses[status_id]


def test_edit_changes_the_status_in_place(live_site: Callable[..., Site],
                                          mastodon: FakeMastodon) -> None:
    site, status_id = posted_then_changed(live_site, mastodon, on_edit="edit")
    result = site.run("post", env=TOKEN)
    assert result.exit_code == 0, result.output
    assert f"Edited walk.md on mastodon: {mastodon.statuses[status_id]['url']}" in result.output
    assert list(mastodon.statuses) == [status_id]
    assert "noon" in mastodon.statuses[status_id]["content"]
    assert mastodon.statuses[status_id]["edited_at"]
    again = site.run("post", env=TOKEN)
    assert "Edited" not in again.output, "edited once"


def test_repost_deletes_and_posts_again(live_site: Callable[..., Site],
                                        mastodon: FakeMastodon) -> None:
    site, status_id = posted_then_changed(live_site, mastodon, on_edit="repost")
    result = site.run("post", env=TOKEN)
    assert result.exit_code == 0, result.output
    assert status_id not in mastodon.statuses
    (new,) = mastodon.statuses.values()
    assert "noon" in new["content"]
    assert Ledger.load(site.ledger).entry("walk.md", "mastodon")["parts"][0]["id"] == new["id"]
    assert "Reposted walk.md on mastodon" in result.output


def test_retract_deletes_every_copy_and_it_stays_retracted(
        live_site: Callable[..., Site], mastodon: FakeMastodon, pds: PdsServer,
        bluesky_account: Account) -> None:
    site = live_site(walk("Along the canal."), {
        "mastodon": {"url": mastodon.url},
        "bluesky": {"url": pds.url, "handle": bluesky_account.handle}})
    env = {**TOKEN, "SYNDICATE_BLUESKY_PASSWORD": bluesky_account.password}
    assert site.run("post", env=env).exit_code == 0
    rkey = Ledger.load(site.ledger).entry("walk.md", "bluesky")["parts"][0]["id"].rsplit(
        "/", 1)[1]
    assert pds.list_records(bluesky_account.did, "app.bsky.feed.post")
    declined = site.run("retract", "walk.md", env=env, input="n\n")
    assert declined.exit_code == 1 and mastodon.statuses
    result = site.run("retract", "walk.md", "--yes", env=env)
    assert result.exit_code == 0, result.output
    assert not mastodon.statuses
    assert pds.list_records(bluesky_account.did, "app.bsky.feed.post") == []
    with pytest.raises(Exception):  # noqa: B017 - the PDS says RecordNotFound
        pds.get_record(bluesky_account.did, "app.bsky.feed.post", rkey)
    ledger = Ledger.load(site.ledger)
    assert {ledger.state("walk.md", p) for p in ("mastodon", "bluesky")} == {"retracted"}
    assert "nothing new to post" in site.run("post", env=env).output
    unknown = site.run("retract", "nope.md", "--yes", env=env)
    assert unknown.exit_code == 2 and "has no posted copies" in unknown.output
