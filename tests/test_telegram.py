"""Posting to a Telegram channel through the Bot API, against a faithful fake."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from conftest import Site, article
from fakes.telegram import FakeTelegram

from syndicate.ledger import Ledger

LONG = " ".join(f"Sentence {n} of a long walk along the river." for n in range(150))


@pytest.fixture
def telegram_site(live_site: Callable[..., Site], telegram: FakeTelegram) -> Site:
    return live_site({"a.md": article("A walk", date="2026-01-01"),
                      "long.md": article("Long", date="2026-01-02", summary=LONG,
                                         thread="yes")},
                     {"telegram": {"chat_id": "@fieldnotes", "api_url": telegram.url,
                                   "limit": 1000}})


def test_messages_go_to_the_channel_with_links_and_reply_chains(
        telegram_site: Site, telegram: FakeTelegram) -> None:
    telegram.faults.extend(["429", "ok"])
    result = telegram_site.run("post", env={"SYNDICATE_TELEGRAM_BOT_TOKEN": telegram.token})
    assert result.exit_code == 0, result.output
    ledger = Ledger.load(telegram_site.ledger)
    assert ledger.entry("a.md", "telegram")["parts"][0]["url"].startswith(
        "https://t.me/fieldnotes/")
    thread = [m for m in telegram.messages if m["text"].startswith(("Long", "Sentence"))]
    assert len(thread) > 2 and thread[0]["reply_to"] is None
    for previous, message in itertools.pairwise(thread):
        assert message["reply_to"] == previous["message_id"]


def test_the_bot_token_never_shows(telegram_site: Site, telegram: FakeTelegram) -> None:
    wrong = "987654321:AAwrong-token-zyxwvutsrqponmlk"
    run = telegram_site.verbose_post({"SYNDICATE_TELEGRAM_BOT_TOKEN": wrong})
    output = run.stdout + run.stderr
    assert run.returncode == 1
    assert "the bot token was refused" in output
    assert "telegram: POST http://127.0.0.1" in output
    assert "wrong-token" not in output and "987654321" not in output
    for path in telegram_site.root.rglob("*"):
        if path.is_file():
            assert b"wrong-token" not in path.read_bytes()
