"""A faithful fake of X's API v2 for posting, on 127.0.0.1.

POST /2/tweets (Bearer user token) answers 201 {"data": {"id", "text"}}; a reply needs
an existing tweet; the same text twice in a row is 403 "duplicate content"; 401 for a
wrong token; 429 with x-rate-limit-reset in epoch seconds. GET /2/users/me and
/2/users/:id/tweets list the account's latest posts. No idempotency.
Faults: "429", "lost", "ok".
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from fakes.server import FakeHandler, FakePlatform, serve


@dataclass
class FakeX(FakePlatform):
    token: str = "x-user-token-0123456789abcdef"
    user_id: str = "1500000000000000001"
    tweets: list[dict[str, Any]] = field(default_factory=list)


class _Handler(FakeHandler):
    def _authorised(self) -> bool:
        fake = self.server.fake
        if self.headers.get("Authorization") != f"Bearer {fake.token}":
            self.reply(401, {"title": "Unauthorized", "status": 401, "detail": "Unauthorized"})
            return False
        return True

    def do_GET(self) -> None:
        fake = self.server.fake
        if not self._authorised():
            return
        path = self.path.split("?")[0]
        if path == "/2/users/me":
            self.reply(200, {"data": {"id": fake.user_id, "username": "fieldnotes"}})
        elif re.fullmatch(rf"/2/users/{fake.user_id}/tweets", path):
            latest = [{"id": t["id"], "text": t["text"]} for t in reversed(fake.tweets)][:20]
            self.reply(200, {"data": latest, "meta": {"result_count": len(latest)}})
        else:
            self.reply(404, {"title": "Not Found Error", "status": 404})

    def do_POST(self) -> None:
        fake = self.server.fake
        body = json.loads(self.body() or b"{}")
        with fake.lock:
            fault = fake.next_fault()
            if self.common_fault(fault):
                return
            if fault == "429":
                self.reply(429, {"title": "Too Many Requests", "status": 429},
                           {"x-rate-limit-remaining": "0",
                            "x-rate-limit-reset": str(int(time.time()) + 1)})
                return
            if not self._authorised():
                return
            text = body.get("text", "")
            if fake.tweets and fake.tweets[-1]["text"] == text:
                self.reply(403, {"title": "Forbidden", "status": 403, "detail": "You are not "
                                 "allowed to create a Tweet with duplicate content."})
                return
            reply_to = (body.get("reply") or {}).get("in_reply_to_tweet_id")
            if reply_to and reply_to not in {t["id"] for t in fake.tweets}:
                self.reply(400, {"title": "Invalid Request", "status": 400})
                return
            tweet = {"id": str(1800000000000000000 + len(fake.tweets)), "text": text,
                     "in_reply_to": reply_to}
            fake.tweets.append(tweet)
            if fault == "lost":
                self.drop()
                return
            self.reply(201, {"data": {"id": tweet["id"], "text": text}})


@contextmanager
def running(fake: FakeX | None = None) -> Iterator[FakeX]:
    with serve(fake or FakeX(), _Handler) as served:
        yield served
