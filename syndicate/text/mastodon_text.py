"""Mastodon's status length rule, as its StatusLengthValidator counts against
max_characters: the grapheme clusters of the content warning plus the text, where every
URL its Extractor would autolink counts as `characters_reserved_per_url` (23) and a
remote mention `@user@domain` counts as `@user`.

The URLs are those twitter-text's extractor finds with a scheme (text.twitter_text); the
mentions are Account::MENTION_RE's, followed by twitter-text's end_mention_match check, as
Mastodon's Extractor does. Entities that overlap an earlier one are dropped. Ruby cannot
run here, so tests/test_oracles.py checks it against the same rule written in JavaScript
(tests/oracles/helper.mjs) and tests/test_conformance.py against the validator's cases.
Other Mastodon-API servers count otherwise: the platform (platforms.mastodon) decides.
"""

from __future__ import annotations

import unicodedata
from html.parser import HTMLParser

import regex

from syndicate.text.chunked import ChunkedCount, add_ints, pieces
from syndicate.text.graphemes import count_graphemes
from syndicate.text.twitter_text import find_urls

# A remote mention's domain longer than this is not a mention (counted as typed).
MAX_DOMAIN_LENGTH = 253
# Account::MENTION_RE: an ASCII username, then maybe @ and a domain of word characters
# (Ruby's [[:word:]]: letters, marks, digits, connector punctuation).
# The username's [a-z0-9_] is case-insensitive by simple case folding, as the reference's
# /iu is: the Kelvin sign and the long s fold into it, the dotted İ (full folding) does not.
_WORD = r"\p{L}\p{M}\p{Nd}\p{Pc}"
_USER = r"[a-zA-Z0-9_\u017f\u212a]"
_MENTION = regex.compile(
    rf"(?<![=/{_WORD}])@((?P<user>{_USER}+(?:[.-]+{_USER}+)*)"
    rf"(?:@(?P<domain>[{_WORD}]+(?:[.-]+[{_WORD}]+)*))?)")
# twitter-text's end_mention_match: a mention followed by these is not one.
_END_MENTION = regex.compile(
    "[@\uff20\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0100-\u024f\u0253\u0254\u0256"
    "\u0257\u0259\u025b\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f"
    "\u1e00-\u1eff]|://")


def _mentions(text: str) -> list[tuple[int, int, str]]:
    """(start, end, what it counts as) for each mention Mastodon's extractor finds."""
    found = []
    for match in _MENTION.finditer(text):
        if _END_MENTION.match(text, match.end()):
            continue
        domain = match["domain"]
        if domain is not None and len(domain) > MAX_DOMAIN_LENGTH:
            continue
        found.append((match.start(), match.end(), f"@{match['user']}"))
    return found


def countable_text(text: str, url_length: int = 23) -> str:
    """The text Mastodon measures: linked URLs as url_length characters, mentions local.

    URLs are those twitter-text's extractor finds with a scheme; entities that overlap
    an earlier one are dropped, as Mastodon's Extractor drops them."""
    entities: list[tuple[int, int, str]] = []
    if "://" in text:
        entities.extend((start, end, "x" * url_length)
                        for start, end in find_urls(text, without_protocol=False))
    if "@" in text:
        entities.extend(_mentions(text))
    if not entities:
        return text
    entities.sort(key=lambda entity: entity[0])
    pieces = []
    position = 0
    for start, end, replacement in entities:
        if start < position:
            continue  # overlaps the one before
        pieces += [text[position:start], replacement]
        position = end
    return "".join(pieces) + text[position:]


def mastodon_length(text: str, spoiler_text: str = "", url_length: int = 23) -> int:
    """The length Mastodon's status validator counts against max_characters."""
    counter = _length_in_pieces.get(url_length)
    if counter is None:
        counter = _length_in_pieces[url_length] = ChunkedCount(
            lambda piece: count_graphemes(countable_text(piece, url_length)), add_ints)
    if not spoiler_text:
        return counter(text)
    # The warning and the text's first piece are counted together: a cluster may span them.
    head = pieces(text)[0]
    rest = text[len(head):]
    return count_graphemes(spoiler_text + countable_text(head, url_length)) + \
        (counter(rest) if rest else 0)


# Mastodon's length of texts in pieces, by the length a URL counts as.
_length_in_pieces: dict[int, ChunkedCount[int]] = {}


# --- a stored status back to the text that was posted (find_posted compares them) ---

# A remote mention as a stored status shows it (find_posted compares with @user).
_REMOTE_MENTION = regex.compile(
    r"(?<![/\w])@(?P<user>\w+(?:[\w.-]*\w)?)@(?P<domain>[\w.-]*\w)", regex.IGNORECASE)


class _PlainText(HTMLParser):
    """A status's HTML content as the text that was posted: Mastodon wraps paragraphs in
    <p>, turns line breaks into <br>, and links into <a> with the hidden part of a long
    URL in invisible spans; every character of the text is still there, escaped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.paragraphs = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.pieces.append("\n")
        elif tag == "p":
            if self.paragraphs:
                self.pieces.append("\n\n")
            self.paragraphs += 1

    def handle_data(self, data: str) -> None:
        self.pieces.append(data)


def status_plain_text(content: str) -> str:
    """The text of a status from its HTML content."""
    parser = _PlainText()
    parser.feed(content)
    parser.close()
    return "".join(parser.pieces)


def comparable_status_text(text: str) -> str:
    """Text as compared after the server's rendering: NFC, remote mentions as Mastodon
    shows them (@user), no trailing spaces on a line, none around the whole."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n"))
    text = _REMOTE_MENTION.sub(lambda m: f"@{m['user']}", text)
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()
