"""A faithful fake of a Slack incoming webhook, on 127.0.0.1.

POST /services/T.../B.../secret with JSON {"text"}: 200 "ok"; a wrong path is 403
"invalid_token"; a payload without text is 400 "invalid_payload"; 429 carries
Retry-After (seconds). Faults: "429", "lost", "ok".
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class FakeSlack:
    path: str = "/services/T0001/B0002/slacksecret0123456789abcd"
    messages: list[str] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def webhook_url(self) -> str:
        return f"{self.url}{self.path}"


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
                self._reply(429, "rate_limited", {"Retry-After": "1"})
                return
            if self.path != fake.path:
                self._reply(403, "invalid_token")
                return
            text = json.loads(body or b"{}").get("text")
            if not text:
                self._reply(400, "invalid_payload")
                return
            fake.messages.append(text)
            if fault == "lost":
                self.close_connection = True
                self.connection.shutdown(2)
                return
            self._reply(200, "ok")

    def _reply(self, status: int, text: str, headers: dict[str, str] | None = None) -> None:
        data = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


class _Server(ThreadingHTTPServer):
    fake: FakeSlack
    daemon_threads = True


@contextmanager
def running(fake: FakeSlack | None = None) -> Iterator[FakeSlack]:
    fake = fake or FakeSlack()
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
