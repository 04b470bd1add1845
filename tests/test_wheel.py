"""A blogger's first five minutes, from the built wheel: installed in a fresh venv (no
editable install, no repository on sys.path), on a quickstart-style blog with Pelican's
default theme. Build, preview, post to the outbox and to Mastodon, rebuild: the pages say
where each article went. Then a file moves and a slug changes: nothing is posted again.

The wheel's dependencies come from .wheelhouse/ (`make test` fills it), so this test needs
no network."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import textwrap
import venv
import zipfile
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import PROJECT, QuietHandler, article, serving
from fakes import mastodon as fake_mastodon

WHEELHOUSE = PROJECT / ".wheelhouse"
TOKEN = "good-token"


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel and sdist, built from this checkout, and checked by twine."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out),
                    str(PROJECT)], check=True, capture_output=True, timeout=600)
    files = sorted(out.iterdir())
    assert sorted(f.suffix for f in files) == [".gz", ".whl"], files
    twine = subprocess.run([str(Path(sys.executable).with_name("twine")), "check", "--strict",
                            *map(str, files)], capture_output=True, text=True, timeout=120)
    assert twine.returncode == 0, twine.stdout + twine.stderr
    return out


@pytest.fixture(scope="module")
def fresh_venv(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new venv with the wheel installed (runtime dependencies only), offline."""
    if not (WHEELHOUSE / ".done").exists():
        pytest.fail("no .wheelhouse/: run `make test` (it downloads the dependencies' wheels)")
    home = tmp_path_factory.mktemp("venv") / "v"
    venv.EnvBuilder(with_pip=True).create(home)
    wheel = next(dist.glob("*.whl"))
    subprocess.run([str(home / "bin" / "pip"), "install", "--quiet", "--no-index",
                    "--find-links", str(WHEELHOUSE), str(wheel)], check=True, timeout=600,
                   capture_output=True)
    return home


def test_the_wheel_holds_the_library_the_plugin_and_the_data(dist: Path) -> None:
    names = zipfile.ZipFile(next(dist.glob("*.whl"))).namelist()
    assert "pelican/plugins/syndicate/__init__.py" in names
    assert "pelican/__init__.py" not in names and "pelican/plugins/__init__.py" not in names
    assert "syndicate/cli.py" in names and "syndicate/templates/mastodon.txt.j2" in names
    assert "syndicate/data/workflows/publish.yml" in names
    metadata = next(n for n in names if n.endswith("METADATA"))
    text = zipfile.ZipFile(next(dist.glob("*.whl"))).read(metadata).decode()
    assert "Name: pelican-syndicate" in text
    requirements = [line for line in text.splitlines() if line.startswith("Requires-Dist")]
    assert not [r for r in requirements if "extra ==" not in r and any(
        tool in r for tool in ("pytest", "hypothesis", "playwright", "ruff", "mypy"))]


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.syndication: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and "syndication" in (values.get("rel") or "").split():
            assert "u-syndication" in (values.get("class") or "").split()
            self.syndication.append(str(values.get("href")))


def links_on(page: Path) -> list[str]:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.syndication


def write_settings(root: Path, siteurl: str, extra: str = "") -> None:
    """A quickstart blog's pelicanconf.py, with extra lines."""
    (root / "pelicanconf.py").write_text(textwrap.dedent(f"""\
        AUTHOR = "Ada"
        SITENAME = "Walks"
        SITEURL = {siteurl!r}
        PATH = "content"
        TIMEZONE = "UTC"
        """) + extra, encoding="utf-8")


@pytest.fixture
def blog(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A quickstart blog served on 127.0.0.1 (so its pages are live)."""
    root = tmp_path / "blog"
    (root / "content" / "posts").mkdir(parents=True)
    with serving(functools.partial(QuietHandler, directory=str(root / "output"))) as url:
        yield root, url


def test_a_blogger_installs_the_wheel_and_syndicates_an_existing_blog(
        fresh_venv: Path, blog: tuple[Path, str]) -> None:
    root, siteurl = blog
    bin_ = fresh_venv / "bin"
    for n in range(2):
        (root / "content" / "posts" / f"walk-{n}.md").write_text(
            article(f"Walk {n}", date=f"2026-01-0{n + 1}"), encoding="utf-8")
    with fake_mastodon.running() as mastodon:
        write_settings(root, siteurl, 'PLUGINS = ["syndicate"]\nSYNDICATE = {"platforms": '
                       f'{{"outbox": {{}}, "mastodon": {{"url": {mastodon.url!r}}}}}}}\n')
        env = {"PATH": f"{bin_}:/usr/bin:/bin", "HOME": str(root),
               "SYNDICATE_MASTODON_TOKEN": TOKEN}

        def syndicate(*args: str) -> subprocess.CompletedProcess[str]:
            result = subprocess.run([str(bin_ / "syndicate"), *args], cwd=root, env=env,
                                    capture_output=True, text=True, timeout=300)
            return result

        where = subprocess.run([str(bin_ / "python"), "-c",
                                "import syndicate, pelican.plugins.syndicate as p; "
                                "print(syndicate.__file__, p.__file__)"],
                               cwd=root, env=env, capture_output=True, text=True, check=True)
        assert str(PROJECT) not in where.stdout and str(fresh_venv) in where.stdout
        built = syndicate("build")
        assert built.returncode == 0, built.stdout + built.stderr
        assert "4 drafts for 2 articles" in built.stdout
        preview = syndicate("preview", "--format", "json")
        assert {d["platform"] for d in json.loads(preview.stdout)} == {"outbox", "mastodon"}
        posted = syndicate("post")
        assert posted.returncode == 0, posted.stdout + posted.stderr
        assert len(mastodon.statuses) == 2 and len(list((root / "outbox").glob("*.json"))) == 2
        assert syndicate("build").returncode == 0
        page = root / "output" / "walk-0.html"
        copies = links_on(page)
        assert len(copies) == 2 and len(set(copies)) == 2, copies
        assert any(url in copies for url in (s["url"] for s in mastodon.statuses.values()))

        # The file moves (same URL), and another article's slug changes (same file).
        (root / "content" / "posts" / "2026").mkdir()
        (root / "content" / "posts" / "walk-0.md").rename(
            root / "content" / "posts" / "2026" / "walk-0.md")
        (root / "content" / "posts" / "walk-1.md").write_text(
            article("Walk 1", date="2026-01-02", slug="the-first-walk"), encoding="utf-8")
        assert syndicate("build").returncode == 0
        again = syndicate("post")
        assert again.returncode == 0, again.stdout + again.stderr
        assert len(mastodon.statuses) == 2, "a moved file or a new slug posted again"
        assert len(list((root / "outbox").glob("*.json"))) == 2
        status = syndicate("status")
        assert "posts/walk-0.md" in status.stdout and "moved" in status.stdout
        assert len(links_on(root / "output" / "walk-0.html")) == 2
        assert len(links_on(root / "output" / "the-first-walk.html")) == 2


def test_the_readmes_add_it_to_your_blog_steps_work_as_written(
        fresh_venv: Path, blog: tuple[Path, str]) -> None:
    """The README's "Add it to your Pelican blog" commands, run as written on an existing
    blog (the pip line is the fresh venv this test installed the wheel into)."""
    from test_readme import block_after

    root, siteurl = blog
    bin_ = fresh_venv / "bin"
    for n in range(3):
        (root / "content" / "posts" / f"old-{n}.md").write_text(
            article(f"Old walk {n}", date=f"2025-0{n + 1}-01"), encoding="utf-8")
    write_settings(root, siteurl)
    env = {"PATH": f"{bin_}:/usr/bin:/bin", "HOME": str(root)}

    def run(line: str, extra: dict[str, str] | None = None) -> str:
        result = subprocess.run(line, shell=True, cwd=root, env={**env, **(extra or {})},
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, (line, result.stdout, result.stderr)
        return result.stdout

    commands = [line for line in block_after("## Add it to your Pelican blog", "sh")
                .splitlines() if line.strip()]
    assert commands[0] == "pip install pelican-syndicate"
    outputs = [run(line) for line in commands[1:]]
    assert "Recorded 6 drafts of 3 articles as already syndicated" in "".join(outputs)
    settings = (root / "pelicanconf.py").read_text(encoding="utf-8")
    assert '"mastodon"' in settings and '"bluesky"' in settings
    assert (root / ".github" / "workflows" / "syndicate-publish.yml").exists()
    # A new article after adoption: it alone goes out, where the secrets are set.
    (root / "content" / "posts" / "new.md").write_text(
        article("A new walk", date="2026-02-01"), encoding="utf-8")
    with fake_mastodon.running() as mastodon:
        run("syndicate build")
        out = run("syndicate post", {"SYNDICATE_MASTODON_URL": mastodon.url,
                                     "SYNDICATE_MASTODON_TOKEN": TOKEN})
        assert [s["content"].splitlines()[0] for s in mastodon.statuses.values()] == \
            ["A new walk"]
        assert "bluesky" in out.lower(), "the skipped platform is named"
        run("syndicate build")
        assert len(links_on(root / "output" / "a-new-walk.html")) == 1
