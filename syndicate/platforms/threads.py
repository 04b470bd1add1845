"""Threads (Meta): 500 characters, where an emoji counts as its UTF-8 bytes.

Meta documents the emoji rule only; other characters are counted as code points, and a
whole emoji sequence (ZWJ family, skin tone, flag) by all of its bytes: the safe side.

Posting takes two calls (Threads API): `POST /{user}/threads` makes a media container —
TEXT with the article as `link_attachment`, or, with the `image` option on and a card
image, IMAGE with the image's public URL (Meta fetches it) and its alt text, or TEXT
after all, with a warning, when Meta cannot use the image —, then
`POST /{user}/threads_publish` publishes it and answers the post's media id, whose
address `GET /{media}?fields=permalink` gives. Later parts of a thread are replies
(`reply_to_id`). The token goes in the Authorization header, never in a URL.

A container is not a post: making another after a lost answer is harmless (one never
published expires in 24 hours). Publishing is what must happen once, and a container
publishes at most once, so after a publish whose answer is lost, or that says the
container is not ready yet, the container's status decides: IN_PROGRESS is waited for
(about 30 s at most), FINISHED is published (again), ERROR or EXPIRED fail the draft, and
PUBLISHED means the post is out. The container does not tell its post's media id: the
post is looked for, by its text, among the account's latest threads (or replies); when
it is not there the draft needs attention rather than a second post. find_posted, after
a run that died, looks the same way. Reading replies needs threads_read_replies.

Meta's rate limits (error codes 4, 17, 32, 613) come as HTTP 400 or 403: the draft fails
with one clear line and the next run tries again. 429 and 5xx are retried by Http.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn

from syndicate.draft import PostedPart
from syndicate.errors import PostingError
from syndicate.platforms.base import BasePoster, OutgoingPart, Platform, PlatformOptions, Poster
from syndicate.text.graphemes import EMOJI_SEQUENCE, MAYBE_EMOJI
from syndicate.text.twitter_text import find_urls

if TYPE_CHECKING:  # the build never posts: it need not import the HTTP client
    import httpx

    from syndicate.http import Http

MAX_LINKS = 5
# Meta's rate-limit error codes (application, user, page, custom).
RATE_LIMIT_CODES = frozenset({4, 17, 32, 613})
# (code, error_subcode) of "The requested resource does not exist" from threads_publish:
# the container is not processed yet.
NOT_READY = (24, 4279009)
# Waits between checks of a container's status: about 30 s in all.
STATUS_WAITS = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0)
PUBLISH_TRIES = 3


def threads_length(text: str) -> int:
    if text.isascii() or not MAYBE_EMOJI.search(text):
        return len(text)
    emoji = EMOJI_SEQUENCE.findall(text)
    return len(text) - sum(len(e) for e in emoji) + sum(len(e.encode("utf-8")) for e in emoji)


class Threads(Platform):
    name = "threads"
    label = "Threads"
    accent = "#000000"
    links_bare_addresses = True
    default_limit = 500

    @dataclass(frozen=True)
    class Options(PlatformOptions):
        api_url: str = "https://graph.threads.net/v1.0"
        # The Threads user id ("me": the token's own account).
        user_id: str = "me"
        # Post the card's image (from its public URL) instead of a link preview.
        image: bool = False

    options: Options
    secret_keys = ("token",)
    quota = (250, 24 * 3600)  # 250 posts per 24 hours

    def count(self, text: str) -> int:
        return threads_length(text)

    def problems(self, text: str) -> list[str]:
        links = {text[start:end] for start, end in find_urls(text)}
        if len(links) > MAX_LINKS:
            return [f"{len(links)} links; Threads accepts at most {MAX_LINKS}: remove some"]
        return []

    def open_poster(self, project_root: str, http: Http) -> Poster:
        return ThreadsPoster(self.options.api_url.rstrip("/"), self.options.user_id or "me",
                             self.settings.secrets["token"], self.options.image, http)


class ThreadsPoster(BasePoster):
    """A container, then its publication, per part; replies chained by reply_to_id."""

    def __init__(self, api_url: str, user_id: str, token: str, image: bool,
                 http: Http) -> None:
        self.api = api_url
        self.user_id = user_id
        self.image = image
        self.http = http
        self._headers = {"Authorization": f"Bearer {token}"}

    def _call(self, method: str, path: str, *, idempotent: bool,
              **kwargs: Any) -> httpx.Response:
        return self.http.request("threads", method, f"{self.api}/{path}",
                                 idempotent=idempotent, headers=self._headers, **kwargs)

    def post(self, part: OutgoingPart) -> PostedPart:
        card = part.card or {}
        with_image = self.image and bool(card.get("image"))
        warnings: list[str] = []
        try:
            published = self._publish(self._create(part, with_image), part)
        except _ContainerFailed as failed:
            if not with_image:
                raise
            # Meta could not use the image (it fetches it from the site): the post, with
            # its link preview, matters more than the picture.
            warnings.append(f"{part.article_key}: posted to Threads without its image: "
                            f"{failed.problem}")
            published = self._publish(self._create(part, False), part)
        if isinstance(published, PostedPart):
            return PostedPart(published.id, published.url, tuple(warnings))
        return PostedPart(published, self._permalink(published), tuple(warnings))

    def _create(self, part: OutgoingPart, with_image: bool) -> str:
        form = {"text": part.text}
        card = part.card or {}
        if with_image:
            form.update(media_type="IMAGE", image_url=str(card["image"]))
            if card.get("image_alt"):
                form["alt_text"] = str(card["image_alt"])
        else:
            form["media_type"] = "TEXT"
            if part.index == 0:
                form["link_attachment"] = part.article_url
        if part.reply_to:
            form["reply_to_id"] = part.reply_to.id
        # Idempotent: a container nobody publishes is no post, and expires.
        response = self._call("POST", f"{self.user_id}/threads", idempotent=True, data=form)
        if response.status_code >= 300:
            self._refuse(response)
        from syndicate.http import json_object

        # Not JSON: the wrong server (or a portal); a container is no post, so nothing
        # is in doubt yet.
        return str(json_object(response, "threads", fix="check the api_url setting")["id"])

    def _publish(self, container: str, part: OutgoingPart) -> str | PostedPart:
        """The media id of the published container (or the post found after a lost
        answer)."""
        from syndicate.http import AmbiguousFailure, json_object

        in_doubt = False  # a publish may have gone through: never fail the draft now
        for _ in range(PUBLISH_TRIES):
            try:
                response = self._call("POST", f"{self.user_id}/threads_publish",
                                      idempotent=False, data={"creation_id": container})
            except AmbiguousFailure:
                in_doubt = True
            else:
                if response.status_code < 300:
                    try:
                        return str(json_object(response, "threads", maybe_done=True)["id"])
                    except KeyError:
                        in_doubt = True  # published, or not: the container says
                    except AmbiguousFailure:
                        in_doubt = True
                if _codes(response) != NOT_READY and not in_doubt:
                    self._refuse(response)
            if self._settled_status(container, in_doubt) == "PUBLISHED":
                return self._find(part) or _published_unseen(container)
        if in_doubt:
            _published_unseen(container)
        raise PostingError("threads", f"container {container} was not published after "
                           f"{PUBLISH_TRIES} tries", "run `syndicate post` again later")

    def _settled_status(self, container: str, in_doubt: bool) -> str:
        """FINISHED or PUBLISHED, once the container is no longer IN_PROGRESS."""
        for wait in (0.0, *STATUS_WAITS):
            self.http.sleep(wait)
            try:
                response = self._call("GET", container, idempotent=True,
                                      params={"fields": "status,error_message"})
            except PostingError:
                if in_doubt:
                    _published_unseen(container)
                raise
            if response.status_code != 200:
                if in_doubt:
                    _published_unseen(container)
                self._refuse(response)
            from syndicate.http import json_object

            try:
                answer = json_object(response, "threads", fix="check the api_url setting")
            except PostingError:
                if in_doubt:
                    _published_unseen(container)
                raise
            status = str(answer.get("status", ""))
            if status in ("FINISHED", "PUBLISHED"):
                return status
            if status in ("ERROR", "EXPIRED"):  # it never went out
                detail = answer.get("error_message") or "no reason given"
                raise _ContainerFailed("threads", f"its container is {status} ({detail})",
                                       "check the text, then run `syndicate post` again")
        raise PostingError("threads", f"container {container} still IN_PROGRESS after "
                           f"{sum(STATUS_WAITS):.0f} s", "run `syndicate post` again later")

    def _permalink(self, media_id: str) -> str:
        try:
            response = self._call("GET", media_id, idempotent=True,
                                  params={"fields": "permalink"})
            if response.status_code == 200:
                from syndicate.http import json_object

                return str(json_object(response, "threads").get("permalink") or "")
        except (PostingError, ValueError):
            pass
        return ""  # the post is out: an address unknown is no reason to fail

    def find_posted(self, part: OutgoingPart) -> PostedPart | None:
        return self._find(part)

    def _find(self, part: OutgoingPart) -> PostedPart | None:
        """The part among the account's latest threads (replies for later parts)."""
        edge = "replies" if part.reply_to else "threads"
        try:
            response = self._call("GET", f"{self.user_id}/{edge}", idempotent=True,
                                  params={"fields": "id,text,permalink", "limit": "25"})
            if response.status_code != 200:
                return None
            from syndicate.http import json_object

            posts = json_object(response, "threads").get("data", [])
        except (PostingError, ValueError, AttributeError):
            return None
        wanted = unicodedata.normalize("NFC", part.text)
        for post in posts:
            if unicodedata.normalize("NFC", str(post.get("text", ""))) == wanted:
                return PostedPart(id=str(post["id"]), url=str(post.get("permalink") or ""))
        return None

    def _refuse(self, response: httpx.Response) -> NoReturn:
        error = _error(response)
        code = error.get("code")
        from syndicate.http import error_text

        message = str(error.get("message") or error_text(response))
        if code == 190 or response.status_code == 401:
            raise PostingError("threads", f"the token was refused ({message})", "check "
                               "SYNDICATE_THREADS_TOKEN: a long-lived Threads user token "
                               "with threads_basic and threads_content_publish, renewed "
                               "within its 60 days")
        if code in RATE_LIMIT_CODES:
            raise PostingError("threads", f"rate limited by Meta (code {code}: {message})",
                               "run `syndicate post` again later (Threads allows 250 posts "
                               "and 1000 replies a day)")
        shown = f" (code {code})" if code is not None else ""
        raise PostingError("threads", f"HTTP {response.status_code}: {message}{shown}",
                           "see Threads' answer above")


class _ContainerFailed(PostingError):
    """The container ended in ERROR or EXPIRED: it was never published."""


def _published_unseen(container: str) -> NoReturn:
    from syndicate.http import AmbiguousFailure

    raise AmbiguousFailure("threads", f"container {container} may be published but its "
                           "answer was lost and the post is not among the latest",
                           "find the post on Threads, then run `syndicate status`")


def _error(response: httpx.Response) -> dict[str, Any]:
    """Meta's {"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}."""
    import json

    try:
        body = json.loads(response.content)
    except ValueError:
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def _codes(response: httpx.Response) -> tuple[Any, Any]:
    error = _error(response)
    return error.get("code"), error.get("error_subcode")
