"""The manifest: what the build produced for the CLI to preview, check and post.

Written by the plugin at the end of every build, read by every `syndicate` command. It
holds drafts and the build's content errors; never a secret.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from syndicate.draft import Draft
from syndicate.errors import SettingsError
from syndicate.files import write_atomically

VERSION = 1


@dataclass
class Manifest:
    siteurl: str
    drafts: list[Draft] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    generated_at: str = ""

    def save(self, path: Path) -> None:
        write_manifest(path, self.siteurl, self.errors, [d.to_json() for d in self.drafts])


def write_manifest(path: Path, siteurl: str, errors: list[str],
                   drafts: Iterable[dict[str, Any]]) -> None:
    header = {
        "version": VERSION,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "siteurl": siteurl,
        "errors": errors,
    }

    def chunks() -> Iterator[bytes]:
        # One draft at a time: a large blog's manifest never sits in memory twice.
        yield json.dumps(header, ensure_ascii=False)[:-1].encode("utf-8")
        yield b', "drafts": ['
        for number, draft in enumerate(drafts):
            if number:
                yield b", "
            yield json.dumps(draft, ensure_ascii=False).encode("utf-8")
        yield b"]}\n"

    write_atomically(path, chunks())


def previous_drafts(path: Path) -> tuple[str | None, dict[str, dict[str, Any]]]:
    """The last build's SITEURL and drafts by fingerprint, for reuse; empty if unusable.

    A manifest with errors is never reused whole: its drafts may be incomplete.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != VERSION or data.get("errors"):
            return None, {}
        return data["siteurl"], {d["fingerprint"]: d for d in data["drafts"]
                                 if d.get("fingerprint")}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None, {}


def load_manifest(path: Path) -> Manifest:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError(str(path), "no drafts yet: the site has not been built",
                            "build it first (`syndicate build` or `pelican`) with the "
                            "syndication plugin enabled") from None
    except ValueError as error:
        raise SettingsError(str(path), f"the manifest is not valid JSON ({error})",
                            "rebuild the site to write it again") from None
    if not isinstance(data, dict) or data.get("version") != VERSION:
        raise SettingsError(str(path), "the manifest was written by another version",
                            "rebuild the site to write it again")
    return Manifest(
        siteurl=data["siteurl"],
        drafts=[Draft.from_json(item) for item in data["drafts"]],
        errors=list(data["errors"]),
        generated_at=data["generated_at"],
    )
