"""Fixtures: small real Pelican sites in temp dirs, built with the real plugin."""

from __future__ import annotations

import functools
import importlib
import itertools
import json
import os
import shutil
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from socketserver import BaseRequestHandler
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import settings as hypothesis_settings
from pds_server import Account, PdsServer, start_pds
from playwright.sync_api import Browser, sync_playwright

from syndicate.cli import cli

PROJECT = Path(__file__).resolve().parent.parent
_handles = itertools.count(1)

# `make test` (and so CI) runs the properties on a fixed sequence of examples, so a run
# passes or fails the same way on every machine; `make fuzz` explores new examples.
hypothesis_settings.register_profile("repeatable", derandomize=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@dataclass
class Site:
    root: Path

    @property
    def conf(self) -> Path:
        return self.root / "pelicanconf.py"

    @property
    def ledger(self) -> Path:
        return self.root / "syndication.json"

    @property
    def outbox(self) -> Path:
        return self.root / "outbox"

    @property
    def output(self) -> Path:
        return self.root / "output"

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        return path

    def run(self, *args: str, env: dict[str, str] | None = None,
            input: str | None = None) -> Result:
        """Run `syndicate ARGS -s <this site's settings>` in-process."""
        runner = CliRunner()
        command, *rest = args
        return runner.invoke(cli, [command, "-s", str(self.conf), *rest], env=env,
                             input=input, catch_exceptions=False)

    def verbose_post(self, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        """`syndicate -v post` through the installed console script, with env added."""
        script = Path(sys.executable).with_name("syndicate")
        return subprocess.run([str(script), "-v", "post", "-s", str(self.conf)],
                              cwd=self.root, env={**os.environ, **env}, capture_output=True,
                              text=True, timeout=120)

    def build(self, env: dict[str, str] | None = None) -> Result:
        return self.run("build", env=env)

    def preview_json(self, *args: str) -> list[dict[str, Any]]:
        result = self.run("preview", "--format", "json", *args)
        return json.loads(result.stdout)  # type: ignore[no-any-return]

    def outbox_posts(self) -> list[dict[str, Any]]:
        if not self.outbox.exists():
            return []
        return [json.loads(p.read_text(encoding="utf-8"))
                for p in sorted(self.outbox.glob("*.json"))]


def settings_file(syndicate: dict[str, Any], siteurl: str = "https://blog.example",
                  theme: str | None = None, extra: str = "") -> str:
    theme_line = f"THEME = {theme!r}" if theme else ""
    return f"""
AUTHOR = "Test Author"
SITENAME = "Test Site"
SITEURL = {siteurl!r}
PATH = "content"
OUTPUT_PATH = "output"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
ARTICLE_URL = "posts/{{slug}}/"
ARTICLE_SAVE_AS = "posts/{{slug}}/index.html"
ARTICLE_LANG_URL = ARTICLE_URL
ARTICLE_LANG_SAVE_AS = ARTICLE_SAVE_AS
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
PLUGINS = ["syndicate"]
{theme_line}
SYNDICATE = {syndicate!r}
{extra}
"""


ARTICLE = """\
Title: {title}
Date: {date}
Tags: {tags}
{extra}

{body}
"""


def article(title: str, date: str = "2026-01-10", tags: str = "walking",
            body: str = "A paragraph of plain prose that is long enough to be an excerpt.",
            **metadata: str) -> str:
    extra = "\n".join(f"{key.replace('__', '-').title()}: {value}"
                      for key, value in metadata.items())
    return ARTICLE.format(title=title, date=date, tags=tags, extra=extra, body=body)


def kill_while_posting(site: Site, env: dict[str, str], writes: Callable[[], int],
                       on_server: Callable[[], int], total: int, seed: int,
                       kills: int = 30) -> tuple[int, int]:
    """Run `syndicate post` and SIGKILL it, again and again: each time once a few more
    writes reached the server (however slow the machine is to start a run), at a random
    moment around one: before, during or after it. (kills made, kills that landed while
    posts were going out).

    writes counts the post requests the server has seen; on_server what it holds.
    """
    import random
    import signal
    import time

    from syndicate.ledger import Ledger

    command = [str(Path(sys.executable).with_name("syndicate")), "post", "--max", "1000",
               "-s", str(site.conf)]
    rng = random.Random(seed)
    made = mid_run = 0
    while made < kills:
        before = on_server()
        if before == total:
            break  # all out before every kill: the caller's assertion says so
        process = subprocess.Popen(command, env={**os.environ, **env}, cwd=site.root,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        target = writes() + rng.randint(1, 6)
        deadline = time.monotonic() + 60
        while process.poll() is None and writes() < target and time.monotonic() < deadline:
            time.sleep(0.002)
        time.sleep(rng.uniform(0, 0.05))
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            made += 1
        process.wait()
        Ledger.load(site.ledger)  # readable after every kill
        mid_run += before < on_server() < total
    return made, mid_run


def write_png(path: Path, size: tuple[int, int] = (120, 80), noisy: bool = False) -> bytes:
    """A real PNG; a noisy one does not compress, so its size follows its pixel count."""
    from PIL import Image

    if noisy:
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, (40, 90, 160))
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "PNG")
    return path.read_bytes()


def links_in(part: dict[str, Any]) -> list[str]:
    """The URLs a posted part links to: in its text, or (Bluesky) in its link facets."""
    uris = [feature["uri"] for facet in part.get("facets", []) for feature in facet["features"]
            if feature["$type"].endswith("#link")]
    return uris or [word for word in part["text"].split() if "://" in word]


def shows_link(draft: dict[str, Any], part: dict[str, Any]) -> bool:
    if draft["platform"] == "bluesky":
        return draft["url"] in links_in(part)
    return draft["url"] in part["text"]


@pytest.fixture
def make_site(tmp_path: Path) -> Callable[..., Site]:
    """A site with the given articles (file name → Markdown) and SYNDICATE settings."""

    def make(articles: dict[str, str] | None = None,
             syndicate: dict[str, Any] | None = None, **settings: Any) -> Site:
        site = Site(tmp_path / "site")
        site.root.mkdir()
        site.write("pelicanconf.py", settings_file(
            syndicate if syndicate is not None else {"platforms": {"outbox": {}}},
            **settings))
        (site.root / "content").mkdir()
        for name, text in (articles or {}).items():
            site.write(f"content/{name}", text)
        return site

    return make


@contextmanager
def serving(handler: Callable[..., BaseRequestHandler], host: str = "127.0.0.1"
            ) -> Iterator[str]:
    """An HTTP server on host (a free port) with this handler; its address."""
    server = ThreadingHTTPServer((host, 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def deployed(tmp_path: Path) -> Iterator[str]:
    """The deployed site: make_site's output/ served on 127.0.0.1; its address for SITEURL."""
    output = tmp_path / "site" / "output"
    with serving(functools.partial(QuietHandler, directory=str(output))) as url:
        yield url


@pytest.fixture
def live_site(make_site: Callable[..., Site], deployed: str) -> Callable[..., Site]:
    """A site built with its SITEURL on the local server that serves it: every page live."""

    def make(articles: dict[str, str], platforms: dict[str, Any]) -> Site:
        site = make_site(articles, siteurl=deployed, syndicate={"platforms": platforms})
        assert site.build().exit_code == 0
        return site

    return make


# Each platform's fake server, by platform name: a module with running(fake=None), a
# context manager serving the fake on 127.0.0.1 (tests/fakes/<name>.py unless named here).
# Bluesky's is a real PDS (the pds fixture).
FAKES: dict[str, str] = {name: f"fakes.{name}" for name in (
    "mastodon", "x", "threads", "linkedin", "discord", "telegram", "slack")}


@pytest.fixture
def fake_server() -> Iterator[Callable[..., Any]]:
    """Starts platforms' fake servers for one test, all stopped after it:
    fake_server("mastodon"), fake_server("mastodon", fake=FakeMastodon(...)) for one
    prepared beforehand, fake_server("toy", module="toy_platform.fake") for a fake kept
    elsewhere."""
    with ExitStack() as stack:
        def start(name: str, module: str | None = None, fake: Any = None) -> Any:
            running = importlib.import_module(module or FAKES.get(name, f"fakes.{name}")).running
            return stack.enter_context(running() if fake is None else running(fake))

        yield start


# Each platform's fake server under its own name, as the tests ask for it.
@pytest.fixture
def mastodon(fake_server: Callable[..., Any]) -> Any:
    return fake_server("mastodon")


@pytest.fixture
def discord(fake_server: Callable[..., Any]) -> Any:
    return fake_server("discord")


@pytest.fixture
def telegram(fake_server: Callable[..., Any]) -> Any:
    return fake_server("telegram")


@pytest.fixture
def slack(fake_server: Callable[..., Any]) -> Any:
    return fake_server("slack")


@pytest.fixture
def x(fake_server: Callable[..., Any]) -> Any:
    return fake_server("x")


@pytest.fixture
def threads(fake_server: Callable[..., Any]) -> Any:
    return fake_server("threads")


@pytest.fixture
def linkedin(fake_server: Callable[..., Any]) -> Any:
    return fake_server("linkedin")


@pytest.fixture(scope="session")
def pds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PdsServer]:
    with start_pds(tmp_path_factory.mktemp("pds")) as server:
        yield server


@pytest.fixture
def bluesky_account(pds: PdsServer) -> Account:
    """A fresh account for each test, signed in with an app password, as users should."""
    handle = f"walker{next(_handles)}-{os.getpid()}.test"
    main = pds.create_account(handle, "main-password-not-for-apps")
    app_password = pds.create_app_password(main, "syndicate")
    return Account(did=main.did, handle=main.handle, password=app_password)


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail("Chromium is not installed: .ci/run installs it (apt-get install chromium)")
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium(), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield launched
        launched.close()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def copy_sample_blog(root: Path, extra_settings: str = "") -> Path:
    """The project's sample blog and theme copied to root, extra_settings appended to its
    pelicanconf.py (the plugin is the installed package's)."""
    root.mkdir(parents=True)
    for name in ("content", "themes", "pelicanconf.py", "publishconf.py"):
        source = PROJECT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, root / name)
    conf = root / "pelicanconf.py"
    conf.write_text(conf.read_text(encoding="utf-8") + extra_settings, encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The project's own sample blog and theme, copied and built once."""
    root = copy_sample_blog(tmp_path_factory.mktemp("sample") / "blog")
    site = Site(root)
    result = site.build()
    assert result.exit_code == 0, result.output
    return site
