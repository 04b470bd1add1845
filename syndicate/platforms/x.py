"""X (formerly Twitter): 280, weighted as twitter-text v3 (the official library) weighs
(syndicate.text.twitter_text)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from syndicate.draft import PostedPart
from syndicate.errors import PostingError
from syndicate.platforms.base import BasePoster, OutgoingPart, Platform, PlatformOptions, Poster
from syndicate.text.twitter_text import INVALID_CHARACTERS, find_urls, weighted_length

if TYPE_CHECKING:  # the build never posts: it need not import the HTTP client
    import httpx

    from syndicate.http import Http

class X(Platform):
    name = "x"
    label = "X"
    accent = "#1d9bf0"
    links_bare_addresses = True
    default_limit = 280

    @dataclass(frozen=True)
    class Options(PlatformOptions):
        api_url: str = "https://api.x.com"

    options: Options
    secret_keys = ("token",)
    quota = (100, 15 * 60)  # 100 posts per 15 minutes per user
    # X has no idempotency, but a part in doubt is looked for among the account's own
    # latest posts before it is sent again: the lookup decides.
    retry_is_safe = True
    # Left out of drafts (and said so in the preview): X calls a post holding one invalid.
    refused_characters = INVALID_CHARACTERS

    def count(self, text: str) -> int:
        return weighted_length(text)

    def open_poster(self, project_root: str, http: Http) -> Poster:
        return XPoster(self.options.api_url, self.settings.secrets["token"], http)

    def doctor(self, project_root: str, http: Http) -> list[tuple[bool, str]]:
        api = self.options.api_url.rstrip("/")
        response = http.request("x", "GET", f"{api}/2/users/me", idempotent=True,
                                headers={"Authorization":
                                         f"Bearer {self.settings.secrets['token']}"})
        if response.status_code == 200:
            from syndicate.http import json_object

            user = json_object(response, "x").get("data") or {}
            return [(True, f"signed in as @{user.get('username', '?')}")]
        return [(False, f"the token was refused (HTTP {response.status_code}): check "
                        "SYNDICATE_X_TOKEN (tweet.read, tweet.write, users.read)")]


class XPoster(BasePoster):
    """POST /2/tweets with a user token; replies for threads; lookups after a lost answer."""

    def __init__(self, api_url: str, token: str, http: Http) -> None:
        self.api = api_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {token}"}
        self.http = http
        self._user_id: str | None = None

    def _check(self, response: httpx.Response) -> None:
        if response.status_code == 401:
            raise PostingError("x", "the token was refused (401)", "check SYNDICATE_X_TOKEN: "
                               "an OAuth 2.0 user token with tweet.write and tweet.read")
        if response.status_code >= 300:
            from syndicate.http import error_text

            raise PostingError("x", f"HTTP {response.status_code}: "
                               f"{error_text(response, 'detail', 'title')}",
                               "see X's answer above")

    def post(self, part: OutgoingPart) -> PostedPart:
        from syndicate.http import json_object

        body: dict[str, Any] = {"text": part.text}
        if part.reply_to:
            body["reply"] = {"in_reply_to_tweet_id": part.reply_to.id}
        response = self.http.request("x", "POST", f"{self.api}/2/tweets", idempotent=False,
                                     wait_for=_reset_wait, json=body, headers=self._headers)
        self._check(response)
        data = json_object(response, "x", maybe_done=True).get("data")
        if not isinstance(data, dict) or not data.get("id"):
            from syndicate.http import AmbiguousFailure

            raise AmbiguousFailure("x", f"HTTP {response.status_code} without the post's id",
                                   "check the platform before posting again")
        tweet_id = str(data["id"])
        return PostedPart(id=tweet_id, url=f"https://x.com/i/web/status/{tweet_id}")

    def find_posted(self, part: OutgoingPart) -> PostedPart | None:
        """The part among the account's latest posts, if it went out after all.

        X stores a post rewritten: every link replaced by a t.co link (the typed URL
        kept in the post's entities as expanded_url), the text NFC-normalised, trimmed,
        and & < > escaped as HTML. Both sides are brought to the same form to compare.
        """
        from syndicate.http import json_object

        if self._user_id is None:
            response = self.http.request("x", "GET", f"{self.api}/2/users/me",
                                         idempotent=True, wait_for=_reset_wait,
                                         headers=self._headers)
            self._check(response)
            self._user_id = str((json_object(response, "x").get("data") or {})["id"])
        response = self.http.request(
            "x", "GET", f"{self.api}/2/users/{self._user_id}/tweets", idempotent=True,
            wait_for=_reset_wait, headers=self._headers,
            params={"max_results": "20",
                    "tweet.fields": "created_at,entities,referenced_tweets"})
        self._check(response)
        wanted = comparable_sent(part.text)
        for tweet in json_object(response, "x").get("data") or []:
            if not isinstance(tweet, dict):
                continue
            if part.reply_to and "referenced_tweets" in tweet and not any(
                    ref.get("type") == "replied_to" and str(ref.get("id")) == part.reply_to.id
                    for ref in tweet.get("referenced_tweets") or []):
                continue
            if comparable_stored(tweet) == wanted:
                return PostedPart(id=str(tweet["id"]),
                                  url=f"https://x.com/i/web/status/{tweet['id']}")
        return None


def _with_scheme(url: str) -> str:
    return url if re.match(r"(?i)https?://", url) else f"http://{url}"


def _normal(text: str) -> str:
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n"))
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def comparable_sent(text: str) -> str:
    """The text as sent, in the form comparable_stored gives X's copy: normalised, and
    every URL X links written with its scheme (X's expanded_url adds http:// to a bare
    domain)."""
    text = _normal(text)
    pieces, position = [], 0
    for start, end in find_urls(text):
        pieces += [text[position:start], _with_scheme(text[start:end])]
        position = end
    return "".join(pieces) + text[position:]


def comparable_stored(tweet: dict[str, Any]) -> str:
    """X's copy of a post with each t.co link expanded back to the URL that was typed."""
    import html

    text = html.unescape(str(tweet.get("text") or ""))
    urls = ((tweet.get("entities") or {}).get("urls")) or []
    pieces, position = [], 0
    for entity in sorted((u for u in urls if isinstance(u, dict) and u.get("url")),
                         key=lambda u: int(u.get("start", 0))):
        found = text.find(str(entity["url"]), position)
        if found < 0:
            continue
        expanded = str(entity.get("expanded_url") or entity["url"])
        pieces += [text[position:found], _with_scheme(expanded)]
        position = found + len(str(entity["url"]))
    return _normal("".join(pieces) + text[position:])


def _reset_wait(response: httpx.Response) -> float | None:
    # X gives its rate-limit reset as epoch seconds.
    from syndicate.http import seconds_until

    return seconds_until(response.headers.get("x-rate-limit-reset"))
