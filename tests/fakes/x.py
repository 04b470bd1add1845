"""A faithful fake of X's API v2 for posting, on 127.0.0.1.

POST /2/tweets (Bearer user token) answers 201 {"data": {"id", "text"}}; a reply needs
an existing tweet; the same text twice in a row is 403 "duplicate content"; 401 for a
wrong token; 429 with x-rate-limit-reset in epoch seconds. GET /2/users/me and
/2/users/:id/tweets list the account's latest posts. No idempotency.

As X does, a post is stored rewritten: NFC-normalised and trimmed, every link replaced by
a t.co link of 23 characters, and its text given back with & < > escaped as HTML. With
tweet.fields=entities the post's entities.urls give, per link, start and end (code points
of the unescaped text), url (the t.co link), expanded_url (as typed; http:// added to a
bare domain) and display_url (no scheme, cut after 15 characters of path with "…");
with referenced_tweets, a reply names the post it answers.
Faults: "429", "500", "reset", "lost" (made, the answer dropped), "done-502" (made,
then 502), "ok".
"""

from __future__ import annotations

import html
import itertools
import json
import re
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fakes.server import FakeHandler, FakePlatform, serve

# Links as X finds them, written apart from syndicate's counter: with a scheme, or a bare
# domain under a few real top-level domains; never an IP address; trailing punctuation
# is the sentence's.
_LINK = re.compile(r"(?<![\w@#$/.])(?:https?://)?(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+"
                   r"(?:com|org|net|io|dev|app|blog|social|example|uk|de|fr)(?::\d+)?"
                   r"(?:/[^\s]*)?", re.IGNORECASE)
_tco = itertools.count(1)


def shorten(text: str) -> tuple[str, list[dict[str, Any]]]:
    """The text X stores, and its entities.urls."""
    text = unicodedata.normalize("NFC", text).strip()
    out, urls, position = [], [], 0
    for match in _LINK.finditer(text):
        typed = match.group().rstrip(".,;:!?'\"")
        if typed.endswith(")") and "(" not in typed:
            typed = typed[:-1]
        start = match.start()
        out.append(text[position:start])
        tco = f"https://t.co/{next(_tco):010d}"
        begin = sum(len(piece) for piece in out)
        out.append(tco)
        shown = re.sub(r"^https?://", "", typed)
        host, _, rest = shown.partition("/")
        display = host + ("/" + rest[:15] + "…" if len(rest) > 15 else
                          "/" + rest if rest else "")
        urls.append({"start": begin, "end": begin + len(tco), "url": tco,
                     "expanded_url": typed if re.match(r"(?i)https?://", typed)
                     else f"http://{typed}", "display_url": display})
        position = start + len(typed)
    return "".join(out) + text[position:], urls


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
            query = parse_qs(urlsplit(self.path).query)
            fields = set(",".join(query.get("tweet.fields", [""])).split(","))
            latest = []
            for tweet in list(reversed(fake.tweets))[:int(query.get("max_results",
                                                                     ["10"])[0])]:
                shown: dict[str, Any] = {"id": tweet["id"],
                                         "text": html.escape(tweet["text"], quote=False)}
                if "entities" in fields and tweet["urls"]:
                    shown["entities"] = {"urls": tweet["urls"]}
                if "created_at" in fields:
                    shown["created_at"] = tweet["created_at"]
                if "referenced_tweets" in fields and tweet["in_reply_to"]:
                    shown["referenced_tweets"] = [{"type": "replied_to",
                                                   "id": tweet["in_reply_to"]}]
                latest.append(shown)
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
            if fake.tweets and fake.tweets[-1]["sent"] == text:
                self.reply(403, {"title": "Forbidden", "status": 403, "detail": "You are not "
                                 "allowed to create a Tweet with duplicate content."})
                return
            reply_to = (body.get("reply") or {}).get("in_reply_to_tweet_id")
            if reply_to and reply_to not in {t["id"] for t in fake.tweets}:
                self.reply(400, {"title": "Invalid Request", "status": 400})
                return
            stored, urls = shorten(text)
            tweet = {"id": str(1800000000000000000 + len(fake.tweets)), "text": stored,
                     "sent": text, "urls": urls, "in_reply_to": reply_to,
                     "created_at": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())}
            fake.tweets.append(tweet)
            if fault == "lost":
                self.drop()
                return
            if fault == "done-502":  # made, then the gateway gives up on the answer
                self.reply(502, {"title": "Bad Gateway", "status": 502})
                return
            self.reply(201, {"data": {"id": tweet["id"],
                                      "text": html.escape(stored, quote=False)}})


@contextmanager
def running(fake: FakeX | None = None) -> Iterator[FakeX]:
    with serve(fake or FakeX(), _Handler) as served:
        yield served
