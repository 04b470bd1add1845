"""A faithful fake of a Mastodon server: a real HTTP server on 127.0.0.1.

It follows Mastodon's documented behaviour (PLATFORMS.md): statuses by form or JSON,
Bearer tokens (401), the length limit counted Mastodon's way (422 with Mastodon's
message), Idempotency-Key kept per token for an hour on `clock` (a test moves it on; a
repeat within the hour returns the status already made, after it a new one), statuses
listed per account (GET /api/v1/accounts/:id/statuses, content rendered as Mastodon
renders it: HTML paragraphs, <br />, links with their hidden parts in invisible spans,
hashtags as links; the other answers keep the posted text as content), rate limits
with X-RateLimit-* headers whose Reset is ISO 8601 and a 429
without Retry-After, /api/v2/instance, and media: POST /api/v2/media answers 202 while
the image is processed (GET /api/v1/media/:id answers 206 with a null url until it is
ready) and a status may attach only processed media of its own account. Faults can be
queued for tests.
"""

from __future__ import annotations

import email.parser
import email.policy
import html
import json
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import regex

from fakes.server import FakeHandler, FakePlatform, serve

# Written apart from syndicate's own counter, from Mastodon's rule: URLs with a scheme
# count 23, a remote mention counts without its domain, graphemes otherwise.
_URL = re.compile(r"(?<![\w/])https?://[^\s]+?(?=[.,;:!?)]*(?:\s|$))")
_MENTION = re.compile(r"(?<![\w/])@(\w+)@[\w.-]+\w")


def mastodon_length(text: str, spoiler: str = "") -> int:
    text = _MENTION.sub(r"@\1", _URL.sub("x" * 23, text))
    return len(regex.findall(r"\X", spoiler + text))


_LINK = re.compile(r"https?://[^\s<]+?(?=[.,;:!?)]*(?:\s|$))")
_TAG = re.compile(r"(?<![\w/])#(\w+)")


def _render_link(url: str) -> str:
    scheme, _, rest = url.partition("://")
    shown, hidden = rest[:30], rest[30:]
    return (f'<a href="{html.escape(url)}" target="_blank" rel="nofollow noopener '
            f'noreferrer" translate="no"><span class="invisible">{scheme}://</span>'
            f'<span class="{"ellipsis" if hidden else ""}">{html.escape(shown)}</span>'
            f'<span class="invisible">{html.escape(hidden)}</span></a>')


def render(text: str, base: str) -> str:
    """A status's text as Mastodon renders its content (written apart from syndicate)."""
    def line(raw: str) -> str:
        out, position = [], 0
        for match in _LINK.finditer(raw):
            out += [_tags(html.escape(raw[position:match.start()]), base),
                    _render_link(match.group())]
            position = match.end()
        return "".join(out) + _tags(html.escape(raw[position:]), base)

    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    return "".join("<p>" + "<br />".join(line(raw) for raw in paragraph.split("\n"))
                   + "</p>" for paragraph in paragraphs)


def _tags(escaped: str, base: str) -> str:
    return _TAG.sub(lambda m: f'<a href="{base}/tags/{m[1].lower()}" class="mention '
                    f'hashtag" rel="tag">#<span>{m[1]}</span></a>', escaped)


@dataclass
class FakeMastodon(FakePlatform):
    tokens: set[str] = field(default_factory=lambda: {"good-token"})
    max_characters: int = 500
    advertised_max: int | None = None  # what /api/v2/instance says, if not max_characters
    rate_limit: int = 300  # statuses per window
    window_seconds: float = 3 * 3600
    statuses: dict[str, dict[str, Any]] = field(default_factory=dict)
    # (token, key) → (status id, when the key was first used, on clock)
    idempotency: dict[tuple[str, str], tuple[str, float]] = field(default_factory=dict)
    clock: Callable[[], float] = time.time
    key_lifetime: float = 3600.0
    requests: list[tuple[str, str]] = field(default_factory=list)
    window_start: float = field(default_factory=time.time)
    window_count: int = 0
    media: dict[str, dict[str, Any]] = field(default_factory=dict)
    media_files: dict[str, bytes] = field(default_factory=dict)
    processing_polls: int = 2  # GETs of a new upload that still find it processing
    scopes: list[str] = field(default_factory=lambda: ["read", "write:statuses"])
    last_id: int = 100000  # ids only grow, as Mastodon's do (never reused after a delete)
    favourites: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    reblogs: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def _new_id(self) -> str:
        self.last_id += 1
        return str(self.last_id)

    # What other people do with a status, as the server would record it.
    def reply(self, status_id: str, account: dict[str, Any], content: str) -> dict[str, Any]:
        with self.lock:
            reply_id = self._new_id()
            status = {"id": reply_id, "content": content, "in_reply_to_id": status_id,
                      "account": account, "url": f"{self.url}/@{account['acct']}/{reply_id}",
                      "uri": f"{self.url}/users/{account['acct']}/statuses/{reply_id}",
                      "created_at": datetime.now(UTC).isoformat(), "spoiler_text": "",
                      "language": "en", "visibility": "public", "media_attachments": []}
            self.statuses[reply_id] = status
            return status

    def favourite(self, status_id: str, account: dict[str, Any]) -> None:
        with self.lock:
            self.favourites.setdefault(status_id, []).append(account)

    def reblog(self, status_id: str, account: dict[str, Any]) -> None:
        with self.lock:
            self.reblogs.setdefault(status_id, []).append(account)

    def _descendants(self, status_id: str) -> list[dict[str, Any]]:
        found, frontier = [], [status_id]
        while frontier:
            parent = frontier.pop(0)
            children = [s for s in self.statuses.values() if s["in_reply_to_id"] == parent]
            found.extend(children)
            frontier.extend(child["id"] for child in children)
        return found
    image_size_limit: int = 16 * 1024 * 1024

    def handle(self, method: str, path: str, headers: Any, body: bytes
               ) -> tuple[int, dict[str, str], Any]:
        """(status, headers, JSON body) for one request."""
        with self.lock:
            self.requests.append((method, path))
            if path == "/api/v2/instance" and method == "GET":
                return 200, {}, {"domain": "127.0.0.1", "version": "4.3.0", "configuration": {
                    "statuses": {"max_characters": self.advertised_max or self.max_characters,
                                 "characters_reserved_per_url": 23},
                    "media_attachments": {"image_size_limit": self.image_size_limit}}}
            token = (headers.get("Authorization") or "").removeprefix("Bearer ")
            if token not in self.tokens:
                return 401, {}, {"error": "The access token is invalid"}
            if path == "/api/v1/apps/verify_credentials" and method == "GET":
                return 200, {}, {"name": "syndicate", "scopes": self.scopes}
            if path == "/api/v1/accounts/verify_credentials" and method == "GET":
                return 200, {}, {"id": "1", "acct": "fieldnotes", "display_name": "Field Notes",
                                 "url": f"{self.url}/@fieldnotes"}
            if path == "/api/v1/statuses" and method == "POST":
                return self._create_status(token, headers, body)
            if path == "/api/v2/media" and method == "POST":
                return self._upload(token, headers, body)
            match = re.fullmatch(r"/api/v1/accounts/(\d+)/statuses", path)
            if match and method == "GET":
                own = sorted((st for st in self.statuses.values()
                              if st["account"].get("id") == match.group(1)),
                             key=lambda st: int(st["id"]), reverse=True)
                return 200, {}, [{**st, "content": render(st["content"], self.url)}
                                 for st in own[:40]]
            match = re.fullmatch(r"/api/v1/media/(\d+)", path)
            if match and method == "GET":
                return self._media_state(token, match.group(1))
            match = re.fullmatch(r"/api/v1/statuses/(\d+)", path)
            if match and method == "GET" and match.group(1) in self.statuses:
                return 200, {}, self.statuses[match.group(1)]
            if match and method in ("PUT", "DELETE"):
                status = self.statuses.get(match.group(1))
                if status is None:
                    return 404, {}, {"error": "Record not found"}
                if status.get("account", {}).get("acct") != "fieldnotes":
                    return 403, {}, {"error": "This action is not allowed"}
                if method == "DELETE":
                    return 200, {}, self.statuses.pop(match.group(1))
                form = {k: v[0] for k, v in parse_qs(body.decode("utf-8")).items()}
                if mastodon_length(form.get("status", ""), form.get("spoiler_text", "")) \
                        > self.max_characters:
                    return 422, {}, {"error": "Validation failed: Text character limit of "
                                     f"{self.max_characters} exceeded"}
                status.update(content=form.get("status", ""),
                              edited_at=datetime.now(UTC).isoformat())
                return 200, {}, status
            match = re.fullmatch(
                r"/api/v1/statuses/(\d+)/(context|favourited_by|reblogged_by)", path)
            if match and method == "GET":
                status_id, what = match.groups()
                if status_id not in self.statuses:
                    return 404, {}, {"error": "Record not found"}
                if what == "context":
                    return 200, {}, {"ancestors": [], "descendants":
                                     self._descendants(status_id)}
                accounts = (self.favourites if what == "favourited_by" else self.reblogs)
                return 200, {}, accounts.get(status_id, [])
            return 404, {}, {"error": "Record not found"}

    def _upload(self, token: str, headers: Any, body: bytes
                ) -> tuple[int, dict[str, str], Any]:
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + headers.get("Content-Type", "").encode() + b"\r\n\r\n" + body)
        fields = {part.get_param("name", header="content-disposition"): part
                  for part in message.iter_parts()} if message.is_multipart() else {}
        upload = fields.get("file")
        if upload is None:
            return 422, {}, {"error": "Validation failed: File can't be blank"}
        data = upload.get_payload(decode=True)
        if not upload.get_content_type().startswith("image/"):
            return 422, {}, {"error": "Validation failed: File has contents that are not "
                             "what they are reported to be"}
        if len(data) > self.image_size_limit:
            return 422, {}, {"error": "Validation failed: File file size must be less than "
                             f"{self.image_size_limit} Bytes"}
        description = fields["description"].get_content() if "description" in fields else ""
        if len(description) > 1500:
            return 422, {}, {"error": "Validation failed: Description is too long "
                             "(maximum is 1500 characters)"}
        media_id = str(200000 + len(self.media) + 1)
        self.media[media_id] = {"id": media_id, "type": "image", "url": None,
                                "description": description, "token": token,
                                "polls_left": self.processing_polls}
        self.media_files[media_id] = data
        return 202, {}, self._public_media(media_id)

    def _public_media(self, media_id: str) -> dict[str, Any]:
        return {k: v for k, v in self.media[media_id].items() if k not in ("token",
                                                                         "polls_left")}

    def _media_state(self, token: str, media_id: str) -> tuple[int, dict[str, str], Any]:
        media = self.media.get(media_id)
        if media is None or media["token"] != token:
            return 404, {}, {"error": "Record not found"}
        if media["polls_left"] > 0:
            media["polls_left"] -= 1
            return 206, {}, self._public_media(media_id)
        media["url"] = f"{self.url}/system/media/{media_id}.png"
        return 200, {}, self._public_media(media_id)

    def _rate_headers(self) -> dict[str, str]:
        reset = datetime.fromtimestamp(self.window_start + self.window_seconds, UTC)
        return {"X-RateLimit-Limit": str(self.rate_limit),
                "X-RateLimit-Remaining": str(max(0, self.rate_limit - self.window_count)),
                "X-RateLimit-Reset": reset.isoformat(timespec="milliseconds")
                .replace("+00:00", "Z")}

    def _create_status(self, token: str, headers: Any, body: bytes
                       ) -> tuple[int, dict[str, str], Any]:
        if headers.get("Content-Type", "").startswith("application/json"):
            data = json.loads(body or b"{}")
            form = {k: str(v) for k, v in data.items()}
            media_ids = [str(m) for m in data.get("media_ids", [])]
        else:
            fields = parse_qs(body.decode("utf-8"))
            form = {k: v[0] for k, v in fields.items()}
            media_ids = fields.get("media_ids[]", [])
        key = headers.get("Idempotency-Key")
        if key and (token, key) in self.idempotency:
            status_id, used = self.idempotency[(token, key)]
            if self.clock() - used <= self.key_lifetime and status_id in self.statuses:
                return 200, self._rate_headers(), self.statuses[status_id]
            del self.idempotency[(token, key)]  # forgotten: the post is made anew
        if time.time() - self.window_start > self.window_seconds:
            self.window_start, self.window_count = time.time(), 0
        if self.window_count >= self.rate_limit:
            return 429, self._rate_headers(), {"error": "Too many requests"}
        text = form.get("status", "")
        if mastodon_length(text, form.get("spoiler_text", "")) > self.max_characters:
            return 422, {}, {"error": "Validation failed: Text character limit of "
                             f"{self.max_characters} exceeded"}
        reply = form.get("in_reply_to_id")
        if reply and reply not in self.statuses:
            return 404, {}, {"error": "Record not found"}
        for media_id in media_ids:
            media = self.media.get(media_id)
            if media is None or media["token"] != token:
                return 422, {}, {"error": "Validation failed: media_ids are invalid"}
            if not media["url"]:
                return 422, {}, {"error": "Cannot attach files that have not finished "
                                 "processing. Try again in a moment!"}
        self.window_count += 1
        status_id = self._new_id()
        status = {"id": status_id, "content": text, "in_reply_to_id": reply,
                  "account": {"id": "1", "acct": "fieldnotes", "display_name": "Field Notes",
                              "url": f"{self.url}/@fieldnotes", "avatar": ""},
                  "spoiler_text": form.get("spoiler_text", ""),
                  "language": form.get("language"), "visibility": form.get("visibility"),
                  "url": f"{self.url}/@fieldnotes/{status_id}",
                  "uri": f"{self.url}/users/fieldnotes/statuses/{status_id}",
                  "created_at": datetime.now(UTC).isoformat(),
                  "media_attachments": [self._public_media(m) for m in media_ids]}
        self.statuses[status_id] = status
        if key:
            self.idempotency[(token, key)] = (status_id, self.clock())
        return 200, self._rate_headers(), status


class _Handler(FakeHandler):
    def _serve(self, method: str) -> None:
        fake = self.server.fake
        body = self.body()
        time.sleep(fake.latency)
        fault = fake.next_fault() if method == "POST" else None
        if fault == "reset":  # the connection drops before anything is done
            self.drop()
            return
        if fault in ("500", "503"):
            self.reply(int(fault), {"error": "Internal server error"})
            return
        if fault == "429":
            reset = datetime.now(UTC) + timedelta(seconds=0.3)
            self.reply(429, {"error": "Too many"},
                       {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset.isoformat()})
            return
        status, headers, payload = fake.handle(method, self.path.split("?")[0], self.headers,
                                               body)
        if fault == "lost":  # done, but the answer never arrives
            self.drop()
            return
        self.reply(status, payload, headers)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_DELETE(self) -> None:
        self._serve("DELETE")


@contextmanager
def running(fake: FakeMastodon | None = None) -> Iterator[FakeMastodon]:
    """Serve a fake Mastodon on 127.0.0.1 (a free port) for the duration of the block."""
    with serve(fake or FakeMastodon(), _Handler) as served:
        yield served
