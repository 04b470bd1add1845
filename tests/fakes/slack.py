"""A faithful fake of a Slack incoming webhook, on 127.0.0.1.

POST /services/T.../B.../secret with JSON {"text"}: 200 "ok"; a wrong path is 403
"invalid_token"; a payload without text is 400 "invalid_payload"; 429 carries
Retry-After (seconds). Faults: "429", "500", "lost", "done-502" (posted, then 502), "ok".
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from fakes.server import FakeHandler, FakePlatform, serve


@dataclass
class FakeSlack(FakePlatform):
    path: str = "/services/T0001/B0002/slacksecret0123456789abcd"
    messages: list[str] = field(default_factory=list)

    @property
    def webhook_url(self) -> str:
        return f"{self.url}{self.path}"


class _Handler(FakeHandler):
    def do_POST(self) -> None:
        fake = self.server.fake
        body = self.body()
        with fake.lock:
            fault = fake.next_fault()
            if self.common_fault(fault):
                return
            if fault == "429":
                self.reply(429, "rate_limited", {"Retry-After": "1"}, "text/plain")
                return
            if self.path != fake.path:
                self.reply(403, "invalid_token", content_type="text/plain")
                return
            text = json.loads(body or b"{}").get("text")
            if not text:
                self.reply(400, "invalid_payload", content_type="text/plain")
                return
            fake.messages.append(text)
            if fault == "lost":
                self.drop()
                return
            if fault == "done-502":  # posted, then the gateway answers 502
                self.reply(502, "<html><body>Bad Gateway</body></html>",
                           content_type="text/html")
                return
            self.reply(200, "ok", content_type="text/plain")


@contextmanager
def running(fake: FakeSlack | None = None) -> Iterator[FakeSlack]:
    with serve(fake or FakeSlack(), _Handler) as served:
        yield served
