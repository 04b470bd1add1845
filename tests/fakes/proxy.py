"""A proxy on 127.0.0.1 in front of a real server, to inject the network's faults.

The real server (the Bluesky PDS) does the work; the proxy can, for the next request to a
chosen endpoint, answer 429 with Bluesky's rate-limit headers (its reset in epoch
seconds), 500 or 400 ExpiredToken without forwarding, drop the connection ("reset"),
or forward it and then drop the answer ("lost"), as a connection that dies after the
request was sent does.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx

from fakes.server import FakeHandler, FakePlatform, serve

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "host", "content-length",
              "proxy-connection", "upgrade", "te", "trailer", "content-encoding"}


@dataclass
class FaultyProxy(FakePlatform):
    target: str = ""
    # Faults apply to requests whose path contains this (e.g. "repo.putRecord").
    fault_path: str = "com.atproto.repo.putRecord"
    requests: list[tuple[str, str]] = field(default_factory=list)
    upstream_seconds: float = 0.0  # the real server's own time, summed over requests
    client: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=30))

    def calls(self, endpoint: str) -> int:
        return sum(endpoint in path for _, path in self.requests)


class _Handler(FakeHandler):
    def _forward(self) -> None:
        proxy: FaultyProxy = self.server.fake
        body = self.body()
        time.sleep(proxy.latency)
        with proxy.lock:
            proxy.requests.append((self.command, self.path))
            fault = proxy.next_fault() if proxy.fault_path in self.path else None
        if fault == "429":
            reset = int(time.time()) + 1
            self.reply(429, {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
                       {"RateLimit-Limit": "5000", "RateLimit-Remaining": "0",
                        "RateLimit-Reset": str(reset), "RateLimit-Policy": "5000;w=3600"})
            return
        if self.common_fault(fault):
            return
        if fault == "expired":  # the session's access token ran out (after two hours)
            self.reply(400, {"error": "ExpiredToken", "message": "Token has expired"})
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        started = time.perf_counter()
        answer = proxy.client.request(self.command, proxy.target + self.path, headers=headers,
                                      content=body)
        with proxy.lock:
            proxy.upstream_seconds += time.perf_counter() - started
        if fault == "lost":  # the server did it; the answer never arrives
            self.drop()
            return
        self.send_response(answer.status_code)
        for name, value in answer.headers.items():
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.content)))
        self.end_headers()
        self.wfile.write(answer.content)

    do_GET = _forward
    do_POST = _forward


@contextmanager
def running(target: str) -> Iterator[FaultyProxy]:
    proxy = FaultyProxy(target=target.rstrip("/"))
    try:
        with serve(proxy, _Handler) as served:
            yield served
    finally:
        proxy.client.close()
