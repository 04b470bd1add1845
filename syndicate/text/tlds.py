"""The IANA top-level domains, to tell a bare domain (example.com) from a file name."""

from __future__ import annotations

import functools
from importlib import resources


@functools.cache
def top_level_domains() -> frozenset[str]:
    """Every TLD, lower case, in Unicode (IDN) form: "com", "jp", "پاکستان"."""
    text = resources.files("syndicate").joinpath("data/tlds.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


def is_tld(label: str) -> bool:
    return label.lower() in top_level_domains()
