"""Posting to a Discord webhook, against a faithful fake on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from conftest import Site, article
from fakes.discord import FakeDiscord
from fakes.mastodon import FakeMastodon

from syndicate.ledger import Ledger

THREE = {f"walk-{n}.md": article(f"Walk number {n}", date=f"2026-01-0{n + 1}")
         for n in range(3)}


@pytest.fixture
def discord_site(live_site: Callable[..., Site]) -> Site:
    return live_site(THREE, {"discord": {"guild_id": "4242"}})


def post(site: Site, webhook: str, *args: str) -> object:
    return site.run("post", *args, env={"SYNDICATE_DISCORD_WEBHOOK_URL": webhook})


def test_each_draft_is_one_message_linked_from_the_ledger(
        discord_site: Site, discord: FakeDiscord) -> None:
    # Rate limited: retried. (A 5xx is not: the message may exist; test_exactly_once.)
    discord.faults.extend(["429", "ok"])
    result = post(discord_site, discord.webhook_url)
    assert result.exit_code == 0, result.output
    assert len(discord.messages) == 3 == len({m["content"] for m in discord.messages})
    ledger = Ledger.load(discord_site.ledger)
    for message in discord.messages:
        key = next(k for k in THREE if ledger.entry(k, "discord")["parts"][0]["id"]
                   == message["id"])
        assert ledger.entry(key, "discord")["parts"][0]["url"] == (
            f"https://discord.com/channels/4242/{discord.channel_id}/{message['id']}")


def test_a_lost_answer_is_not_sent_again_but_marked_for_attention(
        discord_site: Site, discord: FakeDiscord) -> None:
    discord.faults.append("lost")
    result = post(discord_site, discord.webhook_url)
    assert result.exit_code == 1
    assert "check the platform before posting again" in result.output
    assert len(discord.messages) == 3  # the lost one did arrive
    again = post(discord_site, discord.webhook_url)
    assert len(discord.messages) == 3, "no blind resend"
    assert again.exit_code == 1
    states = {row["article"]: row["state"] for row in json.loads(
        discord_site.run("status", "--format", "json").output)}
    assert sorted(states.values()) == ["attention", "posted", "posted"]


def test_a_wrong_webhook_is_one_line_and_never_printed(discord_site: Site,
                                                       discord: FakeDiscord) -> None:
    wrong = discord.webhook_url.replace(discord.token, "wrong-token-0123456789abcdefghij")
    result = discord_site.verbose_post({"SYNDICATE_DISCORD_WEBHOOK_URL": wrong})
    output = result.stdout + result.stderr
    assert result.returncode == 1
    assert "the webhook was refused (HTTP 401)" in output
    assert "discord: POST http://127.0.0.1" in output, "verbose: requests are logged"
    assert "wrong-token" not in output
    assert not discord.messages
    # Refused is not "maybe sent": with the right webhook, the next run posts them all.
    fixed = post(discord_site, discord.webhook_url)
    assert fixed.exit_code == 0, fixed.output
    assert len(discord.messages) == 3


def test_platforms_post_side_by_side_each_in_order(
        live_site: Callable[..., Site], discord: FakeDiscord, mastodon: FakeMastodon) -> None:
    articles = {f"w{n}.md": article(f"Walk {n}", date=f"2026-01-{n + 1:02d}")
                for n in range(4)}
    site = live_site(articles, {"outbox": {}, "mastodon": {"url": mastodon.url},
                                "discord": {}})
    result = site.run("post", env={"SYNDICATE_DISCORD_WEBHOOK_URL": discord.webhook_url,
                                   "SYNDICATE_MASTODON_TOKEN": "good-token"})
    assert result.exit_code == 0, result.output
    # Each platform's posts went out oldest first.
    walks = [f"Walk {n}" for n in range(4)]
    assert [m["content"].split("\n")[0] for m in discord.messages] == walks
    statuses = sorted(mastodon.statuses.values(), key=lambda s: int(s["id"]))
    assert [s["content"].split("\n")[0] for s in statuses] == walks
    ledger = Ledger.load(site.ledger)
    assert all(ledger.state(key, platform) == "posted" for key in articles
               for platform in ("outbox", "mastodon", "discord"))
