"""A faithful fake of the Telegram Bot API's sendMessage, on 127.0.0.1.

POST /bot<token>/sendMessage with JSON: {"ok": true, "result": message}; a wrong token
is 401 {"ok": false, "error_code": 401, "description": "Unauthorized"}; text over 4096
characters is 400 "message is too long"; a flood limit is 429 with
parameters.retry_after (seconds) and no rate headers. Faults: "429", "500", "lost",
"done-502" (sent, then 502), "ok".
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from fakes.server import FakeHandler, FakePlatform, serve


@dataclass
class FakeTelegram(FakePlatform):
    token: str = "123456789:AAHfake-bot-token-abcdefghijklmnop"
    channel: str = "@fieldnotes"
    messages: list[dict[str, Any]] = field(default_factory=list)

    def handle(self, path: str, body: bytes) -> tuple[int, Any]:
        match = re.fullmatch(r"/bot([^/]+)/(?:sendMessage|getMe|getChat)", path)
        if not match or match.group(1) != self.token:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        payload = json.loads(body or b"{}")
        if match and path.endswith("/getMe"):
            return 200, {"ok": True, "result": {"id": 1, "is_bot": True,
                                                "username": "fieldnotes_bot"}}
        if path.endswith("/getChat"):
            if payload.get("chat_id") != self.channel:
                return 400, {"ok": False, "error_code": 400,
                             "description": "Bad Request: chat not found"}
            return 200, {"ok": True, "result": {"id": -1001234567890, "type": "channel"}}
        if payload.get("chat_id") != self.channel:
            return 400, {"ok": False, "error_code": 400,
                         "description": "Bad Request: chat not found"}
        if len(payload.get("text", "")) > 4096:
            return 400, {"ok": False, "error_code": 400,
                         "description": "Bad Request: message is too long"}
        message = {"message_id": 10 + len(self.messages), "text": payload["text"],
                   "chat": {"id": -1001234567890, "type": "channel",
                            "username": self.channel.lstrip("@")},
                   "reply_to": (payload.get("reply_parameters") or {}).get("message_id")}
        self.messages.append(message)
        return 200, {"ok": True, "result": message}


class _Handler(FakeHandler):
    def do_POST(self) -> None:
        fake = self.server.fake
        body = self.body()
        with fake.lock:
            fault = fake.next_fault()
            if self.common_fault(fault):
                return
            if fault == "429":
                self.reply(429, {"ok": False, "error_code": 429,
                                 "description": "Too Many Requests: retry after 1",
                                 "parameters": {"retry_after": 0.2}})
                return
            status, payload = fake.handle(self.path, body)
            if fault == "lost":
                self.drop()
                return
            if fault == "done-502":  # sent, then the gateway answers 502
                self.reply(502, {"ok": False, "error_code": 502,
                                 "description": "Bad Gateway"})
                return
            self.reply(status, payload)


@contextmanager
def running(fake: FakeTelegram | None = None) -> Iterator[FakeTelegram]:
    with serve(fake or FakeTelegram(), _Handler) as served:
        yield served
