"""Fetching what an article or a page names: never a private address, never unbounded.

Real servers on 127.0.0.x. Only 127.0.0.1 is allowed where a test allows anything, so a
server on 127.0.0.2 stands for every address that must never be reached.
"""

from __future__ import annotations

import ipaddress
import re
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from socketserver import StreamRequestHandler
from typing import Any
from urllib.parse import parse_qs

import pytest
from conftest import Site, article, serving
from fakes.mastodon import FakeMastodon

from syndicate.errors import LedgerError, SettingsError
from syndicate.ledger import Ledger, ledger_lock
from syndicate.publish import webmention
from syndicate.safe_fetch import (
    PAGE_BYTES,
    BadURL,
    DeadlineExceeded,
    FetchError,
    RefusedAddress,
    TooManyRedirects,
    allowed,
    fetch,
    refusal,
)
from syndicate.settings import settings_from_pelican

LOOPBACK_ONLY = (ipaddress.ip_network("127.0.0.1/32"),)


class Quiet(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def answer(self, status: int, body: bytes = b"", **headers: str) -> None:
        self.send_response(status)
        for name, value in {"Content-Type": "text/html", **headers}.items():
            self.send_header(name.replace("_", "-"), value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Counting(Quiet):
    """Answers every request with a page; counts them (the private server's witness)."""

    hits: list[str] = []

    def do_GET(self) -> None:
        Counting.hits.append(self.path)
        self.answer(200, b"<p>secret</p>")

    do_POST = do_GET


@pytest.fixture
def private_server() -> Iterator[str]:
    """A server on 127.0.0.2: nothing a test does may reach it."""
    Counting.hits = []
    with serving(Counting, "127.0.0.2") as url:
        yield url
    assert Counting.hits == [], "a refused address was connected to"


class Redirects(Quiet):
    """/to?<url> redirects there; /chain/N redirects to /chain/N+1; /final is a page."""

    hits: list[str] = []

    def do_GET(self) -> None:
        Redirects.hits.append(self.path)
        if self.path.startswith("/to?"):
            self.answer(302, Location=self.path[4:])
        elif self.path.startswith("/chain/"):
            n = int(self.path.rsplit("/", 1)[1])
            self.answer(301, Location=f"/chain/{n + 1}" if n < Redirects.limit else "/final")
        else:
            self.answer(200, b"<p>arrived</p>")

    limit = 1000


@pytest.fixture
def redirects() -> Iterator[str]:
    Redirects.hits = []
    Redirects.limit = 1000
    with serving(Redirects) as url:
        yield url


class Flood(StreamRequestHandler):
    """Claims a 2 GiB body and sends it as fast as the reader takes it."""

    sent = 0

    def handle(self) -> None:
        self.rfile.readline()
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                         b"Content-Length: 2147483648\r\n\r\n<link rel=webmention href=/wm>")
        chunk = b"x" * 65536
        try:
            while Flood.sent < 2**31:
                self.wfile.write(chunk)
                Flood.sent += len(chunk)
        except OSError:
            pass


class Trickle(StreamRequestHandler):
    """One byte a second, forever: in the body, or (/headers) already in the headers."""

    def handle(self) -> None:
        request = self.rfile.readline()
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 999999\r\n\r\n"
        if b"/headers" in request:
            self.wfile.write(head[:17])
            head = head[17:]
        else:
            self.wfile.write(head)
            head = b""
        try:
            while True:
                self.wfile.write(head[:1] or b"x")
                self.wfile.flush()
                head = head[1:]
                time.sleep(1)
        except OSError:
            pass


@pytest.fixture
def resolve_as(monkeypatch: pytest.MonkeyPatch) -> Callable[[str, str], None]:
    """Make a test host name resolve to an address (nothing else is faked)."""
    names: dict[str, str] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        return real(names.get(host, host), port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return names.__setitem__


# The address classifier.

@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "93.184.215.14",
                                     "2606:4700:4700::1111", "2001:4860:4860::8888"])
def test_public_addresses_are_allowed(address: str) -> None:
    ip = ipaddress.ip_address(address)
    assert refusal(ip) is None
    assert allowed(ip, False)


@pytest.mark.parametrize("address, kind", [
    ("127.0.0.1", "loopback"), ("127.0.0.2", "loopback"), ("::1", "loopback"),
    ("0.0.0.0", "unspecified"), ("::", "unspecified"),
    ("10.0.0.1", "private"), ("172.16.5.4", "private"), ("192.168.1.1", "private"),
    ("fc00::1", "private"), ("fd12:3456::1", "private"),
    ("169.254.169.254", "link-local"), ("fe80::1", "link-local"),
    ("224.0.0.1", "multicast"), ("ff02::1", "multicast"),
    ("240.0.0.1", "reserved"), ("255.255.255.255", "reserved"),
    ("100.64.0.1", "non-public"), ("2001:db8::1", "private"),
    ("::ffff:127.0.0.1", "loopback"), ("::ffff:10.0.0.1", "private"),
    ("::ffff:169.254.169.254", "link-local"), ("64:ff9b::a9fe:a9fe", "link-local"),
    ("2002:7f00:1::", "loopback"),
])
def test_every_private_class_is_refused(address: str, kind: str) -> None:
    ip = ipaddress.ip_address(address)
    why = refusal(ip)
    assert why is not None and why.startswith(kind), why
    assert not allowed(ip, False)
    assert allowed(ip, True)


@pytest.mark.parametrize("address, ok", [("127.0.0.1", True), ("127.0.0.2", False),
                                         ("10.0.0.1", False), ("169.254.169.254", False),
                                         ("::1", False), ("8.8.8.8", True)])
def test_an_allowance_of_networks_allows_only_those(address: str, ok: bool) -> None:
    assert allowed(ipaddress.ip_address(address), LOOPBACK_ONLY) is ok


# The setting.

def allowance(value: Any, environ: dict[str, str] | None = None) -> Any:
    settings = settings_from_pelican(
        {"SYNDICATE": {"allow_private_addresses": value}}, "pelicanconf.py", environ or {})
    return settings.allow_private_addresses


def test_the_setting_takes_a_flag_or_networks() -> None:
    assert allowance(False) is False
    assert allowance(True) is True
    assert allowance(["127.0.0.1/32", "10.1.2.3", "fd00::/8"]) == (
        ipaddress.ip_network("127.0.0.1/32"), ipaddress.ip_network("10.1.2.3/32"),
        ipaddress.ip_network("fd00::/8"))
    assert allowance(False, {"SYNDICATE_ALLOW_PRIVATE_ADDRESSES": "true"}) is True
    assert allowance(True, {"SYNDICATE_ALLOW_PRIVATE_ADDRESSES": "0"}) is False
    assert allowance(False, {"SYNDICATE_ALLOW_PRIVATE_ADDRESSES": "127.0.0.1, 10.0.0.0/8"}
                     ) == (ipaddress.ip_network("127.0.0.1/32"),
                           ipaddress.ip_network("10.0.0.0/8"))


@pytest.mark.parametrize("value, named", [(["127.0.0.1/33"], "'127.0.0.1/33'"),
                                          (["localhost"], "'localhost'"),
                                          ([1], "1"), ("sometimes", "'sometimes'"),
                                          (5, "5")])
def test_a_bad_allowance_is_one_line_naming_it(value: Any, named: str) -> None:
    with pytest.raises(SettingsError) as error:
        allowance(value)
    line = error.value.line()
    assert "\n" not in line and named in line and "allow_private_addresses" in line


def test_a_bad_allowance_from_the_environment_is_named_too() -> None:
    with pytest.raises(SettingsError, match=re.escape("'10.0.0.300'")) as error:
        allowance(False, {"SYNDICATE_ALLOW_PRIVATE_ADDRESSES": "10.0.0.300"})
    assert error.value.where == "environment"
    assert "SYNDICATE_ALLOW_PRIVATE_ADDRESSES" in error.value.line()


# Fetching.

def test_a_public_fetch_reads_the_page(redirects: str) -> None:
    Redirects.limit = 2
    page = fetch(f"{redirects}/chain/0", allow=LOOPBACK_ONLY)
    assert page.status == 200 and page.text() == "<p>arrived</p>"
    assert page.url == f"{redirects}/final" and not page.truncated


def test_loopback_is_refused_without_the_allowance(redirects: str) -> None:
    with pytest.raises(RefusedAddress, match=re.escape("loopback address 127.0.0.1")):
        fetch(f"{redirects}/final")
    assert Redirects.hits == []


def test_a_private_address_is_never_connected_to(private_server: str) -> None:
    with pytest.raises(RefusedAddress, match=re.escape("loopback address 127.0.0.2")):
        fetch(private_server, allow=LOOPBACK_ONLY)


def test_a_name_resolving_to_a_private_address_is_refused(
        private_server: str, resolve_as: Callable[[str, str], None]) -> None:
    resolve_as("intranet.test", "127.0.0.2")
    port = private_server.rsplit(":", 1)[1]
    with pytest.raises(RefusedAddress, match=re.escape("intranet.test is a loopback address")):
        fetch(f"http://intranet.test:{port}/", allow=LOOPBACK_ONLY)


@pytest.mark.parametrize("where", ["{private}/metadata", "http://10.0.0.1/",
                                   "http://169.254.169.254/latest/meta-data/",
                                   "http://[::1]:1/", "http://0.0.0.0:1/",
                                   "http://[::ffff:127.0.0.2]:1/"])
def test_a_redirect_to_a_private_address_is_refused(
        redirects: str, private_server: str, where: str) -> None:
    target = where.format(private=private_server)
    with pytest.raises(RefusedAddress):
        fetch(f"{redirects}/to?{target}", allow=LOOPBACK_ONLY)
    assert Redirects.hits == [f"/to?{target}"]


def test_five_redirects_are_followed_a_sixth_is_refused(redirects: str) -> None:
    Redirects.limit = 4  # /chain/0 … /chain/4, then /final: five redirects
    assert fetch(f"{redirects}/chain/0", allow=LOOPBACK_ONLY).status == 200
    Redirects.hits = []
    Redirects.limit = 1000
    with pytest.raises(TooManyRedirects, match="more than 5 redirects"):
        fetch(f"{redirects}/chain/0", allow=LOOPBACK_ONLY)
    assert len(Redirects.hits) == 6


@pytest.mark.parametrize("url", ["http://[", "http://[::1", "http://", "http:///path",
                                 "ftp://example.com/", "file:///etc/passwd", "example.com",
                                 "http://exa mple.com/", "http://host:port/", "javascript:1"])
def test_a_malformed_url_is_its_own_error(url: str) -> None:
    with pytest.raises(BadURL):
        fetch(url, allow=True)


def test_a_huge_body_is_cut_off_not_read_whole() -> None:
    Flood.sent = 0
    with serving(Flood) as url:
        started = time.monotonic()
        page = fetch(url, allow=LOOPBACK_ONLY)
        elapsed = time.monotonic() - started
    assert page.truncated and len(page.body) == PAGE_BYTES
    assert page.body.startswith(b"<link rel=webmention")
    assert elapsed < 5
    assert Flood.sent < 100 * 2**20  # of the 2 GiB claimed: what the socket buffers held


@pytest.mark.parametrize("path", ["/body", "/headers"])
def test_a_trickling_server_is_abandoned_at_the_deadline(path: str) -> None:
    with serving(Trickle) as url:
        started = time.monotonic()
        with pytest.raises(DeadlineExceeded, match="within 2 s"):
            fetch(url + path, allow=LOOPBACK_ONLY, deadline=2)
        assert time.monotonic() - started < 3.5


def test_https_goes_to_the_checked_address_and_verifies_the_name(
        tmp_path: Path, resolve_as: Callable[[str, str], None]) -> None:
    if shutil.which("openssl") is None:  # on every Debian machine; CI must not skip this
        pytest.fail("needs the openssl command to make a certificate (apt-get install openssl)")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=blog.test", "-addext", "subjectAltName=DNS:blog.test",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    seen: list[tuple[str | None, str | None]] = []

    class Secure(Quiet):
        def do_GET(self) -> None:
            seen.append((self.server.sni, self.headers.get("Host")))  # type: ignore[attr-defined]
            self.answer(200, b"<p>secure</p>")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Secure)
    server.sni = None  # type: ignore[attr-defined]
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)

    def remember(sock: ssl.SSLObject | ssl.SSLSocket, name: str | None, _: Any) -> None:
        server.sni = name  # type: ignore[attr-defined]

    context.sni_callback = remember  # type: ignore[assignment]
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    trust = ssl.create_default_context(cafile=str(cert))
    resolve_as("blog.test", "127.0.0.1")
    resolve_as("other.test", "127.0.0.1")
    try:
        page = fetch(f"https://blog.test:{port}/", allow=LOOPBACK_ONLY, verify=trust)
        assert page.text() == "<p>secure</p>"
        assert seen == [("blog.test", f"blog.test:{port}")]
        with pytest.raises(FetchError):  # same address, another name: the cert says no
            fetch(f"https://other.test:{port}/", allow=LOOPBACK_ONLY, verify=trust)
    finally:
        server.shutdown()
        server.server_close()


# Webmentions.

class Target(Quiet):
    """A linked page whose endpoint is what the test sets; its endpoint records POSTs
    and whether the ledger was free while they came in."""

    endpoint = "/webmention"
    received: list[dict[str, str]] = []
    ledger: Path | None = None
    lock_free: list[bool] = []

    def do_GET(self) -> None:
        self.answer(200, f'<link rel="webmention" href="{Target.endpoint}"><p>hi</p>'.encode())

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        Target.received.append({"path": self.path, **form})
        if Target.ledger is not None:
            try:
                with ledger_lock(Target.ledger):
                    Target.lock_free.append(True)
            except LedgerError:
                Target.lock_free.append(False)
        self.answer(202)


@pytest.fixture
def target() -> Iterator[str]:
    Target.endpoint, Target.received, Target.ledger, Target.lock_free = (
        "/webmention", [], None, [])
    with serving(Target) as url:
        yield url


def test_a_malformed_endpoint_is_a_failed_outcome(target: str) -> None:
    Target.endpoint = "http://["
    outcome, detail = webmention.send("https://blog.example/a/", f"{target}/page",
                                      LOOPBACK_ONLY)
    assert outcome == "failed" and "malformed URL 'http://['" in detail


def test_an_endpoint_on_a_private_address_is_a_failed_outcome(
        target: str, private_server: str) -> None:
    Target.endpoint = f"{private_server}/webmention"
    outcome, detail = webmention.send("https://blog.example/a/", f"{target}/page",
                                      LOOPBACK_ONLY)
    assert outcome == "failed" and "loopback address 127.0.0.2" in detail


def test_a_trickling_target_is_a_failed_outcome_on_time() -> None:
    with serving(Trickle) as url:
        started = time.monotonic()
        outcome, detail = webmention.send("https://blog.example/a/", url, LOOPBACK_ONLY,
                                          deadline=2)
        assert time.monotonic() - started < 3.5
    assert (outcome, detail) == ("failed", "no complete answer within 2 s")


def test_a_huge_target_page_is_read_only_up_to_the_cap() -> None:
    Flood.sent = 0
    with serving(Flood) as url:
        outcome, detail = webmention.send("https://blog.example/a/", url, LOOPBACK_ONLY)
    # Its endpoint (/wm, on the same server) is found in the first MiB; the POST to it
    # is answered with another flood (a 200), of which only the first 64 KiB are read.
    assert (outcome, detail) == ("sent", "HTTP 200")
    assert Flood.sent < 200 * 2**20


def test_post_sends_webmentions_outside_the_lock_and_records_every_outcome(
        make_site: Callable[..., Site], deployed: str, mastodon: FakeMastodon,
        target: str, redirects: str, private_server: str) -> None:
    body = (f"See [a page]({target}/page), [a secret]({private_server}/secret), "
            f"[a long way]({redirects}/chain/0) and [a broken link](http://[).")
    site = make_site({"walk.md": article("A walk", body=body)}, siteurl=deployed,
                     theme=str(Path(__file__).parent.parent / "themes/fieldnotes"),
                     syndicate={"platforms": {"mastodon": {"url": mastodon.url}},
                                "webmentions": True,
                                "allow_private_addresses": ["127.0.0.1/32"]})
    assert site.build().exit_code == 0
    Target.ledger = site.ledger
    Target.endpoint = "http://["  # the first run: a malformed endpoint
    env = {"SYNDICATE_MASTODON_TOKEN": "good-token"}
    result = site.run("post", env=env)
    assert result.exit_code == 0, result.output
    outcomes = Ledger.load(site.ledger).webmentions("walk.md")
    assert {t: o["outcome"] for t, o in outcomes.items()} == {
        f"{target}/page": "failed", f"{private_server}/secret": "failed",
        f"{redirects}/chain/0": "failed"}
    assert "malformed URL" in outcomes[f"{target}/page"]["detail"]
    assert "refused" in outcomes[f"{private_server}/secret"]["detail"]
    assert "more than 5 redirects" in outcomes[f"{redirects}/chain/0"]["detail"]
    assert Target.received == []
    # The next run tries the failed ones again: now the endpoint is a good one, and the
    # ledger is free while the mention goes out.
    Target.endpoint = "/webmention"
    result = site.run("post", env=env)
    assert result.exit_code == 0, result.output
    assert Target.received == [{"path": "/webmention", "source": f"{deployed}/posts/a-walk/",
                                "target": f"{target}/page"}]
    assert Target.lock_free == [True]
    outcomes = Ledger.load(site.ledger).webmentions("walk.md")
    assert outcomes[f"{target}/page"]["outcome"] == "sent"
    assert outcomes[f"{private_server}/secret"]["outcome"] == "failed"


# Live checks: the site's own hosts are asked directly (it may be deployed anywhere, a
# loopback server in these tests); an article URL on any other host, which a feed entry
# can name, goes through the safe fetcher.

def test_a_live_check_on_another_host_never_reaches_a_private_address(
        private_server: str) -> None:
    from syndicate.http import Http
    from syndicate.publish.liveness import not_live

    http = Http()
    try:
        pending = not_live([f"{private_server}/one/"], http, own_hosts={"blog.example"})
    finally:
        http.close()
    assert "refused" in pending[f"{private_server}/one/"]


def test_a_live_check_on_the_sites_own_host_asks_it_directly() -> None:
    from syndicate.http import Http
    from syndicate.publish.liveness import not_live

    Counting.hits = []
    with serving(Counting, "127.0.0.2") as url:
        http = Http()
        try:
            assert not_live([f"{url}/one/"], http, own_hosts={"127.0.0.2"}) == {}
        finally:
            http.close()
    assert Counting.hits == ["/one/"]
