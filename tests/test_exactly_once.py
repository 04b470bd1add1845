"""Exactly once on every platform, when answers are lost, runs are killed and keys expire.

Each fake (tests/fakes/, real HTTP servers on 127.0.0.1) makes the post and then answers
502, drops the answer, or answers an HTML page; a ledger is left "pending" as a SIGKILL
would leave it. After the run, and after a second one, each post exists exactly once on
the fake, and the draft is "posted" (the lookup found it) or "attention" (a person looks).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest
from conftest import Site, article, serving
from fakes import discord as fake_discord
from fakes import linkedin as fake_linkedin
from fakes import mastodon as fake_mastodon
from fakes import slack as fake_slack
from fakes import telegram as fake_telegram
from fakes import threads as fake_threads
from fakes import x as fake_x

from syndicate.ledger import Ledger

ONE = {"walk.md": article("A walk by the canal", date="2026-01-05",
                          summary="Along the canal to the lock, see "
                          "https://canal.example.org/maps/the-long-walk-north for the map.")}


@contextmanager
def platform_under_test(name: str) -> Iterator[tuple[Any, dict[str, Any], dict[str, str],
                                                     Callable[[], int]]]:
    """(fake, platform settings, environment, how many posts the fake holds)."""
    with ExitStack() as stack:
        if name == "discord":
            fake = stack.enter_context(fake_discord.running())
            yield fake, {}, {"SYNDICATE_DISCORD_WEBHOOK_URL": fake.webhook_url}, \
                lambda: len(fake.messages)
        elif name == "slack":
            fake = stack.enter_context(fake_slack.running())
            yield fake, {}, {"SYNDICATE_SLACK_WEBHOOK_URL": fake.webhook_url}, \
                lambda: len(fake.messages)
        elif name == "telegram":
            fake = stack.enter_context(fake_telegram.running())
            yield fake, {"chat_id": fake.channel, "api_url": fake.url}, \
                {"SYNDICATE_TELEGRAM_BOT_TOKEN": fake.token}, lambda: len(fake.messages)
        elif name == "x":
            fake = stack.enter_context(fake_x.running())
            yield fake, {"api_url": fake.url}, {"SYNDICATE_X_TOKEN": fake.token}, \
                lambda: len(fake.tweets)
        elif name == "linkedin":
            fake = stack.enter_context(fake_linkedin.running())
            yield fake, {"api_url": fake.url, "author": fake.member}, \
                {"SYNDICATE_LINKEDIN_TOKEN": fake.token}, lambda: len(fake.posts)
        elif name == "threads":
            fake = stack.enter_context(fake_threads.running())
            yield fake, {"api_url": fake.url}, {"SYNDICATE_THREADS_TOKEN": fake.token}, \
                lambda: len(fake.posts)
        else:
            raise AssertionError(name)


# X and Threads can look the post up; the webhooks and LinkedIn cannot: a person checks.
AFTER_A_5XX = {"discord": "attention", "slack": "attention", "telegram": "attention",
               "x": "posted", "linkedin": "attention", "threads": "posted"}


@pytest.mark.parametrize("name", sorted(AFTER_A_5XX))
def test_a_5xx_after_the_post_was_made_never_makes_a_second_one(
        name: str, live_site: Callable[..., Site]) -> None:
    with platform_under_test(name) as (fake, options, env, held):
        # Threads: the container is made, then its publish is done and answered 502.
        fake.faults.extend(["ok", "done-502"] if name == "threads" else ["done-502"])
        site = live_site(ONE, {name: options})
        first = site.run("post", env=env)
        assert held() == 1, first.output
        state = Ledger.load(site.ledger).state("walk.md", name)
        assert state == AFTER_A_5XX[name], first.output
        assert (first.exit_code == 0) == (state == "posted"), first.output
        assert "Traceback" not in first.output
        second = site.run("post", env=env)
        assert held() == 1, second.output
        assert Ledger.load(site.ledger).state("walk.md", name) == AFTER_A_5XX[name]
        if name == "threads":
            publishes = [r for r in fake.requests if r["path"].endswith("/threads_publish")]
            assert len(publishes) == 1, "a publish whose answer was a 502 is not resent"


# The author's own words for the post, with links X rewrites to t.co.
THREE = {f"walk-{n}.md": article(
    f"Walk number {n}", date=f"2026-01-0{n + 1}",
    social=f"Walk {n} along the river & back, mapped at "
           f"https://maps.example.org/walks/{n}/route and on example.com too.")
    for n in range(3)}


def leave_pending(site: Site, key: str, platform: str, since: datetime) -> None:
    """The ledger as a SIGKILL leaves it between the request and its answer: the part
    "pending" since the given time (the post may or may not exist)."""
    data = json.loads(site.ledger.read_text(encoding="utf-8"))
    entry = data["articles"][key]["platforms"][platform]
    entry["state"] = "pending"
    entry["parts"][0] = {"state": "pending", "since": since.isoformat(timespec="seconds")}
    site.ledger.write_text(json.dumps(data), encoding="utf-8")


def test_x_finds_its_post_after_a_lost_answer_though_x_rewrote_the_links(
        live_site: Callable[..., Site]) -> None:
    with fake_x.running() as x:
        site = live_site(THREE, {"x": {"api_url": x.url}})
        env = {"SYNDICATE_X_TOKEN": x.token}
        x.faults.append("lost")  # the first tweet is made, its answer dropped
        first = site.run("post", env=env)
        assert first.exit_code == 0, first.output
        assert all("https://t.co/" in t["text"] and "maps.example.org" not in t["text"]
                   for t in x.tweets), "X stores its posts with t.co links"
        assert len(x.tweets) == 3
        second = site.run("post", env=env)
        assert "nothing new to post" in second.output
        assert len(x.tweets) == 3
        ledger = Ledger.load(site.ledger)
        assert {ledger.entry(k, "x")["parts"][0]["id"] for k in THREE} == {
            t["id"] for t in x.tweets}


def test_x_finds_its_post_after_a_kill(live_site: Callable[..., Site]) -> None:
    with fake_x.running() as x:
        site = live_site(THREE, {"x": {"api_url": x.url}})
        env = {"SYNDICATE_X_TOKEN": x.token}
        assert site.run("post", env=env).exit_code == 0
        made = Ledger.load(site.ledger).entry("walk-0.md", "x")["parts"][0]["id"]
        leave_pending(site, "walk-0.md", "x", datetime.now(UTC))
        again = site.run("post", env=env)
        assert again.exit_code == 0, again.output
        assert len(x.tweets) == 3, "found among the latest posts, not posted again"
        entry = Ledger.load(site.ledger).entry("walk-0.md", "x")
        assert entry["state"] == "posted" and entry["parts"][0]["id"] == made
        # Killed before the request reached X: not there, so it is posted, once.
        x.tweets[:] = [t for t in x.tweets if t["id"] != made]
        leave_pending(site, "walk-0.md", "x", datetime.now(UTC))
        assert site.run("post", env=env).exit_code == 0
        assert len(x.tweets) == 3
        assert Ledger.load(site.ledger).state("walk-0.md", "x") == "posted"


def statuses_read(mastodon: Any) -> int:
    return sum(method == "GET" and path.endswith("/statuses") and "/accounts/" in path
               for method, path in mastodon.requests)


def test_a_mastodon_part_pending_past_the_keys_hour_is_looked_up_not_resent(
        live_site: Callable[..., Site]) -> None:
    now = [1_800_000_000.0]
    with fake_mastodon.running(fake_mastodon.FakeMastodon(clock=lambda: now[0])) as mastodon:
        site = live_site(THREE, {"mastodon": {"url": mastodon.url}})
        env = {"SYNDICATE_MASTODON_TOKEN": "good-token"}
        assert site.run("post", env=env).exit_code == 0
        made = Ledger.load(site.ledger).entry("walk-0.md", "mastodon")["parts"][0]["id"]
        # A run killed two hours ago, after the server made the status; its key is gone.
        now[0] += 2 * 3600
        leave_pending(site, "walk-0.md", "mastodon", datetime.now(UTC) - timedelta(hours=2))
        again = site.run("post", env=env)
        assert again.exit_code == 0, again.output
        assert len(mastodon.statuses) == 3, "found among the account's statuses"
        assert statuses_read(mastodon) == 1
        entry = Ledger.load(site.ledger).entry("walk-0.md", "mastodon")
        assert entry["state"] == "posted" and entry["parts"][0]["id"] == made


def test_a_mastodon_part_pending_past_the_hour_and_not_there_is_posted_once(
        live_site: Callable[..., Site]) -> None:
    with fake_mastodon.running() as mastodon:
        site = live_site(THREE, {"mastodon": {"url": mastodon.url}})
        env = {"SYNDICATE_MASTODON_TOKEN": "good-token"}
        assert site.run("post", env=env).exit_code == 0
        made = Ledger.load(site.ledger).entry("walk-0.md", "mastodon")["parts"][0]["id"]
        del mastodon.statuses[made]  # killed before the request reached the server
        mastodon.idempotency.clear()
        leave_pending(site, "walk-0.md", "mastodon", datetime.now(UTC) - timedelta(hours=3))
        assert site.run("post", env=env).exit_code == 0
        assert statuses_read(mastodon) == 1 and len(mastodon.statuses) == 3
        assert Ledger.load(site.ledger).state("walk-0.md", "mastodon") == "posted"


def test_within_the_hour_the_key_answers_and_nothing_is_looked_up(
        live_site: Callable[..., Site]) -> None:
    with fake_mastodon.running() as mastodon:
        site = live_site(THREE, {"mastodon": {"url": mastodon.url}})
        env = {"SYNDICATE_MASTODON_TOKEN": "good-token"}
        assert site.run("post", env=env).exit_code == 0
        made = Ledger.load(site.ledger).entry("walk-0.md", "mastodon")["parts"][0]["id"]
        leave_pending(site, "walk-0.md", "mastodon",
                      datetime.now(UTC) - timedelta(minutes=10))
        assert site.run("post", env=env).exit_code == 0
        assert statuses_read(mastodon) == 0 and len(mastodon.statuses) == 3
        assert Ledger.load(site.ledger).entry("walk-0.md", "mastodon")["parts"][0]["id"] \
            == made


class Portal(BaseHTTPRequestHandler):
    """A captive portal: every request answered 200 with its login page."""

    protocol_version = "HTTP/1.1"
    PAGE = (b"<!doctype html>\n<html><head><title>Hotel Wi-Fi: sign in</title></head>\n"
            b"<body><form>Room number <input name=room></form></body></html>\n")

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _page(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(self.PAGE)))
        self.end_headers()
        self.wfile.write(self.PAGE)

    do_GET = do_POST = do_PUT = _page


# Refused before anything could be made: failed (posted next run); a post answered with
# a page instead of its id may have been made: attention.
AFTER_A_PAGE = {"mastodon": "failed", "bluesky": "failed", "threads": "failed",
                "x": "attention", "linkedin": "attention", "discord": "attention",
                "telegram": "attention", "slack": "attention"}


@pytest.mark.parametrize("name", sorted(AFTER_A_PAGE))
def test_an_html_page_instead_of_json_is_one_clear_line(
        name: str, live_site: Callable[..., Site]) -> None:
    with serving(Portal) as portal:
        options, env = {
            "mastodon": ({"url": portal}, {"SYNDICATE_MASTODON_TOKEN": "t"}),
            "bluesky": ({"url": portal, "handle": "walker.test"},
                        {"SYNDICATE_BLUESKY_PASSWORD": "app-pass"}),
            "x": ({"api_url": portal}, {"SYNDICATE_X_TOKEN": "t"}),
            "threads": ({"api_url": portal}, {"SYNDICATE_THREADS_TOKEN": "t"}),
            "linkedin": ({"api_url": portal, "author": "urn:li:person:abc"},
                         {"SYNDICATE_LINKEDIN_TOKEN": "t"}),
            "discord": ({}, {"SYNDICATE_DISCORD_WEBHOOK_URL":
                             f"{portal}/api/webhooks/1/webhook-token-0123456789abcdef"}),
            "telegram": ({"chat_id": "@fieldnotes", "api_url": portal},
                         {"SYNDICATE_TELEGRAM_BOT_TOKEN": "1:token"}),
            "slack": ({}, {"SYNDICATE_SLACK_WEBHOOK_URL": f"{portal}/services/T/B/secret"}),
        }[name]
        site = live_site(ONE, {name: options})
        result = site.run("post", env=env)
    assert result.exit_code == 1
    assert "Traceback" not in result.output and "JSONDecodeError" not in result.output
    lines = [line for line in result.output.splitlines() if "HTTP 200 with text/html" in line]
    assert len(lines) == 1, result.output
    assert f"{name}: the server answered HTTP 200 with text/html ('Hotel Wi-Fi: sign in')" \
        in lines[0]
    assert Ledger.load(site.ledger).state("walk.md", name) == AFTER_A_PAGE[name]
