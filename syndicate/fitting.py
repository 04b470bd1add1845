"""Fitting a rendered draft into a platform's limit by shrinking what may shrink.

Order: drop trailing hashtags, then shorten the summary, then drop it, then shorten the
title. Text is cut at a word boundary (a grapheme boundary for scripts without spaces)
and ends with an ellipsis. The URL is never touched.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from syndicate.text import graphemes

ELLIPSIS = "…"
_BLANK_LINES = re.compile(r"\n{3,}")
_TRAILING_SPACES = re.compile(r"[ \t]+\n")
# Punctuation that must not stand right before the ellipsis.
_DANGLING = " \t\n,;:.-–—(/"

Render = Callable[[Mapping[str, Any]], str]
Count = Callable[[str], int]


def tidy(text: str) -> str:
    """Strip the blank lines and spaces that empty template variables leave behind."""
    text = _TRAILING_SPACES.sub("\n", text.strip())
    return _BLANK_LINES.sub("\n\n", text)


def _units(text: str) -> list[str]:
    """Words with their trailing space, or graphemes for text written without spaces."""
    if " " in text.strip():
        return re.findall(r"\S+\s*", text)
    return graphemes(text)


def shorten(text: str, keep: int) -> str:
    """The first `keep` units of text, ending with an ellipsis when anything was cut."""
    units = _units(text)
    if keep >= len(units):
        return text
    kept = "".join(units[:keep]).rstrip(_DANGLING)
    return f"{kept}{ELLIPSIS}" if kept else ""


def _largest_fitting(fits: Callable[[int], bool], guess: int, most: int) -> int:
    """The largest k in [0, most] with fits(k), given fits(0) and a close guess.

    Gallops away from the guess, then bisects: two or three renders when the guess is
    good (it is: it comes from counting the pieces), a logarithmic number when not.
    """
    guess = max(0, min(guess, most))
    if fits(guess):
        low, step = guess, 1
        while low + step <= most and fits(low + step):
            low, step = low + step, step * 2
        high = min(low + step, most + 1)  # high does not fit (or is past the end)
    else:
        high, step = guess, 1
        while high - step > 0 and not fits(high - step):
            high, step = high - step, step * 2
        low = max(high - step, 0)  # low fits: fits(0) is given
    while high - low > 1:
        middle = (low + high) // 2
        if fits(middle):
            low = middle
        else:
            high = middle
    return low


def _shorten_field(render: Render, context: dict[str, Any], field: str, count: Count,
                   limit: int) -> str | None:
    """The longest shortening of context[field] that fits, or None if even "" does not."""
    original = str(context[field])
    base = count(tidy(render({**context, field: ""})))
    if base > limit:
        return None
    units = _units(original)
    # Estimate from the pieces' own counts, then let the search correct it.
    budget = limit - base - 1
    used = guess = 0
    for unit in units:
        used += count(unit)
        if used > budget:
            break
        guess += 1

    def fits(keep: int) -> bool:
        return count(tidy(render({**context, field: shorten(original, keep)}))) <= limit

    return shorten(original, _largest_fitting(fits, guess, len(units)))


def fit(render: Render, context: Mapping[str, Any], count: Count, limit: int) -> str:
    """Render context with the template, shrinking fields until it fits (or can't)."""
    working = dict(context)
    text = tidy(render(working))
    if count(text) <= limit:
        return text
    tags = list(working.get("tags", []))
    if tags:
        def with_tags(keep: int) -> dict[str, Any]:
            return {**working, "tags": tags[:keep], "hashtags": " ".join(tags[:keep])}

        def tags_fit(keep: int) -> bool:
            return count(tidy(render(with_tags(keep)))) <= limit

        working = with_tags(0)
        if tags_fit(0):
            return tidy(render(with_tags(_largest_fitting(tags_fit, len(tags) - 1,
                                                          len(tags)))))
    for field in ("summary", "title"):
        if not working.get(field):
            continue
        shortened = _shorten_field(render, working, field, count, limit)
        working[field] = shortened or ""
        if shortened is not None:
            return tidy(render(working))
    return tidy(render(working))
