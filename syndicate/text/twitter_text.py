"""twitter-text 3.1.0, the official library X publishes, ported: its weighted length,
its validity rule and its URL extractor.

The weighted length: NFC first; every URL, with or without a scheme, weighs 23; an emoji
sequence weighs 2; other code points weigh 1 in the light ranges below and 2 elsewhere.
The URL extractor and the emoji pattern are the package's own, generated into
data/twitter_text.json; the walk over them is written out here because no Python library
implements twitter-text 3 (tests/test_oracles.py checks it against the npm package).
Mastodon and Threads count URLs with the same extractor, and the previews link them.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from importlib import resources
from typing import Any

from syndicate.text.chunked import ChunkedCount, add_ints, plain_links_alike, remembered

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


@remembered
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
                      for a, b, c in _urls_in_run(lead + plain_links_alike(piece),
                                                  without_protocol))
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
    return _weighted_length_in_pieces(text)


def _weighted_length(text: str) -> int:
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


def _stays_itself_under_nfc(text: str) -> bool:
    return text.isascii() or unicodedata.is_normalized("NFC", text)


# Only text NFC leaves as it is is counted in pieces: NFC may join a piece's first ASCII
# letter with the mark after it (W and U+0301 are Ẃ), and a URL right after a letter
# that is not ASCII is found otherwise at the start of a text than after a space.
_weighted_length_in_pieces = ChunkedCount(_weighted_length, add_ints, _stays_itself_under_nfc)


def is_valid_post(text: str, limit: int = 280) -> bool:
    return 0 < weighted_length(text) <= limit and not INVALID_CHARACTERS & set(text)
