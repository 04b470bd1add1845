"""One HTTP client per run, with retries bounded in attempts and in time.

What is retried, and when:
- a connection that never opened (nothing was sent): any request, with backoff;
- 429 (the platform refused it, nothing was made): any request, waiting as long as the
  platform says (Retry-After, or its rate-limit reset header), never less than
  MIN_DELAY; a wait longer than the ceiling gives up at once, saying when to try again;
- 5xx, a connection dropped after the request went out, a read timeout: the answer may be
  lost after the platform acted. Only a request the platform deduplicates (idempotent=True:
  a read, an Idempotency-Key, a record key) is sent again; any other raises
  AmbiguousFailure at once, so the caller looks the post up instead of posting it twice.

Every call ends within max_attempts requests and max_total_wait seconds of wall time
(waiting for answers included): an outage ends the run in bounded time with Unavailable,
and the drafts wait for the next run.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from syndicate import __version__
from syndicate.errors import PostingError

USER_AGENT = f"syndicate/{__version__}"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# The shortest wait before a retry, whatever the platform says (Retry-After: 0, a reset
# time in the past), and the longest one worth waiting for within a run.
MIN_DELAY = 1.0
MAX_DELAY = 60.0
MAX_ATTEMPTS = 6
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


class Unavailable(PostingError):
    """The platform stayed down or rate limited past the retry budget: try a later run.

    maybe_sent: an attempt may have been acted on (a 5xx or a dropped answer to a request
    sent again because the platform deduplicates it), so the part is still in doubt.
    """

    def __init__(self, where: str, problem: str, fix: str, maybe_sent: bool = False) -> None:
        super().__init__(where, problem, fix)
        self.maybe_sent = maybe_sent


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


def _utc_after(seconds: float) -> str:
    moment = datetime.now(UTC) + timedelta(seconds=seconds)
    return f"{moment:%H:%M} UTC" if seconds < 20 * 3600 else f"{moment:%Y-%m-%d %H:%M} UTC"


class Http:
    """An httpx client with keep-alive, timeouts and polite, bounded retries.

    sleep and clock are injectable, so tests can count what an outage costs without
    waiting for it; clock is monotonic seconds.
    """

    def __init__(self, timeout: float = 15.0, max_total_wait: float = 120.0,
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic,
                 max_attempts: int = MAX_ATTEMPTS, min_delay: float = MIN_DELAY,
                 max_delay: float = MAX_DELAY) -> None:
        self.client = httpx.Client(timeout=timeout, headers={"User-Agent": USER_AGENT},
                                   follow_redirects=False)
        self.timeout = timeout
        self.max_total_wait = max_total_wait
        self.sleep = sleep
        self.clock = clock
        self.max_attempts = max(1, max_attempts)
        self.min_delay = min_delay
        self.max_delay = max_delay

    def request(self, label: str, method: str, url: str, *, idempotent: bool,
                wait_for: Callable[[httpx.Response], float | None] | None = None,
                **kwargs: Any) -> httpx.Response:
        """Send, retrying what is safe to retry; label names the platform in errors.

        Raises AmbiguousFailure when a request that is not idempotent may have been acted
        on without its answer arriving, and Unavailable when the retry budget (attempts,
        wall time) runs out or the platform asks to wait longer than it allows.
        """
        started = self.clock()
        deadline = started + self.max_total_wait
        maybe_sent = False
        attempt = 0
        problem = ""
        while True:
            attempt += 1
            delay: float | None = None
            options = dict(kwargs)
            if attempt > 1 and "timeout" not in options:
                # A retry never waits for its answer past the call's deadline.
                options["timeout"] = max(1.0, min(self.timeout, deadline - self.clock()))
            try:
                response = self.client.request(method, url, **options)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as error:
                problem = f"cannot connect ({type(error).__name__})"  # nothing was sent
            except httpx.TransportError as error:
                problem = f"no answer ({type(error).__name__})"
                if not idempotent:
                    raise AmbiguousFailure(label, f"{problem} after the request was sent",
                                           "check the platform before posting again"
                                           ) from None
                maybe_sent = True
            else:
                log.info("%s: %s %s -> %s", label, method, redact(url), response.status_code)
                status = response.status_code
                if status not in RETRY_STATUSES:
                    return response
                problem = f"HTTP {status}"
                if status != 429:  # a server error: it may have acted before failing
                    if not idempotent:
                        raise AmbiguousFailure(
                            label, f"HTTP {status} after the request was sent: it may have "
                            "been done", "check the platform before posting again")
                    maybe_sent = True
                delay = wait_for(response) if wait_for else None
                if delay is None:
                    delay = seconds_until(response.headers.get("Retry-After"))
            elapsed = self.clock() - started
            if delay is not None and delay > min(self.max_delay, deadline - self.clock()):
                # The platform says when: not within this run.
                raise Unavailable(label, f"{problem}: asked to wait {delay:.0f} s",
                                  f"run `syndicate post` again after {_utc_after(delay)}",
                                  maybe_sent)
            wait = min(self.min_delay * 2.0 ** (attempt - 1), 30.0) if delay is None \
                else max(delay, self.min_delay)
            if attempt >= self.max_attempts or self.clock() + wait > deadline:
                raise Unavailable(label, f"{problem}, still failing after {attempt} "
                                  f"attempt{'s' * (attempt > 1)} in {elapsed:.0f} s",
                                  "run `syndicate post` again later", maybe_sent)
            self.sleep(wait)

    def close(self) -> None:
        self.client.close()


def _one_line(text: str, limit: int = 120) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[:limit - 1] + "…"


def describe_answer(response: httpx.Response) -> str:
    """What a non-JSON answer was, in a few words: its status and content type, with
    an HTML page's title or a short excerpt of plain text, on one line."""
    kind = response.headers.get("Content-Type", "").split(";")[0].strip() or \
        "no content type"
    shown = f"HTTP {response.status_code} with {kind}"
    if not response.content:
        return f"{shown} and an empty body"
    text = response.content[:4096].decode("utf-8", "replace")
    title = re.search(r"<title[^>]*>(.*?)</title", text, re.IGNORECASE | re.DOTALL)
    if title and _one_line(title.group(1)):
        return f"{shown} ({_one_line(title.group(1), 80)!r})"
    if "html" in kind or text.lstrip().startswith("<"):
        return shown
    return f"{shown} ({_one_line(text, 80)!r})"


def read_json(response: httpx.Response, label: str, *, maybe_done: bool = False,
              fix: str = "check the url setting") -> Any:
    """The answer's JSON, or one clear line when it is not JSON (a captive portal, a
    proxy's error page, the wrong server).

    maybe_done: the request would have made a post; a 2xx answer that cannot be read then
    says it may have been made (AmbiguousFailure), so nothing is sent twice.
    """
    try:
        return json.loads(response.content)
    except ValueError:  # JSONDecodeError and UnicodeDecodeError alike
        pass
    problem = f"the server answered {describe_answer(response)}, not JSON"
    if maybe_done and 200 <= response.status_code < 300:
        raise AmbiguousFailure(label, f"{problem}: the post may have been made",
                               f"check the platform before posting again, and {fix}")
    raise PostingError(label, problem, fix)


def json_object(response: httpx.Response, label: str, *, maybe_done: bool = False,
                fix: str = "check the url setting") -> dict[str, Any]:
    """read_json for an answer that must be a JSON object."""
    value = read_json(response, label, maybe_done=maybe_done, fix=fix)
    if isinstance(value, dict):
        return value
    problem = f"the server answered HTTP {response.status_code} with JSON that is not an " \
        "object"
    if maybe_done and 200 <= response.status_code < 300:
        raise AmbiguousFailure(label, f"{problem}: the post may have been made",
                               f"check the platform before posting again, and {fix}")
    raise PostingError(label, problem, fix)


def error_text(response: httpx.Response, *keys: str) -> str:
    """A failed answer's message on one line: the first of keys in its JSON object, else
    what the answer was."""
    try:
        body = json.loads(response.content)
    except ValueError:
        text = response.content[:4096].decode("utf-8", "replace").strip()
        if not text or text.startswith("<") or "html" in response.headers.get(
                "Content-Type", ""):
            return describe_answer(response)
        return _one_line(text, 200)  # a plain-text answer, e.g. Slack's "invalid_token"
    if isinstance(body, dict):
        for key in keys:
            if body.get(key):
                return _one_line(str(body[key]), 200)
    return _one_line(response.text, 200)
