"""Terminal output: tables that line up with CJK and emoji, and draft previews."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

import click

from syndicate.draft import Draft
from syndicate.text.graphemes import graphemes, is_simple

# The ellipsis fitting ends a cut with: syndicate.text.fitting's, written here so that
# showing drafts does not compile fitting's patterns at start-up (tests/test_display.py
# checks the two agree).
ELLIPSIS = "…"


def display_width(text: str) -> int:
    """Columns text takes in a terminal: wide for CJK and emoji, zero for marks.

    The widths are wcwidth's, the table terminals are measured against: East Asian wide
    and fullwidth characters, emoji (ZWJ sequences, flags, skin tones, VS16) as two
    columns, combining and other zero-width marks as none. Escape sequences take no
    column; a tab counts to its stop as if the text started a line.
    """
    import wcwidth  # here: its tables take a sixth of the start-up of every command

    return wcwidth.width(text)


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
        columns = display_width(cluster)
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


def terminal_columns() -> int | None:
    """The terminal's width (COLUMNS when set); None when the output is not a terminal:
    a pipe or a file gets every line whole."""
    columns = shutil.get_terminal_size(fallback=(0, 0)).columns
    return columns if columns > 0 else None


def wrap_cell(text: str, width: int) -> list[str]:
    """text in lines of at most width columns: broken at spaces, and a word longer than
    a line (a URL) at any character. Nothing is dropped but the spaces lines break at."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if display_width(candidate) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            line = ""
            for cluster in graphemes(word):
                if line and display_width(line + cluster) > width:
                    lines.append(line)
                    line = ""
                line += cluster
        lines.append(line)
    return lines


# A column is not made narrower than this to fit the terminal (nor than its header).
NARROWEST = 12


def _fitted_widths(natural: list[int], floors: list[int], room: int | None) -> list[int]:
    """Column widths: each its natural width, the widest narrowed first until the row
    fits in room columns (never below its floor)."""
    widths = list(natural)
    if room is None:
        return widths
    excess = sum(widths) + 2 * (len(widths) - 1) - room
    while excess > 0:
        shrinkable = [i for i, w in enumerate(widths) if w > floors[i]]
        if not shrinkable:
            break  # as narrow as it gets: the terminal wraps what is left
        widest = max(shrinkable, key=lambda i: widths[i])
        widths[widest] -= 1
        excess -= 1
    return widths


def table(headers: Sequence[str], rows: Sequence[Sequence[str]],
          max_widths: dict[int, int] | None = None, columns: int | None = None) -> str:
    """A plain aligned table that fits the terminal (or columns): a long cell wraps onto
    continuation lines, never cut. max_widths: columns that wrap beyond that width even
    when there is room. A styled cell (a coloured badge) is never wrapped."""
    max_widths = max_widths or {}
    room = columns if columns is not None else terminal_columns()
    cells = [[str(c) for c in row] for row in rows]
    plain = [[click.unstyle(c) for c in row] for row in cells]

    def natural(i: int) -> int:
        longest = max([display_width(headers[i])] + [
            max(display_width(line) for line in row[i].split("\n")) for row in plain])
        return min(longest, max(max_widths.get(i, longest), display_width(headers[i])))

    def floor(i: int) -> int:
        styled = [display_width(p[i]) for p, c in zip(plain, cells, strict=True)
                  if p[i] != c[i]]
        return max([display_width(headers[i]), min(NARROWEST, natural(i)), *styled])

    count = len(headers)
    widths = _fitted_widths([natural(i) for i in range(count)],
                            [floor(i) for i in range(count)], room)

    def line(values: Sequence[str], shown: Sequence[str]) -> str:
        padded = [v + " " * (widths[i] - display_width(shown[i]))
                  for i, v in enumerate(values)]
        return "  ".join(padded).rstrip()

    out = [click.style(line(headers, headers), bold=True)]
    for row, shown in zip(cells, plain, strict=True):
        wrapped = [[cell] if cell != shown[i] else wrap_cell(cell, widths[i])
                   for i, cell in enumerate(row)]
        for n in range(max(len(lines) for lines in wrapped)):
            values = [lines[n] if n < len(lines) else "" for lines in wrapped]
            out.append(line(values, [click.unstyle(v) for v in values]))
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


# What `post` does to a posted draft whose text changed since, by its on_edit setting.
ON_EDIT_EFFECTS = {
    "ignore": "on_edit ignore: the post stays as it was",
    "edit": "on_edit edit: `post` edits it in place",
    "repost": "on_edit repost: `post` deletes it and posts the new text",
}


def edited_state(on_edit: str) -> str:
    """The state of a posted draft whose text changed since it was posted."""
    return f"posted, edited since ({ON_EDIT_EFFECTS.get(on_edit, f'on_edit {on_edit}')})"


def state_badge(state: str) -> str:
    return style(state, fg=STATE_COLOURS.get(state.split(",")[0]))


def content_warning(draft: Draft) -> str:
    """The draft's content warning (Mastodon's spoiler text) on one line, or ""."""
    return " ".join(str(draft.extras.get("spoiler_text") or "").split())


def draft_block(draft: Draft, state: str) -> str:
    """One draft as it will go out: header line, then each part's exact text (behind its
    content warning, if it has one)."""
    lines = []
    warning = content_warning(draft)
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
        if warning:
            lines.append(f"  {style('CW', fg='yellow', bold=True)} {warning} "
                         + style("(content warning: the text is behind it)",
                                 fg="bright_black"))
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


def preview_parts(drafts: list[Draft], state_of: Callable[[Draft], str], hidden: int
                  ) -> list[str]:
    """The drafts as blocks for a terminal, a count, and how many articles are hidden: in
    pieces, to be written one after the other (see preview.html.html_page)."""
    blocks = preview_blocks(drafts, state_of)
    unfit = sum(not d.fits for d in drafts)
    articles = len({d.article for d in drafts})
    blocks.append(f"\n{len(drafts)} draft{'s' * (len(drafts) != 1)} for {articles} "
                  f"article{'s' * (articles != 1)}"
                  + (style(f", {unfit} do not fit", fg="red") if unfit else "") + ".")
    if hidden:
        blocks.append(f"{hidden} more article{'s are' if hidden != 1 else ' is'} posted or "
                      "skipped everywhere and unchanged since: --all shows "
                      f"{'them' if hidden != 1 else 'it'} too.")
    return [blocks[0].lstrip("\n"), *(f"\n{block}" for block in blocks[1:])]


class Finding(Protocol):
    """What doctor found about a platform (publish.doctor.Finding)."""

    @property
    def platform(self) -> str: ...
    @property
    def ok(self) -> bool: ...
    @property
    def text(self) -> str: ...


class Readiness(Protocol):
    """Whether a platform can post (publish.readiness.Readiness)."""

    @property
    def platform(self) -> str: ...
    @property
    def ready(self) -> bool: ...
    def why(self) -> str: ...


def readiness_table(found: Iterable[Readiness]) -> str:
    """`check`'s table: whether each platform is ready to post, and what it lacks."""
    return table(["platform", "ready", "what it lacks"], [
        (f.platform, style("yes", fg="green") if f.ready else style("no", fg="yellow"),
         f.why()) for f in found])


def findings_table(findings: Iterable[Finding]) -> str:
    """`doctor`'s table: each finding, ok or a problem."""
    return table(["platform", "", "finding"], [
        (f.platform, style("ok", fg="green") if f.ok else style("problem", fg="red"), f.text)
        for f in findings])


def all_ok(findings: Iterable[Finding]) -> bool:
    return all(finding.ok for finding in findings)


def status_table(rows: Sequence[dict[str, Any]], where_why: Callable[[dict[str, Any]], str]
                 ) -> str:
    """`status`'s table; long links and reasons wrap to the terminal's width, whole."""
    return table(["ARTICLE", "PLATFORM", "STATE", "WHERE / WHY", "UPDATED"], [
        [r["article"], r["platform"],
         state_badge("posted, edited since" if r.get("edited_since") else r["state"]),
         where_why(r), r.get("updated_at") or ""] for r in rows])
