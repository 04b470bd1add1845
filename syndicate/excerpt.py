"""Plain-text excerpts from article HTML: prose only, never code, tables or markup."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Elements whose text is never prose worth quoting in a status update.
_SKIPPED = {"pre", "code", "table", "script", "style", "figure", "figcaption", "h1", "h2",
            "h3", "h4", "h5", "h6", "nav", "aside", "math", "svg", "iframe", "button"}
_BLOCKS = {"p", "li", "blockquote", "div", "section", "dd", "dt", "br", "tr", "td", "th"}
_WHITESPACE = re.compile(r"\s+")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.skipping = 0
        self.inline_code = 0

    def _flush(self) -> None:
        text = _WHITESPACE.sub(" ", "".join(self.current)).strip()
        if text:
            self.blocks.append(text)
        self.current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "code" and not self.skipping:
            self.inline_code += 1  # inline code inside a paragraph reads as words
            return
        if tag in _SKIPPED:
            self._flush()
            self.skipping += 1
        elif tag in _BLOCKS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag == "code" and self.inline_code:
            self.inline_code -= 1
            return
        if tag in _SKIPPED and self.skipping:
            self.skipping -= 1
            self._flush()
        elif tag in _BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.current.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def prose_blocks(html: str) -> list[str]:
    """The article's prose as plain-text blocks, in order, entities decoded."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return collector.blocks


def plain_text(html: str) -> str:
    """All prose of an HTML fragment as one line of plain text."""
    if "<" not in html and "&" not in html:
        return " ".join(html.split())  # already plain: most titles and many summaries
    return " ".join(prose_blocks(html))


_PARAGRAPH = re.compile(r"<p\b[^>]*>(.*?)</p>", re.S | re.I)


def first_prose(html: str, minimum_words: int = 8) -> str:
    """The first real paragraph: skips captions, one-word lines and code.

    Markdown puts prose in <p> elements and escapes the markup inside code blocks, so
    looking at paragraphs alone skips code, tables and headings without parsing the
    whole page (a long article costs the same as a short one).
    """

    def is_prose(block: str) -> bool:
        return len(block.split()) >= minimum_words or len(block) >= 40

    first = ""
    for match in _PARAGRAPH.finditer(html):
        text = plain_text(match.group(1))
        if is_prose(text):
            return text
        first = first or text
    if first:
        return first
    blocks = prose_blocks(html)
    return next((b for b in blocks if is_prose(b)), blocks[0] if blocks else "")
