"""Terminal output: tables that line up with CJK and emoji, and draft previews."""

from __future__ import annotations

import os
import sys
import unicodedata
from collections.abc import Callable, Sequence

import click

from syndicate.draft import Draft
from syndicate.fitting import ELLIPSIS
from syndicate.text import graphemes, is_simple


def _cluster_width(cluster: str) -> int:
    if cluster.isascii():
        return 1
    first = cluster[0]
    if unicodedata.category(first) in ("Mn", "Me", "Cf"):
        return 0
    wide = unicodedata.east_asian_width(first) in ("W", "F") or (len(cluster) > 1 and (
        "\u200d" in cluster or "\ufe0f" in cluster))
    return 2 if wide else 1


def display_width(text: str) -> int:
    """Columns text takes in a terminal: wide for CJK and emoji, zero for marks."""
    return sum(_cluster_width(cluster) for cluster in graphemes(text))


def clip(text: str, width: int) -> str:
    """text cut to width columns, with an ellipsis when cut."""
    if len(text) <= width and text.isascii():
        return text
    if len(text) > width and text[:width].isascii():  # one column a character
        return text[:width - 1] + "…"
    # Only the start can be shown: look no further than a generous prefix.
    head = text[:width * 4 + 8]
    # Each code point its own cluster (most text): no need for the grapheme rules.
    clusters = list(head) if is_simple(head) else graphemes(head)
    kept: list[tuple[str, int]] = []
    used = 0
    for cluster in clusters:
        columns = _cluster_width(cluster)
        if used + columns > width:
            # The ellipsis takes a column: drop clusters until it fits.
            room = width - 1 - used
            while kept and room < 0:
                room += kept.pop()[1]
            return "".join(cluster for cluster, _ in kept) + "…"
        kept.append((cluster, columns))
        used += columns
    if len(head) < len(text):  # all zero-width marks, say: cut there anyway
        return head + "…"
    return text


def table(headers: Sequence[str], rows: Sequence[Sequence[str]],
          max_widths: dict[int, int] | None = None) -> str:
    """A plain aligned table; columns listed in max_widths are clipped."""
    max_widths = max_widths or {}
    cells = [[clip(str(c), max_widths.get(i, 10_000)) for i, c in enumerate(row)]
             for row in rows]
    widths = [max([display_width(h)] + [display_width(r[i]) for r in cells])
              for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        padded = [v + " " * (widths[i] - display_width(v)) for i, v in enumerate(values)]
        return "  ".join(padded).rstrip()

    out = [click.style(line(headers), bold=True)]
    out.extend(line(row) for row in cells)
    return "\n".join(out)


def style(text: str, **styles: object) -> str:
    """click.style when the output is a colour terminal; the plain text otherwise."""
    return click.style(text, **styles) if COLOUR else text  # type: ignore[arg-type]


# Decided once: styling thousands of drafts only for click to strip it again is slow.
COLOUR = sys.stdout.isatty() and os.environ.get("NO_COLOR", "") == ""


def length_badge(length: int, limit: int) -> str:
    text = f"{length}/{limit}"
    if length > limit:
        return style(text, fg="red", bold=True)
    if length > 0.9 * limit:
        return style(text, fg="yellow")
    return style(text, fg="green")


STATE_COLOURS = {"new": "cyan", "posted": "green", "skipped": "bright_black",
                 "pending": "yellow", "failed": "red", "attention": "red"}


def state_badge(state: str) -> str:
    return style(state, fg=STATE_COLOURS.get(state.split(",")[0]))


def draft_block(draft: Draft, state: str) -> str:
    """One draft as it will go out: header line, then each part's exact text."""
    lines = []
    cut = any("cut at a word" in note for note in draft.shortened)
    for number, part in enumerate(draft.parts, start=1):
        label = f"{draft.platform}" + (f" {number}/{len(draft.parts)}"
                                       if len(draft.parts) > 1 else "")
        fits = "" if part.length <= draft.limit else style("  does not fit", fg="red")
        lines.append(f"  {style(label, bold=True)}  "
                     f"{length_badge(part.length, draft.limit)}  {state_badge(state)}{fits}")
        text = part.text
        if cut and number == 1 and COLOUR and ELLIPSIS in text:
            # Mark the cut: the ellipsis fitting added, reversed.
            at = text.rindex(ELLIPSIS)
            text = text[:at] + style(ELLIPSIS, reverse=True, fg="yellow") + text[at + 1:]
        lines.extend(f"  │ {text_line}" for text_line in text.split("\n"))
    if draft.shortened:
        lines.append(style(f"  ✂ shortened to fit: {'; '.join(draft.shortened)}",
                           fg="bright_black"))
    for problem in draft.problems:
        lines.append(style(f"  ✗ {problem}", fg="red"))
    for warning in draft.warnings:
        lines.append(style(f"  ! {warning}", fg="yellow"))
    return "\n".join(lines)


def card_line(card: dict[str, str] | None, checks: list[dict[str, str]]) -> str | None:
    """The article's link card in one line: title, description, image and its alt; then
    what is wrong with its image."""
    if not card:
        return None
    line = f"card: {clip(card.get('title', ''), 70)}"
    if card.get("description"):
        line += f" — {clip(card['description'], 80)}"
    if card.get("image"):
        alt = card.get("image_alt") or style("no alt text", fg="yellow")
        line += f"\n      image {card['image']} (alt: {alt})"
    for check in checks:
        line += "\n" + style(f"! {check['message']}", fg="yellow")
    return line


def preview_blocks(drafts: Sequence[Draft], state_of: Callable[[Draft], str]) -> list[str]:
    """Drafts as the terminal shows them: each article's title, key, date, address and
    card once, then each of its drafts."""
    blocks = []
    current = None
    for draft in drafts:
        if draft.article != current:
            current = draft.article
            blocks.append("\n" + style(draft.title, bold=True, underline=True)
                          + f"\n{draft.article} · {draft.date[:10]} · {draft.url}")
            card = card_line(draft.card, draft.checks)
            if card:
                blocks.append(card)
        blocks.append(draft_block(draft, state_of(draft)))
    return blocks
