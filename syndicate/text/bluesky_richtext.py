"""Bluesky (AT Protocol) rich text as the official client builds it: facets, short links, TIDs.

Detection follows `@atproto/api` (`rich-text/detection.ts`, `util.ts`) and link shortening
follows the social app (`lib/strings/url-helpers.ts`, its URLs parsed by ada-url to the
WHATWG standard JavaScript's URL follows); `tests/conformance/bluesky_richtext.json`
holds the official vectors. Pure functions: no network, so mentions need their DIDs given.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, NamedTuple

import ada_url
import regex

from syndicate.text.chunked import ChunkedCount, add_pairs, plain_links_alike, remembered
from syndicate.text.graphemes import count_graphemes, count_utf8_bytes
from syndicate.text.tlds import is_tld

GRAPHEME_LIMIT = 300
BYTE_LIMIT = 3000

Facet = dict[str, Any]

# JavaScript's \s (WhiteSpace + LineTerminator), which the client's regexes use. Python's
# \s differs (it takes U+001C-U+001F and U+0085, and leaves out U+FEFF), so it is spelled out.
_JS_SPACE = r"\t\n\x0b\x0c\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_SPACE_CHARS = frozenset(
    "\t\n\x0b\x0c\r \xa0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff"
    + "".join(map(chr, range(0x2000, 0x200B)))
)
_SPACE_OR_PAREN = _SPACE_CHARS | {"("}

# The client's regexes start with a lead-in group, (^|\s|\() or (^|\s), that consumes the
# character before a match. Mentions, tags and cashtags start with a fixed character and
# end on one that cannot be a lead-in, so searching for that character and then testing
# the one before it finds the same matches, several times faster than trying every
# position. re.ASCII makes \b the JavaScript (non-unicode) boundary of [A-Za-z0-9_].
_MENTION = re.compile(r"@([a-zA-Z0-9.-]+)\b", re.ASCII)
# The URL regex has the i flag; Python's IGNORECASE would also let [a-z] take the Kelvin
# sign and the long s, so both cases are written out instead. A link starts at any letter,
# so here the lead-in stays in the pattern (a character class the engine can skip to),
# and the start of the text is tried on its own. The domain's first label is possessive
# (*+): only a "." may follow it, so giving back a letter never helps, and without the
# backtracking every word of prose costs one step instead of one per letter.
_LINK_BODY = (
    rf"(?:([hH][tT][tT][pP][sS]?://[^{_JS_SPACE}]+)"
    rf"|((?P<domain>[a-zA-Z][a-zA-Z0-9]*+(?:\.[a-zA-Z0-9]+)+)[^{_JS_SPACE}]*))"
)
_LINK_AT_START = re.compile(_LINK_BODY)
_LINK = re.compile(rf"[{_JS_SPACE}(]{_LINK_BODY}")
_LINK_END_PUNCTUATION = ".,;:!?"
# The client's tag regex is (^|\s)[#＃]((?!\uFE0F)[^S]*[^\dS\p{P}]+[^S]*)? where S is
# whitespace, the zero-width characters and U+20E2 below (JavaScript's \d is ASCII). Its
# greedy group is the whole run of non-S characters after the "#" whenever that run holds
# one character that is neither a digit nor punctuation ("#1" and "#?" are not tags), and
# U+FE0F right after the "#" makes the keycap emoji #️⃣ rather than a tag. So the run is
# found here with the standard library's fast engine and tested on its own.
_TAG_STOP = r"\u00ad\u2060\u200a\u200b\u200c\u200d\u20e2"
_TAG = re.compile(rf"[#＃]([^{_JS_SPACE}{_TAG_STOP}]*)")
# The run when it makes a tag, with its trailing punctuation (\p{P}+$ upstream) cut off.
_TAG_BODY = regex.compile(r"(?s)(.*[^0-9\p{P}].*?)\p{P}*")
# ASCII runs, the common case, need no Unicode tables: these are ASCII's \p{P} characters.
_ASCII_PUNCTUATION = "!\"#%&'()*,-./:;?@[\\]_{}"
_ASCII_DIGITS_AND_PUNCTUATION = "0123456789" + _ASCII_PUNCTUATION
# A tag longer than this many graphemes is not one.
_TAG_MAX_GRAPHEMES = 64
_CASHTAG = re.compile(
    rf"\$([A-Za-z][A-Za-z0-9]{{0,4}})(?=[{_JS_SPACE}.,;:!?)\"'\u2019]|\Z)"
)
# The lexicon's `uri` format, which the PDS checks: a facet failing it fails the whole post.
_LEXICON_URI = re.compile(rf"[A-Za-z0-9_]+:(?://)?[^{_JS_SPACE}/][^{_JS_SPACE}]*")

# Where segments tie on their start (they cannot with these rules), links win.
_PRIORITY = {"link": 0, "mention": 1, "tag": 2, "cashtag": 3}


class Segment(NamedTuple):
    """One detected facet: UTF-8 byte offsets into the text, end exclusive (a named tuple:
    one per facet of every Bluesky draft, made several times faster than a dataclass)."""

    kind: str  # "link" | "mention" | "tag" | "cashtag"
    byte_start: int
    byte_end: int
    value: str  # the URI, the handle without "@", the tag without "#", or "$TICKER"


# A span before byte conversion: (char_start, char_end, kind, value).
_Span = tuple[int, int, str, str]


def _is_valid_domain(name: str) -> bool:
    # The client matches the last label against the TLD list case-sensitively (the list
    # is lower case), so "example.COM" is not a link there and is not one here.
    label = name.rpartition(".")[2]
    return "." in name and label.islower() and is_tld(label)


def _after_lead_in(text: str, start: int, lead_in: frozenset[str]) -> bool:
    return start == 0 or text[start - 1] in lead_in


def _mention_spans(text: str) -> Iterable[_Span]:
    for match in _MENTION.finditer(text):
        handle = match.group(1)
        if _after_lead_in(text, match.start(), _SPACE_OR_PAREN) and (
            _is_valid_domain(handle) or handle.endswith(".test")
        ):
            yield match.start(), match.end(), "mention", handle


def _link_matches(text: str) -> Iterator[re.Match[str]]:
    first = _LINK_AT_START.match(text)
    if first is not None:
        yield first
    # Searching on from where a match ended is what the global regex does too.
    yield from _LINK.finditer(text, first.end() if first is not None else 0)


def _link_spans(text: str) -> Iterable[_Span]:
    for match in _link_matches(text):
        schemed = match.group(1)
        if schemed is not None:
            # The client tests startsWith("http"): "HTTPS://..." is matched but not linked.
            if not schemed.startswith("http"):
                continue
            start, raw, uri = match.start(1), schemed, schemed
        else:
            if not _is_valid_domain(match.group("domain")):
                continue
            # The client checks the TLD and adds the scheme only when the text does not
            # start with "http", so it links "httpbin.org" or "http.server" as they are:
            # a uri with no scheme, which fails the whole post at the PDS. Every bare
            # domain is checked and given "https://" here.
            start, raw = match.start(2), match.group(2)
            uri = "https://" + raw
        end = start + len(raw)
        # One sentence mark ends the link; so does one ")" unless the URL opened a "(".
        if uri[-1] in _LINK_END_PUNCTUATION:
            uri, end = uri[:-1], end - 1
        if uri[-1] == ")" and "(" not in uri:
            uri, end = uri[:-1], end - 1
        # "https://." would be a facet the PDS refuses (and the client would post it).
        if _LEXICON_URI.fullmatch(uri) is None:
            continue
        yield start, end, "link", uri


def _tag_text(run: str) -> str | None:
    """The tag a run of non-space characters after "#" makes, or None."""
    if run.isascii():
        if not run.strip(_ASCII_DIGITS_AND_PUNCTUATION):
            return None
        return run.rstrip(_ASCII_PUNCTUATION)
    if run.startswith("\ufe0f"):
        return None
    body = _TAG_BODY.fullmatch(run)
    return None if body is None else str(body.group(1))


def _tag_spans(text: str) -> Iterable[_Span]:
    for match in _TAG.finditer(text):
        if not _after_lead_in(text, match.start(), _SPACE_CHARS):
            continue
        tag = _tag_text(match.group(1))
        # The client counts graphemes, once the UTF-16 length is over the limit.
        if tag is None or (len(tag) > _TAG_MAX_GRAPHEMES // 2
                           and _utf16_len(tag) > _TAG_MAX_GRAPHEMES
                           and count_graphemes(tag) > _TAG_MAX_GRAPHEMES):
            continue
        start = match.start()  # the "#" or "＃"
        yield start, start + 1 + len(tag), "tag", tag


def _cashtag_spans(text: str) -> Iterable[_Span]:
    for match in _CASHTAG.finditer(text):
        if _after_lead_in(text, match.start(), _SPACE_OR_PAREN):
            yield match.start(), match.end(), "cashtag", "$" + match.group(1).upper()


def _spans(text: str) -> list[_Span]:
    """Every facet span in text order, overlaps dropped (the earlier-starting one stays)."""
    spans: list[_Span] = []
    # Cheap guards skip whole regex passes for the common text without the trigger.
    if "@" in text:
        spans.extend(_mention_spans(text))
    if "." in text or ":" in text:
        spans.extend(_link_spans(text))
    if "#" in text or "＃" in text:
        spans.extend(_tag_spans(text))
    if "$" in text:
        spans.extend(_cashtag_spans(text))
    spans.sort(key=lambda span: (span[0], _PRIORITY[span[2]]))
    # The client can emit overlapping facets ("https://a.example/(@b.com)"); its renderer
    # skips a facet that starts inside an earlier one, so only the first is kept here.
    kept: list[_Span] = []
    for span in spans:
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    return kept


def _to_segments(text: str, spans: list[_Span]) -> list[Segment]:
    if text.isascii():
        return [Segment(kind, start, end, value) for start, end, kind, value in spans]
    # Spans are ordered and disjoint, so byte offsets accumulate in one pass.
    segments = []
    char_pos = byte_pos = 0
    for start, end, kind, value in spans:
        byte_start = byte_pos + count_utf8_bytes(text[char_pos:start])
        byte_end = byte_start + count_utf8_bytes(text[start:end])
        segments.append(Segment(kind, byte_start, byte_end, value))
        char_pos, byte_pos = end, byte_end
    return segments


def detect(text: str) -> list[Segment]:
    """Mentions, links, tags and cashtags as the official client finds them, in text order."""
    return _to_segments(text, _spans(text))


def _facet(segment: Segment, dids: Mapping[str, str]) -> Facet | None:
    feature: dict[str, str]
    if segment.kind == "link":
        feature = {"$type": "app.bsky.richtext.facet#link", "uri": segment.value}
    elif segment.kind == "mention":
        did = dids.get(segment.value) or dids.get(segment.value.lower())
        if not did:
            return None  # the client would resolve it over the network; we cannot
        feature = {"$type": "app.bsky.richtext.facet#mention", "did": did}
    else:
        # Cashtags are plain tag facets whose tag keeps its "$", as the client writes them.
        feature = {"$type": "app.bsky.richtext.facet#tag", "tag": segment.value}
    return {
        "$type": "app.bsky.richtext.facet",
        "index": {"byteStart": segment.byte_start, "byteEnd": segment.byte_end},
        "features": [feature],
    }


def _facets_for(segments: list[Segment], dids: Mapping[str, str] | None) -> list[Facet]:
    known = dids or {}
    return [facet for segment in segments if (facet := _facet(segment, known)) is not None]


def facets(text: str, dids: Mapping[str, str] | None = None) -> list[Facet]:
    """`app.bsky.richtext.facet` objects for text; mentions only for handles found in dids."""
    return _facets_for(detect(text), dids)


def shorten_links(
    text: str, dids: Mapping[str, str] | None = None
) -> tuple[str, list[Facet]]:
    """The social app's display text (each link through to_short_url) and its facets.

    Link facets cover the short text and keep the full URL; other facets move with the text.
    """
    display, moved = _shortened(text)
    return display, _facets_for(_to_segments(display, moved), dids)


def _displayed_size(text: str) -> tuple[int, int]:
    if "://" not in text:
        return count_graphemes(text), count_utf8_bytes(text)
    return _displayed_size_with_links(plain_links_alike(text))


@remembered
def _displayed_size_with_links(text: str) -> tuple[int, int]:
    shown = _shortened(text)[0]
    return count_graphemes(shown), count_utf8_bytes(shown)


# The display text's graphemes and UTF-8 bytes, counted in pieces (what counting needs).
displayed_size = ChunkedCount(_displayed_size, add_pairs)


def _shortened(text: str) -> tuple[str, list[_Span]]:
    pieces: list[str] = []
    moved: list[_Span] = []
    position = shift = 0
    for start, end, kind, value in _spans(text):
        pieces.append(text[position:start])
        # The app shortens the text as typed, so a bare domain (no scheme) stays as it is.
        shown = _short_link(text[start:end]) if kind == "link" else text[start:end]
        pieces.append(shown)
        moved.append((start + shift, start + shift + len(shown), kind, value))
        shift += len(shown) - (end - start)
        position = end
    pieces.append(text[position:])
    return "".join(pieces), moved


# --- to_short_url ------------------------------------------------------------------------


# A link whose path is letters, digits and "/_-" only, after an ASCII host: the URL
# standard writes such a path as it is, and the app cuts it at a length, so its display
# is that of the same link with every path letter "a" (one remembered answer for all the
# links of a blog with the same host and path length), with the path's own letters put
# back. tests/test_bluesky_richtext.py checks it against to_short_url.
_PLAIN_PATH_LINK = re.compile(r"([hH][tT][tT][pP][sS]?://[A-Za-z0-9.-]+(?::[0-9]+)?)"
                              r"(/[A-Za-z0-9/_-]+)")
_AS_A = str.maketrans(dict.fromkeys(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "a"))


def _short_link(url: str) -> str:
    """to_short_url(url), through the remembered display of its path's shape if it is plain."""
    plain = _PLAIN_PATH_LINK.fullmatch(url)
    if plain is None:
        return to_short_url(url)
    path = plain.group(2)
    alike = plain.group(1) + path.translate(_AS_A)
    shown = to_short_url(alike)
    if shown == alike:
        return url  # shown as typed (not parsed as http(s)): so is the link itself
    # The path is the tail (no query, no fragment): whole when 15 characters or fewer.
    if len(path) > 15:
        return shown[:-16] + path[:13] + "..."
    return shown[:-len(path)] + path


def _href(url: str) -> str | None:
    """url serialised as JavaScript's `new URL(url).href`, or None where it throws."""
    if ":" not in url:
        return None  # no scheme, and no base URL to resolve against: it throws
    try:
        return ada_url.normalize_url(url)
    except ValueError:
        # JavaScript strings may hold lone surrogates, which its URL constructor reads as
        # U+FFFD (a USVString); ada-url refuses a str it cannot encode, so they are
        # replaced here (a pair split across two code points is joined again).
        usv = url.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
        if usv == url:
            return None
        try:
            return ada_url.normalize_url(usv)
        except ValueError:
            return None


@remembered  # fitting measures the same article link many times
def to_short_url(url: str) -> str:
    """The social app's link text: host plus the first 13 characters of a long path, "...".

    The URL parsing is ada-url's: the WHATWG URL standard, the one JavaScript's `new URL`
    implements (Node's URL is ada itself), so hosts are IDNA-mapped and punycoded, IPv4 and
    IPv6 addresses made canonical, default ports dropped, dot segments resolved and the
    path, query and fragment percent-encoded as the app shows them. ada-url 4 follows the
    standard as it now stands, as Chromium does ("^" in a path is encoded, an ASCII host
    is kept as typed, a right-to-left host breaking the Bidi rule fails); the PDS's Node 22
    bundles ada 2.9, which differs from it on such URLs only. What stays written out here
    is the app's own rule (`toShortUrl` in `lib/strings/url-helpers.ts`), which no library
    has: a URL that does not parse or is not http(s) is shown as typed, and the rest of
    the URL after the host is cut to 13 characters and "..." when longer than 15 (those
    parts are percent-encoded ASCII, so Python's length is JavaScript's).
    """
    href = _href(url)
    scheme, _, rest = (href or "").partition("://")
    if scheme not in ("http", "https"):
        return url
    # The parts are read off the href (one call into ada-url, where asking for each part
    # costs one more): an http(s) href is scheme://[userinfo@]host[:port]/path[?query]
    # [#fragment], percent-encoded so that its userinfo holds no "@" or "/", its path no
    # "?" or "#" and its query no "#". `host` is the host with a port other than the
    # default, and `search` and `hash` are "" when the query or fragment is empty.
    slash = rest.index("/")
    host = rest[:slash].rpartition("@")[2]
    before_hash, _, fragment = rest[slash:].partition("#")
    path, _, query = before_hash.partition("?")
    tail = ("" if path == "/" else path) + ("?" + query if query else "") \
        + ("#" + fragment if fragment else "")
    if len(tail) > 15:
        return host + tail[:13] + "..."
    return host + tail


# --- offsets, lengths, record keys ------------------------------------------------------


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def utf16_range_to_utf8(text: str, start: int, end: int) -> tuple[int, int]:
    """A [start, end) range in UTF-16 code units (JavaScript indices) as UTF-8 byte offsets."""
    units = text.encode("utf-16-le", "surrogatepass")

    def to_utf8(index: int) -> int:
        # A half surrogate pair becomes U+FFFD, as JavaScript's TextEncoder makes it.
        prefix = units[: 2 * index].decode("utf-16-le", "replace")
        return count_utf8_bytes(prefix)

    return to_utf8(start), to_utf8(end)


def count(text: str) -> int:
    """Length as Bluesky counts it: grapheme clusters."""
    return count_graphemes(text)


def fits(text: str) -> bool:
    """True when a post's text is within both limits: 300 graphemes and 3000 UTF-8 bytes."""
    if count_utf8_bytes(text) > BYTE_LIMIT:
        return False
    # Never more graphemes than code points: short text needs no segmentation.
    return len(text) <= GRAPHEME_LIMIT or count_graphemes(text) <= GRAPHEME_LIMIT


_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
_TID = re.compile(r"[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}")
# Timestamps of 2023-01-01 and 2100-01-01 in microseconds: a derived TID looks like one
# made by a clock in that range, and stays below 2^53 as the syntax requires.
_TID_MIN_MICROS = 1_672_531_200_000_000
_TID_MAX_MICROS = 4_102_444_800_000_000


def is_tid(value: str) -> bool:
    """True when value has the syntax of a record key TID (13 base32-sortable characters)."""
    return _TID.fullmatch(value) is not None


def tid_for(*key_parts: str) -> str:
    """A valid TID derived from a hash of key_parts: the same parts always give the same key."""
    if not key_parts:
        raise ValueError("tid_for needs at least one key part")
    digest = hashlib.sha256()
    for part in key_parts:
        encoded = part.encode("utf-8")
        # Length-prefixed, so ("ab", "c") and ("a", "bc") hash differently.
        digest.update(len(encoded).to_bytes(8, "big") + encoded)
    number = int.from_bytes(digest.digest(), "big")
    micros = _TID_MIN_MICROS + number % (_TID_MAX_MICROS - _TID_MIN_MICROS)
    clock_id = (number >> 128) & 0x3FF
    value = (micros << 10) | clock_id
    return "".join(_TID_ALPHABET[(value >> (5 * i)) & 31] for i in range(12, -1, -1))
