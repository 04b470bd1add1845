"""The ledger: where each article went, per platform, committed to the repo.

Keyed by a stable article key (its source path, unless pinned with `Syndicate_Key`), so
a changed title or slug never re-posts. Every change is written atomically before the
next remote call: "pending" before, "posted" after. A ledger that does not read back as
a valid ledger is refused, never overwritten.

Here: the Ledger (reading, typed and as the file's dicts, and writing under its lock),
and the lock a run holds. The file's format, its validation and its text are in
`syndicate.ledger_format`.
"""

from __future__ import annotations

import fcntl
import functools
import json
import os
import sys
import threading
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from syndicate.draft import PostedPart
from syndicate.errors import LedgerError
from syndicate.files import DuplicateKey, refuse_duplicate_keys, write_atomically
from syndicate.ledger_format import (
    DONE_STATES,
    FIX,
    VERSION,
    EntryRecord,
    PartState,
    State,
    is_web_address,
    ledger_text,
    line_of,
    url_path,
    validation_problem,
)


def _serialized(method: Callable[..., None]) -> Callable[..., None]:
    @functools.wraps(method)
    def locked(self: Ledger, *args: Any, **kwargs: Any) -> None:
        with self.lock:
            method(self, *args, **kwargs)

    return locked


def fresh_copy(value: Any) -> Any:
    """A string as a new object: keeping one string of a parsed file would keep the
    memory the whole parse took (its allocator's arenas) from being given back."""
    return value.encode("utf-8").decode("utf-8") if isinstance(value, str) else value


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Ledger:
    def __init__(self, path: Path, data: dict[str, Any] | None = None) -> None:
        self.path = path
        self.data: dict[str, Any] = data or {"version": VERSION, "articles": {}}
        # Platforms post concurrently: one change (and its save) at a time.
        self.lock = threading.RLock()
        self.read_only = False  # see load_for_build

    @classmethod
    def load(cls, path: Path, platforms: Collection[str] | None = None) -> Ledger:
        """Read and validate the ledger; a missing file is an empty ledger. platforms: the
        names an entry may have (the ledger knows no platform: the commands pass the
        registered ones; None accepts any name)."""
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls(path)
        except OSError as error:
            raise LedgerError(str(path), f"cannot be read ({error.strerror})",
                              "check the file's permissions") from None
        try:
            data = json.loads(text, object_pairs_hook=refuse_duplicate_keys)
        except json.JSONDecodeError as error:
            raise LedgerError(f"{path}:{error.lineno}", f"not valid JSON ({error.msg})",
                              FIX.format(path=path)) from None
        except DuplicateKey as duplicate:
            line = line_of(text, duplicate.key, occurrence=2)
            raise LedgerError(f"{path}:{line}", f"not a valid ledger: {duplicate.key!r} "
                              "appears twice in one object (a merge kept both sides?)",
                              "keep one of them by hand, or restore it from git (git checkout -- "
                              f"{path})") from None
        problem = validation_problem(data, None if platforms is None else frozenset(platforms))
        if problem:
            message, article, field = problem
            line = line_of(text, article, field=field) if article else None
            raise LedgerError(f"{path}:{line}" if line else str(path),
                              f"not a valid ledger: {message}", FIX.format(path=path))
        return cls(path, data)

    @classmethod
    def load_for_build(cls, path: Path, platforms: Collection[str] | None = None) -> Ledger:
        """The ledger as a build reads it: each entry's state, inputs and first part's
        link, and each article's address, nothing else. A large blog's ledger parsed
        whole is tens of MiB that a build would hold to its end. It cannot be saved."""
        whole = cls.load(path, platforms)
        articles: dict[str, Any] = {}
        for key, article in whole.articles.items():
            entries = {}
            for name, entry in article["platforms"].items():
                parts = entry.get("parts") or []
                slim: dict[str, Any] = {"state": sys.intern(entry["state"])}
                if "inputs" in entry:
                    slim["inputs"] = fresh_copy(entry["inputs"])
                if parts:
                    slim["parts"] = [{"state": sys.intern(parts[0]["state"]),
                                      "url": fresh_copy(parts[0].get("url"))}]
                entries[sys.intern(name)] = slim
            articles[fresh_copy(key)] = {"url": fresh_copy(article["url"]), "platforms": entries}
            if "moved_from" in article:
                articles[key]["moved_from"] = article["moved_from"]
        return cls.for_build(path, {"version": VERSION, "articles": articles})

    @classmethod
    def for_build(cls, path: Path, data: dict[str, Any]) -> Ledger:
        """The ledger of load_for_build, from its data (read by another process)."""
        ledger = cls(path, data)
        ledger.read_only = True
        return ledger

    # Reading

    @property
    def articles(self) -> dict[str, Any]:
        return self.data["articles"]  # type: ignore[no-any-return]

    def entry(self, key: str, platform: str) -> dict[str, Any] | None:
        """The entry as the file has it (a dict); record() is the same, typed."""
        article = self.articles.get(key)
        return article["platforms"].get(platform) if article else None

    def record(self, key: str, platform: str) -> EntryRecord | None:
        """The article's entry for platform, typed; None when the ledger has none."""
        entry = self.entry(key, platform)
        return EntryRecord.from_json(entry) if entry is not None else None

    def records(self) -> Iterator[tuple[str, str, EntryRecord]]:
        """(article key, platform, its entry) for every entry, in the ledger's order."""
        for key, article in self.articles.items():
            for platform, entry in article["platforms"].items():
                yield key, platform, EntryRecord.from_json(entry)

    def article_url(self, key: str) -> str | None:
        """The article's address, as last recorded."""
        article = self.articles.get(key)
        return article["url"] if article else None

    def knows(self, key: str) -> bool:
        """Whether the ledger has an entry for this article."""
        return key in self.articles

    def state(self, key: str, platform: str) -> State | None:
        entry = self.entry(key, platform)
        return entry["state"] if entry else None

    def is_done(self, key: str, platform: str) -> bool:
        return self.state(key, platform) in DONE_STATES

    def links(self, key: str, local: Collection[str] = ()) -> list[tuple[str, str]]:
        """(platform, URL of the first part) for every platform the article went to.
        local: the platforms that write files here, whose file:// addresses are theirs."""
        article = self.articles.get(key)
        if not article:
            return []
        links = []
        for platform, entry in article["platforms"].items():
            parts = entry.get("parts") or []
            url = parts[0].get("url") if parts else None
            # The address comes from a platform's answer: only a web address becomes a
            # link on the site and in its feeds (never javascript: or data:); a local
            # platform's own file:// addresses are ours.
            if entry["state"] == "posted" and url and (is_web_address(url) or (
                    platform in local and url.startswith("file:///"))):
                links.append((platform, url))
        return links

    def follow_moves(self, keys: Collection[str], url_of: Callable[[str], str]
                     ) -> list[tuple[str, str]]:
        """Carry each entry over to its article's new key, when the article moved.

        keys: every article the site has now; url_of(key): its URL. An article whose key
        the ledger does not know, but whose URL path an entry no current article claims
        has, is that entry's article: its source file moved (same URL). The entry is
        renamed in memory (`save` writes it), remembering where it came from. A new URL
        for the same source file, or the same `Syndicate_Key`, keeps its key and needs
        nothing. url_of is asked only when a move is possible (an entry without its
        article, and an article without its entry): making URLs costs the build and the
        previews. Returns (old key, new key) for each move.
        """
        current = keys if isinstance(keys, (set, frozenset, dict)) else set(keys)
        orphans: dict[str, str] = {}
        for key, article in self.articles.items():
            if key not in current and article.get("url"):
                orphans.setdefault(url_path(str(article.get("url", ""))), key)
        unknown = [key for key in keys if key not in self.articles] if orphans else []
        moves = []
        for key in unknown:
            old = orphans.pop(url_path(url_of(key)), None)
            if old is None:
                continue
            self.move(old, key)
            moves.append((old, key))
        return moves

    def move(self, old: str, key: str) -> None:
        """Rename the article's entries to its new key, remembering the old one (in
        memory: `save` writes it)."""
        with self.lock:
            article = self.articles.pop(old)
            article["moved_from"] = old
            self.articles[key] = article

    def moved_from(self, key: str) -> str | None:
        """The key the article had in the ledger before its source file moved."""
        article = self.articles.get(key)
        return article.get("moved_from") if article else None

    def posted_since(self, platform: str, since: str) -> int:
        """How many parts went to platform at or after the ISO time since."""
        return sum(1 for article in self.articles.values()
                   for part in article["platforms"].get(platform, {}).get("parts", [])
                   if part.get("state") == "posted" and part.get("posted_at", "") >= since)

    def live_since(self, key: str) -> str | None:
        """When the deployed site was first seen serving the article (ISO time)."""
        article = self.articles.get(key)
        return article.get("live_since") if article else None

    @_serialized
    def record_live(self, key: str, url: str, at: str) -> None:
        """The first time the article was seen live (kept: later sightings change nothing)."""
        article = self.articles.setdefault(key, {"url": url, "platforms": {}})
        if "live_since" not in article:
            article["live_since"] = at
            self.save()

    def webmentions(self, key: str) -> dict[str, dict[str, str]]:
        """Per target URL: the outcome of the webmention sent for the article."""
        article = self.articles.get(key) or {}
        return dict(article.get("webmentions", {}))

    def webmentions_to_retry(self) -> list[str]:
        return [key for key, article in self.articles.items()
                if any(w.get("outcome") == "failed"
                       for w in article.get("webmentions", {}).values())]

    @_serialized
    def record_webmention(self, key: str, url: str, target: str, outcome: str,
                          detail: str) -> None:
        article = self.articles.setdefault(key, {"url": url, "platforms": {}})
        article.setdefault("webmentions", {})[target] = {
            "outcome": outcome, "detail": detail, "at": _now()}
        self.save()

    def posted_parts(self) -> Iterator[tuple[str, str, list[PostedPart]]]:
        """(article key, platform, its posted parts) for every posted draft."""
        for key, article in self.articles.items():
            for platform, entry in article["platforms"].items():
                parts = [PostedPart(id=p["id"], url=p["url"]) for p in entry.get("parts", [])
                         if p.get("state") == "posted"]
                if entry["state"] == "posted" and parts:
                    yield key, platform, parts

    def posted_part(self, key: str, platform: str, index: int) -> PostedPart | None:
        """The index'th part's posted copy, when that part is posted."""
        record = self.record(key, platform)
        return record.parts[index].posted() if record and index < len(record.parts) else None

    def part_state(self, key: str, platform: str, index: int) -> PartState | None:
        entry = self.entry(key, platform)
        if not entry or index >= len(entry["parts"]):
            return None
        return entry["parts"][index]["state"]  # type: ignore[no-any-return]

    # Writing: each change is saved before the caller goes on.

    def _entry_for_update(self, key: str, url: str, platform: str) -> dict[str, Any]:
        article = self.articles.setdefault(key, {"url": url, "platforms": {}})
        article["url"] = url
        return article["platforms"].setdefault(  # type: ignore[no-any-return]
            platform, {"state": "pending", "hash": "", "parts": [], "updated_at": _now()})

    @_serialized
    def record_pending(self, key: str, url: str, platform: str, index: int,
                       text_hash: str, inputs: str = "") -> None:
        """inputs: what the draft's text is made from (Draft.inputs), kept beside its hash
        so a build can tell the article unchanged without drafting it."""
        entry = self._entry_for_update(key, url, platform)
        entry.update(state="pending", hash=text_hash, updated_at=_now())
        if inputs:
            entry["inputs"] = inputs
        entry.pop("error", None)
        parts = entry["parts"]
        while len(parts) <= index:
            parts.append({"state": "pending"})
        parts[index] = {"state": "pending", "since": _now()}
        self.save()

    @_serialized
    def record_part_posted(self, key: str, platform: str, index: int,
                           posted: PostedPart, last: bool = False) -> None:
        """A part went out; with last, the draft is posted too (in the same write)."""
        entry = self.articles[key]["platforms"][platform]
        entry["parts"][index] = {"state": "posted", "id": posted.id, "url": posted.url,
                                 "posted_at": _now()}
        entry["updated_at"] = _now()
        if last and all(part["state"] == "posted" for part in entry["parts"]):
            entry["state"] = "posted"
        self.save()

    def posted_hash(self, key: str, platform: str) -> str | None:
        """The text hash of what was posted, when it was posted."""
        entry = self.entry(key, platform)
        return entry.get("hash") if entry and entry["state"] == "posted" else None

    def posted_inputs(self, key: str, platform: str) -> str | None:
        """What the posted draft's text was made from (see record_pending), if known."""
        entry = self.entry(key, platform)
        return entry.get("inputs") if entry and entry["state"] == "posted" else None

    def record_inputs(self, key: str, platform: str, inputs: str) -> None:
        """The posted draft's text is made from inputs now (its text did not change);
        not saved: the caller saves once for all."""
        with self.lock:
            self.articles[key]["platforms"][platform]["inputs"] = inputs

    @_serialized
    def record_edited(self, key: str, platform: str, text_hash: str,
                      parts: list[PostedPart], inputs: str = "") -> None:
        entry = self.articles[key]["platforms"][platform]
        entry.update(hash=text_hash, updated_at=_now(), edited_at=_now())
        if inputs:
            entry["inputs"] = inputs
        for index, posted in enumerate(parts):
            entry["parts"][index].update(id=posted.id, url=posted.url)
        self.save()

    @_serialized
    def record_retracted(self, key: str, platform: str, why: str) -> None:
        entry = self.articles[key]["platforms"][platform]
        entry.update(state="retracted", reason=why, updated_at=_now())
        self.save()

    @_serialized
    def forget(self, key: str, platform: str) -> None:
        """Drop the platform's entry (its copies were deleted, to be posted anew)."""
        self.articles[key]["platforms"].pop(platform, None)
        self.save()

    @_serialized
    def record_posted(self, key: str, platform: str) -> None:
        entry = self.articles[key]["platforms"][platform]
        entry.update(state="posted", updated_at=_now())
        self.save()

    @_serialized
    def record_failed(self, key: str, url: str, platform: str, error: str,
                      state: str = "failed", refused_part: int | None = None) -> None:
        """The draft failed; refused_part names a part the platform definitely did not
        post (so it is no longer "pending": the next run may send it again)."""
        entry = self._entry_for_update(key, url, platform)
        entry.update(state=state, error=error, updated_at=_now())
        if refused_part is not None and refused_part < len(entry["parts"]):
            entry["parts"][refused_part] = {"state": "failed", "since": _now()}
        self.save()

    @_serialized
    def record_skipped(self, key: str, url: str, platform: str, reason: str,
                       save: bool = True) -> None:
        entry = self._entry_for_update(key, url, platform)
        entry.update(state="skipped", reason=reason, updated_at=_now())
        if save:
            self.save()

    @_serialized
    def save(self) -> None:
        if self.read_only:
            raise RuntimeError("a ledger loaded for a build is partial: it is never saved")
        write_atomically(self.path, ledger_text(self.data).encode("utf-8"))


@contextmanager
def ledger_lock(path: Path) -> Iterator[None]:
    """Hold the ledger for one run; a second run at the same time is refused."""
    lock_path = path.with_name(path.name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LedgerError(str(path), "another syndicate run is using this ledger",
                              "wait for it to finish, then run again") from None
        yield
    finally:
        os.close(handle)  # closing releases the lock, also when the process dies
