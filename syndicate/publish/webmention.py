"""Webmentions (W3C): tell the pages an article links to that it mentions them.

Discovery follows the spec (3.1.2): the first HTTP `Link` header with rel `webmention`,
else the first `<link>` or `<a>` element, in document order, whose rel tokens include
`webmention` and which has an `href` (an empty one is the page itself); resolved against
the page's final URL after redirects, query string kept. Sending is a form POST of
`source` and `target`; any 2xx is success.

Every page and endpoint is fetched through `syndicate.safe_fetch` (public addresses only
unless allowed, a size cap, one deadline per target covering discovery and the POST): a
malformed, refused or too slow URL is a "failed" outcome, never a crash.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Sequence
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from syndicate import safe_fetch

ENDPOINT_ANSWER_BYTES = 64 * 1024  # only the status matters; the rest is not read

_LINK_VALUE = re.compile(r"<([^>]*)>((?:\s*;\s*[^;,]+)*)")
_PARAM = re.compile(r";\s*([^=;\s]+)\s*=\s*(\"[^\"]*\"|[^;,\s]+)")


def _join(base: str, href: str) -> str:
    """href resolved against base; a malformed one as it is (fetching it says why)."""
    try:
        return str(urljoin(base, href))
    except ValueError:
        return href


def _rels(value: str) -> list[str]:
    return [token.lower() for token in value.strip().strip('"').split()]


def endpoint_from_headers(headers: Iterable[tuple[str, str]], base: str) -> str | None:
    for name, value in headers:
        if name.lower() != "link":
            continue
        for match in _LINK_VALUE.finditer(value):
            params = {key.lower(): raw for key, raw in _PARAM.findall(match.group(2))}
            if "webmention" in _rels(params.get("rel", "")):
                return _join(base, match.group(1).strip())
    return None


class _FirstEndpoint(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.href is not None or tag not in ("link", "a"):
            return
        values = dict(attrs)
        if "webmention" in _rels(values.get("rel") or "") and values.get("href") is not None:
            self.href = values["href"]


def discover(headers: Sequence[tuple[str, str]], html: str, final_url: str) -> str | None:
    """The Webmention endpoint a page advertises, or None."""
    found = endpoint_from_headers(headers, final_url)
    if found:
        return found
    parser = _FirstEndpoint()
    parser.feed(html)
    return _join(final_url, parser.href) if parser.href is not None else None


class _Links(HTMLParser):
    """The links of an article's content (class e-content), else of the whole page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0  # inside the e-content element when > 0
        self.in_content: list[str] = []
        self.anywhere: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if self.depth:
            self.depth += 1
        elif "e-content" in (values.get("class") or "").split():
            self.depth = 1
        if tag == "a" and values.get("href"):
            (self.in_content if self.depth else self.anywhere).append(str(values["href"]))

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1


def outbound_links(page_html: str, page_url: str) -> list[str]:
    """The http(s) pages an article links to, other than its own site, in order, once."""
    parser = _Links()
    parser.feed(page_html)
    links = parser.in_content or parser.anywhere
    own = urlsplit(page_url).netloc
    found: list[str] = []
    for href in links:
        try:
            url = urljoin(page_url, href).split("#")[0]
            elsewhere = urlsplit(url).netloc != own
        except ValueError:  # a malformed link (e.g. "http://[") is no page to mention
            continue
        if url.startswith(("http://", "https://")) and elsewhere and url not in found:
            found.append(url)
    return found


def send(source: str, target: str, allow: safe_fetch.Allowance = False,
         deadline: float = safe_fetch.DEADLINE) -> tuple[str, str]:
    """Discover target's endpoint and send; (outcome, detail): sent, none or failed.

    One deadline covers both the discovery and the POST to the endpoint.
    """
    started = time.monotonic()
    try:
        page = safe_fetch.fetch(target, allow=allow, headers={"Accept": "text/html"},
                                deadline=deadline)
        html = page.text() if "html" in page.content_type else ""
        endpoint = discover(page.headers, html, page.url)
        if endpoint is None:
            return "none", "no Webmention endpoint"
        answer = safe_fetch.fetch(endpoint, allow=allow, method="POST",
                                  data={"source": source, "target": target},
                                  max_bytes=ENDPOINT_ANSWER_BYTES,
                                  deadline=deadline - (time.monotonic() - started))
    except safe_fetch.FetchError as error:
        return "failed", str(error)
    if 200 <= answer.status < 300:
        return "sent", f"HTTP {answer.status}"
    return "failed", f"HTTP {answer.status}"
