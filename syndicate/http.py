"""One HTTP client per run, with retries that respect the platforms' rate limits.

429s, 5xx answers and connection failures are retried with backoff, waiting as long as
the platform says (Retry-After, or its rate-limit reset header), within a bounded total
time. A timeout after the request was sent is ambiguous: the post may exist. It is
retried only for a request the platform deduplicates (an idempotency key); otherwise the
caller is told, so it can look the post up instead of posting it twice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from syndicate import __version__
from syndicate.errors import PostingError

USER_AGENT = f"syndicate/{__version__}"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
log = logging.getLogger("syndicate.http")


def redact(url: str) -> str:
    """A URL fit for a log: no query, and no path segment that could be a token.

    Webhook and bot URLs carry their secret in the path (Discord, Slack, Telegram).
    """
    parts = httpx.URL(url)
    segments = ["***" if len(segment) >= 20 or ":" in segment else segment
                for segment in parts.path.split("/")]
    return f"{parts.scheme}://{parts.host}{':' + str(parts.port) if parts.port else ''}" \
        + "/".join(segments)


class AmbiguousFailure(PostingError):
    """The request may have been received: posting again could make a duplicate."""


def seconds_until(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After or rate-limit reset header value.

    Accepts a number of seconds, an epoch timestamp (Bluesky, X), an ISO 8601 time
    (Mastodon) or an HTTP date.
    """
    if not value:
        return None
    now = time.time() if now is None else now
    value = value.strip()
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is not None:
        # Small numbers are a delay in seconds; large ones an epoch timestamp.
        return max(0.0, number - now if number > 1e9 else number)
    for parse in (lambda v: datetime.fromisoformat(v.replace("Z", "+00:00")),
                  parsedate_to_datetime):
        try:
            moment = parse(value)
        except (ValueError, TypeError):
            continue
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return max(0.0, moment.timestamp() - now)
    return None


class Http:
    """An httpx client with keep-alive, timeouts and polite retries."""

    def __init__(self, timeout: float = 15.0, max_total_wait: float = 120.0,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.client = httpx.Client(timeout=timeout, headers={"User-Agent": USER_AGENT},
                                   follow_redirects=False)
        self.max_total_wait = max_total_wait
        self.sleep = sleep

    def request(self, label: str, method: str, url: str, *, idempotent: bool,
                wait_for: Callable[[httpx.Response], float | None] | None = None,
                **kwargs: Any) -> httpx.Response:
        """Send, retrying what is safe to retry; label names the platform in errors."""
        waited = 0.0
        attempt = 0
        while True:
            delay: float | None = None
            try:
                response = self.client.request(method, url, **kwargs)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as error:
                problem = f"cannot connect ({type(error).__name__})"  # nothing was sent
            except httpx.TransportError as error:
                problem = f"no answer ({type(error).__name__})"
                if not idempotent:
                    raise AmbiguousFailure(label, f"{problem} after the request was sent",
                                           "check the platform before posting again"
                                           ) from None
            else:
                log.info("%s: %s %s -> %s", label, method, redact(url), response.status_code)
                if response.status_code not in RETRY_STATUSES:
                    return response
                problem = f"HTTP {response.status_code}"
                delay = wait_for(response) if wait_for else None
                if delay is None:
                    delay = seconds_until(response.headers.get("Retry-After"))
            wait = min(0.5 * 2.0 ** attempt, 30.0) if delay is None else max(delay, 0.05)
            if waited + wait > self.max_total_wait:
                raise PostingError(label, f"{problem}, still failing after {waited:.0f} s of "
                                   "retries", "run `syndicate post` again later")
            self.sleep(wait)
            waited += wait
            attempt += 1

    def close(self) -> None:
        self.client.close()
