"""Bluesky's backfeed: the replies, likes and reposts of posted parts, read from the
AppView (`syndicate backfeed`); a reply's text and link facets become HTML.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from syndicate.draft import PostedPart
from syndicate.errors import PostingError
from syndicate.platforms.bluesky import _error, _json, _rate_limit_wait

if TYPE_CHECKING:
    from syndicate.http import Http
    from syndicate.platforms.bluesky import Bluesky
    from syndicate.responses import Response


def text_as_html(text: str, facets: list[dict[str, Any]]) -> str:
    """A post's plain text and link facets as HTML (cleaned again before it is stored)."""
    import html

    encoded = text.encode("utf-8")
    out, position = [], 0
    for facet in sorted(facets, key=lambda f: f["index"]["byteStart"]):
        start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
        links = [f["uri"] for f in facet.get("features", [])
                 if f.get("$type", "").endswith("#link")]
        if start < position or not links:
            continue
        out.append(html.escape(encoded[position:start].decode("utf-8", "replace")))
        out.append(f'<a href="{html.escape(links[0])}">'
                   f'{html.escape(encoded[start:end].decode("utf-8", "replace"))}</a>')
        position = end
    out.append(html.escape(encoded[position:].decode("utf-8", "replace")))
    return "<p>" + "".join(out).replace("\n", "<br>") + "</p>"


class BlueskyReader:
    """Replies (the post's thread), likes and reposts, read from the AppView."""

    def __init__(self, platform: Bluesky, http: Http) -> None:
        self.appview = platform.options.appview.rstrip("/")
        self.app_url = platform.options.app_url.rstrip("/")
        self.http = http

    def _get(self, nsid: str, **params: str) -> Any:
        response = self.http.request("bluesky", "GET", f"{self.appview}/xrpc/{nsid}",
                                     idempotent=True, wait_for=_rate_limit_wait,
                                     params=params)
        if response.status_code == 400 and _error(response)[0] == "NotFound":
            return None
        if response.status_code != 200:
            name, message = _error(response)
            raise PostingError("bluesky", f"reading {nsid}: HTTP {response.status_code} "
                               f"{name} {message}".strip(),
                               "check the appview setting, or run it again later")
        return _json(response, fix="check the appview setting")

    def _author(self, actor: dict[str, Any]) -> tuple[str, str, str, str]:
        handle = str(actor.get("handle") or actor.get("did") or "")
        return (str(actor.get("displayName") or ""), "@" + handle,
                f"{self.app_url}/profile/{handle}", str(actor.get("avatar") or ""))

    def responses(self, part: PostedPart, own: set[str]) -> list[Response]:
        from syndicate.responses import response

        found: list[Response] = []
        thread = self._get("app.bsky.feed.getPostThread", uri=part.id, depth="6")
        pending = list(((thread or {}).get("thread") or {}).get("replies") or [])
        while pending:
            node = pending.pop(0)
            post = node.get("post") or {}
            pending.extend(node.get("replies") or [])
            if not post.get("uri") or post["uri"] in own:
                continue
            record = post.get("record") or {}
            handle = str((post.get("author") or {}).get("handle") or "")
            rkey = str(post["uri"]).rsplit("/", 1)[-1]
            found.append(response(
                "bluesky", "reply", post["uri"], *self._author(post.get("author") or {}),
                f"{self.app_url}/profile/{handle}/post/{rkey}",
                str(record.get("createdAt") or post.get("indexedAt") or ""),
                text_as_html(str(record.get("text") or ""), list(record.get("facets") or []))))
        for kind, nsid, key in (("like", "app.bsky.feed.getLikes", "likes"),
                                ("repost", "app.bsky.feed.getRepostedBy", "repostedBy")):
            answer = self._get(nsid, uri=part.id, limit="100") or {}
            for item in answer.get(key) or []:
                actor = item.get("actor", item) if kind == "like" else item
                found.append(response("bluesky", kind, f"{part.id}:{actor.get('did')}",
                                      *self._author(actor)))
        return found
