"""LinkedIn (Posts API): 3000, counted on the escaped text that is sent.

`POST /rest/posts` with a member or organization as `author`, the commentary escaped
(LinkedIn reads it as its "little text" format and silently cuts it at an unescaped
reserved character), and the article's card as `content.article` (LinkedIn does not read
the page: source, title, description, and a thumbnail uploaded through the Images API).
A thumbnail that cannot be uploaded is left out; the post still goes.

The answer is 201 with the post's URN in `x-restli-id`. A 422 DUPLICATE_POST names the
post already made from the same text: that post is the one. LinkedIn has no idempotency
key, and finding an author's posts needs r_member_social, a permission LinkedIn grants
only to approved partners: a post whose answer is lost is not sent again, the draft needs
attention instead.

No reply chains: a member's post cannot be answered by another post, so `thread` and
`numbering` are not LinkedIn settings and an article's `Thread: yes` makes one post here
(fitted like any other). At 3000 characters a summary rarely needs more.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import regex

from syndicate.draft import PostedPart
from syndicate.errors import PostingError
from syndicate.platforms.base import BasePoster, OutgoingPart, Platform, PlatformOptions, Poster

if TYPE_CHECKING:  # the build never posts: it need not import the HTTP client
    import httpx

    from syndicate.http import Http

# Unescaped, these make LinkedIn silently cut the post (little text format).
_RESERVED = regex.compile(r"([|{}@\[\]()<>#\\*_~])")
_POST_URN = re.compile(r"urn:li:(?:share|ugcPost):\d+")
# A larger card image is downscaled before upload (LinkedIn's own cap is not documented
# in bytes: this keeps well under what its feed shows).
MAX_IMAGE_BYTES = 5_000_000


def escape_commentary(text: str) -> str:
    return str(_RESERVED.sub(r"\\\1", text))


def post_url(urn: str) -> str:
    return f"https://www.linkedin.com/feed/update/{urn}/"


class LinkedIn(Platform):
    name = "linkedin"
    label = "LinkedIn"
    accent = "#0a66c2"
    builds_card = True
    default_limit = 3000

    @dataclass(frozen=True)
    class Options(PlatformOptions):
        # urn:li:person:… or urn:li:organization:…
        author: str | None = None
        api_url: str = "https://api.linkedin.com"
        # The LinkedIn-Version (YYYYMM) sent with every call, one LinkedIn still serves
        # (it retires each after about a year).
        version: str = "202610"

    options: Options
    # No reply chains on LinkedIn: no thread or numbering settings.
    common_options = {"limit": None, "template": None, "per_hour": None, "on_edit": "ignore"}
    secret_keys = ("token",)

    def count(self, text: str) -> int:
        return len(escape_commentary(text))

    def missing_settings(self) -> list[tuple[str, str]]:
        author = (self.options.author or "").strip()
        if re.fullmatch(r"urn:li:(?:person|organization):\S+", author):
            return []
        problem = f"author {author!r} is not a person or organization URN" if author \
            else "no author"
        return [(problem, "set author for linkedin in SYNDICATE, or SYNDICATE_LINKEDIN_AUTHOR, "
                          "to urn:li:person:<id> or urn:li:organization:<id>")]

    def open_poster(self, project_root: str, http: Http) -> Poster:
        if missing := self.missing_settings():
            raise PostingError("linkedin", *missing[0])
        author = (self.options.author or "").strip()
        return LinkedInPoster(self.options.api_url.rstrip("/"), author,
                              self.options.version, self.settings.secrets["token"],
                              project_root, http)


class LinkedInPoster(BasePoster):
    """POST /rest/posts, one post per draft, with its card as an article."""

    def __init__(self, api_url: str, author: str, version: str, token: str,
                 project_root: str, http: Http) -> None:
        self.api = api_url
        self.author = author
        self.version = version
        self.project_root = Path(project_root)
        self.http = http
        self._headers = {"Authorization": f"Bearer {token}", "LinkedIn-Version": version,
                         "X-Restli-Protocol-Version": "2.0.0"}

    def post(self, part: OutgoingPart) -> PostedPart:
        if part.count > 1:
            raise PostingError("linkedin", f"the draft is a thread of {part.count} parts and "
                               "LinkedIn has no reply chains", "remove `Thread: yes` from "
                               "the article and rebuild: one post holds 3000 characters")
        body: dict[str, Any] = {
            "author": self.author, "commentary": escape_commentary(part.text),
            "visibility": "PUBLIC", "lifecycleState": "PUBLISHED",
            "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [],
                             "thirdPartyDistributionChannels": []},
            "isReshareDisabledByAuthor": False}
        warnings: list[str] = []
        if part.card:
            body["content"] = {"article": self._article(part, part.card, warnings)}
        response = self.http.request("linkedin", "POST", f"{self.api}/rest/posts",
                                     idempotent=False, json=body, headers=self._headers)
        if response.status_code == 201:
            urn = response.headers.get("x-restli-id", "")
            if _POST_URN.fullmatch(urn):
                return PostedPart(id=urn, url=post_url(urn), warnings=tuple(warnings))
            _in_doubt(f"the post was made but its id is {urn!r}")
        if 200 <= response.status_code < 300:
            # Not LinkedIn's 201 (a captive portal's page, a proxy): it may have been made.
            from syndicate.http import describe_answer

            _in_doubt(f"the server answered {describe_answer(response)}, not LinkedIn's 201 "
                      "with the post's id; check the api_url setting")
        if response.status_code == 422 and "DUPLICATE_POST" in response.text:
            # The same text was posted before (by an earlier run whose answer was lost).
            match = _POST_URN.search(response.text)
            if match:
                return PostedPart(id=match.group(), url=post_url(match.group()))
            _in_doubt("LinkedIn says the post exists already but does not name it")
        self._refuse(response)

    def _article(self, part: OutgoingPart, card: Mapping[str, str],
                 warnings: list[str]) -> dict[str, str]:
        article = {"source": card["url"], "title": card.get("title") or card["url"]}
        if card.get("description"):
            article["description"] = card["description"]
        if card.get("image_file"):
            try:
                article["thumbnail"] = self._upload(card)
            except _NotUploaded as problem:
                warnings.append(f"{part.article_key}: posted to LinkedIn without its "
                                f"thumbnail: {problem}")
            else:
                if card.get("image_alt"):
                    article["thumbnailAltText"] = card["image_alt"]
        return article

    def _upload(self, card: Mapping[str, str]) -> str:
        """The URN of the card's image uploaded through the Images API."""
        from syndicate.images import ImageProblem, card_image

        try:
            image = card_image(str(self.project_root), card, MAX_IMAGE_BYTES)
        except ImageProblem as problem:
            raise _NotUploaded(str(problem)) from None
        if image is None:
            raise _NotUploaded("no image file")
        try:
            # An upload slot no post uses is harmless: both calls may be repeated.
            response = self.http.request(
                "linkedin", "POST", f"{self.api}/rest/images", idempotent=True,
                params={"action": "initializeUpload"},
                json={"initializeUploadRequest": {"owner": self.author}},
                headers=self._headers)
            if response.status_code != 200:
                raise _NotUploaded(f"the Images API answered HTTP {response.status_code}: "
                                   f"{_message(response)}")
            from syndicate.http import json_object

            value = json_object(response, "linkedin")["value"]
            upload = self.http.request(
                "linkedin", "PUT", str(value["uploadUrl"]), idempotent=True,
                content=image.data, headers={"Authorization": self._headers["Authorization"],
                                             "Content-Type": image.mime})
            if upload.status_code >= 300:
                raise _NotUploaded(f"the upload answered HTTP {upload.status_code}")
            return str(value["image"])
        except PostingError as error:
            raise _NotUploaded(error.problem) from None
        except (ValueError, KeyError, TypeError) as error:
            raise _NotUploaded(f"unexpected answer from the Images API ({error!r})") from None

    def _refuse(self, response: httpx.Response) -> NoReturn:
        status = response.status_code
        if status == 401:
            raise PostingError("linkedin", "the token was refused (401)", "check "
                               "SYNDICATE_LINKEDIN_TOKEN: a current access token with "
                               "w_member_social (w_organization_social for a page)")
        if status == 403:
            raise PostingError("linkedin", f"not allowed to post as {self.author} (403: "
                               f"{_message(response)})", "check author, and that the token "
                               "has w_member_social (w_organization_social for a page)")
        if status == 426:
            raise PostingError("linkedin", f"LinkedIn-Version {self.version} is no longer "
                               f"served (426: {_message(response)})", "set version for "
                               "linkedin to a recent month, as YYYYMM")
        raise PostingError("linkedin", f"HTTP {status}: {_message(response)}",
                           "see LinkedIn's answer above")

    # find_posted is BasePoster's (None): listing an author's posts needs a permission
    # few apps get.


def _in_doubt(problem: str) -> NoReturn:
    from syndicate.http import AmbiguousFailure  # only posting needs the HTTP client

    raise AmbiguousFailure("linkedin", problem, "find the post on LinkedIn, then run "
                           "`syndicate status`")


class _NotUploaded(Exception):
    """The card image could not be uploaded: the post goes without its thumbnail."""


def _message(response: httpx.Response) -> str:
    from syndicate.http import error_text

    return error_text(response, "message")
