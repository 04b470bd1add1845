"""Counting a long text as the sum of its pieces, each piece counted once.

Fitting measures many texts that differ only where the summary is cut: the title, the
sentences before the cut, the link and the hashtags are the same in every try. Each
counter here (X's weighted length, Mastodon's length, Bluesky's displayed length) only
looks at what it counts within a run between spaces: a URL, a mention, an emoji sequence
or a grapheme cluster never holds a space, and the character before a run matters only
as "a space or the start of the text". So a text split after a space or a line break,
where an ASCII letter or digit or "#" follows, counts as the sum of its pieces: nothing
counted can start before the split and end after it (those characters never join the
cluster before them, nor compose with it under NFC). The pieces are split after
sentences, clauses and lines and before hashtags, so that the tries share all but the
piece where the cut falls, and each piece's count is remembered.

tests/test_chunked_counts.py checks, on the hard texts the differential tests draw, that
every counter gives the same count whole and in pieces; the oracles then judge the counts
themselves.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any, Generic, TypeVar, cast

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

# Where a text may be split: after a line break, or after the space that follows a
# sentence's or clause's punctuation, where an ASCII letter or digit comes next; and
# before a hashtag's "#" after a space or line break.
SPLIT = re.compile(r"(?:(?<=[.!?,;:…)\"'] )|(?<=\n))(?=[A-Za-z0-9])|(?<=[ \n])(?=#)")
# The same pieces, found as runs (twice as fast as splitting with look-behinds, which
# are tried at every position): a "#" that starts the piece, characters up to a split,
# then the split's punctuation and space, or its line break. tests/test_chunked_counts.py
# checks both agree.
_OTHER = r"[^.!?,;:…)\"'\n#]*"
_PIECE = re.compile(
    rf"#?{_OTHER}(?:(?:[.!?,;:…)\"'](?! [A-Za-z0-9])|\n(?![A-Za-z0-9#])|(?<![ \n])#){_OTHER})*"
    r"(?:[.!?,;:…)\"'] |\n)?")
# Shorter texts are counted whole: splitting them saves nothing.
SHORTEST = 96
# How many pieces are remembered before the memory is cleared: the tries of one draft
# share pieces, other articles' drafts hardly ever do (their hashtags, which are few), and
# a build drafting thousands of articles must not hold all of their text.
MAX_PIECES = 2_000


def pieces(text: str) -> list[str]:
    """text split where nothing any counter here counts can span the split (SPLIT)."""
    return [piece for piece in _PIECE.findall(text) if piece] or [text]


class ChunkedCount(Generic[T]):
    """count(text) computed as the sum of count(piece), remembering each piece's count.

    count must be additive over pieces() (see the module's docstring), at least for the
    texts splittable accepts (the others are counted whole); add sums two counts (ints, or
    tuples of them)."""

    def __init__(self, count: Callable[[str], T], add: Callable[[T, T], T],
                 splittable: Callable[[str], bool] | None = None) -> None:
        self.count = count
        self.add = add
        self.splittable = splittable
        self.known: dict[str, T] = {}
        _REMEMBERING.append(self.known)

    def __call__(self, text: str) -> T:
        if len(text) < SHORTEST or (self.splittable is not None and not self.splittable(text)):
            return self.count(text)
        parts = pieces(text)
        if len(parts) == 1:
            return self.count(text)
        known = self.known
        if len(known) > MAX_PIECES:
            known.clear()
        if self.add is add_ints:  # the common case, without a call per piece
            counts = [known[part] if part in known else known.setdefault(part, self.count(part))
                      for part in parts]
            return cast(T, sum(cast(list[int], counts)))
        total: T | None = None
        for part in parts:
            value = known.get(part)
            if value is None:
                value = known[part] = self.count(part)
            total = value if total is None else self.add(total, value)
        assert total is not None
        return total


# A link's path that is letters, digits and "/_-" only, after an ASCII host, ending the
# link (a space, the end, a closing bracket or quote, punctuation, or a full stop that
# ends a sentence). What the URL extractors and Bluesky's short display make of such a
# link depends on its scheme, its host and its path's length, never on which letter or
# digit stands where (each pattern reads them alike, and the display only cuts the path
# at a length); so each can be written as "a", and all the links of a blog share one
# remembered answer per host and path length. Not where the path goes on into what a
# pattern reads by its letters: a scheme ("http:"), a domain ("xn--p1ai.ru"), a host
# made of anything up to the next "/" (the fuzz found both).
_PLAIN_LINK = re.compile(
    r"(https?://[A-Za-z0-9.-]+(?::[0-9]+)?/)([A-Za-z0-9/_-]+)"
    r"(?=$|[\s)\]>\"',;!?]|\.(?:$|\s))", re.IGNORECASE)
_LETTERS_AND_DIGITS_AS_A = str.maketrans(dict.fromkeys(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "a"))


def _path_as_a(link: re.Match[str]) -> str:
    return link.group(1) + link.group(2).translate(_LETTERS_AND_DIGITS_AS_A)


def plain_links_alike(text: str) -> str:
    """text with the letters and digits of each plain link path (above) written as "a"."""
    if "://" not in text:
        return text
    return _PLAIN_LINK.sub(_path_as_a, text)


_REMEMBERING: list[Any] = []  # what forget() clears: dicts, and functools caches


def remembered(function: F) -> F:
    """A functools.lru_cache of function that forget() clears."""
    cached = functools.lru_cache(maxsize=1024)(function)
    _REMEMBERING.append(cached)
    return cast(F, cached)


def forget() -> None:
    """Clear every remembered count (a benchmark measures counting from scratch)."""
    for memory in _REMEMBERING:
        (memory.clear if isinstance(memory, dict) else memory.cache_clear)()


def add_ints(a: int, b: int) -> int:
    return a + b


def add_pairs(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    return a[0] + b[0], a[1] + b[1]
