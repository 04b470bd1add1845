"""Text measuring shared by the platform counters: graphemes, URLs, UTF-8 bytes.

Counting runs for every draft of every build, so the common cases (ASCII, and text
made only of characters that always stand alone) take a fast path; anything that can
form a multi-code-point cluster goes through the full UAX #29 rules.
"""

from __future__ import annotations

import regex

GRAPHEME = regex.compile(r"\X")
# Characters that always form a grapheme cluster on their own: printable ASCII, Latin-1,
# Latin Extended, Greek, Cyrillic, CJK punctuation, kana and ideographs. A text made only
# of these (and newlines) has as many graphemes as code points, less its CRLF pairs.
_SIMPLE = regex.compile(
    r"[\t\n\r\x20-\x7e\u00a0-\u02ff\u0370-\u0482\u048a-\u052f\u3000-\u3029\u3030-\u3098"
    r"\u309b-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff01-\uff9d]*")
# Autolinkable web addresses, as the platforms' own linkifiers find them: a scheme, then
# no whitespace; one trailing punctuation mark belongs to the sentence, not the link.
URL = regex.compile(r"https?://[^\s<>\"]+?(?=[.,;:!?)\]]*(?:\s|$))")


def is_simple(text: str) -> bool:
    """True when every code point of text is a grapheme cluster of its own."""
    return _SIMPLE.fullmatch(text) is not None


def count_graphemes(text: str) -> int:
    """User-perceived characters (extended grapheme clusters, UAX #29)."""
    if is_simple(text):
        return len(text) - text.count("\r\n")
    return len(GRAPHEME.findall(text))


def graphemes(text: str) -> list[str]:
    return GRAPHEME.findall(text)  # type: ignore[no-any-return]


def count_utf8_bytes(text: str) -> int:
    return len(text.encode("utf-8"))


def count_utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def find_urls(text: str) -> list[tuple[int, int]]:
    """(start, end) character offsets of each http(s) URL in text."""
    if "://" not in text:
        return []
    return [match.span() for match in URL.finditer(text)]


def count_graphemes_with_fixed_urls(text: str, url_length: int) -> int:
    """Graphemes, where every URL counts as url_length whatever its real length."""
    total = 0
    position = 0
    for start, end in find_urls(text):
        total += count_graphemes(text[position:start]) + url_length
        position = end
    return total + count_graphemes(text[position:])
