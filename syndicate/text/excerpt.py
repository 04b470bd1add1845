"""Plain-text excerpts from article HTML: prose only, never code, tables or markup.

One parser makes every excerpt (titles, summaries, the first paragraph), and it never
quotes what a reader of the page does not see: HTML comments (an editor's note,
embargoed figures), `<script>`, `<style>`, `<template>`, `<noscript>`, and elements
hidden with the `hidden` attribute, `aria-hidden="true"` or an inline `display: none` /
`visibility: hidden` style.

A link keeps its address: "Read <a href="https://example.org/spec">the spec</a>" reads
"Read the spec (https://example.org/spec)", since a status update has no markup to carry
it. Only absolute http(s) addresses are kept, and only when the link's text is not
already the address; relative links (the site's own pages, on a local build) and
anchors are left out.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Elements whose text is never prose worth quoting in a status update, or is not shown.
_SKIPPED = {"pre", "code", "table", "script", "style", "template", "noscript", "figure",
            "figcaption", "h1", "h2", "h3", "h4", "h5", "h6", "nav", "aside", "math", "svg",
            "iframe", "button", "object", "select", "textarea", "head", "title"}
_BLOCKS = {"p", "li", "blockquote", "div", "section", "dd", "dt", "br", "tr", "td", "th"}
# Elements that have no end tag: they never open a region to skip.
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
         "source", "track", "wbr"}
_WHITESPACE = re.compile(r"\s+")
_SPACE = re.compile(r"\s")
_HIDING_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


def _kept_address(attrs: list[tuple[str, str | None]]) -> str | None:
    """A link's href when it is an absolute http(s) address with no space in it."""
    href = (dict(attrs).get("href") or "").strip()
    if href.lower().startswith(("http://", "https://")) and not _SPACE.search(href):
        return href
    return None


def _bare(address: str) -> str:
    """An address without scheme, "www." or a trailing slash: "example.org/spec"."""
    bare = re.sub(r"^[a-z]+://(www\.)?", "", address.strip().lower())
    return bare.rstrip("/")


def _is_hidden(attrs: list[tuple[str, str | None]]) -> bool:
    for name, value in attrs:
        if name == "hidden":
            return True
        if name == "aria-hidden" and (value or "").strip().lower() == "true":
            return True
        if name == "style" and value and _HIDING_STYLE.search(value):
            return True
    return False


class _TextCollector(HTMLParser):
    """Blocks of visible prose, each marked as a paragraph (<p>) or not."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, bool]] = []
        self.current: list[str] = []
        # The outermost element being skipped, and how deep inside same-named elements.
        self.skipping: str | None = None
        self.depth = 0
        self.inline_code = 0
        self.in_paragraph = False
        # Open links: (address worth keeping or None, where their text starts in current).
        self.links: list[tuple[str | None, int]] = []

    def _flush(self) -> None:
        if self.in_paragraph:
            self.current.append(" ")  # a line break inside a paragraph is a space
            return
        self._end_block(False)

    def _end_block(self, paragraph: bool) -> None:
        text = _WHITESPACE.sub(" ", "".join(self.current)).strip()
        if text:
            self.blocks.append((text, paragraph))
        self.current = []
        # A link open across blocks (rare, and odd) keeps no address: its text has gone.
        self.links = [(None, 0) for _ in self.links]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skipping is not None:
            if tag == self.skipping:
                self.depth += 1
            return
        if tag in _VOID:
            if tag == "br":
                self._flush()
            return
        if tag == "code" and not _is_hidden(attrs):
            self.inline_code += 1  # inline code inside a paragraph reads as words
            return
        if tag in _SKIPPED or _is_hidden(attrs):
            self._flush()
            self.skipping, self.depth = tag, 1
            return
        if tag == "a":
            self.links.append((_kept_address(attrs), len(self.current)))
            return
        if tag == "p":
            self._end_block(self.in_paragraph)
            self.in_paragraph = True
        elif tag in _BLOCKS:
            self._flush()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skipping is None and tag == "br":
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if self.skipping is not None:
            if tag == self.skipping:
                self.depth -= 1
                if self.depth == 0:
                    self.skipping = None
                    self._flush()
            return
        if tag == "code" and self.inline_code:
            self.inline_code -= 1
            return
        if tag == "a":
            if self.links:
                self._end_link(*self.links.pop())
            return
        if tag == "p" and self.in_paragraph:
            self._end_block(True)
            self.in_paragraph = False
        elif tag in _BLOCKS:
            self._flush()

    def _end_link(self, address: str | None, start: int) -> None:
        if address is None:
            return
        text = " ".join("".join(self.current[start:]).split())
        if text and _bare(text) != _bare(address):
            self.current.append(f" ({address})")

    def handle_data(self, data: str) -> None:
        if self.skipping is None:
            self.current.append(data)

    def close(self) -> None:
        super().close()
        self._end_block(self.in_paragraph)
        self.in_paragraph = False


def prose_blocks(html: str) -> list[str]:
    """The article's visible prose as plain-text blocks, in order, entities decoded."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return [text for text, _ in collector.blocks]


def plain_text(html: str) -> str:
    """All visible prose of an HTML fragment as one line of plain text."""
    if "<" not in html and "&" not in html:
        return " ".join(html.split())  # already plain: most titles and many summaries
    return " ".join(prose_blocks(html))


# The HTML is parsed this many characters at a time, stopping once a paragraph of prose
# is found: a long article costs about what a short one does.
_CHUNK = 4096


def first_prose(html: str, minimum_words: int = 8) -> str:
    """The first real paragraph: skips captions, one-word lines, code and hidden text."""

    def is_prose(block: str) -> bool:
        return len(block.split()) >= minimum_words or len(block) >= 40

    collector = _TextCollector()
    seen = 0
    for start in range(0, len(html), _CHUNK):
        collector.feed(html[start:start + _CHUNK])
        for text, paragraph in collector.blocks[seen:]:
            if paragraph and is_prose(text):
                return text
        seen = len(collector.blocks)
    collector.close()
    blocks = collector.blocks
    found = next((text for text, paragraph in blocks if paragraph and is_prose(text)), None)
    if found is not None:
        return found
    first = next((text for text, paragraph in blocks if paragraph), "")
    if first:
        return first
    texts = [text for text, _ in blocks]
    return next((b for b in texts if is_prose(b)), texts[0] if texts else "")
