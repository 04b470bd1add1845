"""Webmentions: discovery against the webmention.rocks vectors, and sending after a post."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from conftest import Site, article, serving
from fakes.mastodon import FakeMastodon

from syndicate.ledger import Ledger
from syndicate.publish.webmention import discover

VECTORS = json.loads((Path(__file__).parent / "conformance" / "webmention_discovery.json")
                     .read_text(encoding="utf-8"))["discovery"]
OFFLINE = [case for case in VECTORS if "expected_endpoint" in case]


def test_all_offline_vectors_are_here() -> None:
    assert len(OFFLINE) == 22


@pytest.mark.parametrize("case", OFFLINE, ids=[f"{c['test']}-{c['name']}" for c in OFFLINE])
def test_discovery_vectors(case: dict[str, Any]) -> None:
    headers = [(name, value) for name, value in case["response_headers"]]
    assert discover(headers, case["html"], case["target_url"]) == case["expected_endpoint"]


class Receiver(BaseHTTPRequestHandler):
    """A page that links a Webmention endpoint (relative, with a query) and that endpoint."""

    received: list[dict[str, str]] = []

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/moved":  # a redirect first: discovery is on the final URL
            self.send_response(301)
            self.send_header("Location", "/essay")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path == "/plain.txt":  # no endpoint: nothing is sent
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", "5")
            self.end_headers()
            self.wfile.write(b"plain")
            return
        body = (b'<html><head><link rel="stylesheet" href="/s.css">'
                b'<link rel="webmention" href="webmention?via=link"></head>'
                b"<body><p>An essay about walking.</p></body></html>")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        Receiver.received.append({"path": self.path, **form})
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def receiver() -> Iterator[str]:
    Receiver.received = []
    with serving(Receiver) as url:
        yield url


def test_a_posted_article_sends_one_webmention_per_linked_page(
        make_site: Callable[..., Site], deployed: str, mastodon: FakeMastodon,
        receiver: str) -> None:
    body = (f"I read [an essay]({receiver}/moved) and [again]({receiver}/moved#part), "
            f"and [nothing here]({receiver}/plain.txt).")
    site = make_site({"walk.md": article("A walk", body=body)}, siteurl=deployed,
                     theme=str(Path(__file__).parent.parent / "themes/fieldnotes"),
                     syndicate={"platforms": {"mastodon": {"url": mastodon.url}},
                                "webmentions": True,
                                # Its receiver is on loopback, which is refused otherwise.
                                "allow_private_addresses": ["127.0.0.1/32"]})
    assert site.build().exit_code == 0
    env = {"SYNDICATE_MASTODON_TOKEN": "good-token"}
    result = site.run("post", env=env)
    assert result.exit_code == 0, result.output
    source = f"{deployed}/posts/a-walk/"
    assert Receiver.received == [{"path": "/webmention?via=link", "source": source,
                                  "target": f"{receiver}/moved"}]
    assert f"Webmention sent: walk.md → {receiver}/moved (HTTP 202)" in result.output
    outcomes = Ledger.load(site.ledger).webmentions("walk.md")
    assert outcomes[f"{receiver}/moved"]["outcome"] == "sent"
    # Sent once: the next run sends nothing again.
    site.run("post", env=env)
    assert len(Receiver.received) == 1
