"""What every fake platform server shares: a real HTTP server on 127.0.0.1, in a thread."""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar


@dataclass
class FakePlatform:
    """State every fake has: where it listens, queued faults, added latency, a lock."""

    url: str = ""
    faults: list[str] = field(default_factory=list)  # e.g. "500", "429", "lost", "ok"
    latency: float = 0.0  # seconds added to every request, like a real network
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Past the queued faults: this share of requests gets one of random_faults.
    fault_rate: float = 0.0
    random_faults: tuple[str, ...] = ("500", "429", "reset", "lost")
    rng: random.Random = field(default_factory=lambda: random.Random(0))
    injected: int = 0  # random faults served so far

    def next_fault(self) -> str | None:
        if self.faults:
            return self.faults.pop(0)
        if self.fault_rate and self.rng.random() < self.fault_rate:
            self.injected += 1
            return self.rng.choice(self.random_faults)
        return None


F = TypeVar("F", bound=FakePlatform)


class FakeHandler(BaseHTTPRequestHandler):
    """A quiet handler with helpers to answer and to drop the connection."""

    server: FakeServer
    # Keep-alive, as every platform's server does: a client reuses its connections.
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: without this, Nagle's algorithm holds
    # the body back for the client's delayed ACK (40 ms a request on a kept connection).
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def reply(self, status: int, payload: Any, headers: dict[str, str] | None = None,
              content_type: str = "application/json") -> None:
        if payload is None:
            data = b""
        elif isinstance(payload, str) and content_type != "application/json":
            data = payload.encode("utf-8")
        else:
            data = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def common_fault(self, fault: str | None) -> bool:
        """Answer the faults every platform has alike; True when one was answered."""
        if fault in ("500", "502", "503"):
            self.reply(int(fault), {"error": "Internal Server Error"})
            return True
        if fault == "reset":  # the connection drops before the server does anything
            self.drop()
            return True
        return False

    def drop(self) -> None:
        """Close without an answer: the request may or may not have been acted on."""
        self.close_connection = True
        self.connection.shutdown(2)


class FakeServer(ThreadingHTTPServer):
    fake: Any
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client killed mid-request (the SIGKILL tests) is expected; anything else not.
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def serve(fake: F, handler: type[FakeHandler]) -> Iterator[F]:
    """Serve fake on 127.0.0.1 (a free port) for the duration of the block."""
    server = FakeServer(("127.0.0.1", 0), handler)
    server.fake = fake
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
