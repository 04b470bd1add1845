"""Fitting a rendered draft into a platform's limit by shrinking what may shrink.

Order: drop trailing hashtags, then shorten the summary, then drop it, then shorten the
title. Text is cut after a whole sentence when that still uses most of the room, else at
a word boundary (a grapheme boundary in scripts written without spaces) with an
ellipsis. A URL, mention or hashtag is never cut, nor is a grapheme cluster; the article
link is never touched.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import regex

from syndicate.text import graphemes

ELLIPSIS = "…"
_BLANK_LINES = re.compile(r"\n{3,}")
_TRAILING_SPACES = re.compile(r"[ \t]+\n")
# What must not stand right before the ellipsis: spaces, and punctuation that would
# dangle (a comma, an opening bracket or quote).
_DANGLING = " \t\n,;:.-–—(/[{\"'“‘«„、，：；"
# A sentence that ends a unit: a word, its full stop (a lone " . " ends nothing), and any
# closing quote or bracket after it.
_SENTENCE_END = regex.compile(r"[\w\p{M}][.!?…。！？]+[\"'”’»)\]]*\s*$")
_SENTENCE_CLOSERS = frozenset(".!?…。！？\"'”’»)]")
# Scripts written without spaces between words: cut those between graphemes.
_NO_SPACES = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}"
                           r"\p{Myanmar}\p{Tibetan}]")
# In a word of an unspaced script: runs of that script (one grapheme each), or of others.
_MIXED_RUNS = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}"
                            r"\p{Myanmar}\p{Tibetan}]+\s*|[^\p{Han}\p{Hiragana}\p{Katakana}"
                            r"\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}\p{Tibetan}]+")
# Never cut inside these: they stay whole or go whole.
_ATOMIC = regex.compile(r"(?:https?://|www\.)\S+|[@#＃]\S+")
# A share of the limit a sentence cut must still fill, or a word cut does better.
SENTENCE_ROOM = 0.9

Render = Callable[[Mapping[str, Any]], str]
Count = Callable[[str], int]


def tidy(text: str) -> str:
    """Strip the blank lines and spaces that empty template variables leave behind."""
    text = text.strip()
    if " \n" in text or "\t\n" in text:
        text = _TRAILING_SPACES.sub("\n", text)
    if "\n\n\n" in text:
        text = _BLANK_LINES.sub("\n\n", text)
    return text


def _units(text: str) -> list[str]:
    """Words with their trailing space; inside words of unspaced scripts, each character of
    those scripts on its own (other runs, like a name or a link, stay whole)."""
    units: list[str] = []
    for word in re.findall(r"\s*\S+\s*", text):
        if word.isascii() or not _NO_SPACES.search(word) or _ATOMIC.match(word.lstrip()):
            units.append(word)
            continue
        for run in _MIXED_RUNS.findall(word):
            units.extend(graphemes(run) if _NO_SPACES.match(run) else [run])
    return units


def _ends_sentence(unit: str) -> bool:
    """Whether a sentence ends with this unit: a full stop before a space, or a CJK one."""
    stripped = unit.rstrip()
    if stripped[-1:] in ("。", "！", "？"):
        return True
    return stripped != unit and stripped[-1:] in _SENTENCE_CLOSERS \
        and _SENTENCE_END.search(stripped) is not None


def _join_units(units: Sequence[str], keep: int) -> str:
    """The first keep units; cut text ends with an ellipsis, or a whole sentence."""
    if keep >= len(units):
        return "".join(units)
    kept = "".join(units[:keep])
    if keep and _ends_sentence(units[keep - 1]):
        return kept.rstrip()
    kept = kept.rstrip(_DANGLING)
    return f"{kept}{ELLIPSIS}" if kept else ""


def shorten(text: str, keep: int) -> str:
    """The first `keep` units of text, ending with an ellipsis when anything was cut."""
    units = _units(text)
    return text if keep >= len(units) else _join_units(units, keep)


def _largest_fitting(fits: Callable[[int], bool], guess: int, most: int) -> int:
    """The largest k in [0, most] with fits(k), given fits(0) and a close guess.

    Gallops away from the guess, then bisects: two or three tries when the guess is
    good, a logarithmic number when not.
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


def _sentence_cut(units: Sequence[str], keep: int, length: Callable[[int], int],
                  limit: int) -> int:
    """Where to cut: after the last whole sentence within keep units, if that still fills
    most of the room (a person shortens at a full stop); else keep itself."""
    for end in range(keep, 0, -1):
        if _ends_sentence(units[end - 1]):
            return end if length(end) >= SENTENCE_ROOM * limit else keep
    return keep


def _shrink(render: Render, context: Mapping[str, Any], count: Count, limit: int
            ) -> dict[str, Any]:
    """The values to render: as much of each shrinkable field as the limit allows."""
    working = dict(context)

    def fits(values: Mapping[str, Any]) -> bool:
        return count(tidy(render(values))) <= limit

    tags = list(working.get("tags", []))
    if tags:
        def with_tags(keep: int) -> dict[str, Any]:
            return {**working, "tags": tags[:keep], "hashtags": " ".join(tags[:keep])}

        working = with_tags(0)
        if fits(working):
            keep = _largest_fitting(lambda n: fits(with_tags(n)), len(tags) - 1, len(tags))
            return with_tags(keep)
    for field in ("summary", "title"):
        original = str(working.get(field) or "")
        if not original:
            continue
        working[field] = ""
        base = count(tidy(render(working)))
        if base > limit:
            continue  # even without this field it is too long: shrink the next one
        units = _units(original)
        # Guess in proportion to the room left; the search corrects the guess.
        guess = len(units) * max(limit - base - 1, 0) // max(count(original), 1)
        def length(n: int, field: str = field, units: list[str] = units) -> int:
            return count(tidy(render({**working, field: _join_units(units, n)})))

        keep = _largest_fitting(lambda n: length(n) <= limit, guess, len(units))
        working[field] = _join_units(units, _sentence_cut(units, keep, length, limit))
        return working
    return working


def fit_with_rest(render: Render, context: Mapping[str, Any], count: Count, limit: int
                  ) -> tuple[str, str, list[str]]:
    """The fitted text, what of the summary it had to leave out (for a thread), and what
    was shortened, in words for the preview."""
    text = tidy(render(context))
    if count(text) <= limit:
        return text, "", []
    values = _shrink(render, context, count, limit)
    original = str(context.get("summary") or "")
    kept = str(values.get("summary") or "").removesuffix(ELLIPSIS)
    rest = original[len(kept):].lstrip(_DANGLING) if original.startswith(kept) else ""
    return tidy(render(values)), rest, shortened(context, values)


def shortened(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """What fitting changed, e.g. ["2 of 4 hashtags left out", "summary cut at a word"]."""
    notes = []
    tags, kept_tags = list(before.get("tags") or []), list(after.get("tags") or [])
    if not kept_tags and tags:
        notes.append("hashtags left out" if len(tags) > 1 else "hashtag left out")
    elif len(kept_tags) < len(tags):
        notes.append(f"{len(tags) - len(kept_tags)} of {len(tags)} hashtags left out")
    for field in ("summary", "title"):
        original, now = str(before.get(field) or ""), str(after.get(field) or "")
        if now == original:
            continue
        if not now:
            notes.append(f"{field} left out")
        elif now.endswith(ELLIPSIS) and not original.startswith(now):
            notes.append(f"{field} cut at a word")
        else:
            notes.append(f"{field} cut after a sentence")
    return notes


def fit(render: Render, context: Mapping[str, Any], count: Count, limit: int) -> str:
    """Render context with the template, shrinking fields until it fits (or can't)."""
    return fit_with_rest(render, context, count, limit)[0]


_SENTENCES = regex.compile(r"\S.*?(?:[.!?…。！？][\"'”’»)\]]*(?=\s|$)|$)\s*", regex.S)


def _pieces(text: str, count: Count, limit: int) -> list[tuple[str, bool]]:
    """text in pieces that each fit: whole paragraphs, else sentences, else words; each
    with whether it starts a paragraph."""
    pieces: list[tuple[str, bool]] = []
    for paragraph in (p.strip() for p in text.split("\n\n")):
        if not paragraph:
            continue
        first = len(pieces)
        if count(paragraph) <= limit:
            pieces.append((paragraph, True))
            continue
        for sentence in (m.group().strip() for m in _SENTENCES.finditer(paragraph)):
            if count(sentence) <= limit:
                pieces.append((sentence, False))
                continue
            run = ""
            for unit in _units(sentence):
                if run and count(run + unit.rstrip()) > limit:
                    pieces.append((run.rstrip(), False))
                    run = ""
                run += unit
            if run.strip():
                pieces.append((run.rstrip(), False))
        if len(pieces) > first:
            pieces[first] = (pieces[first][0], True)
    return pieces


def split_thread(text: str, count: Count, limit: int) -> list[str]:
    """A long text as the parts of a reply chain: each part fits, cut at a paragraph,
    else a sentence, else a word boundary; parts are filled as far as they go."""
    parts: list[str] = []
    for piece, starts_paragraph in _pieces(text, count, limit):
        if parts:
            joined = f"{parts[-1]}{chr(10) * 2 if starts_paragraph else ' '}{piece}"
            if count(joined) <= limit:
                parts[-1] = joined
                continue
        parts.append(piece)
    return parts
