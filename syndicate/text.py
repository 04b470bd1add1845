"""Text measuring shared by the platform counters: graphemes, URLs, UTF-8 bytes."""

from __future__ import annotations

import regex

GRAPHEME = regex.compile(r"\X")
# Autolinkable web addresses, as the platforms' own linkifiers find them: a scheme, then
# no whitespace; one trailing punctuation mark belongs to the sentence, not the link.
URL = regex.compile(r"https?://[^\s<>\"]+?(?=[.,;:!?)\]]*(?:\s|$))")


def count_graphemes(text: str) -> int:
    """User-perceived characters (extended grapheme clusters, UAX #29)."""
    return len(GRAPHEME.findall(text))


def graphemes(text: str) -> list[str]:
    return GRAPHEME.findall(text)  # type: ignore[no-any-return]


def count_utf8_bytes(text: str) -> int:
    return len(text.encode("utf-8"))


def count_utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def find_urls(text: str) -> list[tuple[int, int]]:
    """(start, end) character offsets of each http(s) URL in text."""
    return [match.span() for match in URL.finditer(text)]


def count_graphemes_with_fixed_urls(text: str, url_length: int) -> int:
    """Graphemes, where every URL counts as url_length whatever its real length."""
    total = 0
    position = 0
    for start, end in find_urls(text):
        total += count_graphemes(text[position:start]) + url_length
        position = end
    return total + count_graphemes(text[position:])
