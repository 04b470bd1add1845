"""X (formerly Twitter): 280, weighted as twitter-text v3 (the official library) weighs.

The weighted length: NFC first; every URL, with or without a scheme, weighs 23; an emoji
sequence weighs 2; other code points weigh 1 in the light ranges below and 2 elsewhere.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import TYPE_CHECKING, Any

import regex

from syndicate.errors import PostingError
from syndicate.platforms.base import OutgoingPart, Platform, PostedPart, Poster
from syndicate.text import EMOJI_SEQUENCE, MAYBE_EMOJI
from syndicate.tlds import is_tld

if TYPE_CHECKING:  # the build never posts: it need not import the HTTP client
    import httpx

    from syndicate.http import Http

URL_WEIGHT = 23
# Code points inside these ranges weigh 1 (twitter-text v3 config); outside, 2.
_LIGHT = re.compile(r"[\u0000-\u10ff\u2000-\u200d\u2010-\u201f\u2032-\u2037]+")
# Characters X refuses in a post.
INVALID_CHARACTERS = frozenset("\ufffe\ufeff\uffff")

# URL candidates the way twitter-text finds them: not glued to a word, @, $ or # (a
# directional mark may come before); an
# optional scheme; dot-separated labels; a port; a path or query. What follows trims and
# validates them (labels of at most 63 characters, a real top-level domain).
_URL_CANDIDATE = regex.compile(
    r"(?:(?<=[^A-Za-z0-9@＠$#＃\ufffe\ufeff\uffff])|^)"
    r"(?P<url>(?P<scheme>https?://)?"
    r"(?P<host>(?:[\p{L}\p{M}\p{N}_-]+\.)+[\p{L}\p{M}\p{N}-]+)"
    r"(?::\d+)?"
    r"(?P<rest>[/?][^\s\u2066-\u2069\u202a-\u202e]*)?)",
    regex.IGNORECASE)
# How a path or query may end; anything else at the end is the sentence's punctuation.
_URL_END = regex.compile(r"[\p{L}\p{M}\p{N}=_#/+\-&@$*%~|]")


def _trim_url_end(url: str) -> str:
    while url and not _URL_END.fullmatch(url[-1]):
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break  # a balanced parenthesis belongs to the URL (Wikipedia links)
        url = url[:-1]
    return url


def _valid_host(host: str, has_scheme: bool) -> bool:
    labels = host.split(".")
    if not is_tld(labels[-1]) and not labels[-1].lower().startswith("xn--"):
        return False
    if not has_scheme and not host.isascii():
        return False  # twitter-text links bare domains only when they are ASCII
    for label in labels:
        if not label or label[0] in "-_" or label[-1] in "-_":
            return False
        try:
            encoded = label.encode("idna") if not label.isascii() else label.encode()
        except UnicodeError:
            return False
        if len(encoded) > 63:
            return False
    return True


def _dotted_runs(text: str) -> list[tuple[int, int]]:
    """Runs of non-space text with a dot between two other characters: the only places a
    URL can be. Found with str.find, which is many times faster than a pattern here, so
    the full URL pattern only ever looks at a few short runs."""
    runs: list[tuple[int, int]] = []
    index = text.find(".", 1)
    while index != -1 and index < len(text) - 1:
        before, after = text[index - 1], text[index + 1]
        if before.isspace() or after.isspace() or before == "." or after == ".":
            index = text.find(".", index + 1)
            continue
        start = max(text.rfind(" ", 0, index), text.rfind("\n", 0, index),
                    text.rfind("\t", 0, index)) + 1
        ends = [e for e in (text.find(" ", index), text.find("\n", index),
                            text.find("\t", index)) if e != -1]
        end = min(ends) if ends else len(text)
        if not runs or start >= runs[-1][1]:
            runs.append((start, end))
        index = text.find(".", end)
    return runs


def find_urls(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the URLs X would link in text, schemes optional."""
    spans: list[tuple[int, int]] = []
    for start, end in _dotted_runs(text):
        spans.extend((start + a, start + b) for a, b in _urls_in_run(text[start:end]))
    return spans


@functools.lru_cache(maxsize=4096)
def _urls_in_run(run: str) -> tuple[tuple[int, int], ...]:
    # A run starts after a space, so what it holds does not depend on the text around
    # it: cached, as fitting measures the same article link many times over.
    spans = []
    for match in _URL_CANDIDATE.finditer(run):
        start = match.start("url")
        if not match.group("scheme") and start > 0 and run[start - 1] in "-_./":
            continue
        if not _valid_host(match.group("host"), bool(match.group("scheme"))):
            continue
        url = match.group("url")
        if match.group("rest"):
            url = _trim_url_end(url)
        spans.append((start, start + len(url)))
    return tuple(spans)


def _plain_weight(text: str) -> int:
    if text.isascii():
        return len(text)
    return len(text) + len(_LIGHT.sub("", text))


def _weight(text: str) -> int:
    if text.isascii() or not MAYBE_EMOJI.search(text):
        return _plain_weight(text)
    total = 0
    position = 0
    for match in EMOJI_SEQUENCE.finditer(text):
        total += _plain_weight(text[position:match.start()]) + 2
        position = match.end()
    return total + _plain_weight(text[position:])


def weighted_length(text: str) -> int:
    """The length X counts against its 280 limit."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    total = 0
    position = 0
    for start, end in find_urls(text):
        total += _weight(text[position:start]) + URL_WEIGHT
        position = end
    return total + _weight(text[position:])


def is_valid_post(text: str, limit: int = 280) -> bool:
    return 0 < weighted_length(text) <= limit and not INVALID_CHARACTERS & set(text)


class X(Platform):
    name = "x"
    label = "X"
    default_limit = 280
    option_defaults = {"api_url": "https://api.x.com"}
    secret_keys = ("token",)
    quota = (100, 15 * 60)  # 100 posts per 15 minutes per user
    # X has no idempotency, but a part in doubt is looked for among the account's own
    # latest posts before it is sent again: the lookup decides.
    retry_is_safe = True

    def count(self, text: str) -> int:
        return weighted_length(text)

    def open_poster(self, project_root: str, http: Http) -> Poster:
        return XPoster(str(self.option("api_url")), self.settings.secrets["token"], http)

    def doctor(self, project_root: str, http: Http) -> list[tuple[bool, str]]:
        api = str(self.option("api_url")).rstrip("/")
        response = http.request("x", "GET", f"{api}/2/users/me", idempotent=True,
                                headers={"Authorization":
                                         f"Bearer {self.settings.secrets['token']}"})
        if response.status_code == 200:
            from syndicate.http import json_object

            user = json_object(response, "x").get("data") or {}
            return [(True, f"signed in as @{user.get('username', '?')}")]
        return [(False, f"the token was refused (HTTP {response.status_code}): check "
                        "SYNDICATE_X_TOKEN (tweet.read, tweet.write, users.read)")]


class XPoster:
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

    def close(self) -> None:
        pass


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
