"""A faithful fake of the Telegram Bot API's sendMessage, on 127.0.0.1.

POST /bot<token>/sendMessage with JSON: {"ok": true, "result": message}; a wrong token
is 401 {"ok": false, "error_code": 401, "description": "Unauthorized"}; text over 4096
characters is 400 "message is too long"; a flood limit is 429 with
parameters.retry_after (seconds) and no rate headers. Faults: "429", "lost", "ok".
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class FakeTelegram:
    token: str = "123456789:AAHfake-bot-token-abcdefghijklmnop"
    channel: str = "@fieldnotes"
    messages: list[dict[str, Any]] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, path: str, body: bytes) -> tuple[int, Any]:
        match = re.fullmatch(r"/bot([^/]+)/sendMessage", path)
        if not match or match.group(1) != self.token:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        payload = json.loads(body or b"{}")
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


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        fake = self.server.fake
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with fake.lock:
            fault = fake.faults.pop(0) if fake.faults else None
            if fault == "429":
                self._reply(429, {"ok": False, "error_code": 429,
                                  "description": "Too Many Requests: retry after 1",
                                  "parameters": {"retry_after": 0.2}})
                return
            status, payload = fake.handle(self.path, body)
            if fault == "lost":
                self.close_connection = True
                self.connection.shutdown(2)
                return
            self._reply(status, payload)

    def _reply(self, status: int, payload: Any) -> None:
        data = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _Server(ThreadingHTTPServer):
    fake: FakeTelegram
    daemon_threads = True


@contextmanager
def running(fake: FakeTelegram | None = None) -> Iterator[FakeTelegram]:
    fake = fake or FakeTelegram()
    server = _Server(("127.0.0.1", 0), _Handler)
    server.fake = fake
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
