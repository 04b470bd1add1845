"""X (formerly Twitter): 280, weighted as twitter-text v3 (the official library) weighs.

The weighted length: NFC first; every URL, with or without a scheme, weighs 23; an emoji
sequence weighs 2; other code points weigh 1 in the light ranges below and 2 elsewhere.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from importlib import resources
from typing import TYPE_CHECKING, Any

from syndicate.errors import PostingError
from syndicate.platforms.base import BasePoster, OutgoingPart, Platform, PostedPart, Poster

if TYPE_CHECKING:  # the build never posts: it need not import the HTTP client
    import httpx

    from syndicate.http import Http

URL_WEIGHT = 23
# Code points inside these ranges weigh 1 (twitter-text v3 config); outside, 2.
_LIGHT = re.compile(r"[\u0000-\u10ff\u2000-\u200d\u2010-\u201f\u2032-\u2037]+")
# Characters X refuses in a post (twitter-text 3.1.0 invalidCharsGroup; it accepts the
# direction controls U+202A-U+202E): drafts leave them out.
INVALID_CHARACTERS = frozenset("\ufffe\ufeff\uffff")

MAX_URL_LENGTH = 4096
MAX_TCO_SLUG_LENGTH = 40
MAX_DOMAIN_LABEL_LENGTH = 63


@functools.cache
def _twitter_text() -> dict[str, Any]:
    """Patterns of npm twitter-text 3.1.0 (its URL extractor, twemoji-parser's emoji),
    generated from the package into data/twitter_text.json by
    tests/oracles/generate_twitter_text_data.mjs."""
    source = resources.files("syndicate").joinpath("data/twitter_text.json")
    data: dict[str, Any] = json.loads(source.read_text(encoding="utf-8"))
    return data


@functools.cache
def _url_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str],
                             re.Pattern[str], re.Pattern[str]]:
    url = _twitter_text()["url"]
    word = f"[^{url['spaces']}]"
    return (re.compile(url["extract"], re.IGNORECASE),
            re.compile(url["ascii_domain"], re.IGNORECASE),
            re.compile(url["tco"], re.IGNORECASE),
            re.compile(url["invalid_preceding_without_protocol"]),
            # A whole run between spaces with a dot between two of its characters (a
            # domain has one; the other runs cannot hold a URL and are never looked at).
            re.compile(f"(?<!{word}){word}*?{word}\\.{word}+"))


# The patterns are JavaScript's, without the u flag: they see UTF-16 code units, and /i
# never folds a non-ASCII letter into an ASCII one, as Python's does for these four. For
# matching only, each is swapped for a letter the same classes take and that folds to
# no ASCII letter: U+0101 (in the Latin ranges with the first three) or, for the Kelvin
# sign that no class names, an unassigned character. The length holds, so offsets do too.
_JS_FOLD = str.maketrans({"\u0130": "\u0101", "\u0131": "\u0101", "\u017f": "\u0101",
                          "\u212a": "\u0378"})
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def _surrogate_pair(match: re.Match[str]) -> str:
    code = ord(match.group()) - 0x10000
    return chr(0xD800 + (code >> 10)) + chr(0xDC00 + (code & 0x3FF))


def _to_utf16(text: str) -> str:
    """text with each astral character written as its two surrogates (JavaScript's view)."""
    return _ASTRAL.sub(_surrogate_pair, text) if not text.isascii() else text


_NON_PRINTABLE_ASCII = re.compile("[^\x20-\x7e]")
_PUNYCODE_SEPARATORS = re.compile("[\u3002\uff0e\uff61]")


def _punycode_label_length(label: str) -> int:
    """The length of punycode.js 1.4.1 toASCII(label), which also splits at ideographic
    full stops and encodes any label with a character outside printable ASCII."""
    pieces = _PUNYCODE_SEPARATORS.split(label)
    return len(pieces) - 1 + sum(
        4 + len(piece.encode("punycode")) if _NON_PRINTABLE_ASCII.search(piece) else len(piece)
        for piece in pieces)


def _valid_url(url: str, protocol: str, domain: str) -> bool:
    """twitter-text's isValidUrl: each label 1-63 characters once punycoded, and the URL
    with its protocol at most 4096."""
    ascii_domain = _url_patterns()[1]
    if domain[:4] == "xn--" and not ascii_domain.search(domain.translate(_JS_FOLD)):
        return False
    domain = _from_utf16(domain)
    for label in domain.split("."):
        try:
            length = _punycode_label_length(label)
        except UnicodeError:
            return False
        if not 1 <= length <= MAX_DOMAIN_LABEL_LENGTH:
            return False
    return len(protocol) + len(url) <= MAX_URL_LENGTH


def _from_utf16(units: str) -> str:
    if units.isascii():
        return units
    # A lone surrogate (half of an astral character) stays one, as in JavaScript.
    return units.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


@functools.lru_cache(maxsize=4096)
def _urls_in_run(run: str, without_protocol: bool) -> tuple[tuple[int, int, int], ...]:
    """extractUrlsWithIndices on a run of text without spaces: (start, end, start plus the
    length of the entity's url) in UTF-16 code units. parseTweet skips the url's length,
    shorter than the span when a URL without a scheme holds several domains (its url is
    the URL with its domain replaced by the last one). Cached: fitting measures the same
    article link many times over."""
    extract, ascii_domain, tco, invalid_preceding, _ = _url_patterns()
    units = _to_utf16(run)
    spans: list[tuple[int, int, int]] = []
    for match in extract.finditer(units.translate(_JS_FOLD)):
        before, url, protocol, domain, path = (
            units[slice(*match.span(group))] if match.span(group)[0] >= 0 else ""
            for group in (2, 3, 4, 5, 7))
        end = match.end()
        start = end - len(url)
        if not _valid_url(url, protocol or "https://", domain):
            continue
        if not protocol:
            if not without_protocol or invalid_preceding.search(before):
                continue
            last: list[int] | None = None
            position = 0
            for ascii_match in ascii_domain.finditer(domain.translate(_JS_FOLD)):
                found = domain.find(domain[slice(*ascii_match.span())], position)
                position = found + len(ascii_match.group())
                last = [start + found, start + position]
                spans.append((last[0], last[1], last[1]))
            if last is None:
                continue
            if path:
                spans[-1] = (last[0], end, last[1] + len(url) - len(domain))
        else:
            short = tco.match(url.translate(_JS_FOLD))
            if short is not None:
                if short.group(1) and len(short.group(1)) > MAX_TCO_SLUG_LENGTH:
                    continue
                end = start + len(short.group())
            spans.append((start, end, end))
    return tuple(spans)


def find_urls(text: str, without_protocol: bool = True) -> list[tuple[int, int]]:
    """(start, end) offsets of the URLs twitter-text 3.1.0 extracts from text (also those
    without a scheme unless without_protocol is False), in code points."""
    return [(start, end) for start, end, _ in _find_urls(text, without_protocol)]


def _find_urls(text: str, without_protocol: bool = True) -> list[tuple[int, int, int]]:
    """find_urls with a third offset: where parseTweet's skip over the URL ends."""
    if "." not in text or (not without_protocol and ":" not in text):
        return []
    spans: list[tuple[int, int, int]] = []
    # A URL never holds a space: each run between spaces (with the space before it) is
    # searched on its own, which is what the global search finds.
    for run in _url_patterns()[4].finditer(text):
        piece, start = run.group(), run.start()
        # The space before is kept: the pattern takes it as the character before a URL,
        # where at the start of the run it would take the run's first character.
        lead = text[start - 1] if start else ""
        found = tuple((a - len(lead), b - len(lead), c - len(lead))
                      for a, b, c in _urls_in_run(lead + piece, without_protocol))
        if not found:
            continue
        if piece.isascii() or not _ASTRAL.search(piece):
            spans.extend((start + a, start + b, start + c) for a, b, c in found)
            continue
        # UTF-16 offsets back to code points.
        index_of = {}
        units = 0
        for index, char in enumerate(piece):
            index_of[units] = index
            units += 2 if char > "\uffff" else 1
        index_of[units] = len(piece)
        spans.extend((start + index_of[a], start + index_of[b], start + index_of.get(c, b))
                     for a, b, c in found)
    return spans


def _plain_weight(text: str) -> int:
    if text.isascii():
        return len(text)
    return len(text) + len(_LIGHT.sub("", text))


@functools.cache
def _emoji_pattern() -> re.Pattern[str]:
    """twitter-text's emoji pattern (twemoji-parser's). It is a JavaScript pattern over UTF-16 code
    units: Python's re runs it as is on text whose astral characters are written as
    surrogate pairs."""
    return re.compile(_twitter_text()["pattern"])


# Only text with one of these can hold an emoji that weighs other than its characters:
# the pattern matches no light character alone (the generator checks), and every
# sequence it matches has an astral character, a joiner, VS16 or the keycap mark.
_MAYBE_EMOJI = re.compile("[\U00010000-\U0010ffff\u200d\ufe0f\u20e3]")
def _utf16_weight(text: str, urls: list[tuple[int, int, int]]) -> int:
    """The weight as parseTweet walks it: UTF-16 code units; a URL starting here weighs
    23, else an emoji starting here weighs 2, else the code point by its range (an
    astral one by its low surrogate, so 2)."""
    units = _to_utf16(text)
    if len(units) != len(text):  # code point offsets to code unit offsets
        shift = [0] * (len(text) + 1)
        for index, char in enumerate(text):
            shift[index + 1] = shift[index] + (char > "\uffff")
        urls = [(start + shift[start], end + shift[end], skip + shift[skip])
                for start, end, skip in urls]
    url_end = {start: skip for start, _, skip in urls}
    emoji_end = {m.start(): m.end() for m in _emoji_pattern().finditer(units)}
    total = index = 0
    while index < len(units):
        if index in url_end:
            total += URL_WEIGHT
            index = url_end[index]
        elif index in emoji_end:
            total += 2
            index = emoji_end[index]
        else:
            char = units[index]
            if "\ud800" <= char <= "\udbff" and index + 1 < len(units) \
                    and "\udc00" <= units[index + 1] <= "\udfff":
                index += 1
                char = units[index]
            total += 1 if _LIGHT.fullmatch(char) else 2
            index += 1
    return total


def weighted_length(text: str) -> int:
    """The length X counts against its 280 limit (twitter-text 3.1.0 parseTweet)."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    urls = _find_urls(text)
    if not text.isascii() and _MAYBE_EMOJI.search(text):
        return _utf16_weight(text, urls)
    total = 0
    position = 0
    for start, _, skip in urls:
        total += _plain_weight(text[position:start]) + URL_WEIGHT
        position = skip
    return total + _plain_weight(text[position:])


def is_valid_post(text: str, limit: int = 280) -> bool:
    return 0 < weighted_length(text) <= limit and not INVALID_CHARACTERS & set(text)


class X(Platform):
    name = "x"
    label = "X"
    accent = "#1d9bf0"
    links_bare_addresses = True
    default_limit = 280
    option_defaults = {"api_url": "https://api.x.com"}
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
