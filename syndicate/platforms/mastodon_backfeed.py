"""Mastodon's backfeed: the replies (a status's context), boosts and favourites of
posted statuses (`syndicate backfeed`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from syndicate.draft import PostedPart
from syndicate.errors import PostingError
from syndicate.platforms.mastodon import _error, _rate_limit_wait

if TYPE_CHECKING:
    from syndicate.http import Http
    from syndicate.platforms.mastodon import Mastodon
    from syndicate.responses import Response

# Replies, boosts and favourites of one status: at most this many of each per call.
RESPONSES_PAGE = 80


class MastodonReader:
    """Replies (the status's context), boosts and favourites of posted statuses."""

    def __init__(self, platform: Mastodon, http: Http) -> None:
        self.base = platform.server()
        self.http = http
        token = platform.settings.secrets.get("token")
        # Public statuses can be read without a token; with one, rate limits are kinder.
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}

    def _get(self, path: str) -> Any:
        response = self.http.request("mastodon", "GET", f"{self.base}{path}",
                                     idempotent=True, wait_for=_rate_limit_wait,
                                     headers=self._headers,
                                     params={"limit": str(RESPONSES_PAGE)})
        if response.status_code == 404:
            return None  # deleted since
        if response.status_code != 200:
            raise PostingError("mastodon", f"reading {path}: HTTP {response.status_code}: "
                               f"{_error(response)}", "run `syndicate backfeed` again later")
        from syndicate.http import read_json

        return read_json(response, "mastodon")

    def responses(self, part: PostedPart, own: set[str]) -> list[Response]:
        from syndicate.responses import response

        found: list[Response] = []
        context = self._get(f"/api/v1/statuses/{part.id}/context")
        if context is None:
            return found
        for status in context.get("descendants", []):
            if str(status["id"]) in own:
                continue  # the rest of our own thread
            account = status.get("account") or {}
            found.append(response(
                "mastodon", "reply", status["id"], str(account.get("display_name") or ""),
                "@" + str(account.get("acct") or ""), str(account.get("url") or ""),
                str(account.get("avatar") or ""), str(status.get("url") or status.get("uri")),
                str(status.get("created_at") or ""), str(status.get("content") or "")))
        for kind, path in (("like", "favourited_by"), ("repost", "reblogged_by")):
            for account in self._get(f"/api/v1/statuses/{part.id}/{path}") or []:
                found.append(response(
                    "mastodon", kind, f"{part.id}:{account['id']}",
                    str(account.get("display_name") or ""),
                    "@" + str(account.get("acct") or ""), str(account.get("url") or ""),
                    str(account.get("avatar") or "")))
        return found
