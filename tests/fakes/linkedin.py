"""A faithful fake of LinkedIn's Posts and Images APIs (versioned /rest), on 127.0.0.1.

Every call needs `Authorization: Bearer` (401 INVALID_ACCESS_TOKEN), `LinkedIn-Version:
YYYYMM` (400 VERSION_MISSING without it, 426 NONEXISTENT_VERSION for a version not
served) and `X-Restli-Protocol-Version: 2.0.0`. POST /rest/posts checks the post's
fields as Rest.li does (422 for a missing or unknown field), that the token may post as
the author (403 ACCESS_DENIED), answers 201 with the URN in `x-restli-id`, and refuses
the same commentary from the same author again with 422 DUPLICATE_POST naming the first
post. The commentary is read as LinkedIn's little text format: what follows an
unescaped reserved character is silently lost (`shown` is what readers would see).
Images: POST /rest/images?action=initializeUpload, then PUT of the bytes (with the
token) to the uploadUrl it gives. 429s carry no Retry-After. No idempotency.
Faults for /rest/posts: "429", "500", "lost", "done-502" (made, then 502), "ok"; for the
Images API: image_faults.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fakes.server import FakeHandler, FakePlatform, serve

RESERVED = set("|{}@[]()<>#\\*_~")
POST_FIELDS = {"author", "commentary", "visibility", "distribution", "lifecycleState",
               "content", "isReshareDisabledByAuthor", "contentLandingPage", "container",
               "reshareContext", "contentCallToActionLabel", "adContext"}
REQUIRED = ("author", "commentary", "visibility", "distribution", "lifecycleState")
ARTICLE_FIELDS = {"source", "title", "description", "thumbnail", "thumbnailAltText"}
IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")


def shown(commentary: str) -> str:
    """What LinkedIn shows of a commentary: escapes resolved, cut at an unescaped
    reserved character (written apart from syndicate's own escaping)."""
    out = []
    index = 0
    while index < len(commentary):
        char = commentary[index]
        if char == "\\" and index + 1 < len(commentary):
            out.append(commentary[index + 1])
            index += 2
            continue
        if char in RESERVED:
            break
        out.append(char)
        index += 1
    return "".join(out)


@dataclass
class FakeLinkedIn(FakePlatform):
    token: str = "AQVfake-linkedin-token-0123456789abcdefghij"
    member: str = "urn:li:person:Xy7fakeMember"
    organizations: set[str] = field(default_factory=set)  # pages the member may post as
    versions: tuple[str, str] = ("202512", "202611")  # oldest and newest served
    posts: list[dict[str, Any]] = field(default_factory=list)
    images: dict[str, dict[str, Any]] = field(default_factory=dict)
    image_faults: list[str] = field(default_factory=list)  # "500", "403"
    requests: list[dict[str, Any]] = field(default_factory=list)

    def may_act_as(self, urn: str) -> bool:
        return urn == self.member or urn in self.organizations

    def check_headers(self, headers: Any) -> tuple[int, Any] | None:
        if headers.get("Authorization") != f"Bearer {self.token}":
            return 401, {"status": 401, "serviceErrorCode": 65600,
                         "code": "INVALID_ACCESS_TOKEN", "message": "Invalid access token"}
        version = headers.get("LinkedIn-Version")
        if not version:
            return 400, {"status": 400, "code": "VERSION_MISSING", "message": "A version "
                         "must be present. Please specify a version by adding the "
                         "LinkedIn-Version header."}
        if not (re.fullmatch(r"\d{6}", version)
                and self.versions[0] <= version <= self.versions[1]):
            return 426, {"status": 426, "code": "NONEXISTENT_VERSION",
                         "message": f"Requested version {version}01 is not active"}
        if headers.get("X-Restli-Protocol-Version") != "2.0.0":
            return 400, {"status": 400, "message": "Invalid Rest.li protocol version"}
        return None

    def create_post(self, body: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
        errors = [f"ERROR :: /{name} :: field is required but not found and has no "
                  "default value" for name in REQUIRED if name not in body]
        errors += [f"ERROR :: /{name} :: unrecognized field found but not allowed"
                   for name in body if name not in POST_FIELDS]
        article = (body.get("content") or {}).get("article")
        if article is not None:
            errors += [f"ERROR :: /content/article/{name} :: unrecognized field found but "
                       "not allowed" for name in article if name not in ARTICLE_FIELDS]
            errors += [f"ERROR :: /content/article/{name} :: field is required but not "
                       "found and has no default value" for name in ("source", "title")
                       if name not in article]
        if errors:
            return 422, {}, {"message": "\n".join(errors) + "\n", "status": 422}
        author = body["author"]
        if not self.may_act_as(author):
            return 403, {}, {"status": 403, "serviceErrorCode": 100, "code": "ACCESS_DENIED",
                             "message": "Not enough permissions to access: "
                             "partnerApiPostsExternal.CREATE.20261101"}
        if len(body["commentary"]) > 3000:
            return 422, {}, {"status": 422, "message": "ERROR :: /commentary :: length "
                             "exceeds the maximum allowed of 3000"}
        thumbnail = (article or {}).get("thumbnail")
        if thumbnail is not None:
            image = self.images.get(thumbnail)
            if image is None or image["owner"] != author or image["data"] is None:
                return 400, {}, {"status": 400, "message": f"Invalid thumbnail {thumbnail}"}
        for post in self.posts:
            if post["author"] == author and post["commentary"] == body["commentary"]:
                return 422, {}, {
                    "errorDetailType": "com.linkedin.common.error.BadRequest",
                    "message": "com.linkedin.content.common.exception."
                    f"BadRequestResponseException: Content is a duplicate of {post['urn']}",
                    "errorDetails": {"inputErrors": [{
                        "description": "Duplicate post is detected", "input": {},
                        "code": "DUPLICATE_POST"}]},
                    "status": 422}
        urn = f"urn:li:share:{7400000000000000000 + len(self.posts)}"
        self.posts.append({**body, "urn": urn, "shown": shown(body["commentary"])})
        return 201, {"x-restli-id": urn, "x-linkedin-id": urn}, None

    def initialize_upload(self, body: dict[str, Any]) -> tuple[int, Any]:
        owner = (body.get("initializeUploadRequest") or {}).get("owner")
        if not owner:
            return 422, {"status": 422, "message": "ERROR :: /initializeUploadRequest/owner "
                         ":: field is required but not found and has no default value\n"}
        if not self.may_act_as(owner):
            return 403, {"status": 403, "code": "ACCESS_DENIED",
                         "message": f"Not enough permissions to upload for {owner}"}
        number = len(self.images)
        urn = f"urn:li:image:D4E10AQfake{number:04d}"
        self.images[urn] = {"owner": owner, "data": None}
        return 200, {"value": {
            "uploadUrlExpiresAt": int(time.time() * 1000) + 86_400_000,
            "uploadUrl": f"{self.url}/dms-uploads/sp/v2/D4E10AQfake{number:04d}/uploaded-image"
                         f"/0?ca=vector_feedshare&cn=uploads&sync=0&v=beta&ut=fake{number}",
            "image": urn}}

    def upload(self, path: str, data: bytes) -> tuple[int, Any]:
        match = re.fullmatch(r"/dms-uploads/sp/v2/D4E10AQfake(\d{4})/uploaded-image/0", path)
        urn = f"urn:li:image:D4E10AQfake{match.group(1)}" if match else ""
        if urn not in self.images:
            return 404, {"status": 404, "message": "Not Found"}
        if not data.startswith(IMAGE_MAGIC):
            return 400, {"status": 400, "message": "Unsupported image format"}
        self.images[urn]["data"] = data
        return 201, None


class _Handler(FakeHandler):
    def _record(self, body: bytes) -> None:
        self.server.fake.requests.append({
            "method": self.command, "path": self.path,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": body})

    def do_POST(self) -> None:
        fake = self.server.fake
        body = self.body()
        split = urlsplit(self.path)
        with fake.lock:
            self._record(body)
            if split.path == "/rest/images" and parse_qs(split.query).get("action") == [
                    "initializeUpload"]:
                fault = fake.image_faults.pop(0) if fake.image_faults else None
                if fault:
                    self.reply(int(fault), {"status": int(fault), "message": "fault"})
                    return
                refused = fake.check_headers(self.headers)
                if refused:
                    self.reply(*refused)
                    return
                self.reply(*fake.initialize_upload(json.loads(body or b"{}")))
                return
            if split.path != "/rest/posts":
                self.reply(404, {"status": 404, "message": "Resource not found"})
                return
            fault = fake.next_fault()
            if fault == "429":
                self.reply(429, {"status": 429, "message": "Resource level throttle "
                                 "APPLICATION DAY limit for calls to this resource is reached."})
                return
            if fault == "500":
                self.reply(500, {"status": 500, "message": "Internal Server Error"})
                return
            refused = fake.check_headers(self.headers)
            if refused:
                self.reply(*refused)
                return
            try:
                payload = json.loads(body or b"{}")
            except ValueError:
                self.reply(400, {"status": 400, "code": "ILLEGAL_ARGUMENT", "message":
                                 "Request body could not be converted to data map"})
                return
            status, headers, answer = fake.create_post(payload)
            if fault == "lost":  # the post is made, the answer never arrives
                self.drop()
                return
            if fault == "done-502":  # the post is made, then the gateway answers 502
                self.reply(502, {"status": 502, "message": "Bad Gateway"})
                return
            self.reply(status, answer, headers)

    def do_PUT(self) -> None:
        fake = self.server.fake
        data = self.body()
        with fake.lock:
            self._record(b"<%d bytes>" % len(data))
            fault = fake.image_faults.pop(0) if fake.image_faults else None
            if fault:
                self.reply(int(fault), {"status": int(fault), "message": "fault"})
                return
            if self.headers.get("Authorization") != f"Bearer {fake.token}":
                self.reply(401, {"status": 401, "code": "INVALID_ACCESS_TOKEN",
                                 "message": "Invalid access token"})
                return
            self.reply(*fake.upload(urlsplit(self.path).path, data))


@contextmanager
def running(fake: FakeLinkedIn | None = None) -> Iterator[FakeLinkedIn]:
    with serve(fake or FakeLinkedIn(), _Handler) as served:
        yield served
