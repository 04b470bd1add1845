"""Fetching a URL that an article or a page names: nobody vouches for where it leads.

Each hop (the URL, then every redirect, followed here by hand, at most 5) is parsed
(a malformed one is a `BadURL`, never a crash), must be http or https, and its host is
resolved once: if any address it resolves to is loopback, private, link-local, multicast,
unspecified, reserved or otherwise not public (IPv4, IPv6, and IPv4 inside IPv6), nothing
connects, unless the allowance covers it. The request then goes to the checked address
itself (the IP literal, with the real Host header, and the real name for TLS through
httpcore's `sni_hostname` extension, so the certificate is verified for the name): no
second lookup can lead elsewhere. Environment proxies are not used.

One deadline covers a whole fetch: every lookup, connect, redirect and read counts
against it (a lookup itself is bounded by the system resolver's own timeout); when it
passes, a watchdog shuts the socket, so a server that trickles a byte at a time (headers
or body) is abandoned on time. The body is streamed: past `max_bytes` (1 MiB for a page)
it is cut off there, the rest never read (`Page.truncated` says so). Compression is
asked not to happen; gzip/deflate is still decoded within the same cap, others refused.
Every failure is a `FetchError`, whose text is the detail to show or record.
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import re
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from syndicate.http import USER_AGENT

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
# True: any address; False: public addresses only; networks: those too.
Allowance = bool | tuple[IPNetwork, ...]

PAGE_BYTES = 1 << 20
DEADLINE = 20.0
MAX_REDIRECTS = 5
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_LABEL = r"(?!-)[a-z0-9_-]{1,63}(?<!-)"
_HOSTNAME = re.compile(rf"{_LABEL}(\.{_LABEL})*\.?", re.IGNORECASE)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class FetchError(Exception):
    """The URL was not fetched; its text is the detail."""


class BadURL(FetchError):
    """Not a well-formed http(s) URL."""


class RefusedAddress(FetchError):
    """The host is (or resolves to) an address that is not public and not allowed."""


class TooManyRedirects(FetchError):
    """More redirects than allowed."""


class DeadlineExceeded(FetchError):
    """No complete answer within the deadline."""


@dataclass(frozen=True)
class Page:
    url: str  # the final URL, after redirects
    status: int
    headers: list[tuple[str, str]]
    body: bytes  # at most max_bytes
    truncated: bool  # the body went on past max_bytes and was cut off there

    @property
    def content_type(self) -> str:
        return next((v for k, v in self.headers if k.lower() == "content-type"), "")

    def text(self) -> str:
        match = re.search(r"charset=[\"']?([\w.:-]+)", self.content_type, re.IGNORECASE)
        try:
            return self.body.decode(match.group(1) if match else "utf-8", errors="replace")
        except LookupError:
            return self.body.decode("utf-8", errors="replace")


def refusal(address: IPAddress) -> str | None:
    """Why an address is not a public one (so refused unless allowed), or None."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour or (
            ipaddress.IPv4Address(int(address) & 0xFFFFFFFF) if address in _NAT64 else None)
        if embedded is not None and (why := refusal(embedded)):
            return f"{why} inside {address}"
    for test, kind in (("is_unspecified", "unspecified"), ("is_loopback", "loopback"),
                       ("is_link_local", "link-local"), ("is_multicast", "multicast"),
                       ("is_reserved", "reserved"), ("is_private", "private")):
        if getattr(address, test):
            return f"{kind} address {address}"
    return None if address.is_global else f"non-public address {address}"


def allowed(address: IPAddress, allow: Allowance) -> bool:
    """May a fetch connect to this address?"""
    if refusal(address) is None or allow is True:
        return True
    if allow is False:
        return False
    return any(address.version == net.version and address in net for net in allow)


@dataclass(frozen=True)
class _Target:
    url: httpx.URL
    host: str  # ASCII: IDNA-encoded name or IP literal
    port: int


def _parse(url: str) -> _Target:
    try:
        parts = urlsplit(url)
        port = parts.port
        parsed = httpx.URL(url)
    except (ValueError, httpx.InvalidURL) as error:
        raise BadURL(f"malformed URL {url[:200]!r} ({error})") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise BadURL(f"not an http(s) URL: {url[:200]!r}")
    host = parsed.raw_host.decode("ascii", errors="replace")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if not _HOSTNAME.fullmatch(host):
            raise BadURL(f"malformed host in URL {url[:200]!r}") from None
    default = 443 if parsed.scheme == "https" else 80
    return _Target(parsed, host, port or default)


def _resolve(target: _Target, allow: Allowance) -> list[str]:
    """The addresses to connect to; every one the host resolves to must be allowed."""
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise FetchError(f"cannot resolve {target.host} ({error})") from None
    found = list(dict.fromkeys(str(info[4][0]) for info in infos
                               if info[0] in (socket.AF_INET, socket.AF_INET6)))
    for text in found:
        address = ipaddress.ip_address(text)
        if not allowed(address, allow):
            raise RefusedAddress(f"refused: {target.host} is a {refusal(address)} "
                                 "(set allow_private_addresses to allow it)")
    if not found:
        raise FetchError(f"cannot resolve {target.host} (no address)")
    return found


class _Watchdog:
    """Shuts the fetch's sockets when the deadline passes: no read outlives it."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.until = time.monotonic() + seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(seconds, 0.0), self._expire)
        self._timer.daemon = True
        self._timer.start()

    def trace(self, event: str, info: Mapping[str, Any]) -> None:
        """httpcore's trace extension: learn each socket as it is made."""
        if event in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            sock = info["return_value"].get_extra_info("socket")
            with self._lock:
                self._sockets.append(sock)
            if self.expired:
                self._expire()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                with contextlib.suppress(OSError):  # the plain socket's shutdown: an
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)  # SSLSocket's unwraps it

    def left(self) -> float:
        left = self.until - time.monotonic()
        if self.expired or left <= 0:
            raise DeadlineExceeded(f"no complete answer within {self.seconds:g} s")
        return left

    def failure(self, error: Exception) -> FetchError:
        if self.expired or time.monotonic() >= self.until:
            return DeadlineExceeded(f"no complete answer within {self.seconds:g} s")
        if isinstance(error, httpx.ConnectError | httpx.ConnectTimeout):
            return FetchError(f"cannot connect ({type(error).__name__})")
        return FetchError(f"no answer ({type(error).__name__})")

    def stop(self) -> None:
        self._timer.cancel()


@functools.cache
def _trusted() -> ssl.SSLContext:
    """One context for every fetch: loading the certificates costs 20 ms."""
    return httpx.create_ssl_context(trust_env=False)


def fetch(url: str, *, allow: Allowance = False, method: str = "GET",
          data: Mapping[str, str] | None = None, headers: Mapping[str, str] | None = None,
          max_bytes: int = PAGE_BYTES, deadline: float = DEADLINE,
          max_redirects: int = MAX_REDIRECTS, verify: ssl.SSLContext | None = None) -> Page:
    """GET (following redirects) or POST (not following them) an untrusted URL safely.

    Raises FetchError (BadURL, RefusedAddress, TooManyRedirects, DeadlineExceeded) for
    anything that stops it; an HTTP error status is an answer, not an error. verify:
    the certificates to trust (default: httpx's, from certifi).
    """
    watchdog = _Watchdog(deadline)
    try:
        with httpx.Client(verify=verify or _trusted(), trust_env=False, follow_redirects=False,
                          limits=httpx.Limits(max_keepalive_connections=0)) as client:
            current = url
            for _ in range(max_redirects + 1):
                response = _send(client, method, current, data, headers or {}, allow,
                                 watchdog)
                location = response.headers.get("location")
                if method != "GET" or response.status_code not in _REDIRECTS \
                        or location is None:
                    try:
                        return _read(response, current, max_bytes, watchdog)
                    finally:
                        response.close()
                response.close()
                try:
                    current = urljoin(current, location.strip())
                except ValueError:
                    raise BadURL(f"malformed redirect to {location[:200]!r}") from None
            raise TooManyRedirects(f"more than {max_redirects} redirects")
    finally:
        watchdog.stop()


def _send(client: httpx.Client, method: str, url: str, data: Mapping[str, str] | None,
          headers: Mapping[str, str], allow: Allowance, watchdog: _Watchdog
          ) -> httpx.Response:
    target = _parse(url)
    addresses = _resolve(target, allow)
    failure: Exception | None = None
    for address in addresses:  # in the resolver's order, the next when one cannot connect
        request = client.build_request(
            method, target.url.copy_with(host=address), data=data,
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity", **headers,
                     "Host": target.url.netloc.decode("ascii")},
            timeout=httpx.Timeout(watchdog.left()),
            extensions={"sni_hostname": target.host, "trace": watchdog.trace})
        try:
            return client.send(request, stream=True)
        except (httpx.ConnectError, httpx.ConnectTimeout) as error:
            failure = error
        except (httpx.HTTPError, OSError, ValueError) as error:
            raise watchdog.failure(error) from None
    assert failure is not None
    raise watchdog.failure(failure) from None


def _read(response: httpx.Response, url: str, max_bytes: int, watchdog: _Watchdog) -> Page:
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("identity", "", "gzip", "x-gzip", "deflate"):
        raise FetchError(f"unsupported Content-Encoding {encoding!r}")
    decoder = None if encoding in ("identity", "") else zlib.decompressobj(47)
    body = bytearray()
    truncated = False
    try:
        for chunk in response.iter_raw():
            watchdog.left()
            # At most one byte past the cap is decoded: a compression bomb stays small.
            body += decoder.decompress(chunk, max_bytes + 1 - len(body)) if decoder else chunk
            if len(body) > max_bytes:
                truncated = True
                del body[max_bytes:]
                break
    except (httpx.HTTPError, OSError, ValueError) as error:
        raise watchdog.failure(error) from None
    except zlib.error:
        raise FetchError(f"the {encoding} body cannot be decoded") from None
    return Page(url=url, status=response.status_code,
                headers=list(response.headers.multi_items()), body=bytes(body),
                truncated=truncated)
