"""Is the article live? A post goes out only once the deployed site serves its page.

Mastodon builds a link card from the page when the status is posted, and caches it for
two weeks: a post made before the page exists carries a broken card.

Pages on the site's own hosts (SITEURL, the feed a blog is read from) are asked directly:
that is where the site is deployed, loopback included. An article URL on any other host
(a feed entry can name any) goes through the safe fetcher, which refuses private
addresses and bounds the time and bytes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx

from syndicate.http import Http

if TYPE_CHECKING:
    from syndicate.safe_fetch import Allowance

PAGE_CHECKS_AT_ONCE = 8
# Of a page on another host, only the status matters: read this much at most.
ELSEWHERE_BYTES = 64 * 1024


def not_live(urls: Iterable[str], http: Http, wait: float = 0.0,
             sleep: Callable[[float], None] = time.sleep, every: float = 5.0,
             feeds: Sequence[str] = (), own_hosts: Collection[str] | None = None,
             allow: Allowance = False) -> dict[str, str]:
    """The URLs that are not live yet (after waiting up to `wait` seconds), with why.

    With feeds, an article is live once a deployed feed lists it (one request however
    many articles wait); without, once its own page answers 200 after redirects.
    """
    pending = dict.fromkeys(urls, "not checked")
    deadline = time.monotonic() + wait
    while True:
        if feeds:
            _check_feeds(pending, feeds, http)
        else:
            _check_pages(pending, http, own_hosts, allow)
        left = deadline - time.monotonic()
        if not pending or left <= 0:
            return pending
        sleep(min(every, left))


def _check_pages(pending: dict[str, str], http: Http, own_hosts: Collection[str] | None,
                 allow: Allowance) -> None:
    def check(url: str) -> tuple[str, str | None]:
        if own_hosts is not None and urlsplit(url).hostname not in own_hosts:
            return url, _check_elsewhere(url, allow)
        try:
            response = http.client.get(url, follow_redirects=True)
        except httpx.HTTPError as error:
            return url, f"cannot be reached ({type(error).__name__})"
        return url, None if response.status_code == 200 else f"HTTP {response.status_code}"

    # Several at a time: each check is a round trip to the site.
    with ThreadPoolExecutor(max_workers=PAGE_CHECKS_AT_ONCE) as pool:
        for url, why in pool.map(check, list(pending)):
            if why is None:
                del pending[url]
            else:
                pending[url] = why


def _check_elsewhere(url: str, allow: Allowance) -> str | None:
    from syndicate.safe_fetch import FetchError, fetch

    try:
        page = fetch(url, allow=allow, max_bytes=ELSEWHERE_BYTES)
    except FetchError as error:
        return f"not checked: {error}"
    return None if page.status == 200 else f"HTTP {page.status}"


def _check_feeds(pending: dict[str, str], feeds: Sequence[str], http: Http) -> None:
    import feedparser

    why = "not in the deployed feed"
    listed: set[str] = set()
    for feed in feeds:
        try:
            # No caching layer may hand back an old feed: ask for a fresh one.
            response = http.client.get(feed, follow_redirects=True,
                                       headers={"Cache-Control": "no-cache"})
        except httpx.HTTPError as error:
            why = f"the feed {feed} cannot be reached ({type(error).__name__})"
            continue
        if response.status_code != 200:
            why = f"the feed {feed} answers HTTP {response.status_code}"
            continue
        parsed = feedparser.parse(response.content)
        for entry in parsed.entries:
            listed.update(link.get("href", "") for link in entry.get("links", []))
            listed.add(entry.get("link", ""))
    for url in list(pending):
        if url in listed:
            del pending[url]
        else:
            pending[url] = why
