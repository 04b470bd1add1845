"""Files: crash-safe writes (a reader sees the old file or the new one, never half of one),
and reading the JSON data files the project commits."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any


def write_atomically(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Write data (or its chunks, in order) to path through a temporary file, fsync, rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        # mkstemp makes the file private; give it the permissions any new file would get.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        with os.fdopen(handle, "wb") as stream:
            if isinstance(data, bytes):
                stream.write(data)
            else:
                stream.writelines(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    # The rename itself must survive a power cut too.
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


class DuplicateKey(ValueError):
    """A JSON object names the same key twice (what a careless merge makes)."""

    def __init__(self, key: str) -> None:
        super().__init__(f"{key!r} appears twice in one object")
        self.key = key


def refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A json object hook: a key twice in one object is an error, never silently the last
    (saving would then drop the other without a word)."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise DuplicateKey(key)
        result[key] = value
    return result


def read_json_file(path: Path, kind: str, key: str) -> dict[str, Any] | None:
    """A committed JSON data file (approvals, responses): None when there is none yet; a
    one-line error when it cannot be read or has no `key` object."""
    import json

    from syndicate.errors import LedgerError

    fix = f"restore it from git (git checkout -- {path})"
    try:
        data = json.loads(path.read_text(encoding="utf-8"),
                          object_pairs_hook=refuse_duplicate_keys)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise LedgerError(str(path), f"cannot be read as {kind} ({error})", fix) from None
    if not isinstance(data, dict) or not isinstance(data.get(key), dict):
        raise LedgerError(str(path), f"is not a {kind} file", fix)
    return data
