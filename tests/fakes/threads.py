"""A faithful fake of the Threads API's publishing endpoints, on 127.0.0.1.

POST /{user}/threads (form or query: media_type TEXT or IMAGE, text, image_url — fetched
from its public URL, as Meta does —, alt_text, link_attachment for TEXT only,
reply_to_id of a published post) answers {"id"} of a media container; a container is
IN_PROGRESS for processing_seconds, then FINISHED (or ERROR when its image could not be
fetched). POST /{user}/threads_publish?creation_id=… publishes a FINISHED container once
and answers {"id"} of the post; a container not ready, unknown or already published is
400 code 24 / subcode 4279009 ("The requested resource does not exist"; for an already
published one this is a guess: Meta does not document it). GET /{container}?fields=
status,error_message; GET /{media}?fields=permalink; GET /{user}/threads and /replies
list the latest posts (403 code 10 without listing_allowed). Text over 500, counted as
Threads counts (emoji by their UTF-8 bytes), is refused. The token may come as
`Authorization: Bearer` or `access_token`; a wrong one is OAuthException code 190.
Errors are Meta's {"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}.
Faults for POSTs: "429", "500", "lost" (acted on, answer lost), "unanswered" (dropped
before it is acted on), "done-502" (acted on, then 502), "rate" (Meta's rate limit:
400 code 17), "ok".
"""

from __future__ import annotations

import re
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fakes.server import FakeHandler, FakePlatform, serve

# Written apart from syndicate's counter: code points, where a code point of an emoji
# (pictographs, dingbats, joiners, variation selector, tags) counts its UTF-8 bytes.
_EMOJI_PART = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u200d\ufe0f\U000e0020-\U000e007f]")


def threads_count(text: str) -> int:
    return sum(len(c.encode("utf-8")) if _EMOJI_PART.match(c) else 1 for c in text)


def meta_error(message: str, code: int, subcode: int | None = None,
               kind: str = "OAuthException") -> dict[str, Any]:
    error: dict[str, Any] = {"message": message, "type": kind, "code": code,
                             "fbtrace_id": "AbCdEfGhIjKlMnOpQrStUvW"}
    if subcode is not None:
        error["error_subcode"] = subcode
    return {"error": error}


NOT_FOUND = meta_error("The requested resource does not exist", 24, 4279009)


@dataclass
class FakeThreads(FakePlatform):
    token: str = "THAAfakeThreadsToken0123456789abcdefghijklmnop"
    user_id: str = "25000000000000001"
    username: str = "fieldnotes"
    processing_seconds: float = 0.0  # how long a new container stays IN_PROGRESS
    listing_allowed: bool = True  # False: the token lacks the permission to list posts
    containers: dict[str, dict[str, Any]] = field(default_factory=dict)
    posts: list[dict[str, Any]] = field(default_factory=list)  # published, oldest first
    requests: list[dict[str, Any]] = field(default_factory=list)

    def is_user(self, name: str) -> bool:
        return name in ("me", self.user_id)

    def container_status(self, container: dict[str, Any]) -> str:
        if container["status"] == "IN_PROGRESS" and \
                time.monotonic() >= container["ready_at"]:
            container["status"] = "ERROR" if container.get("error_message") else "FINISHED"
        return str(container["status"])

    def create(self, params: dict[str, str]) -> tuple[int, Any]:
        media_type = params.get("media_type")
        text = params.get("text", "")
        if media_type not in ("TEXT", "IMAGE", "VIDEO", "CAROUSEL"):
            return 400, meta_error("(#100) The parameter media_type is required.", 100)
        if media_type == "TEXT" and not text:
            return 400, meta_error("(#100) The parameter text is required.", 100)
        if media_type == "IMAGE" and not params.get("image_url"):
            return 400, meta_error("(#100) The parameter image_url is required.", 100)
        if "link_attachment" in params and media_type != "TEXT":
            return 400, meta_error("(#100) link_attachment is only for text posts.", 100)
        if threads_count(text) > 500:
            return 400, meta_error("(#100) Param text must be at most 500 characters long.",
                                   100)
        reply_to = params.get("reply_to_id")
        if reply_to and reply_to not in {p["id"] for p in self.posts}:
            return 400, meta_error("(#100) Invalid reply_to_id.", 100)
        container_id = str(17900000000000000 + len(self.containers))
        container = {"id": container_id, "params": dict(params), "status": "IN_PROGRESS",
                     "ready_at": time.monotonic() + self.processing_seconds}
        if media_type == "IMAGE" and not fetches_an_image(params["image_url"]):
            container["error_message"] = "UNKNOWN"
        self.containers[container_id] = container
        return 200, {"id": container_id}

    def publish(self, params: dict[str, str]) -> tuple[int, Any]:
        container = self.containers.get(params.get("creation_id", ""))
        if container is None or self.container_status(container) != "FINISHED":
            return 400, NOT_FOUND
        media_id = str(18100000000000000 + len(self.posts))
        code = f"DFake{len(self.posts):04d}"
        sent = container["params"]
        self.posts.append({
            "id": media_id, "container": container["id"], "text": sent.get("text", ""),
            "media_type": sent["media_type"], "reply_to": sent.get("reply_to_id"),
            "link_attachment": sent.get("link_attachment"),
            "image_url": sent.get("image_url"), "alt_text": sent.get("alt_text"),
            "permalink": f"https://www.threads.com/@{self.username}/post/{code}"})
        container["status"] = "PUBLISHED"
        return 200, {"id": media_id}

    def read(self, path: str, params: dict[str, str]) -> tuple[int, Any]:
        fields = params.get("fields", "id").split(",")
        parts = path.strip("/").split("/")
        if len(parts) == 2 and self.is_user(parts[0]) and parts[1] in ("threads", "replies"):
            if not self.listing_allowed:
                return 403, meta_error("(#10) Application does not have permission for "
                                       "this action", 10)
            wanted = [p for p in reversed(self.posts)
                      if bool(p["reply_to"]) == (parts[1] == "replies")]
            limit = int(params.get("limit", "25"))
            return 200, {"data": [{k: p[k] for k in fields if k in p}
                                  for p in wanted[:limit]], "paging": {}}
        if len(parts) == 1 and parts[0] in self.containers:
            container = self.containers[parts[0]]
            answer = {"id": container["id"], "status": self.container_status(container)}
            if "error_message" in fields and container.get("error_message") and \
                    answer["status"] == "ERROR":
                answer["error_message"] = container["error_message"]
            return 200, answer
        post = next((p for p in self.posts if len(parts) == 1 and p["id"] == parts[0]), None)
        if post is not None:
            return 200, {k: post[k] for k in ["id", *fields] if k in post}
        return 400, meta_error(f"Unsupported get request. Object with ID '{parts[-1]}' "
                               "does not exist.", 100, 33, "GraphMethodException")


def fetches_an_image(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return bool(answer.headers.get_content_type().startswith("image/"))
    except OSError:
        return False


class _Handler(FakeHandler):
    def _params(self, body: bytes) -> dict[str, str]:
        split = urlsplit(self.path)
        merged = {**parse_qs(split.query), **parse_qs(body.decode("utf-8"))}
        return {key: values[0] for key, values in merged.items()}

    def _authorised(self, params: dict[str, str]) -> bool:
        fake = self.server.fake
        header = self.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ") if header else params.get("access_token")
        if token != fake.token:
            self.reply(400, meta_error("Invalid OAuth access token - Cannot parse access "
                                       "token", 190))
            return False
        return True

    def _record(self, params: dict[str, str]) -> None:
        self.server.fake.requests.append({
            "method": self.command, "path": self.path, "params": params,
            "headers": {k.lower(): v for k, v in self.headers.items()}})

    def do_GET(self) -> None:
        fake = self.server.fake
        params = self._params(b"")
        with fake.lock:
            self._record(params)
            if self._authorised(params):
                self.reply(*fake.read(urlsplit(self.path).path, params))

    def do_POST(self) -> None:
        fake = self.server.fake
        params = self._params(self.body())
        path = urlsplit(self.path).path.strip("/").split("/")
        with fake.lock:
            self._record(params)
            fault = fake.next_fault()
            if fault == "429":
                self.reply(429, meta_error("Too many calls", 80001))
                return
            if fault == "500":
                self.reply(500, meta_error("An unknown error has occurred.", 1, None,
                                           "OAuthException"))
                return
            if fault == "unanswered":
                self.drop()
                return
            if not self._authorised(params):
                return
            if fault == "rate":
                self.reply(400, meta_error("(#17) User request limit reached", 17, 2207051))
                return
            if len(path) != 2 or not fake.is_user(path[0]):
                self.reply(400, meta_error("Unsupported post request.", 100, 33,
                                           "GraphMethodException"))
                return
            if path[1] == "threads":
                status, answer = fake.create(params)
            elif path[1] == "threads_publish":
                status, answer = fake.publish(params)
            else:
                status, answer = 400, meta_error("Unknown path components", 2500)
            if fault == "lost":
                self.drop()
                return
            if fault == "done-502":  # acted on, then the gateway answers 502
                self.reply(502, meta_error("An unknown error has occurred.", 1, None,
                                           "OAuthException"))
                return
            self.reply(status, answer)


@contextmanager
def running(fake: FakeThreads | None = None) -> Iterator[FakeThreads]:
    with serve(fake or FakeThreads(), _Handler) as served:
        yield served
