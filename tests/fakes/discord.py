"""A faithful fake of Discord's webhook endpoint: a real HTTP server on 127.0.0.1.

POST /api/webhooks/{id}/{token}: 204 without `?wait=true`, the message with it; 401 for
a wrong token; 400 for content over 2000 characters; 429 with `retry_after` (float
seconds) in the body and X-RateLimit-* headers. No idempotency: a resend is a second
message, as on Discord. Faults can be queued ("429", "500", "lost", "done-502": sent,
then 502, "ok").
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fakes.server import FakeHandler, FakePlatform, serve


@dataclass
class FakeDiscord(FakePlatform):
    webhook_id: str = "112233445566778899"
    token: str = "webhook-token-abcdefghijklmnopqrstuvwxyz0123456789"
    channel_id: str = "998877665544332211"
    messages: list[dict[str, Any]] = field(default_factory=list)

    @property
    def webhook_url(self) -> str:
        return f"{self.url}/api/webhooks/{self.webhook_id}/{self.token}"

    def handle(self, path: str, query: str, body: bytes) -> tuple[int, dict[str, str], Any]:
        match = re.fullmatch(r"/api/webhooks/(\d+)/([^/]+)", path)
        if not match or match.groups() != (self.webhook_id, self.token):
            return 401, {}, {"message": "Invalid Webhook Token", "code": 50027}
        payload = json.loads(body or b"{}")
        content = payload.get("content", "")
        if len(content.encode("utf-16-le")) // 2 > 2000:
            return 400, {}, {"content": ["Must be 2000 or fewer in length."],
                             "code": 50035, "message": "Invalid Form Body"}
        message = {"id": str(1300000000000000000 + len(self.messages)),
                   "channel_id": self.channel_id, "content": content,
                   "webhook_id": self.webhook_id}
        self.messages.append(message)
        if parse_qs(query).get("wait") != ["true"]:
            return 204, {}, None
        return 200, {"X-RateLimit-Limit": "5", "X-RateLimit-Remaining": "4"}, message


class _Handler(FakeHandler):
    def do_GET(self) -> None:
        fake = self.server.fake
        match = re.fullmatch(r"/api/webhooks/(\d+)/([^/?]+)", urlsplit(self.path).path)
        if not match or match.groups() != (fake.webhook_id, fake.token):
            self.reply(401, {"message": "Invalid Webhook Token", "code": 50027})
            return
        self.reply(200, {"id": fake.webhook_id, "type": 1, "name": "Field Notes",
                         "channel_id": fake.channel_id, "token": fake.token})

    def do_POST(self) -> None:
        fake = self.server.fake
        body = self.body()
        time.sleep(fake.latency)
        with fake.lock:
            fault = fake.next_fault()
            if self.common_fault(fault):
                return
            if fault == "429":
                self.reply(429, {"message": "You are being rate limited.", "retry_after": 0.25,
                                 "global": False},
                           {"X-RateLimit-Remaining": "0", "Retry-After": "1"})
                return
            if fault == "500":
                self.reply(500, {"message": "Internal Server Error"})
                return
            split = urlsplit(self.path)
            status, headers, payload = fake.handle(split.path, split.query, body)
            if fault == "lost":  # the message is sent, the answer never arrives
                self.drop()
                return
            if fault == "done-502":  # the message is sent, then the gateway answers 502
                self.reply(502, {"message": "Bad Gateway", "code": 0})
                return
            self.reply(status, payload, headers)


@contextmanager
def running(fake: FakeDiscord | None = None) -> Iterator[FakeDiscord]:
    with serve(fake or FakeDiscord(), _Handler) as served:
        yield served
