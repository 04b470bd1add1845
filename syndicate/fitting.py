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


def _longest_fitting(
    render: Render, context: dict[str, Any], field: str, count: Count, limit: int
) -> tuple[str, bool]:
    """The longest shortening of context[field] that fits; binary search over units."""
    original = str(context[field])
    low, high = 0, len(_units(original))
    best: str | None = None
    while low <= high:
        middle = (low + high) // 2
        text = tidy(render({**context, field: shorten(original, middle)}))
        if count(text) <= limit:
            best = shorten(original, middle)
            low = middle + 1
        else:
            high = middle - 1
    if best is None:
        return "", False
    return best, True


def fit(render: Render, context: Mapping[str, Any], count: Count, limit: int) -> str:
    """Render context with the template, shrinking fields until it fits (or can't)."""
    working = dict(context)
    text = tidy(render(working))
    if count(text) <= limit:
        return text
    tags = list(working.get("tags", []))
    while tags:
        tags.pop()
        working["tags"] = tags
        working["hashtags"] = " ".join(tags)
        text = tidy(render(working))
        if count(text) <= limit:
            return text
    for field in ("summary", "title"):
        if not working.get(field):
            continue
        shortened, fits = _longest_fitting(render, working, field, count, limit)
        working[field] = shortened
        if fits:
            return tidy(render(working))
    return tidy(render(working))
