"""Posting wall time against its lower bound, with network latency on every request.

Run: .venv/bin/python bench/posting.py [--articles 20] [--latency 0.1]

N articles are posted to Mastodon and Discord, each a faithful fake server on 127.0.0.1
that adds `latency` seconds to every request. Platforms post side by side and each
platform's posts one after the other, so the least possible wall time is the slowest
platform's chain of requests: Mastodon's one instance read plus one request per status,
Discord's one request per message. The article pages are served locally (they must be
live). Target: wall time ≤ 1.3 × that bound. (Bluesky joins when its client lands.)
"""

from __future__ import annotations

import argparse
import functools
import os
import subprocess
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fakes import discord as fake_discord  # noqa: E402
from fakes import mastodon as fake_mastodon  # noqa: E402

TARGET = 1.3


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder)
        (site / "content").mkdir()
        for n in range(args.articles):
            (site / "content" / f"a{n:03d}.md").write_text(
                f"Title: Walk {n}\nDate: 2026-01-01 10:{n % 60:02d}\n\n"
                f"A walk along the river, number {n}, in plain words.\n", encoding="utf-8")
        handler = functools.partial(Quiet, directory=str(site / "output"))
        pages = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=pages.serve_forever, daemon=True).start()
        with fake_mastodon.running() as mastodon, fake_discord.running() as discord:
            (site / "pelicanconf.py").write_text(
                f"SITEURL = 'http://127.0.0.1:{pages.server_address[1]}'\n"
                "PATH = 'content'\nOUTPUT_PATH = 'output'\nTIMEZONE = 'UTC'\n"
                f"PLUGIN_PATHS = [{str(ROOT / 'plugins')!r}]\nPLUGINS = ['syndication']\n"
                "SYNDICATE = {'platforms': {'mastodon': {'url': %r}, 'discord': {}}}\n"
                % mastodon.url, encoding="utf-8")
            bin_dir = Path(sys.executable).parent
            subprocess.run([str(bin_dir / "syndicate"), "build", "-s", "pelicanconf.py"],
                           cwd=site, check=True, capture_output=True)
            mastodon.latency = discord.latency = args.latency
            env = {**os.environ, "SYNDICATE_MASTODON_TOKEN": "good-token",
                   "SYNDICATE_DISCORD_WEBHOOK_URL": discord.webhook_url}
            started = time.perf_counter()
            run = subprocess.run([str(bin_dir / "syndicate"), "post", "--max", "1000", "-s",
                                  "pelicanconf.py"], cwd=site, env=env, capture_output=True,
                                 text=True)
            wall = time.perf_counter() - started
            if run.returncode:
                sys.exit(run.stdout + run.stderr)
            statuses, messages = len(mastodon.statuses), len(discord.messages)
            posts = [m for m, _ in mastodon.requests if m == "POST"]
        pages.shutdown()
    # The slowest chain: Mastodon's instance read and its statuses (Discord's is shorter).
    bound = (1 + statuses) * args.latency
    # What a run costs with no network at all (start-up, build read, ledger writes).
    print(f"| articles | latency | statuses / messages | Mastodon POSTs per status | "
          f"wall (s) | lower bound (s) | ratio | target ≤ {TARGET} |\n"
          f"|---:|---:|---:|---:|---:|---:|---:|---|\n"
          f"| {args.articles} | {args.latency * 1000:.0f} ms | {statuses} / {messages} | "
          f"{len(posts) / statuses:.2f} | {wall:.2f} | {bound:.2f} | {wall / bound:.2f} | "
          f"{'met' if wall / bound <= TARGET else 'NOT met'} |")


if __name__ == "__main__":
    main()
