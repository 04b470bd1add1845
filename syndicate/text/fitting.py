"""Fitting a rendered draft into a platform's limit by shrinking what may shrink.

Order: drop trailing hashtags, then shorten the summary, then drop it, then shorten the
title. Text is cut after a whole sentence when that still uses most of the room, else at
a word boundary (a grapheme boundary in scripts written without spaces) with an
ellipsis. A URL, mention or hashtag is never cut, nor is a grapheme cluster; the article
link is never touched.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import regex

from syndicate.text.graphemes import graphemes

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
# A share of the limit a cut after a whole sentence must still fill; below it a cut at a
# word, which fills the room (at least 90 % of it unless the next word is a link, which is
# never cut), does better. bench/fitting_budget.py measures both on a real blog.
SENTENCE_ROOM = 0.85
# In the first part of a thread the rest follows: a cut after a sentence may leave more
# room unused (past three tenths), else one after a clause (past six tenths).
THREAD_SENTENCE_ROOM, THREAD_CLAUSE_ROOM = 0.3, 0.6
# The note of a post that is the article's link alone: nothing else could fit.
LINK_ONLY = "only the link: the title, summary and hashtags left out"
# A thread part shorter than this (in the platform's count, without its number) reads as
# a stub; parts are balanced so none after the first is one.
STUB = 40

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


_WORDS_WITH_SPACE = re.compile(r"\s*\S+\s*")


def _units(text: str) -> list[str]:
    """Words with their trailing space; inside words of unspaced scripts, each character of
    those scripts on its own (other runs, like a name or a link, stay whole)."""
    words: list[str] = _WORDS_WITH_SPACE.findall(text)
    if text.isascii() or not _NO_SPACES.search(text):
        return words
    units: list[str] = []
    for word in words:
        if word.isascii() or not _NO_SPACES.search(word) or _ATOMIC.match(word.lstrip()):
            units.append(word)
            continue
        for run in _MIXED_RUNS.findall(word):
            units.extend(graphemes(run) if _NO_SPACES.match(run) else [run])
    return units


@functools.lru_cache(maxsize=4)
def _field_units(text: str) -> tuple[str, ...]:
    """The _units of a field being shortened, remembered: an article's drafts on several
    platforms, made one after the other, shorten the same summary (a few only: a
    summary may be long)."""
    return tuple(_units(text))


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
                  limit: int, room: float = SENTENCE_ROOM, clause_room: float = 0.0) -> int:
    """Where to cut: after the last whole sentence within keep units, if that still fills
    most of the room (a person shortens at a full stop); else, when clause_room is given,
    after the last clause that fills that share; else keep itself."""
    for end in range(keep, 0, -1):
        if _ends_sentence(units[end - 1]):
            if length(end) >= room * limit:
                return end
            break
    if clause_room:
        for end in range(keep, 0, -1):
            if _level(units[end - 1]) == CLAUSE:
                return end if length(end) >= clause_room * limit else keep
    return keep


def _shrink(render: Render, context: Mapping[str, Any], count: Count, limit: int,
            full: tuple[str, int], sentence_room: float = SENTENCE_ROOM,
            clause_room: float = 0.0) -> tuple[dict[str, Any], bool, str]:
    """The values to render: as much of each shrinkable field as the limit allows; whether
    they fit; and the text they render to. full: the whole text and its count, as the
    caller made them."""
    working = dict(context)
    # Every text tried, by the values that differ between tries: a text the search asks
    # for again (the text without hashtags is also the whole text the summary's guess
    # starts from; the search's last try is often the sentence cut's) is rendered and
    # counted once.
    tried: dict[tuple[Any, Any, int], tuple[str, int]] = {}

    def key(values: Mapping[str, Any]) -> tuple[Any, Any, int]:
        return values.get("summary"), values.get("title"), len(values.get("tags") or ())

    def measured(values: Mapping[str, Any]) -> tuple[str, int]:
        differs = key(values)
        known = tried.get(differs)
        if known is None:
            text = tidy(render(values))
            known = tried[differs] = text, count(text)
        return known

    def fits(values: Mapping[str, Any]) -> bool:
        return measured(values)[1] <= limit

    tried[key(context)] = full
    tags = list(working.get("tags", []))
    if tags:
        def with_tags(keep: int) -> dict[str, Any]:
            return {**working, "tags": tags[:keep], "hashtags": " ".join(tags[:keep])}

        working = with_tags(0)
        if fits(working):
            keep = _largest_fitting(lambda n: fits(with_tags(n)), len(tags) - 1, len(tags))
            return with_tags(keep), True, measured(with_tags(keep))[0]
    for field in ("summary", "title"):
        original = str(working.get(field) or "")
        if not original:
            continue
        whole = measured({**working, field: original})[1]
        working[field] = ""
        if measured(working)[1] > limit:
            continue  # even without this field it is too long: shrink the next one
        units = _field_units(original)
        # Guess by characters, in proportion to how the platform counts the field (a CJK
        # character is 2 on X), in the room the rest of the text and an ellipsis leave:
        # close enough that the search below most often measures twice (the guess fits,
        # one more unit does not). The whole text with the field less the field alone is
        # the rest with the field's separators. The count of no text is what every count
        # holds besides its text (Mastodon counts the content warning).
        alone = count(original) - count("")
        reach = max(limit - (whole - alone) - 1, 0) / max(alone / len(original), 1e-9)
        guess = bisect.bisect_right(list(itertools.accumulate(map(len, units))), reach)

        def length(n: int, field: str = field, units: tuple[str, ...] = units) -> int:
            return measured({**working, field: _join_units(units, n)})[1]

        keep = _largest_fitting(lambda n: length(n) <= limit, guess, len(units))
        working[field] = _join_units(
            units, _sentence_cut(units, keep, length, limit, sentence_room, clause_room))
        return working, True, measured(working)[0]
    return working, False, measured(working)[0]


def fit_with_rest(render: Render, context: Mapping[str, Any], count: Count, limit: int,
                  sentence_room: float = SENTENCE_ROOM, clause_room: float = 0.0
                  ) -> tuple[str, str, list[str]]:
    """The fitted text, what of the summary it had to leave out (for a thread), and what
    was shortened, in words for the preview.

    It always fits when the link alone does: when shortening the title is not enough (the
    template's other text is too long), the post is the link alone.
    """
    text = tidy(render(context))
    length = count(text)
    if length <= limit:
        return text, "", []
    values, fits, text = _shrink(render, context, count, limit, (text, length),
                                 sentence_room, clause_room)
    original = str(context.get("summary") or "")
    kept = str(values.get("summary") or "").removesuffix(ELLIPSIS)
    rest = original[len(kept):].lstrip(_DANGLING) if original.startswith(kept) else ""
    url = str(context.get("url") or "")
    if not fits and url and count(url) <= limit:
        return url, "", [LINK_ONLY]
    return text, rest, shortened(context, values)


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


# Break levels after a unit, best first: a paragraph, a sentence, a clause, a word.
PARAGRAPH, SENTENCE, CLAUSE, WORD, INSIDE = 4, 3, 2, 1, 0
_CLAUSE_END = regex.compile(r"[\w\p{M}\"'”’»)\]][,;:]$|\s[–—-]$|[、，；：]$")
# The share of a part that a break at a sentence (a clause) must still fill.
_FILL = {PARAGRAPH: 0.5, SENTENCE: 0.5, CLAUSE: 0.7}


def stub_floor(limit: int) -> int:
    """The count under which a thread part is a stub, for parts of this limit."""
    return min(STUB, limit // 3)


def _level(unit: str) -> int:
    """How well a part may end after this unit."""
    if unit[-1:].isspace() and "\n\n" in unit[len(unit.rstrip()):]:
        return PARAGRAPH
    if _ends_sentence(unit):
        return SENTENCE
    stripped = unit.rstrip()
    if (stripped != unit and _CLAUSE_END.search(stripped)) or stripped[-1:] in "、，；：":
        return CLAUSE
    if unit.endswith(ELLIPSIS) and not unit[-1:].isspace():
        return INSIDE
    return WORD


def _cut_word(before: str, word: str, count: Count, limit: int) -> tuple[str, str] | None:
    """word cut between graphemes so that before, its head and an ellipsis fill a part:
    (head with the ellipsis, the rest); None when not even one grapheme fits there."""
    clusters = graphemes(word)

    def fits(n: int) -> bool:
        return n == 0 or count((before + "".join(clusters[:n])).strip() + ELLIPSIS) <= limit

    keep = _largest_fitting(fits, len(clusters) * (limit - count(before.strip())) //
                            max(count(word), 1), len(clusters) - 1)
    if keep == 0:
        if before.strip():
            return None
        keep = 1  # a grapheme longer than a part: it cannot be cut
    return "".join(clusters[:keep]).rstrip() + ELLIPSIS, "".join(clusters[keep:])


def split_thread(text: str, count: Count, limit: int) -> list[str]:
    """A long text as the parts of a reply chain, each fitting the limit.

    Each part is filled as far as it goes, then ends at the last paragraph or sentence end
    that still fills half of it, else the last clause (a comma, a semicolon, a dash) that
    fills seven tenths, else the last word. A word longer than a part is cut inside, with
    an ellipsis, as a last resort (never a link, mention or hashtag, nor a grapheme). The
    last two parts are balanced so that the last is no stub.
    """
    units = _units(text.strip())
    if not units:
        return []
    levels = [_level(unit) for unit in units]
    floor = stub_floor(limit)

    def part(start: int, end: int) -> str:
        return "".join(units[start:end]).strip()

    bounds: list[tuple[int, int]] = []
    start, total = 0, len(units)
    guess = total * limit // max(count(text), 1)
    while start < total:
        def fits(n: int, at: int = start) -> bool:
            return count(part(at, at + n)) <= limit

        def length(end: int, at: int = start) -> int:
            return count(part(at, end))

        end = start + _largest_fitting(fits, guess, total - start)
        if end < total:
            word = units[end]
            if (end == start or length(end) < floor) and count(word.strip()) > limit \
                    and not _ATOMIC.match(word.lstrip()):
                # Last resort: the next word is longer than a part; cut it inside.
                cut = _cut_word("".join(units[start:end]), word, count, limit)
                if cut is not None:
                    units[end:end + 1] = cut
                    levels[end:end + 1] = [INSIDE, _level(cut[1])]
                    total += 1
                    end += 1
            elif end > start:
                end = _best_break(levels, start, end, length, limit)
        end = max(end, start + 1)  # a link longer than a part stays whole
        bounds.append((start, end))
        guess, start = end - start, end
    if len(bounds) > 1 and count(part(*bounds[-1])) < floor:
        bounds[-2:] = _balance(levels, bounds[-2:], part, count, limit)
    return [part(*bound) for bound in bounds]


def _best_break(levels: Sequence[int], start: int, end: int, length: Callable[[int], int],
                limit: int) -> int:
    """Where a part from start, which fits up to end, best ends."""
    if levels[end - 1] >= SENTENCE:
        return end
    for level in (SENTENCE, CLAUSE):
        at = next((e for e in range(end - 1, start, -1) if levels[e - 1] >= level), None)
        if at is not None and length(at) >= _FILL[level] * limit:
            return at
    return end


def _balance(levels: Sequence[int], last: list[tuple[int, int]],
             part: Callable[[int, int], str], count: Count, limit: int
             ) -> list[tuple[int, int]]:
    """The units of the last two parts as two that fit and are no stubs: at the best
    break, the most even of those (unchanged when there is none)."""
    floor = stub_floor(limit)
    start, end = last[0][0], last[-1][1]
    best: tuple[int, int, int] | None = None
    for middle in range(start + 1, end):
        if levels[middle - 1] == INSIDE:
            continue
        first, second = count(part(start, middle)), count(part(middle, end))
        if first > limit or second > limit or min(first, second) < floor:
            continue
        score = (min(levels[middle - 1], SENTENCE), -abs(first - second), middle)
        if best is None or score > best:
            best = score
    if best is None:
        return last
    return [(start, best[2]), (best[2], end)]


@functools.lru_cache(maxsize=64)
def restated(title: str, summary: str) -> str:
    """Which of the two restates the other: "summary" when it says no more than the title
    (the same words, or the title's start), "title" when the summary starts with the
    title's words and goes on; else ""."""
    plain_title = _plain(title)
    if not plain_title or not summary:
        return ""
    plain_summary = _plain(summary[:len(title) * 2 + 16])
    if not plain_summary:
        return ""
    if plain_title.startswith(plain_summary) and len(_plain(summary)) <= len(plain_title):
        return "summary"
    if plain_summary.startswith(plain_title + " ") or plain_summary == plain_title:
        return "title"
    return ""


_WORDS = regex.compile(r"[\p{L}\p{N}\p{M}]+")


# In ASCII text those are the letters and digits, which the standard library's engine
# finds several times faster (every article's title and summary are compared).
_ASCII_WORDS = re.compile(r"[A-Za-z0-9]+")


def _plain(text: str) -> str:
    words = _ASCII_WORDS if text.isascii() else _WORDS
    return " ".join(words.findall(text.casefold()))
