"""Is the article live? A post goes out only once the deployed site serves its page.

Mastodon builds a link card from the page when the status is posted, and caches it for
two weeks: a post made before the page exists carries a broken card.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

import httpx

from syndicate.http import Http


def not_live(urls: Iterable[str], http: Http, wait: float = 0.0,
             sleep: Callable[[float], None] = time.sleep, every: float = 5.0
             ) -> dict[str, str]:
    """The URLs that are not live yet (after waiting up to `wait` seconds), with why."""
    pending = dict.fromkeys(urls, "not checked")
    deadline = time.monotonic() + wait
    while True:
        for url in list(pending):
            try:
                response = http.client.get(url, follow_redirects=True)
            except httpx.HTTPError as error:
                pending[url] = f"cannot be reached ({type(error).__name__})"
                continue
            if response.status_code == 200:
                del pending[url]
            else:
                pending[url] = f"HTTP {response.status_code}"
        left = deadline - time.monotonic()
        if not pending or left <= 0:
            return pending
        sleep(min(every, left))
