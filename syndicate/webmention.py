"""Webmentions (W3C): tell the pages an article links to that it mentions them.

Discovery follows the spec (3.1.2): the first HTTP `Link` header with rel `webmention`,
else the first `<link>` or `<a>` element, in document order, whose rel tokens include
`webmention` and which has an `href` (an empty one is the page itself); resolved against
the page's final URL after redirects, query string kept. Sending is a form POST of
`source` and `target`; any 2xx is success.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from syndicate.http import Http

_LINK_VALUE = re.compile(r"<([^>]*)>((?:\s*;\s*[^;,]+)*)")
_PARAM = re.compile(r";\s*([^=;\s]+)\s*=\s*(\"[^\"]*\"|[^;,\s]+)")


def _rels(value: str) -> list[str]:
    return [token.lower() for token in value.strip().strip('"').split()]


def endpoint_from_headers(headers: Iterable[tuple[str, str]], base: str) -> str | None:
    for name, value in headers:
        if name.lower() != "link":
            continue
        for match in _LINK_VALUE.finditer(value):
            params = {key.lower(): raw for key, raw in _PARAM.findall(match.group(2))}
            if "webmention" in _rels(params.get("rel", "")):
                return str(urljoin(base, match.group(1).strip()))
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
    return urljoin(final_url, parser.href) if parser.href is not None else None


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
        url = urljoin(page_url, href).split("#")[0]
        if url.startswith(("http://", "https://")) and urlsplit(url).netloc != own \
                and url not in found:
            found.append(url)
    return found


def send(source: str, target: str, http: Http) -> tuple[str, str]:
    """Discover target's endpoint and send; (outcome, detail): sent, none or failed."""
    import httpx

    try:
        page = http.client.get(target, follow_redirects=True,
                               headers={"Accept": "text/html"})
        endpoint = discover(list(page.headers.multi_items()), page.text
                            if "html" in page.headers.get("content-type", "") else "",
                            str(page.url))
        if endpoint is None:
            return "none", "no Webmention endpoint"
        answer = http.request("webmention", "POST", endpoint, idempotent=True,
                              data={"source": source, "target": target})
    except httpx.HTTPError as error:
        return "failed", type(error).__name__
    if 200 <= answer.status_code < 300:
        return "sent", f"HTTP {answer.status_code}"
    return "failed", f"HTTP {answer.status_code}"
