"""`syndicate doctor`: read-only checks of every platform, good and bad credentials."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from conftest import Site
from fakes.mastodon import FakeMastodon
from fakes.x import FakeX
from pds_server import Account, PdsServer


def doctor_site(make_site: Callable[..., Site], platforms: dict[str, object]) -> Site:
    site = make_site({}, syndicate={"platforms": platforms})
    return site


def findings(site: Site, env: dict[str, str]) -> tuple[int, list[dict[str, object]], str]:
    result = site.run("doctor", "--format", "json", env=env)
    return result.exit_code, json.loads(result.stdout), result.output


def test_good_credentials_everywhere(make_site: Callable[..., Site], mastodon: FakeMastodon,
                                     x: FakeX, pds: PdsServer, bluesky_account: Account
                                     ) -> None:
    site = doctor_site(make_site, {
        "mastodon": {"url": mastodon.url}, "x": {"api_url": x.url},
        "bluesky": {"url": pds.url, "handle": bluesky_account.handle}})
    code, rows, output = findings(site, {
        "SYNDICATE_MASTODON_TOKEN": "good-token", "SYNDICATE_X_TOKEN": x.token,
        "SYNDICATE_BLUESKY_PASSWORD": bluesky_account.password})
    assert code == 0, output
    said = {(r["platform"], r["finding"]) for r in rows}
    assert ("mastodon", "signed in as @fieldnotes") in said
    assert ("mastodon", "limit 500 characters (URLs count 23)") in said
    assert ("mastodon", "the token may post (read write:statuses)") in said
    assert any(platform == "x" and text.startswith("signed in as @") for platform, text in said)
    assert ("bluesky", "with an app password") in said
    assert all(r["ok"] for r in rows)
    assert not mastodon.statuses and not x.tweets, "doctor posts nothing"


def test_what_would_fail_is_said_and_no_secret_is(
        make_site: Callable[..., Site], mastodon: FakeMastodon, x: FakeX, pds: PdsServer,
        bluesky_account: Account) -> None:
    mastodon.max_characters = 400  # the server allows less than the setting
    main_password = "main-password-not-for-apps"  # what bluesky_account was made with
    site = doctor_site(make_site, {
        "mastodon": {"url": mastodon.url}, "x": {"api_url": x.url},
        "bluesky": {"url": pds.url, "handle": bluesky_account.handle}, "telegram": {}})
    secrets = {"SYNDICATE_MASTODON_TOKEN": "wrong-mastodon-token-1234",
               "SYNDICATE_X_TOKEN": "wrong-x-token-5678",
               "SYNDICATE_BLUESKY_PASSWORD": main_password}
    code, rows, output = findings(site, secrets)
    assert code == 1
    problems: dict[str, list[str]] = {}
    for row in rows:
        if not row["ok"]:
            problems.setdefault(str(row["platform"]), []).append(str(row["finding"]))
    assert "the token was refused (HTTP 401)" in str(problems["mastodon"])
    assert "check SYNDICATE_X_TOKEN" in str(problems["x"])
    assert "main password" in str(problems["bluesky"])
    # Every setting `post` needs, not only the secret (tests/test_readiness.py).
    assert [line.split(" (")[0] for line in problems["telegram"]] == [
        "SYNDICATE_TELEGRAM_BOT_TOKEN is not set", "no chat_id"]
    assert any('set "limit": 400' in str(r["finding"]) for r in rows)
    table = site.run("doctor", env=secrets).output
    for secret in secrets.values():
        assert secret not in output and secret not in table


def test_a_mastodon_token_that_may_not_post(make_site: Callable[..., Site],
                                            mastodon: FakeMastodon) -> None:
    mastodon.scopes = ["read"]
    site = doctor_site(make_site, {"mastodon": {"url": mastodon.url}})
    code, rows, _ = findings(site, {"SYNDICATE_MASTODON_TOKEN": "good-token"})
    assert code == 1
    assert any("make a token with write:statuses" in str(r["finding"]) and not r["ok"]
               for r in rows)


def test_telegram_and_discord(make_site: Callable[..., Site], telegram: Any, discord: Any
                              ) -> None:
    site = doctor_site(make_site, {"telegram": {"api_url": telegram.url,
                                                "chat_id": telegram.channel},
                                   "discord": {}})
    good = {"SYNDICATE_TELEGRAM_BOT_TOKEN": telegram.token,
            "SYNDICATE_DISCORD_WEBHOOK_URL": discord.webhook_url}
    code, rows, output = findings(site, good)
    assert code == 0, output
    said = [str(r["finding"]) for r in rows]
    assert "the bot @fieldnotes_bot" in said and f"sees the channel {telegram.channel}" in said
    assert any("posts to channel" in text for text in said)
    assert not telegram.messages and not discord.messages
    bad = {"SYNDICATE_TELEGRAM_BOT_TOKEN": "123:wrong-bot-token-abcdefghijklmnop",
           "SYNDICATE_DISCORD_WEBHOOK_URL": discord.webhook_url.replace(
               discord.token, "wrong-webhook-token-abcdefghijklmnopq")}
    code, rows, output = findings(site, bad)
    assert code == 1
    assert sum(not r["ok"] for r in rows) == 2
    assert all(secret not in output for secret in bad.values())
    assert "wrong-bot-token" not in output and "wrong-webhook-token" not in output
