"""Bluesky (AT Protocol): 300 graphemes and 3000 UTF-8 bytes, rich text as facets.

What is sent is what the official app would send: each typed link shown shortened
(host and the start of its path), the full URL kept in its link facet, and facets for
hashtags and cashtags with UTF-8 byte offsets (see syndicate.text.bluesky_richtext).

Posting writes each part with `com.atproto.repo.putRecord` under a record key derived
from the article and the part (a TID), with `swapRecord: null`: the server creates the
record only if that key is free, so a retry, or a run after a crash, can never make a
second copy. The link card is built here from the article's own metadata, its image
uploaded as the thumb. Reading responses (`syndicate backfeed`) is in bluesky_backfeed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from syndicate.draft import PostedPart
from syndicate.errors import PostingError
from syndicate.images import ImageProblem, Upload, card_image
from syndicate.platforms.base import (
    BasePoster,
    OutgoingPart,
    Platform,
    PlatformOptions,
    Poster,
    ResponseReader,
)
from syndicate.text import bluesky_richtext

if TYPE_CHECKING:
    import httpx

    from syndicate.http import Http

MAX_BYTES = bluesky_richtext.BYTE_LIMIT
MAX_LANGS = 3


class Bluesky(Platform):
    name = "bluesky"
    label = "Bluesky"
    accent = "#1083fe"
    links_from_facets = True
    can_delete = True
    builds_card = True
    default_limit = bluesky_richtext.GRAPHEME_LIMIT

    @dataclass(frozen=True)
    class Options(PlatformOptions):
        # The account's PDS.
        url: str = "https://bsky.social"
        handle: str | None = None
        # Where posts are linked to.
        app_url: str = "https://bsky.app"
        # Attach the article's image (with its alt text) instead of showing the link card.
        image: bool = False
        # Where replies, likes and reposts are read (`syndicate backfeed`).
        appview: str = "https://public.api.bsky.app"

    options: Options
    secret_keys = ("password",)
    # Each part has its own record key and the server refuses a second record there.
    retry_is_safe = True

    def count(self, text: str) -> int:
        graphemes, size = bluesky_richtext.displayed_size(text)
        if size > MAX_BYTES:
            return max(graphemes, self.limit + 1)  # both limits must hold
        return graphemes

    def extras_for(self, lang: str, metadata: Mapping[str, str]) -> dict[str, Any]:
        langs = [code.strip() for code in lang.replace("_", "-").split(",") if code.strip()]
        return {"langs": langs[:MAX_LANGS]}

    def prepare(self, text: str) -> tuple[str, list[dict[str, Any]]]:
        return bluesky_richtext.shorten_links(text)

    def facets(self, text: str) -> list[dict[str, Any]]:
        return bluesky_richtext.facets(text)

    def missing_settings(self) -> list[tuple[str, str]]:
        missing = []
        if not self.options.handle:
            missing.append(("no handle", "set SYNDICATE['platforms']['bluesky']['handle'] or "
                                         "SYNDICATE_BLUESKY_HANDLE"))
        if not self.options.url:
            missing.append(("no PDS url", "set SYNDICATE['platforms']['bluesky']['url'], or "
                                          "SYNDICATE_BLUESKY_URL, to your PDS, e.g. "
                                          "https://bsky.social"))
        return missing

    def open_poster(self, project_root: str, http: Http) -> Poster:
        return BlueskyPoster(self, project_root, http)

    def open_reader(self, http: Http) -> ResponseReader:
        from syndicate.platforms.bluesky_backfeed import BlueskyReader

        return BlueskyReader(self, http)

    def doctor(self, project_root: str, http: Http) -> list[tuple[bool, str]]:
        poster = BlueskyPoster(self, project_root, http)
        try:
            poster._login()
        except PostingError as error:
            return [(False, error.line())]
        found = [(True, f"signed in as {poster.handle} ({poster.did})")]
        # The access token says how it was made: an app password, or the account's own.
        scope = _jwt_claims(poster._access).get("scope", "")
        if scope == "com.atproto.appPass" or scope.startswith("com.atproto.appPass"):
            found.append((True, "with an app password"))
        else:
            found.append((False, "with the account's main password: make an app password "
                                 "(Settings → Privacy and security → App passwords) and use "
                                 "it as SYNDICATE_BLUESKY_PASSWORD"))
        return found


POST = "app.bsky.feed.post"
# The most a blob may weigh in a post's embed (thumb or image).
MAX_BLOB_BYTES = 1_000_000


def _jwt_claims(token: str) -> dict[str, Any]:
    """A JWT's claims, read without checking it (only to tell what kind of session)."""
    import base64
    import json

    try:
        payload = token.split(".")[1]
        return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))
    except (IndexError, ValueError):
        return {}


def _rate_limit_wait(response: httpx.Response) -> float | None:
    # Bluesky's RateLimit-Reset is epoch seconds.
    from syndicate.http import seconds_until

    return seconds_until(response.headers.get("RateLimit-Reset"))


def _error(response: httpx.Response) -> tuple[str, str]:
    """The XRPC error name and message of a failed call."""
    import json

    try:
        body = json.loads(response.content)
    except ValueError:
        from syndicate.http import error_text

        return "", error_text(response)
    if not isinstance(body, dict):
        return "", ""
    return str(body.get("error", "")), str(body.get("message", ""))


def _json(response: httpx.Response, maybe_done: bool = False,
          fix: str = "check the PDS URL (SYNDICATE_BLUESKY_URL)") -> dict[str, Any]:
    from syndicate.http import json_object

    return json_object(response, "bluesky", maybe_done=maybe_done, fix=fix)


def record_key(part: OutgoingPart) -> str:
    """The part's record key: the same for every attempt, different for every part."""
    return bluesky_richtext.tid_for(part.article_key, part.article_url, str(part.index))


class BlueskyPoster(BasePoster):
    """One session per run; every part written where only it can be written."""

    def __init__(self, platform: Bluesky, project_root: str, http: Http) -> None:
        if missing := platform.missing_settings():
            raise PostingError("bluesky", *missing[0])
        self.handle = (platform.options.handle or "").lstrip("@")
        self.base = platform.options.url.rstrip("/")
        self.app_url = platform.options.app_url.rstrip("/")
        self.attach_image = platform.options.image
        self.project_root = project_root
        self.http = http
        self._password = platform.settings.secrets["password"]
        self._access = ""
        self._refresh = ""
        self.did = ""
        self._session_error: PostingError | None = None
        self._cids: dict[str, str] = {}  # at:// URI → CID of the records this run knows

    # The session: made on first use, once per run (createSession is limited to 30 in
    # five minutes), refreshed when the access token expires.
    def _login(self) -> None:
        if self.did:
            return
        if self._session_error:
            raise self._session_error
        response = self.http.request(
            "bluesky", "POST", f"{self.base}/xrpc/com.atproto.server.createSession",
            idempotent=True, wait_for=_rate_limit_wait,
            json={"identifier": self.handle, "password": self._password})
        if response.status_code != 200:
            name, message = _error(response)
            if response.status_code == 401 or name == "AuthenticationRequired":
                problem = f"{self.handle} could not sign in ({message or name or 401})"
                fix = ("check SYNDICATE_BLUESKY_HANDLE and SYNDICATE_BLUESKY_PASSWORD (an "
                       "app password, made in Settings → Privacy and security)")
            else:
                problem = f"signing in failed: HTTP {response.status_code} {name} {message}"
                fix = "check the PDS URL (SYNDICATE_BLUESKY_URL) and try again later"
            self._session_error = PostingError("bluesky", problem.strip(), fix)
            raise self._session_error
        self._take_session(_json(response))

    def _take_session(self, session: Mapping[str, Any]) -> None:
        self._access = str(session["accessJwt"])
        self._refresh = str(session["refreshJwt"])
        self.did = str(session["did"])

    def _refresh_session(self) -> None:
        response = self.http.request(
            "bluesky", "POST", f"{self.base}/xrpc/com.atproto.server.refreshSession",
            idempotent=True, wait_for=_rate_limit_wait,
            headers={"Authorization": f"Bearer {self._refresh}"})
        if response.status_code != 200:
            self.did = ""  # sign in again from scratch
            self._login()
            return
        self._take_session(_json(response))

    def _call(self, method: str, nsid: str, headers: Mapping[str, str] | None = None,
              **kwargs: Any) -> httpx.Response:
        """An authenticated XRPC call; an expired access token is refreshed once."""
        self._login()
        for attempt in range(2):
            response = self.http.request(
                "bluesky", method, f"{self.base}/xrpc/{nsid}", idempotent=True,
                wait_for=_rate_limit_wait,
                headers={"Authorization": f"Bearer {self._access}", **(headers or {})},
                **kwargs)
            if attempt == 0 and _error(response)[0] in ("ExpiredToken", "InvalidToken"):
                self._refresh_session()
                continue
            break
        return response

    def _check(self, response: httpx.Response, what: str) -> None:
        if response.status_code == 200:
            return
        name, message = _error(response)
        if response.status_code == 400:
            raise PostingError("bluesky", f"the server rejected {what}: {message or name}",
                               "fix the draft (see `syndicate check`) and rebuild")
        if response.status_code in (401, 403):
            raise PostingError("bluesky", f"not allowed to {what} ({name}: {message})",
                               "check SYNDICATE_BLUESKY_PASSWORD: an app password of "
                               f"{self.handle}")
        raise PostingError("bluesky", f"{what} failed: HTTP {response.status_code} {name} "
                           f"{message}".strip(), "run `syndicate post` again later")

    def _upload(self, upload: Upload) -> dict[str, Any]:
        response = self._call("POST", "com.atproto.repo.uploadBlob", content=upload.data,
                              headers={"Content-Type": upload.mime})
        self._check(response, f"the image {upload.name}")
        return dict(_json(response)["blob"])

    def _strong_ref(self, posted: PostedPart) -> dict[str, str]:
        cid = self._cids.get(posted.id)
        if cid is None:  # posted by an earlier run: ask the server
            _, _, rest = posted.id.partition("at://")
            repo, collection, rkey = rest.split("/", 2)
            found = self._get_record(repo, collection, rkey)
            if found is None:
                raise PostingError("bluesky", f"the post this part answers is gone "
                                   f"({posted.url})", "run `syndicate status` and decide")
            cid = found[1]
        return {"uri": posted.id, "cid": cid}

    def _embed(self, part: OutgoingPart, warnings: list[str]) -> dict[str, Any] | None:
        card = part.card
        if not card:
            return None
        try:
            image = card_image(self.project_root, card, MAX_BLOB_BYTES)
        except ImageProblem as problem:
            warnings.append(f"{part.article_key}: Bluesky card without its image: {problem}")
            image = None
        if self.attach_image and image is not None:
            return {"$type": "app.bsky.embed.images",
                    "images": [{"image": self._upload(image), "alt": image.alt}]}
        external: dict[str, Any] = {"uri": card["url"], "title": card.get("title", ""),
                                    "description": card.get("description", "")}
        if image is not None:
            external["thumb"] = self._upload(image)
        return {"$type": "app.bsky.embed.external", "external": external}

    def _record(self, part: OutgoingPart, warnings: list[str]) -> dict[str, Any]:
        record: dict[str, Any] = {
            "$type": POST, "text": part.text,
            # Fixed for this attempt: a retry must send the byte-identical record.
            "createdAt": datetime.now(UTC).isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
        }
        if part.facets:
            record["facets"] = [dict(facet) for facet in part.facets]
        langs = part.extras.get("langs")
        if langs:
            record["langs"] = list(langs)
        if part.reply_to:
            parent = self._strong_ref(part.reply_to)
            root = self._strong_ref(part.root) if part.root else parent
            record["reply"] = {"root": root, "parent": parent}
        embed = self._embed(part, warnings)
        if embed:
            record["embed"] = embed
        return record

    def post(self, part: OutgoingPart) -> PostedPart:
        self._login()
        warnings: list[str] = []
        rkey = record_key(part)
        response = self._call("POST", "com.atproto.repo.putRecord", json={
            "repo": self.did, "collection": POST, "rkey": rkey,
            "record": self._record(part, warnings),
            "swapRecord": None,  # create only: never overwrite, never a second copy
        })
        if _error(response)[0] == "InvalidSwap":
            # The key is taken: by this very part, sent by an attempt whose answer was
            # lost (a different createdAt), or by something else entirely.
            found = self._get_record(self.did, POST, rkey)
            if found and found[2].get("text") == part.text:
                return self._posted(found[0], found[1], rkey, warnings)
            raise PostingError("bluesky", f"another post already has this part's record key "
                               f"{rkey}", "run `syndicate status`, then look at the account")
        self._check(response, "the post")
        answer = _json(response, maybe_done=True)  # the record may be written
        return self._posted(str(answer["uri"]), str(answer["cid"]), rkey, warnings)

    def _posted(self, uri: str, cid: str, rkey: str, warnings: list[str]) -> PostedPart:
        self._cids[uri] = cid
        return PostedPart(id=uri, url=f"{self.app_url}/profile/{self.did}/post/{rkey}",
                          warnings=tuple(warnings))

    def _get_record(self, repo: str, collection: str, rkey: str
                    ) -> tuple[str, str, dict[str, Any]] | None:
        """(uri, cid, record) of a record, or None when there is none at that key."""
        response = self.http.request(
            "bluesky", "GET", f"{self.base}/xrpc/com.atproto.repo.getRecord",
            idempotent=True, wait_for=_rate_limit_wait,
            params={"repo": repo, "collection": collection, "rkey": rkey})
        if response.status_code == 400 and _error(response)[0] == "RecordNotFound":
            return None
        self._check(response, "reading a post back")
        body = _json(response)
        return str(body["uri"]), str(body["cid"]), dict(body["value"])

    def delete(self, posted: PostedPart) -> None:
        """com.atproto.repo.deleteRecord: the post is gone (already gone is fine)."""
        self._login()
        rkey = posted.id.rsplit("/", 1)[-1]
        response = self._call("POST", "com.atproto.repo.deleteRecord", json={
            "repo": self.did, "collection": POST, "rkey": rkey})
        self._check(response, "deleting the post")

    def find_posted(self, part: OutgoingPart) -> PostedPart | None:
        self._login()
        rkey = record_key(part)
        found = self._get_record(self.did, POST, rkey)
        return self._posted(found[0], found[1], rkey, []) if found else None
