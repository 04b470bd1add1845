"""A faithful fake of Bluesky's AppView reads that backfeed uses, on 127.0.0.1.

The reference PDS has no AppView (its app.bsky.* reads answer 502), so replies, likes
and reposts of a post are served here, in the shapes the AppView documents:
app.bsky.feed.getPostThread (thread.replies, nested), getLikes (likes[].actor) and
getRepostedBy (repostedBy[]). An unknown post is 400 NotFound.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fakes.server import FakeHandler, FakePlatform, serve

_ids = itertools.count(1)


def actor(handle: str, name: str = "", avatar: str = "") -> dict[str, Any]:
    return {"did": f"did:plc:{handle.split('.')[0]:a<24}"[:32], "handle": handle,
            "displayName": name, "avatar": avatar}


@dataclass
class FakeAppView(FakePlatform):
    replies: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    likes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    reposts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    known: set[str] = field(default_factory=set)

    def reply(self, uri: str, author: dict[str, Any], text: str,
              facets: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        post = {"uri": f"at://{author['did']}/app.bsky.feed.post/3l{next(_ids):011d}",
                "cid": "bafyreifake", "author": author, "indexedAt": _now(),
                "record": {"$type": "app.bsky.feed.post", "text": text,
                           "facets": facets or [], "createdAt": _now()}}
        with self.lock:
            self.known.update({uri, post["uri"]})
            self.replies.setdefault(uri, []).append(post)
        return post

    def like(self, uri: str, who: dict[str, Any]) -> None:
        with self.lock:
            self.known.add(uri)
            self.likes.setdefault(uri, []).append({"actor": who, "createdAt": _now()})

    def repost(self, uri: str, who: dict[str, Any]) -> None:
        with self.lock:
            self.known.add(uri)
            self.reposts.setdefault(uri, []).append(who)

    def thread(self, uri: str) -> dict[str, Any]:
        return {"$type": "app.bsky.feed.defs#threadViewPost", "post": {"uri": uri},
                "replies": [{"$type": "app.bsky.feed.defs#threadViewPost", "post": post,
                             "replies": self.thread(post["uri"])["replies"]}
                            for post in self.replies.get(uri, [])]}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class _Handler(FakeHandler):
    def do_GET(self) -> None:
        fake: FakeAppView = self.server.fake
        split = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(split.query).items()}
        uri = query.get("uri", "")
        with fake.lock:
            if self.common_fault(fake.next_fault()):
                return
            if uri not in fake.known:
                self.reply(400, {"error": "NotFound", "message": f"Post not found: {uri}"})
            elif split.path == "/xrpc/app.bsky.feed.getPostThread":
                self.reply(200, {"thread": fake.thread(uri)})
            elif split.path == "/xrpc/app.bsky.feed.getLikes":
                self.reply(200, {"uri": uri, "likes": fake.likes.get(uri, [])})
            elif split.path == "/xrpc/app.bsky.feed.getRepostedBy":
                self.reply(200, {"uri": uri, "repostedBy": fake.reposts.get(uri, [])})
            else:
                self.reply(501, {"error": "MethodNotImplemented"})


@contextmanager
def running() -> Iterator[FakeAppView]:
    with serve(FakeAppView(), _Handler) as served:
        yield served
