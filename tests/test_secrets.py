"""No secret ever leaves: every command a blog runs, against every platform at once, with
refused tokens, server errors and lost answers, and then everything the runs produced
(stdout, stderr, ledger, manifest, previews in every format, outbox, built site, responses)
is searched for every secret used, as it is and as URL-encoded, base64 and JSON forms."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

from conftest import Site, article, write_png
from fakes import appview as fake_appview
from fakes import discord as fake_discord
from fakes import linkedin as fake_linkedin
from fakes import mastodon as fake_mastodon
from fakes import slack as fake_slack
from fakes import telegram as fake_telegram
from fakes import threads as fake_threads
from fakes import x as fake_x
from pds_server import Account, PdsServer

MASTODON_TOKEN = "mastodon-token-Zq8W3rT5yU7iO9pA1sD"
ARTICLES = {
    "a.md": article("First walk", date="2026-01-01", image="images/a.png", image_alt="A lock"),
    "b.md": article("Second walk", date="2026-01-02", summary="Up the hill at dusk."),
}


def forms(secret: str) -> Iterator[str]:
    """The secret as it might leak: raw, URL-encoded, in JSON, base64."""
    yield secret
    yield quote(secret, safe="")
    yield json.dumps(secret)[1:-1]
    yield base64.b64encode(secret.encode()).decode()


def everything_written(root: Path) -> Iterator[tuple[Path, bytes]]:
    for path in root.rglob("*"):
        if path.is_file():
            yield path, path.read_bytes()


def syndicate(site: Site, env: dict[str, str], *args: str
              ) -> subprocess.CompletedProcess[str]:
    """`syndicate -v ARGS -s <site>` through the console script, as CI runs it."""
    script = Path(sys.executable).with_name("syndicate")
    command, *rest = args
    return subprocess.run([str(script), "-v", command, "-s", str(site.conf), *rest],
                          cwd=site.root, env={**os.environ, **env}, capture_output=True,
                          text=True, timeout=300)


def test_no_secret_in_anything_a_run_produces(
        live_site: Callable[..., Site], pds: PdsServer, bluesky_account: Account) -> None:
    with fake_mastodon.running() as mastodon, fake_x.running() as x, \
            fake_discord.running() as discord, fake_telegram.running() as telegram, \
            fake_slack.running() as slack, fake_linkedin.running() as linkedin, \
            fake_threads.running() as threads, fake_appview.running() as view:
        mastodon.tokens.add(MASTODON_TOKEN)
        site = live_site(ARTICLES, {
            "outbox": {},
            "mastodon": {"url": mastodon.url, "image": True},
            "bluesky": {"url": pds.url, "handle": bluesky_account.handle,
                        "appview": view.url},
            "x": {"api_url": x.url},
            "discord": {"guild_id": "4242"},
            "telegram": {"chat_id": telegram.channel, "api_url": telegram.url},
            "slack": {},
            "linkedin": {"api_url": linkedin.url, "author": linkedin.member},
            "threads": {"api_url": threads.url},
        })
        write_png(site.root / "content" / "images" / "a.png")
        conf = site.conf.read_text(encoding="utf-8")
        site.conf.write_text(conf + (
            "\nSYNDICATE['preview_html'] = '.syndicate/preview.html'\n"
            "SYNDICATE['webmentions'] = True\n"), encoding="utf-8")
        env = {"SYNDICATE_MASTODON_TOKEN": MASTODON_TOKEN,
               "SYNDICATE_BLUESKY_PASSWORD": bluesky_account.password,
               "SYNDICATE_X_TOKEN": x.token,
               "SYNDICATE_DISCORD_WEBHOOK_URL": discord.webhook_url,
               "SYNDICATE_TELEGRAM_BOT_TOKEN": telegram.token,
               "SYNDICATE_SLACK_WEBHOOK_URL": slack.webhook_url,
               "SYNDICATE_LINKEDIN_TOKEN": linkedin.token,
               "SYNDICATE_THREADS_TOKEN": threads.token}
        wrong = {key: value[:-3] + "zzz" for key, value in env.items()}
        secrets = [*env.values(), *wrong.values()]
        runs = [syndicate(site, env, "build")]
        # Refused everywhere first: every error path speaks.
        runs.append(syndicate(site, wrong, "doctor"))
        runs.append(syndicate(site, wrong, "post"))
        # Then server errors and lost answers, then a good run, then everything else.
        mastodon.faults.extend(["500", "lost"])
        discord.faults.extend(["500"])
        runs.append(syndicate(site, env, "doctor"))
        runs.append(syndicate(site, env, "post"))
        runs.append(syndicate(site, env, "post"))
        runs.append(syndicate(site, env, "backfeed"))
        runs.append(syndicate(site, env, "build"))
        for output in ("table", "json", "markdown", "html"):
            runs.append(syndicate(site, env, "preview", "--format", output, "-o",
                                  str(site.root / f"preview.{output}")))
        runs.append(syndicate(site, env, "status", "--format", "json"))
        runs.append(syndicate(site, env, "check"))
        assert mastodon.statuses and discord.messages and slack.messages, \
            [run.stderr[-2000:] for run in runs]
    produced = [(f"run {n} stdout", run.stdout.encode()) for n, run in enumerate(runs)]
    produced += [(f"run {n} stderr", run.stderr.encode()) for n, run in enumerate(runs)]
    produced += [(str(path), data) for path, data in everything_written(site.root)
                 if path != site.conf]
    assert len(produced) > 40
    for secret in secrets:
        for form in forms(secret):
            for where, data in produced:
                assert form.encode() not in data, f"a secret ({form[:4]}…) is in {where}"
