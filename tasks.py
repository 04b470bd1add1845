"""invoke tasks for the blog: `invoke build`, `invoke serve`, `invoke preview`, ..."""

from __future__ import annotations

import shlex
import sys
import webbrowser
from pathlib import Path

from invoke import Context, task

SETTINGS = "pelicanconf.py"
PUBLISH_SETTINGS = "publishconf.py"
# The tools installed beside this Python (the venv's), found without activating it.
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    """The venv's copy of a command, else whatever PATH has."""
    path = BIN / name
    return str(path) if path.exists() else name


def _syndicate(c: Context, command: str, settings: str, *args: str) -> None:
    c.run(shlex.join([tool("syndicate"), command, "-s", settings, *args]), pty=False)


@task(help={"publish": "Build with publishconf.py (the deployed site's absolute SITEURL)."})
def build(c: Context, publish: bool = False) -> None:
    """Build the site into output/ and the drafts into .syndicate/."""
    _syndicate(c, "build", PUBLISH_SETTINGS if publish else SETTINGS)


@task
def serve(c: Context) -> None:
    """Build, then serve output/ at http://localhost:8000 and rebuild on changes."""
    c.run(shlex.join([tool("pelican"), "--autoreload", "--listen", "-s", SETTINGS]))


@task(help={"platform": "Only this platform.", "new": "Only what `post` would send.",
            "terminal": "Print the preview here instead of opening the page."})
def preview(c: Context, platform: str = "", new: bool = False, terminal: bool = False
            ) -> None:
    """Build, then open the HTML preview of every status update in the browser."""
    build(c)
    args = (["--platform", platform] if platform else []) + (["--new"] if new else [])
    if terminal:
        _syndicate(c, "preview", SETTINGS, *args)
        return
    page = Path(".syndicate/preview.html").resolve()
    _syndicate(c, "preview", SETTINGS, "--format", "html", "-o", str(page), *args)
    webbrowser.open(page.as_uri())


@task
def check(c: Context) -> None:
    """Fail when a draft does not fit or the build had errors."""
    _syndicate(c, "check", SETTINGS)


@task(help={"dry_run": "Only say what would be posted.", "platform": "Only this platform."})
def post(c: Context, dry_run: bool = False, platform: str = "") -> None:
    """Post pending drafts of the deployed site (build with --publish first)."""
    args = (["--dry-run"] if dry_run else []) + (["--platform", platform] if platform else [])
    _syndicate(c, "post", PUBLISH_SETTINGS, *args)


@task
def status(c: Context) -> None:
    """What is new, posted, skipped or failed."""
    _syndicate(c, "status", SETTINGS)


@task
def clean(c: Context) -> None:
    """Remove the built site and drafts (not the ledger)."""
    c.run("rm -rf output .syndicate")
