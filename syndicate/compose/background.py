"""Work done in a forked child while the parent goes on, on a second core: the build
reads the ledger while Pelican reads the sources (compose.build_ledger) and makes its
drafts while Pelican writes the site (compose.pelican_build), so a cold build takes about
as long as one without the plugin; `preview --all` drafts half of the done articles.

Only where it is safe and pays: Linux (macOS's system libraries are not fork-safe) with
more than one usable CPU. Elsewhere start() returns None and the caller does the work
itself; so does it when the child fails, is killed, or stops making progress.

Pelican's command line runs the build under a spinner whose thread redraws the terminal,
so the child is forked while another thread runs. A fork copies only the calling thread,
with any lock the others held at that moment still held. The child therefore touches
nothing another thread uses: it writes only to its own temporary files, its
sys.stdout and sys.stderr are /dev/null (the spinner may hold the real ones' locks), and
logging is off (CPython re-creates logging's locks in a forked child). It never returns
into the parent's code: it leaves with os._exit, running no cleanup and flushing none of
the parent's buffers.
"""

from __future__ import annotations

import logging
import marshal
import os
import signal
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from typing import IO, Any

# A child that shows no progress for this long is stuck: it is killed and the parent does
# the work itself (no article takes a second to draft).
STALLED_AFTER_SECONDS = 60.0

# Children not yet waited for (a build that failed before asking for its result): reaped
# when the next one starts, so `pelican --autoreload` leaves no zombies behind.
_unfinished: list[ForkedWork] = []


def can_fork() -> bool:
    """Whether a forked child can do work here, safely and in parallel."""
    if sys.platform != "linux" or not hasattr(os, "fork"):
        return False
    return len(os.sched_getaffinity(0)) > 1


def _run_in_child(work: Callable[[], Any], result_file: IO[bytes]) -> None:
    status = 1
    try:
        sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 (the process ends)
        logging.disable(logging.CRITICAL)
        result_file.write(marshal.dumps(work()))
        result_file.flush()
        status = 0
    except BaseException:  # whatever it is, the parent does the work again
        pass
    finally:
        os._exit(status)


class ForkedWork:
    """One piece of work running in a forked child; result() waits for what it returned."""

    def __init__(self, pid: int, result_file: IO[bytes], progress: Callable[[], int]) -> None:
        self.pid = pid
        self.result_file = result_file
        self.progress = progress
        self.finished = False

    @classmethod
    def start(cls, work: Callable[[], Any], progress: Callable[[], int] = lambda: 0
              ) -> ForkedWork | None:
        """Run work() in a child; None when this machine cannot (do the work yourself).

        work() returns what marshal can write (numbers, strings, tuples, lists, dicts):
        data only, so reading it back cannot run code. progress() is a number that grows
        while the child works (the size of a file it writes): if it stays the same for
        STALLED_AFTER_SECONDS, result() gives up on the child (without it, on a child
        that takes longer than that in all).
        """
        if not can_fork():
            return None
        for earlier in list(_unfinished):
            earlier.reap()
        result_file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by result())
        with warnings.catch_warnings():
            # Python 3.12+ warns about forking with threads: see the module's docstring
            # for why this child is safe with the spinner's thread.
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:
            _run_in_child(work, result_file)
        started = cls(pid, result_file, progress)
        _unfinished.append(started)
        return started

    def reap(self) -> None:
        """Wait for the child if it has ended, without its result."""
        if self.finished:
            return
        try:
            pid, _ = os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:
            pid = self.pid
        if pid:
            self._close()

    def result(self, stalled_after: float | None = None) -> Any | None:
        """What work() returned, once the child is done; None when it failed, was killed
        or stalled (no progress for stalled_after seconds, STALLED_AFTER_SECONDS unless
        given): the caller then does the work itself."""
        if self.finished:
            return None
        try:
            status = self._wait(STALLED_AFTER_SECONDS if stalled_after is None
                                else stalled_after)
            if status != 0:
                return None
            self.result_file.seek(0)
            return marshal.loads(self.result_file.read())
        except (EOFError, ValueError, TypeError):
            return None
        finally:
            self._close()

    def _wait(self, stalled_after: float) -> int:
        """The child's exit status (-1 when it could not be known or it was stopped)."""
        last, since, pause = self.progress(), time.monotonic(), 0.001
        while True:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:  # reaped by someone else: its result is unknown
                return -1
            if pid:
                return os.waitstatus_to_exitcode(status)
            now, seen = time.monotonic(), self.progress()
            if seen != last:
                last, since = seen, now
            elif now - since > stalled_after:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
                return -1
            time.sleep(pause)
            pause = min(pause * 2, 0.05)

    def _close(self) -> None:
        self.finished = True
        self.result_file.close()
        if self in _unfinished:
            _unfinished.remove(self)
