"""Mastodon and Mastodon-API servers (GoToSocial, Akkoma, Pleroma).

Mastodon counts the grapheme clusters of the content warning plus the text, where every
URL it would autolink counts as `characters_reserved_per_url` (23) and a remote mention
`@user@domain` counts as `@user` (the rule is text.mastodon_text). Other server software
counts differently; when the software is not known to be Mastodon, the larger of the two
counts is the safe one. Reading responses (`syndicate backfeed`): mastodon_backfeed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from syndicate.draft import PostedPart
from syndicate.errors import PostingError
from syndicate.platforms.base import (
    BasePoster,
    OutgoingPart,
    Platform,
    PlatformOptions,
    Poster,
    ResponseReader,
)
from syndicate.text.mastodon_text import (
    comparable_status_text,
    mastodon_length,
    status_plain_text,
)

if TYPE_CHECKING:  # the build never posts: it need not import the HTTP client
    import httpx

    from syndicate.http import Http

SOFTWARE = ("mastodon", "gotosocial", "akkoma", "pleroma", "unknown")


class Mastodon(Platform):
    name = "mastodon"
    label = "Mastodon"
    accent = "#6364ff"
    square_avatar = True
    can_edit = True
    can_delete = True
    default_limit = 500

    @dataclass(frozen=True)
    class Options(PlatformOptions):
        url: str | None = None
        visibility: str = "public"
        url_length: int = 23
        # What the server runs; anything but "mastodon" is counted the safe way.
        software: str = "mastodon"
        content_warning: str | None = None
        # Attach the article's image, with its alt text, instead of letting the server
        # build its link card from the page.
        image: bool = False

    options: Options
    secret_keys = ("token",)
    quota = (300, 3 * 3600)  # 300 statuses per 3 hours per account

    def count(self, text: str) -> int:
        return self.measure(text, {"spoiler_text": self.options.content_warning or ""})

    def extras_for(self, lang: str, metadata: Mapping[str, str]) -> dict[str, Any]:
        warning = metadata.get("content_warning") or self.options.content_warning or ""
        extras: dict[str, Any] = {"language": lang.split("_")[0].split("-")[0],
                                  "visibility": self.options.visibility}
        if warning:
            extras["spoiler_text"] = str(warning)
        return extras

    def measure(self, text: str, extras: Mapping[str, Any]) -> int:
        warning = str(extras.get("spoiler_text") or "")
        length = mastodon_length(text, warning, self.options.url_length)
        if self.options.software.lower() != "mastodon":
            # GoToSocial counts code points, Akkoma graphemes, both with URLs in full.
            length = max(length, len(warning) + len(text))
        return length

    # Mastodon keeps an Idempotency-Key for an hour: a part whose first try is in doubt
    # is sent again with the same key and comes back as the status already made. Past
    # the hour, find_posted looks among the account's statuses before any resend.
    retry_is_safe = True

    def open_poster(self, project_root: str, http: Http) -> Poster:
        return MastodonPoster(self, http, project_root)

    def open_reader(self, http: Http) -> ResponseReader:
        from syndicate.platforms.mastodon_backfeed import MastodonReader

        return MastodonReader(self, http)

    def missing_settings(self) -> list[tuple[str, str]]:
        if self.options.url:
            return []
        return [("no server URL", "set SYNDICATE['platforms']['mastodon']['url'] or "
                                  "SYNDICATE_MASTODON_URL")]

    def server(self) -> str:
        """The server's address, without a trailing slash; refused when not set."""
        if not self.options.url:
            raise PostingError("mastodon", *self.missing_settings()[0])
        return self.options.url.rstrip("/")

    def _scopes(self, poster: MastodonPoster, http: Http) -> list[tuple[bool, str]]:
        """Whether the token may post (Mastodon 4.3+ says which scopes its app has)."""
        response = http.request("mastodon", "GET",
                                f"{poster.base}/api/v1/apps/verify_credentials",
                                idempotent=True, headers={
                                    "Authorization": f"Bearer {self.settings.secrets['token']}"})
        from syndicate.http import json_object

        scopes = json_object(response, "mastodon").get("scopes") \
            if response.status_code == 200 else None
        if not isinstance(scopes, list):
            return []  # an older server: it does not say
        if {"write", "write:statuses"} & set(scopes):
            return [(True, f"the token may post ({' '.join(scopes)})")]
        return [(False, f"the token's scopes ({' '.join(scopes) or 'none'}) do not allow "
                        "posting: make a token with write:statuses")]

    def doctor(self, project_root: str, http: Http) -> list[tuple[bool, str]]:
        poster = MastodonPoster(self, http, project_root)
        found: list[tuple[bool, str]] = []
        response = http.request("mastodon", "GET",
                                f"{poster.base}/api/v1/accounts/verify_credentials",
                                idempotent=True, headers={
                                    "Authorization": f"Bearer {self.settings.secrets['token']}"})
        if response.status_code == 200:
            from syndicate.http import json_object

            found.append((True, f"signed in as @{json_object(response, 'mastodon').get('acct')}"))
            found.extend(self._scopes(poster, http))
        else:
            found.append((False, f"the token was refused (HTTP {response.status_code}): "
                                 "check SYNDICATE_MASTODON_TOKEN"))
        limit, url_length = poster.limits
        if limit is None:
            found.append((True, "the server does not say its limits: counting with "
                                f"{self.limit}"))
        elif limit < self.limit:
            found.append((False, f"the server allows {limit} characters, the setting says "
                                 f"{self.limit}: set \"limit\": {limit}"))
        else:
            found.append((True, f"limit {limit} characters (URLs count {url_length})"))
        return found


def _rate_limit_wait(response: httpx.Response) -> float | None:
    # Mastodon's 429 has no Retry-After; its reset is an ISO 8601 time, not a number.
    from syndicate.http import seconds_until

    return seconds_until(response.headers.get("X-RateLimit-Reset"))


# Mastodon's own limits when the instance does not say: image bytes, alt text length.
IMAGE_SIZE_LIMIT = 16 * 1024 * 1024
MAX_DESCRIPTION = 1500
# How long to wait for an uploaded image to be processed before posting without it.
MEDIA_WAIT_SECONDS = 30.0


class MastodonPoster(BasePoster):
    """POST /api/v1/statuses, one status per part, replies chained by in_reply_to_id."""

    def __init__(self, platform: Mastodon, http: Http, project_root: str = ".") -> None:
        self.base = platform.server()
        self.http = http
        self._token = platform.settings.secrets["token"]
        self.attach_image = platform.options.image
        self.project_root = project_root
        self.image_size_limit = IMAGE_SIZE_LIMIT
        self._limits: tuple[int | None, int] | None = None
        self._account_id: str | None = None

    @property
    def limits(self) -> tuple[int | None, int]:
        """(max_characters, characters_reserved_per_url), read on first use: in the
        platform's own posting thread, not before every platform may start."""
        if self._limits is None:
            self._limits = self._instance_limits()
        return self._limits

    def _instance_limits(self) -> tuple[int | None, int]:
        """The server's own limit and URL length, read once per run (None if unknown)."""
        response = self.http.request("mastodon", "GET", f"{self.base}/api/v2/instance",
                                     idempotent=True)
        from syndicate.http import json_object

        if response.status_code != 200:
            return None, 23
        answer = json_object(response, "mastodon")  # a page that is not JSON: wrong url
        try:
            configuration = answer["configuration"]
            media = configuration.get("media_attachments") or {}
            self.image_size_limit = int(media.get("image_size_limit") or IMAGE_SIZE_LIMIT)
            statuses = configuration["statuses"]
            return int(statuses["max_characters"]), int(statuses["characters_reserved_per_url"])
        except (ValueError, KeyError, TypeError, AttributeError):
            return None, 23

    def _media(self, part: OutgoingPart, warnings: list[str]) -> str | None:
        """The id of the article's image uploaded with its alt text, ready to attach."""
        from syndicate.http import json_object
        from syndicate.images import ImageProblem, card_image

        try:
            image = card_image(self.project_root, part.card, self.image_size_limit)
        except ImageProblem as problem:
            warnings.append(f"{part.article_key}: posted to Mastodon without its image: "
                            f"{problem}")
            return None
        if image is None:
            return None
        auth = {"Authorization": f"Bearer {self._token}"}
        # An upload repeated by a retry only leaves an unattached copy the server deletes.
        response = self.http.request(
            "mastodon", "POST", f"{self.base}/api/v2/media", idempotent=True,
            wait_for=_rate_limit_wait, headers=auth,
            files={"file": (image.name, image.data, image.mime)},
            data={"description": image.alt[:MAX_DESCRIPTION]})
        self._check(response)
        media = json_object(response, "mastodon")
        # 202: accepted, still processing; the status may only attach it once it has a url.
        waited = 0.0
        while not media.get("url"):
            if waited >= MEDIA_WAIT_SECONDS:
                warnings.append(f"{part.article_key}: the server was still processing the "
                                "image; posted to Mastodon without it")
                return None
            self.http.sleep(min(0.5 + waited / 4, 5.0))
            waited += min(0.5 + waited / 4, 5.0)
            response = self.http.request("mastodon", "GET",
                                         f"{self.base}/api/v1/media/{media['id']}",
                                         idempotent=True, wait_for=_rate_limit_wait,
                                         headers=auth)
            self._check(response)
            media = json_object(response, "mastodon")
        return str(media["id"])

    def post(self, part: OutgoingPart) -> PostedPart:
        max_characters, url_length = self.limits
        if max_characters is not None:
            # The server's limit is the last word: check it before sending, not after.
            length = mastodon_length(part.text, str(part.extras.get("spoiler_text") or ""),
                                     url_length)
            if length > max_characters:
                raise PostingError(
                    "mastodon", f"{length} characters is over this server's limit of "
                    f"{max_characters}", f"set \"limit\": {max_characters} for "
                    "mastodon in SYNDICATE and rebuild")
        form: dict[str, str | list[str]] = {"status": part.text}
        for key in ("visibility", "language", "spoiler_text"):
            if part.extras.get(key):
                form[key] = str(part.extras[key])
        if part.reply_to:
            form["in_reply_to_id"] = part.reply_to.id
        warnings: list[str] = []
        if self.attach_image and part.card:
            media_id = self._media(part, warnings)
            if media_id:
                form["media_ids[]"] = [media_id]
        response = self.http.request(
            "mastodon", "POST", f"{self.base}/api/v1/statuses", idempotent=True,
            wait_for=_rate_limit_wait, data=form,
            headers={"Authorization": f"Bearer {self._token}",
                     "Idempotency-Key": part.idempotency_key})
        self._check(response)
        from syndicate.http import json_object

        # A 2xx that cannot be read may still be the status: in doubt, not refused.
        status = json_object(response, "mastodon", maybe_done=True)
        return PostedPart(id=str(status["id"]), url=str(status.get("url") or status["uri"]),
                          warnings=tuple(warnings))

    def _check(self, response: httpx.Response) -> None:
        if response.status_code == 401:
            raise PostingError("mastodon", "the server refused the token (401)",
                               "check SYNDICATE_MASTODON_TOKEN: an access token with the "
                               "write:statuses scope, for this server")
        if response.status_code == 422:
            raise PostingError("mastodon", f"the server rejected the post: {_error(response)}",
                               "shorten the draft, or set the platform's limit to the "
                               "server's max_characters")
        if response.status_code >= 300 and response.status_code != 206:
            raise PostingError("mastodon", f"HTTP {response.status_code}: {_error(response)}",
                               "see the server's answer above")

    def find_posted(self, part: OutgoingPart) -> PostedPart | None:
        """Within the Idempotency-Key's hour, None: a resend with the key is answered with
        the status already made. Past it, the key is forgotten and a resend would be a
        second status: the part is looked for among the account's latest statuses."""
        if not _key_may_have_expired(part.pending_since):
            return None
        auth = {"Authorization": f"Bearer {self._token}"}
        from syndicate.http import json_object, read_json

        if self._account_id is None:
            response = self.http.request(
                "mastodon", "GET", f"{self.base}/api/v1/accounts/verify_credentials",
                idempotent=True, wait_for=_rate_limit_wait, headers=auth)
            self._check(response)
            self._account_id = str(json_object(response, "mastodon")["id"])
        response = self.http.request(
            "mastodon", "GET", f"{self.base}/api/v1/accounts/{self._account_id}/statuses",
            idempotent=True, wait_for=_rate_limit_wait, headers=auth,
            params={"limit": str(LOOKUP_LIMIT), "exclude_reblogs": "true"})
        self._check(response)
        statuses = read_json(response, "mastodon")
        if not isinstance(statuses, list):
            raise PostingError("mastodon", "the account's statuses are not a list",
                               "check the url setting")
        wanted = comparable_status_text(part.text)
        reply_to = part.reply_to.id if part.reply_to else None
        for status in statuses:
            if not isinstance(status, dict) or status.get("reblog"):
                continue
            if reply_to and str(status.get("in_reply_to_id") or "") != reply_to:
                continue
            content = str(status.get("content") or "")
            if comparable_status_text(status_plain_text(content)) == wanted:
                return PostedPart(id=str(status["id"]),
                                  url=str(status.get("url") or status.get("uri") or ""))
        return None

    def edit(self, part: OutgoingPart, posted: PostedPart) -> PostedPart:
        """PUT /api/v1/statuses/:id: the same status, new text (Mastodon shows it edited)."""
        form = {"status": part.text}
        for key in ("language", "spoiler_text"):
            if part.extras.get(key):
                form[key] = str(part.extras[key])
        response = self.http.request(
            "mastodon", "PUT", f"{self.base}/api/v1/statuses/{posted.id}", idempotent=True,
            wait_for=_rate_limit_wait, data=form,
            headers={"Authorization": f"Bearer {self._token}"})
        self._check(response)
        from syndicate.http import json_object

        status = json_object(response, "mastodon")
        return PostedPart(id=str(status["id"]), url=str(status.get("url") or status["uri"]))

    def delete(self, posted: PostedPart) -> None:
        response = self.http.request(
            "mastodon", "DELETE", f"{self.base}/api/v1/statuses/{posted.id}",
            idempotent=True, wait_for=_rate_limit_wait,
            headers={"Authorization": f"Bearer {self._token}"})
        if response.status_code != 404:  # already gone is gone
            self._check(response)


def _error(response: httpx.Response) -> str:
    from syndicate.http import error_text

    return error_text(response, "error")


# Mastodon keeps an Idempotency-Key for an hour. A part pending for longer than this may
# have been made with a key the server has forgotten: it is looked up before any resend
# (ten minutes of margin, for clocks that disagree and runs that take a while).
KEY_LIFETIME_SECONDS = 3600
LOOKUP_AFTER_SECONDS = KEY_LIFETIME_SECONDS - 600
# How many of the account's latest statuses the lookup reads (Mastodon's maximum).
LOOKUP_LIMIT = 40


def _key_may_have_expired(pending_since: str | None, now: datetime | None = None) -> bool:
    if not pending_since:
        return False
    try:
        since = datetime.fromisoformat(pending_since.replace("Z", "+00:00"))
    except ValueError:
        return True  # unreadable: the safe side is to look
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    return (now - since).total_seconds() >= LOOKUP_AFTER_SECONDS
