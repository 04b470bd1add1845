"""Retries are bounded in attempts and in wall time, whatever the server says.

Loopback servers that fail forever (503 with Retry-After: 0, 429 with a rate-limit reset
in the past, slow 503s, a Retry-After of hours) are asked through syndicate.http.Http,
with an injected sleep and clock, and through `syndicate post` itself: the requests they
receive are counted, and the time the call takes is bounded.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest
from conftest import Site, article, serving

from syndicate.http import AmbiguousFailure, Http, Unavailable
from syndicate.ledger import Ledger


class Failing:
    """What the server answers, and how many requests it received."""

    def __init__(self, status: int, headers: Callable[[], dict[str, str]],
                 delay: float = 0.0) -> None:
        self.status = status
        self.headers = headers
        self.delay = delay
        self.requests: list[tuple[str, str]] = []
        self.lock = threading.Lock()


@contextmanager
def failing_server(failing: Failing) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _answer(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with failing.lock:
                failing.requests.append((self.command, self.path))
            time.sleep(failing.delay)
            body = b'{"error": "unavailable"}'
            self.send_response(failing.status)
            for name, value in {"Content-Type": "application/json",
                                "Content-Length": str(len(body)),
                                **failing.headers()}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = _answer

    with serving(Handler) as url:
        yield url


class FakeTime:
    """An injectable sleep and clock: sleeping moves the clock, not the test."""

    def __init__(self) -> None:
        self.slept: list[float] = []
        self.offset = 0.0

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.offset += seconds

    def clock(self) -> float:
        return time.monotonic() + self.offset


def http_with(fake: FakeTime, **options: Any) -> Http:
    return Http(sleep=fake.sleep, clock=fake.clock, **options)


def test_503_with_retry_after_0_forever_is_a_few_requests_then_unavailable() -> None:
    failing = Failing(503, lambda: {"Retry-After": "0"})
    fake = FakeTime()
    http = http_with(fake)
    with failing_server(failing) as url, pytest.raises(Unavailable) as raised:
        http.request("mastodon", "GET", f"{url}/api/v2/instance", idempotent=True)
    http.close()
    assert 2 <= len(failing.requests) <= 6
    assert all(wait >= 1.0 for wait in fake.slept), "Retry-After: 0 waits the floor"
    assert sum(fake.slept) <= 120
    assert "HTTP 503, still failing after" in raised.value.line()
    assert "run `syndicate post` again later" in raised.value.line()
    assert "\n" not in raised.value.line()


def test_a_rate_limit_reset_in_the_past_is_a_few_requests_too() -> None:
    past = str(int(time.time()) - 3600)
    failing = Failing(429, lambda: {"x-rate-limit-remaining": "0",
                                    "x-rate-limit-reset": past})
    fake = FakeTime()
    http = http_with(fake)
    from syndicate.platforms.x import _reset_wait

    # A 429 created nothing: even a post that is not idempotent may be retried.
    with failing_server(failing) as url, pytest.raises(Unavailable) as raised:
        http.request("x", "POST", f"{url}/2/tweets", idempotent=False,
                     wait_for=_reset_wait, json={"text": "hello"})
    http.close()
    assert 2 <= len(failing.requests) <= 6
    assert all(wait >= 1.0 for wait in fake.slept)
    assert not raised.value.maybe_sent


def test_a_wait_beyond_the_ceiling_gives_up_at_once_saying_when() -> None:
    failing = Failing(429, lambda: {"Retry-After": "5400"})  # an hour and a half
    fake = FakeTime()
    http = http_with(fake)
    with failing_server(failing) as url, pytest.raises(Unavailable) as raised:
        http.request("slack", "POST", f"{url}/hook", idempotent=False, json={})
    http.close()
    assert len(failing.requests) == 1 and not fake.slept
    line = raised.value.line()
    assert "asked to wait 5400 s" in line
    assert "run `syndicate post` again after" in line and "UTC" in line


def test_time_spent_waiting_for_answers_counts_against_the_budget() -> None:
    failing = Failing(503, lambda: {"Retry-After": "1"}, delay=0.4)
    fake = FakeTime()
    http = http_with(fake, max_total_wait=2.5)
    started = time.monotonic()
    with failing_server(failing) as url, pytest.raises(Unavailable):
        http.request("bluesky", "GET", f"{url}/xrpc/x", idempotent=True)
    http.close()
    # Slept 1 s per retry on the fake clock, 0.4 s per answer on the real one: the
    # 2.5 s budget holds two tries, not the six the attempts would allow.
    assert len(failing.requests) == 2
    assert fake.clock() - started - fake.offset < 3
    assert time.monotonic() - started < 3


def test_a_5xx_to_a_request_that_is_not_idempotent_is_never_resent() -> None:
    failing = Failing(502, lambda: {"Retry-After": "0"})
    fake = FakeTime()
    http = http_with(fake)
    with failing_server(failing) as url, pytest.raises(AmbiguousFailure) as raised:
        http.request("discord", "POST", f"{url}/api/webhooks/1/t", idempotent=False,
                     json={"content": "hi"})
    http.close()
    assert len(failing.requests) == 1 and not fake.slept
    assert "HTTP 502 after the request was sent" in raised.value.line()


THREE = {f"walk-{n}.md": article(f"Walk number {n}", date=f"2026-01-0{n + 1}")
         for n in range(3)}


def test_an_outage_ends_the_run_in_bounded_time_with_the_drafts_left_for_later(
        live_site: Callable[..., Site]) -> None:
    failing = Failing(503, lambda: {"Retry-After": "0"})
    with failing_server(failing) as url:
        site = live_site(THREE, {"mastodon": {"url": url}})
        started = time.monotonic()
        result = site.run("post", env={"SYNDICATE_MASTODON_TOKEN": "good-token"})
        elapsed = time.monotonic() - started
    assert result.exit_code == 1
    assert len(failing.requests) <= 6, "one call's attempts, then the platform is left"
    assert elapsed < 30, elapsed
    assert "HTTP 503, still failing after" in result.output
    assert "Traceback" not in result.output
    ledger = Ledger.load(site.ledger)
    states = sorted(str(ledger.state(key, "mastodon")) for key in THREE)
    # The first draft failed (nothing was made: it goes again next run), the others
    # were not tried in this run and are still new.
    assert states == ["None", "None", "failed"]
    assert result.output.count("the platform is unavailable") == 2
