"""A new platform needs only its module, its template, its fake and its test.

The toy platform below lives in a temporary package outside syndicate, installed the
way a third-party one would be: a distribution declaring it in the `syndicate.platforms`
entry point group. Everything else (settings, drafts, both previews, posting, the
ledger) reads what its class declares.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import Site, article

from syndicate.errors import SettingsError
from syndicate.platforms import PLATFORM_CLASSES, load_entry_points, register_platform
from syndicate.platforms.base import (
    Platform,
    PlatformSettings,
    supports_delete,
    supports_edit,
)

# Its module: the platform (limit, presentation, capabilities) and its poster.
MODULE = '''
from syndicate.errors import PostingError
from syndicate.draft import PostedPart
from syndicate.platforms.base import BasePoster, OutgoingPart, Platform, Poster


class Toy(Platform):
    name = "toy"
    label = "Toy"
    default_limit = 200
    accent = "#ff6600"
    links_bare_addresses = True
    card_style = "embed"
    can_delete = True
    option_defaults = {"url": None}
    secret_keys = ("token",)

    def open_poster(self, project_root, http):
        return ToyPoster(str(self.option("url")), self.settings.secrets["token"], http)


class ToyPoster(BasePoster):
    def __init__(self, url, token, http):
        self.url, self.http = url, http
        self.headers = {"Authorization": f"Bearer {token}"}

    def post(self, part: OutgoingPart) -> PostedPart:
        reply_to = part.reply_to.id if part.reply_to else None
        response = self.http.request("toy", "POST", f"{self.url}/posts", idempotent=False,
                                     headers=self.headers,
                                     json={"text": part.text, "reply_to": reply_to})
        if response.status_code != 201:
            raise PostingError("toy", f"HTTP {response.status_code}",
                               "check SYNDICATE_TOY_TOKEN")
        answer = response.json()
        return PostedPart(id=answer["id"], url=answer["url"])

    def delete(self, posted: PostedPart) -> None:
        self.http.request("toy", "DELETE", f"{self.url}/posts/{posted.id}", idempotent=True,
                          headers=self.headers)
'''

# Its fake: a real HTTP server on 127.0.0.1, on the fakes' shared base.
FAKE = '''
import json
from contextlib import contextmanager
from dataclasses import dataclass, field

from fakes.server import FakeHandler, FakePlatform, serve


@dataclass
class FakeToy(FakePlatform):
    token: str = "toy-secret"
    posts: dict = field(default_factory=dict)


class _Handler(FakeHandler):
    def _allowed(self):
        if self.headers.get("Authorization") == f"Bearer {self.server.fake.token}":
            return True
        self.reply(401, {"error": "bad token"})
        return False

    def do_POST(self):
        fake, body = self.server.fake, json.loads(self.body() or b"{}")
        if self._allowed():
            with fake.lock:
                post_id = str(len(fake.posts) + 1)
                fake.posts[post_id] = body
            self.reply(201, {"id": post_id, "url": f"{fake.url}/posts/{post_id}"})

    def do_DELETE(self):
        if self._allowed():
            self.server.fake.posts.pop(self.path.rsplit("/", 1)[-1], None)
            self.reply(200, {})


@contextmanager
def running(fake=None):
    with serve(fake or FakeToy(), _Handler) as served:
        yield served
'''

# Its template (a site's templates folder holds it, as any site override).
TEMPLATE = "{{ title }}: {{ summary }} {{ url }}\n"

# What installs it: a distribution declaring the entry point.
ENTRY_POINTS = "[syndicate.platforms]\ntoy = toy_platform:Toy\n"


@pytest.fixture
def toy_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The toy platform's package and its distribution's metadata, on sys.path."""
    root = tmp_path / "toy"
    package = root / "toy_platform"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(MODULE, encoding="utf-8")
    (package / "fake.py").write_text(FAKE, encoding="utf-8")
    dist = root / "toy_platform-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: toy-platform\nVersion: 0.1\n",
                                   encoding="utf-8")
    (dist / "entry_points.txt").write_text(ENTRY_POINTS, encoding="utf-8")
    monkeypatch.syspath_prepend(str(root))
    return root


@pytest.fixture
def registered(toy_path: Path) -> Iterator[type[Platform]]:
    """The toy platform registered in this process, as loading the entry points does;
    unregistered after."""
    before = dict(PLATFORM_CLASSES)
    try:
        load_entry_points()
        yield PLATFORM_CLASSES["toy"]
    finally:
        PLATFORM_CLASSES.clear()
        PLATFORM_CLASSES.update(before)


def syndicate(site: Site, toy_path: Path, *args: str, env: dict[str, str] | None = None
              ) -> subprocess.CompletedProcess[str]:
    """`syndicate ARGS -s <site settings>` in a new process with the toy installed."""
    script = Path(sys.executable).with_name("syndicate")
    command, *rest = args
    environ = {**os.environ, **(env or {}),
               "PYTHONPATH": os.pathsep.join([str(toy_path), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([str(script), command, "-s", str(site.conf), *rest], cwd=site.root,
                          env=environ, capture_output=True, text=True, timeout=180)


def _settings(name: str) -> PlatformSettings:
    return PlatformSettings(name, {"url": "http://127.0.0.1:9"}, {"token": "t"})


def test_the_entry_point_registers_the_platform_and_its_capabilities(
        registered: type[Platform]) -> None:
    assert registered.__module__ == "toy_platform" and registered.label == "Toy"
    poster = registered(_settings("toy")).open_poster(".", http=None)
    # What the poster can do is what the class declares (settings read the class).
    assert (supports_edit(poster), supports_delete(poster)) == \
        (registered.can_edit, registered.can_delete) == (False, True)
    assert poster.find_posted.__qualname__ == "BasePoster.find_posted"  # a default


def test_an_on_edit_the_platform_cannot_do_is_one_line_naming_the_setting(
        registered: type[Platform]) -> None:
    from syndicate.settings import settings_from_pelican

    with pytest.raises(SettingsError) as refused:
        settings_from_pelican({"SYNDICATE": {"platforms": {"toy": {"on_edit": "edit"}}}},
                              "pelicanconf.py", environ={})
    assert refused.value.line() == (
        "pelicanconf.py: SYNDICATE['platforms']['toy']['on_edit'] is 'edit': Toy posts "
        "cannot be edited through its API; use \"ignore\" or \"repost\"")
    settings_from_pelican({"SYNDICATE": {"platforms": {"toy": {"on_edit": "repost"}}}},
                          "pelicanconf.py", environ={})


def test_a_platform_that_cannot_be_shown_or_clashes_is_refused_by_name() -> None:
    class Clash(Platform):
        name = "mastodon"
        label = "Not Mastodon"
        default_limit = 10

    class Muddy(Platform):
        name = "muddy"
        label = "Muddy"
        default_limit = 10
        accent = "red; background: url(x)"

    with pytest.raises(ValueError, match=re.escape("the name 'mastodon' is taken by "
                                                   "syndicate.platforms.mastodon.Mastodon")):
        register_platform(Clash)
    with pytest.raises(ValueError, match=r"accent .* must be a colour as #rrggbb"):
        register_platform(Muddy)
    assert "muddy" not in PLATFORM_CLASSES and PLATFORM_CLASSES["mastodon"].label == "Mastodon"
    for cls in list(PLATFORM_CLASSES.values()):  # the nine pass the same checks
        assert register_platform(cls) is cls


def test_the_toy_platform_drafts_previews_and_posts_through_its_fake(
        make_site: Callable[..., Site], deployed: str, toy_path: Path,
        fake_server: Callable[..., Any]) -> None:
    fake = fake_server("toy", module="toy_platform.fake")
    site = make_site({"walk.md": article("A walk by the river", date="2026-01-10",
                                         summary="Along the water to example.org/map."),
                      "talk.md": article("A talk", date="2026-01-11")},
                     siteurl=deployed,
                     syndicate={"platforms": {"toy": {"url": fake.url, "on_edit": "repost"}}})
    site.write("syndicate_templates/toy.txt.j2", TEMPLATE)
    built = syndicate(site, toy_path, "build")
    assert built.returncode == 0, built.stderr

    # Its drafts, from its template, counted against its limit.
    previewed = syndicate(site, toy_path, "preview", "--format", "json")
    assert previewed.returncode == 0, previewed.stderr
    drafts = {d["article"]: d for d in json.loads(previewed.stdout)}
    walk = drafts["walk.md"]
    assert walk["platform"] == "toy" and walk["limit"] == 200
    assert walk["parts"][0]["text"] == ("A walk by the river: Along the water to "
                                        f"example.org/map. {walk['url']}")

    # The HTML preview shows it in its colour, with its look, under its label.
    page_file = site.root / "preview.html"
    shown = syndicate(site, toy_path, "preview", "--format", "html", "-o", str(page_file))
    assert shown.returncode == 0, shown.stderr
    page = page_file.read_text(encoding="utf-8")
    assert ".p-toy{--accent:#ff6600}" in page
    assert re.search(r'<section class="draft p-toy card-embed" data-article="walk.md"', page)
    assert '<span class="platform">Toy</span>' in page
    assert '<a class="link" href="https://example.org/map"' in page  # bare addresses link

    # Posted through its fake, recorded in the ledger, not posted twice.
    env = {"SYNDICATE_TOY_TOKEN": fake.token}
    posted = syndicate(site, toy_path, "post", env=env)
    assert posted.returncode == 0, posted.stdout + posted.stderr
    assert sorted(post["text"] for post in fake.posts.values()) == sorted(
        d["parts"][0]["text"] for d in drafts.values())
    again = syndicate(site, toy_path, "post", env=env)
    assert again.returncode == 0 and "nothing new to post" in again.stdout, again.stdout
    assert len(fake.posts) == 2
