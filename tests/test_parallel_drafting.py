"""Drafts made in a second process while Pelican writes the site (compose.background) are
exactly the drafts Pelican's own process makes; a second process that fails, dies or
stalls costs only time, never a draft or an error line (issue 12)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import Site, article
from PIL import Image

from syndicate.compose import background
from syndicate.compose.background import ForkedWork

PELICAN = Path(sys.executable).with_name("pelican")
PLATFORMS = {"outbox": {}, "mastodon": {"url": "https://social.example"}, "bluesky": {}}
LONG = " ".join(f"Sentence {n} of a walk along the river, past the market." for n in range(60))
ARTICLES = {
    # Links between articles and to a page ({filename}), resolved only once every
    # generator has read its content.
    "a.md": article("First walk", body="See [the second walk]({filename}b.md) and "
                    "[the about page]({filename}/pages/about.md) before you go out."),
    "b.md": article("Second walk", date="2026-01-11",
                    summary="Back to [the first walk]({filename}a.md), in the rain."),
    "c.md": article("Third walk", date="2026-01-12", body=LONG),
    "d.md": article("Fourth walk", date="2026-01-13", image="{static}/images/pic.png",
                    image_alt="A bridge", mastodon="{{ title|upper }} {{ url }}"),
    "f.md": article("日本語の散歩", date="2026-01-15", lang="ja",
                    body="朝の川沿いはとても静かで、水の音だけが聞こえた。" * 30),
    "pages/about.md": "Title: About\n\nWho walks here.\n",
}
# A template that escapes the sandbox: one build error, the rest builds.
GUEST = article("Guest walk", date="2026-01-14",
                social="{{ ''.__class__.__mro__[1].__subclasses__() }}")


def make_blog(make_site: Any, relative_urls: bool, platforms: Any = PLATFORMS) -> Site:
    site = make_site(ARTICLES, syndicate={"platforms": platforms},
                     extra=f"RELATIVE_URLS = {relative_urls}\nSTATIC_PATHS = ['images']")
    (site.root / "content" / "images").mkdir()
    Image.new("RGB", (64, 32), (40, 90, 160)).save(site.root / "content/images/pic.png")
    return site


def pelican_build(site: Site, parallel: bool) -> tuple[dict[str, Any], str]:
    """A cold build by Pelican's own command (its spinner's thread running, as for any
    user): the manifest without its time stamp, and what Pelican printed."""
    shutil.rmtree(site.root / ".syndicate", ignore_errors=True)
    shutil.rmtree(site.output, ignore_errors=True)
    conf = site.root / ("pelicanconf.py" if parallel else "serial.py")
    if not parallel:
        text = site.conf.read_text(encoding="utf-8")
        conf.write_text(text.replace("SYNDICATE = {", "SYNDICATE = {'parallel_drafting': False, "),
                        encoding="utf-8")
    done = subprocess.run([str(PELICAN), "content", "-s", str(conf), "-D"], cwd=site.root,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "COLUMNS": "1000"})  # a line per message
    assert done.returncode == 0, done.stderr[-3000:]
    manifest = json.loads((site.root / ".syndicate" / "manifest.json").read_text("utf-8"))
    manifest.pop("generated_at")
    return manifest, done.stdout + done.stderr


@pytest.mark.parametrize("relative_urls", [False, True])
def test_drafts_made_in_a_second_process_are_the_drafts_made_in_pelicans(
        make_site: Any, relative_urls: bool) -> None:
    site = make_blog(make_site, relative_urls)
    assert site.build().exit_code == 0
    # An established blog: what the outbox posted is done, and kept as its source only.
    assert site.run("post", "--platform", "outbox").exit_code == 0
    site.write("content/e.md", GUEST)
    in_parallel, said = pelican_build(site, parallel=True)
    in_pelican, said_serially = pelican_build(site, parallel=False)
    assert "made in a second process" in said
    assert "made in a second process" not in said_serially
    assert in_parallel == in_pelican
    # Both kinds of article line are there: drafted (new on Mastodon and Bluesky) and
    # done (the guest's, posted nowhere, is an error and has no line).
    assert len(in_parallel["drafts"]) == 2 * 5 + 5
    assert [error.split(":")[0] for error in in_parallel["errors"]] == ["content/e.md (Social "
                                                                         "metadata)"]
    # Each error is printed once, by the parent: the child prints nothing.
    assert said.count("e.md (Social metadata)") == 1
    assert "Traceback" not in said


def _failing_child(marker: Path) -> Any:
    def dumps(value: Any) -> bytes:
        marker.write_text(str(os.getpid()), encoding="utf-8")
        raise MemoryError("the child ran out of memory")
    return dumps


def established_blog(make_site: Any) -> tuple[Site, str, str]:
    """A blog whose outbox posts are in the ledger, one article moved since (the same
    URL: the same article) and a guest's hostile template; the manifest a build makes
    drafting in Pelican's own process (its first line, with the time, left out), and
    the HTML preview it writes."""
    site = make_blog(make_site, relative_urls=False, platforms={"outbox": {}})
    assert site.build().exit_code == 0
    assert site.run("post", "--platform", "outbox").exit_code == 0
    (site.root / "content" / "walks").mkdir()
    (site.root / "content" / "c.md").rename(site.root / "content" / "walks" / "c.md")
    site.write("content/e.md", GUEST)
    settings = site.conf.read_text(encoding="utf-8")
    site.conf.write_text(settings.replace("SYNDICATE = {", "SYNDICATE = {'parallel_drafting': "
                                          "False, 'preview_html': 'preview.html', "),
                         encoding="utf-8")
    assert site.build().exit_code == 1
    expected = (site.root / ".syndicate" / "manifest.json").read_text("utf-8")
    # The articles posted are done (their source only); the moved one is drafted again
    # (its inputs name its file), and shown as posted by the preview page.
    made = json.loads(expected)
    assert {line["key"] for line in made["articles"] if "done" in line} == {
        "a.md", "b.md", "d.md", "f.md"}
    page = (site.root / "preview.html").read_text("utf-8")
    site.conf.write_text(settings.replace("SYNDICATE = {", "SYNDICATE = {'preview_html': "
                                          "'preview.html', "), encoding="utf-8")
    shutil.rmtree(site.root / ".syndicate")
    (site.root / "preview.html").unlink()
    return site, expected.split("\n", 1)[1], page


def test_a_failed_second_process_costs_nothing_but_time(
        make_site: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site, expected, page = established_blog(make_site)
    marker = tmp_path / "child"
    # The fault is injected into the standard library call the child makes last.
    monkeypatch.setattr(background.marshal, "dumps", _failing_child(marker))
    result = site.build()
    assert marker.exists(), "no second process was started"
    assert int(marker.read_text()) != os.getpid()
    assert result.exit_code == 1 and result.output.count("Error: ") == 1, result.output
    # The same drafts as Pelican's own process makes: the ledger, read again after the
    # child failed, knows the moved article (and the HTML preview was written from it).
    made = (site.root / ".syndicate" / "manifest.json").read_text("utf-8")
    assert made.split("\n", 1)[1] == expected
    assert (site.root / "preview.html").read_text("utf-8") == page


def test_a_stalled_second_process_is_stopped(
        make_site: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site, expected, page = established_blog(make_site)
    marker = tmp_path / "child"

    def stall(value: Any) -> bytes:
        marker.write_text(str(os.getpid()), encoding="utf-8")
        time.sleep(3600)
        raise AssertionError("not reached")

    monkeypatch.setattr(background.marshal, "dumps", stall)
    monkeypatch.setattr(background, "STALLED_AFTER_SECONDS", 1.0)
    started = time.monotonic()
    site.build()
    assert time.monotonic() - started < 120
    made = (site.root / ".syndicate" / "manifest.json").read_text("utf-8")
    assert made.split("\n", 1)[1] == expected
    assert (site.root / "preview.html").read_text("utf-8") == page
    with pytest.raises(ProcessLookupError):  # killed and reaped: nothing left behind
        os.kill(int(marker.read_text()), 0)


def test_the_preview_page_of_a_build_drafted_in_a_second_process(
        make_site: Any) -> None:
    site, expected, page = established_blog(make_site)
    site.build()
    made = (site.root / ".syndicate" / "manifest.json").read_text("utf-8")
    assert made.split("\n", 1)[1] == expected
    assert (site.root / "preview.html").read_text("utf-8") == page


def _progress() -> int:
    return 0


def test_what_the_child_returns_reaches_the_parent() -> None:
    work = ForkedWork.start(lambda: (os.getpid(), [("a", 1)], {"k": b"v"}), _progress)
    assert work is not None
    pid, items, mapping = work.result()
    assert pid == work.pid != os.getpid()
    assert (items, mapping) == ([("a", 1)], {"k": b"v"})
    assert work.result() is None  # asked once


@pytest.mark.parametrize("fails", ["exit", "raise", "code", "kill"])
def test_a_child_that_fails_gives_no_result(fails: str) -> None:
    def work() -> Any:
        if fails == "exit":
            os._exit(3)
        if fails == "raise":
            raise KeyboardInterrupt
        if fails == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        return lambda: None  # not data: marshal refuses it

    started = ForkedWork.start(work, _progress)
    assert started is not None
    assert started.result(stalled_after=30) is None


def test_a_child_without_progress_is_killed() -> None:
    started = ForkedWork.start(lambda: time.sleep(3600), _progress)
    assert started is not None
    begun = time.monotonic()
    assert started.result(stalled_after=0.5) is None
    assert time.monotonic() - begun < 30
    with pytest.raises(ProcessLookupError):
        os.kill(started.pid, 0)


def test_a_child_that_makes_progress_is_waited_for(tmp_path: Path) -> None:
    grows = tmp_path / "grows"
    grows.write_bytes(b"")

    def work() -> str:
        for _ in range(8):  # 1.6 s in all, never more than 0.2 s without progress
            time.sleep(0.2)
            with grows.open("ab") as file:
                file.write(b"x")
        return "done"

    started = ForkedWork.start(work, lambda: grows.stat().st_size)
    assert started is not None
    assert started.result(stalled_after=1.0) == "done"


def test_one_cpu_means_no_second_process() -> None:
    code = ("import os; os.sched_setaffinity(0, {min(os.sched_getaffinity(0))});"
            "from syndicate.compose.background import ForkedWork;"
            "print(ForkedWork.start(lambda: 1, lambda: 0))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=60)
    assert done.stdout.strip() == "None"
