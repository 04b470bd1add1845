"""Posting wall time against its lower bound, with network latency on every request.

Run: .venv/bin/python bench/posting.py [--articles 20] [--latency 0.1]

N articles are posted to Mastodon, Bluesky and Discord: Mastodon and Discord are the
faithful fakes of tests/fakes/, Bluesky the reference PDS (tests/pds/, installed by
`make pds`) behind a loopback proxy; each adds `latency` seconds to every request.
Platforms post side by side and each platform's posts one after the other, so the least
possible wall time is the slowest platform's chain of requests: Mastodon's instance read
plus one request per status, Bluesky's one session plus one write per post, Discord's
one request per message. The article pages are served locally (they must be live).
Target: wall time ≤ 1.3 × that bound. Everything else counts against us: starting the
process, the servers' own work, the ledger written before and after every post.
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
from fakes import proxy  # noqa: E402
from pds_server import start_pds  # noqa: E402

TARGET = 1.3


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def write_site(site: Path, articles: int, siteurl: str, platforms: dict[str, object]) -> None:
    (site / "content").mkdir()
    for n in range(articles):
        (site / "content" / f"a{n:03d}.md").write_text(
            f"Title: Walk {n}\nDate: 2026-01-01 10:{n % 60:02d}\n\n"
            f"A walk along the river, number {n}, in plain words.\n", encoding="utf-8")
    (site / "pelicanconf.py").write_text(
        f"SITEURL = {siteurl!r}\nPATH = 'content'\nOUTPUT_PATH = 'output'\n"
        f"TIMEZONE = 'UTC'\n"
        f"PLUGINS = ['syndicate']\nSYNDICATE = {{'platforms': {platforms!r}}}\n",
        encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.1)
    args = parser.parse_args()
    bin_dir = Path(sys.executable).parent
    syndicate = [str(bin_dir / "syndicate")]
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder) / "site"
        site.mkdir()
        handler = functools.partial(Quiet, directory=str(site / "output"))
        pages = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=pages.serve_forever, daemon=True).start()
        with start_pds(Path(folder) / "pds") as pds, proxy.running(pds.url) as bluesky, \
                fake_mastodon.running() as mastodon, fake_discord.running() as discord:
            account = pds.create_account("bench.test", "main-password-for-the-bench")
            app_password = pds.create_app_password(account, "bench")
            write_site(site, args.articles, f"http://127.0.0.1:{pages.server_address[1]}", {
                "mastodon": {"url": mastodon.url}, "discord": {},
                "bluesky": {"url": bluesky.url, "handle": account.handle}})
            subprocess.run([*syndicate, "build", "-s", "pelicanconf.py"], cwd=site,
                           check=True, capture_output=True)
            mastodon.latency = discord.latency = bluesky.latency = args.latency
            env = {**os.environ, "SYNDICATE_MASTODON_TOKEN": "good-token",
                   "SYNDICATE_DISCORD_WEBHOOK_URL": discord.webhook_url,
                   "SYNDICATE_BLUESKY_PASSWORD": app_password}
            command = [*syndicate, "post", "--max", "1000", "-s", "pelicanconf.py"]
            started = time.perf_counter()
            run = subprocess.run(command, cwd=site, env=env, capture_output=True, text=True)
            wall = time.perf_counter() - started
            if run.returncode:
                sys.exit(run.stdout + run.stderr)
            started = time.perf_counter()
            subprocess.run(command, cwd=site, env=env, capture_output=True, check=True)
            idle = time.perf_counter() - started
            statuses, messages = len(mastodon.statuses), len(discord.messages)
            records = len(pds.list_records(account.did, "app.bsky.feed.post"))
            mastodon_posts = sum(m == "POST" for m, _ in mastodon.requests)
            writes, sessions = bluesky.calls("putRecord"), bluesky.calls("createSession")
            # What the PDS itself took, over both runs (the second only reads nothing).
            pds_seconds = bluesky.upstream_seconds
        pages.shutdown()
    # The slowest chain: Mastodon's (instance read + statuses) or Bluesky's (session +
    # writes), one longer than Discord's.
    bound = (1 + max(statuses, records)) * args.latency
    with_pds = max((1 + statuses) * args.latency, (1 + records) * args.latency + pds_seconds)
    print(f"| articles | latency | statuses / records / messages | Mastodon POSTs per status "
          f"| Bluesky writes per post, sessions | wall (s) | lower bound (s) | ratio "
          f"| target ≤ {TARGET} | the PDS's own time (s) | ratio to the bound with it "
          f"| a run with nothing to post (s) |\n"
          f"|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|\n"
          f"| {args.articles} | {args.latency * 1000:.0f} ms | {statuses} / {records} / "
          f"{messages} | {mastodon_posts / statuses:.2f} | {writes / records:.2f}, {sessions} "
          f"| {wall:.2f} | {bound:.2f} | {wall / bound:.2f} | "
          f"{'met' if wall / bound <= TARGET else 'NOT met'} | {pds_seconds:.2f} | "
          f"{wall / with_pds:.2f} | {idle:.2f} |")


if __name__ == "__main__":
    main()
