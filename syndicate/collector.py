"""Python's cycle collector, paused while much is made and nothing of it is cyclic."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """Python's cycle collector paused (then as it was) while objects are made by the
    million that reference counting frees on its own: drafts, a manifest or a ledger
    decoded, a preview formatted.

    Drafting makes short-lived dicts and lists and no reference cycles
    (tests/test_fitting.py checks). With the collector on, each of its full passes walks
    every object the process holds: Pelican's articles and their HTML, which on a large
    blog was a fifth of drafting's time; the 17 MB manifest of a never-syndicated
    3,000-article blog, a third of the time to decode it for a preview."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
