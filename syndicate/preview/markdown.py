"""The preview as Markdown, for a GitHub job summary or a pull-request comment.

Each part's exact text goes in a fence longer than any run of tildes in it, so nothing
an author writes can end the block early or be read as Markdown.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from syndicate.draft import Draft
from syndicate.platforms import PLATFORM_CLASSES

_TILDES = re.compile(r"~{3,}")
_BACKTICKS = re.compile(r"`+")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


def escape(text: str) -> str:
    """text shown literally in Markdown (titles, card descriptions)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text.replace("\n", " "))


def code(text: str) -> str:
    """text as an inline code span no backtick in it can end (article keys, file names)."""
    text = " ".join(text.splitlines())
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * (longest + 1)
    padding = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{padding}{text}{padding}{fence}"


_UNSAFE_IN_TARGET = re.compile(r"[<>\\ \x00-\x1f]")


def link_target(url: str) -> str:
    """url as a Markdown link destination that cannot end early or open markup."""
    return f"<{_UNSAFE_IN_TARGET.sub(lambda found: f'%{ord(found.group()):02X}', url)}>"


def fenced(text: str) -> str:
    if "~~~" not in text:
        return f"~~~text\n{text}\n~~~"
    longest = max((len(m.group()) for m in _TILDES.finditer(text)), default=2)
    fence = "~" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def _clip(text: str, most: int) -> str:
    if len(text) <= most:
        return text
    return text[:most].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _count(length: int, limit: int) -> str:
    if length > limit:
        return f"**{length}/{limit} ✗ over**"
    return f"{length}/{limit}" + (" ⚠ close" if length > 0.9 * limit else "")


def markdown_lines(drafts: Sequence[Draft], state_of: Callable[[Draft], str]) -> list[str]:
    """The preview's lines, each with its line break, to be written one after the other
    (see preview.html.html_page)."""
    states = [state_of(draft) for draft in drafts]  # each asked once: it reads the ledger
    new = states.count("new")
    articles = len({d.article for d in drafts})
    unfit = sum(not d.fits for d in drafts)
    lines = [f"## Status updates: {len(drafts)} draft{'s' * (len(drafts) != 1)} for "
             f"{articles} article{'s' * (articles != 1)}, {new} new"
             + (f", **{unfit} do not fit**" if unfit else "")]
    current = None
    for draft, state in zip(drafts, states, strict=True):
        if draft.article != current:
            current = draft.article
            lines += ["", f"### [{escape(draft.title)}]({link_target(draft.url)})",
                      f"{code(draft.article)} · {draft.date[:10]}"]
            card = draft.card
            if card:
                line = f"Card: **{escape(card.get('title', ''))}**"
                if card.get("description"):
                    line += f" — {escape(_clip(card['description'], 200))}"
                if card.get("image"):
                    alt = card.get("image_alt")
                    line += f" · image {code(card['image'])} " + (
                        f"(alt: {escape(alt)})" if alt else "(**no alt text**)")
                lines.append(line)
            lines += [f"⚠ {escape(check['message'])}" for check in draft.checks]
        label = PLATFORM_CLASSES[draft.platform].label
        warning = str(draft.extras.get("spoiler_text") or "")
        for number, part in enumerate(draft.parts, start=1):
            which = f" {number}/{len(draft.parts)}" if len(draft.parts) > 1 else ""
            lines += ["", f"**{label}{which}** · {_count(part.length, draft.limit)} · "
                          f"{escape(state)}"]
            if warning:
                lines.append(f"**CW:** {escape(warning)} (content warning: the text is "
                             "behind it)")
            lines.append(fenced(part.text))
        if draft.shortened:
            lines.append(f"✂ shortened to fit: {escape('; '.join(draft.shortened))}")
        lines += [f"❌ {escape(problem)}" for problem in draft.problems]
        lines += [f"⚠ {escape(warning)}" for warning in draft.warnings]
    return [f"{line}\n" for line in lines]
