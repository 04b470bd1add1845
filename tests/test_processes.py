"""The installed console script, and crash safety under SIGKILL."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from conftest import Site, article

from syndicate.ledger import Ledger

SCRIPT = Path(sys.executable).with_name("syndicate")


def run_script(site: Site, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SCRIPT), *args, "-s", str(site.conf)], capture_output=True,
                          text=True, timeout=120, cwd=site.root)


def test_the_console_script_builds_previews_and_posts(make_site: Callable[..., Site]) -> None:
    site = make_site({"one.md": article("One walk"), "two.md": article("Two walks")})
    assert SCRIPT.is_file(), "the package installs a `syndicate` console script"
    assert run_script(site, "build").returncode == 0
    preview = run_script(site, "preview", "--format", "json")
    assert preview.returncode == 0
    assert {d["article"] for d in json.loads(preview.stdout)} == {"one.md", "two.md"}
    assert run_script(site, "post").returncode == 0
    assert len(site.outbox_posts()) == 2
    for command in ("build", "preview", "check", "post", "init", "status"):
        help_text = subprocess.run([str(SCRIPT), command, "--help"], capture_output=True,
                                   text=True, timeout=60)
        assert help_text.returncode == 0 and "Usage: syndicate" in help_text.stdout


def test_sigkill_mid_run_leaves_a_valid_ledger_and_no_duplicate_posts(
        make_site: Callable[..., Site]) -> None:
    articles = {f"walk-{n:03d}.md": article(f"Walk number {n}", date=f"2026-03-01 10:{n % 60:02d}")
                for n in range(150)}
    site = make_site(articles)
    assert site.build().exit_code == 0
    expected = set(articles)
    rng = random.Random(20261126)
    mid_run_kills = 0
    for _ in range(25):
        before = len(site.outbox_posts())
        process = subprocess.Popen([str(SCRIPT), "post", "-s", str(site.conf)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   cwd=site.root)
        time.sleep(rng.uniform(0.15, 0.6))
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
        process.wait()
        Ledger.load(site.ledger)  # always readable: never half written
        posted = [p["article"] for p in site.outbox_posts()]
        assert len(posted) == len(set(posted))
        if before < len(posted) < len(expected):
            mid_run_kills += 1
        if len(posted) == len(expected):
            break
    assert mid_run_kills >= 3, "the runs were not interrupted while posting"
    final = run_script(site, "post")
    assert final.returncode == 0, final.stderr
    posts = site.outbox_posts()
    assert sorted(p["article"] for p in posts) == sorted(expected)
    ledger = Ledger.load(site.ledger)
    for post in posts:
        entry = ledger.entry(post["article"], "outbox")
        assert entry and entry["state"] == "posted"
        assert entry["parts"][0]["id"] == post["id"]
    assert "nothing new to post" in run_script(site, "post").stdout
