"""The ledger file's format (`syndication.json`): its constants and states, typed; an
entry and a part as read (EntryRecord, PartRecord); what makes a file a valid ledger,
with the line to point at; which of its addresses may become links; and the text a
ledger is written as.

`syndicate.ledger` reads and writes the file with these; nothing here touches a file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, get_args

from syndicate.draft import PostedPart

VERSION = 1
# What the ledger records for a draft on a platform.
State = Literal["pending", "posted", "failed", "skipped", "attention", "retracted"]
# A part is "failed" when the platform definitely refused it: it can be sent again.
PartState = Literal["pending", "posted", "failed"]
WebmentionOutcome = Literal["sent", "none", "failed"]
STATES: tuple[State, ...] = get_args(State)
PART_STATES: tuple[PartState, ...] = get_args(PartState)
DONE_STATES: tuple[State, ...] = ("posted", "skipped", "retracted")
WEBMENTION_OUTCOMES: tuple[WebmentionOutcome, ...] = get_args(WebmentionOutcome)
FIX = "restore it from git (git checkout -- {path}) or correct it by hand"


# Typed records: an entry and its parts as the file has them (a field the file leaves out
# is None). Read from a valid ledger: the types hold.

@dataclass(frozen=True, slots=True)
class PartRecord:
    """One part of a draft on a platform: pending (since), posted (id, url, posted_at)
    or failed (since)."""

    state: PartState
    id: str | None = None
    url: str | None = None
    since: str | None = None
    posted_at: str | None = None

    @classmethod
    def from_json(cls, part: Mapping[str, Any]) -> PartRecord:
        return cls(state=part["state"], id=part.get("id"), url=part.get("url"),
                   since=part.get("since"), posted_at=part.get("posted_at"))

    def to_json(self) -> dict[str, Any]:
        """The part as the file has it (fields that are None left out)."""
        return _without_none({"state": self.state, "id": self.id, "url": self.url,
                              "since": self.since, "posted_at": self.posted_at})

    def posted(self) -> PostedPart | None:
        """The posted copy, when the part is posted."""
        if self.state != "posted" or self.id is None or self.url is None:
            return None
        return PostedPart(id=self.id, url=self.url)


@dataclass(frozen=True, slots=True)
class EntryRecord:
    """A draft of an article on one platform: its state, its parts in order, the hash of
    the text posted ("hash" in the file) and what that text is made from (inputs)."""

    state: State
    parts: tuple[PartRecord, ...] = ()
    text_hash: str | None = None
    inputs: str | None = None
    updated_at: str | None = None
    edited_at: str | None = None
    error: str | None = None
    reason: str | None = None

    @classmethod
    def from_json(cls, entry: Mapping[str, Any]) -> EntryRecord:
        return cls(state=entry["state"],
                   parts=tuple(PartRecord.from_json(p) for p in entry.get("parts") or ()),
                   text_hash=entry.get("hash"), inputs=entry.get("inputs"),
                   updated_at=entry.get("updated_at"), edited_at=entry.get("edited_at"),
                   error=entry.get("error"), reason=entry.get("reason"))

    def to_json(self) -> dict[str, Any]:
        """The entry as the file has it (fields that are None left out)."""
        return _without_none({
            "state": self.state, "parts": [part.to_json() for part in self.parts],
            "hash": self.text_hash, "inputs": self.inputs, "updated_at": self.updated_at,
            "edited_at": self.edited_at, "error": self.error, "reason": self.reason})

    @property
    def url(self) -> str | None:
        """The first part's address: where the draft is, once posted."""
        return self.parts[0].url if self.parts else None

    def posted_parts(self) -> list[PostedPart]:
        """The parts that are posted, in order."""
        return [posted for part in self.parts if (posted := part.posted()) is not None]


def _without_none(fields: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in fields.items() if value is not None}


# Validation: the first problem, and where it is.

def line_of(text: str, key: str, field: str | None = None, occurrence: int = 1
            ) -> int | None:
    """The line where key (an object member's name) appears for the occurrence'th time;
    with field, the first line after it naming that field."""
    quoted = json.dumps(key, ensure_ascii=False) + ":"
    lines = text.splitlines()
    seen = 0
    for number, line in enumerate(lines, start=1):
        if quoted in line or json.dumps(key) + ":" in line:
            seen += 1
            if seen == occurrence:
                if field is None:
                    return number
                named = json.dumps(field) + ":"
                for offset, later in enumerate(lines[number - 1:]):
                    if named in later:
                        return number + offset
                return number
    return None


# Problem, the article key it is in (to find its line), and the field that is wrong.
Problem = tuple[str, str | None, str | None]


def _is_time(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _optional_fields(where: str, data: Mapping[str, Any], times: tuple[str, ...],
                     texts: tuple[str, ...]) -> tuple[str, str] | None:
    """(problem, field) for the first optional field of the wrong type, or None."""
    for name in times:
        if name in data and not _is_time(data[name]):
            return f"{where}.{name} must be an ISO 8601 time, got {data[name]!r}", name
    for name in texts:
        if name in data and not isinstance(data[name], str):
            return f"{where}.{name} must be a string, got {data[name]!r}", name
    return None


def validation_problem(data: Any, platforms: frozenset[str] | None) -> Problem | None:
    """What makes data (the parsed file) not a ledger, or None. platforms: the names an
    entry may have (None: any)."""
    if not isinstance(data, dict) or data.get("version") != VERSION:
        return f'expected an object with "version": {VERSION}', None, None
    articles = data.get("articles")
    if not isinstance(articles, dict):
        return '"articles" must be an object', None, None
    for key, article in articles.items():
        problem = _article_problem(key, article, platforms)
        if problem:
            return problem
    return None


def _article_problem(key: str, article: Any, platforms: frozenset[str] | None
                     ) -> Problem | None:
    where = f"articles[{key!r}]"
    if not isinstance(article, dict) or not isinstance(article.get("platforms"), dict):
        return f'{where} must be an object with "platforms"', key, None
    if not isinstance(article.get("url"), str):
        return f"{where}.url must be a string", key, "url"
    wrong = _optional_fields(where, article, ("live_since",), ("moved_from",))
    if wrong:
        return wrong[0], key, wrong[1]
    mentions = article.get("webmentions", {})
    if not isinstance(mentions, dict):
        return f"{where}.webmentions must be an object of target URLs", key, "webmentions"
    for target, mention in mentions.items():
        if not isinstance(mention, dict) or mention.get("outcome") not in WEBMENTION_OUTCOMES:
            return (f"{where}.webmentions[{target!r}].outcome must be one of "
                    f"{', '.join(WEBMENTION_OUTCOMES)}", key, target)
        wrong = _optional_fields(f"{where}.webmentions[{target!r}]", mention, ("at",),
                                 ("detail",))
        if wrong:
            return wrong[0], key, target
    for platform, entry in article["platforms"].items():
        at = f"{where}.platforms.{platform}"
        if platforms is not None and platform not in platforms:
            return f"{at}: unknown platform {platform!r}", key, platform
        problem = entry_problem(at, entry)
        if problem:
            return problem, key, platform
    return None


def entry_problem(at: str, entry: Any) -> str | None:
    """What makes entry (at: where it is, for the message) not a ledger entry, or None."""
    if not isinstance(entry, dict) or entry.get("state") not in STATES:
        return f"{at}.state must be one of {', '.join(STATES)}"
    wrong = _optional_fields(at, entry, ("updated_at", "edited_at"),
                             ("hash", "error", "reason", "inputs"))
    if wrong:
        return wrong[0]
    parts = entry.get("parts")
    if not isinstance(parts, list):
        return f"{at}.parts must be a list"
    for number, part in enumerate(parts):
        if not isinstance(part, dict) or part.get("state") not in PART_STATES:
            return f"{at}.parts[{number}].state must be one of {', '.join(PART_STATES)}"
        if part["state"] == "posted" and not (
            isinstance(part.get("id"), str) and isinstance(part.get("url"), str)
        ):
            return f"{at}.parts[{number}] is posted but has no id and url"
        wrong = _optional_fields(f"{at}.parts[{number}]", part, ("since", "posted_at"), ())
        if wrong:
            return wrong[0]
    if entry["state"] == "posted" and any(p["state"] != "posted" for p in parts):
        return f"{at} is posted but has parts that are not"
    return None


# The addresses the file holds: which may become links, which page is which.

# An http(s) address with a plain host and nothing a theme could not print: most ledger
# addresses, recognised without urlsplit (a large blog's build checks every one).
_PLAIN_WEB_ADDRESS = re.compile(
    r"https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:[/?#][^\s\x00-\x1f\"'<>`\\]*)?", re.I)


def is_web_address(url: str) -> bool:
    """Whether url (a platform's answer) is an http(s) address a theme may print as a
    link."""
    if _PLAIN_WEB_ADDRESS.fullmatch(url):
        return True
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    # Themes may print it unescaped in an attribute: no quote or bracket may end it.
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname) \
        and _UNSAFE_IN_ATTRIBUTE.search(url) is None


# Whitespace (\s is str.isspace), control characters, quotes, brackets, backslash: one
# search instead of a test per character (a large blog's build checks every link).
_UNSAFE_IN_ATTRIBUTE = re.compile(r"[\s\x00-\x1f\"'<>`\\]")


def url_path(url: str) -> str:
    """What identifies a page whatever the site's address: its path, without index.html
    or a trailing slash."""
    from urllib.parse import urlsplit

    path = urlsplit(url).path.removesuffix("index.html").rstrip("/")
    return path or "/"


# The text: one line per article and platform.

def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _members(members: list[str], indent: str) -> list[str]:
    """Object members, one per line, comma-separated."""
    return [f"{indent}{member}{',' if n < len(members) - 1 else ''}"
            for n, member in enumerate(members)]


def ledger_text(data: Mapping[str, Any]) -> str:
    """The ledger as JSON with one line per article and platform.

    Git shows a post as the one line that changed. And it is fast: Python's JSON encoder
    is written in C only for compact output, and the ledger is saved twice per post.
    """
    articles = []
    for key, article in sorted(data["articles"].items()):
        platforms = [f"{_compact(name)}: {_compact(entry)}"
                     for name, entry in sorted(article.get("platforms", {}).items())]
        members = ['"platforms": {\n' + "\n".join(_members(platforms, " " * 8))
                   + "\n      }" if platforms else '"platforms": {}']
        members += [f"{_compact(name)}: {_compact(value)}"
                    for name, value in sorted(article.items()) if name != "platforms"]
        articles.append(f"{_compact(key)}: {{\n" + "\n".join(_members(members, " " * 6))
                        + "\n    }")
    top = ['"articles": {\n' + "\n".join(_members(articles, " " * 4)) + "\n  }"
           if articles else '"articles": {}']
    top += [f"{_compact(name)}: {_compact(value)}"
            for name, value in sorted(data.items()) if name != "articles"]
    return "{\n" + "\n".join(_members(top, "  ")) + "\n}\n"
