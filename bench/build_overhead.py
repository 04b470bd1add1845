#!/usr/bin/env python
"""What the syndication plugin costs a Pelican build, and how fast `syndicate preview` is.

    .venv/bin/python bench/build_overhead.py [--articles 3000] [--rounds 3]

1. Generates a deterministic synthetic site (seeded) in a temporary folder: N Markdown
   articles with varied text, tags (some non-ASCII), summaries on about half, code
   blocks, a few Japanese articles, and two settings files that differ ONLY in
   `PLUGINS = []` versus `PLUGINS = ["syndicate"]`.
2. Builds it with `pelican` in a fresh subprocess per build, alternating with and without
   the plugin (ABBA order over the rounds, after one untimed warm-up build). Each child's
   wall time, CPU time and peak RSS come from os.wait4() on that very child, started from
   a minimal launcher process (so the peak RSS is the child's own, see LAUNCHER).
   One more in-process build with timers around each BuildSession method says where
   the plugin's time and memory go, without a profiler's distortion.
3. Times `syndicate preview` (table and --format json, output to /dev/null) as a
   subprocess, as a user runs it, and in-process (settings, manifest, rendering).
4. Prints a Markdown report and writes it to bench/results/latest.md (--report PATH).

Targets: build time with the plugin ≤ 1.05 × without; preview ≤ 1 s once built.
`--profile` adds a cProfile of one build with the plugin to the report (slow: cProfile
doubles the build time, so profile a smaller site, e.g. --articles 1000 --rounds 1).
`--snapshot` measures a copy of syndicate/ and plugins/ taken at the start, for a
working tree that is being edited while the benchmark runs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import pstats
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent  # the venv's bin: run this with .venv/bin/python
RESULTS = ROOT / "bench" / "results"
# Where the measured syndicate/ and plugins/ live: the working tree, or with --snapshot a
# copy taken at the start, so that edits made while the benchmark runs cannot mix in.
CODE = ROOT
BUILD_RATIO_TARGET = 1.05
PREVIEW_TARGET_S = 1.0
PLATFORMS = ("outbox", "mastodon", "bluesky", "x")

# --------------------------------------------------------------------------------------
# The synthetic site
# --------------------------------------------------------------------------------------

WORDS = [
    "walk", "street", "river", "bridge", "morning", "evening", "light", "window", "city",
    "harbour", "market", "bakery", "coffee", "train", "station", "map", "corner", "stair",
    "hill", "tram", "bicycle", "rain", "fog", "sun", "shadow", "neighbour", "garden", "roof",
    "wall", "door", "bench", "park", "square", "tower", "ferry", "island", "coast", "path",
    "stone", "brick", "quiet", "noisy", "slow", "early", "late", "small", "old", "new",
    "narrow", "wide", "long", "short", "bright", "grey", "green", "blue", "warm", "cold", "wet",
    "dry", "empty", "crowded", "gentle", "sudden", "patient", "curious", "careful", "honest",
    "notice", "follow", "cross", "climb", "wander", "linger", "listen", "remember", "return",
    "discover", "photograph", "write", "read", "sketch", "measure", "count", "build", "share",
    "publish", "syndicate", "render", "static", "site", "html", "css", "markup", "feed",
    "server", "browser", "page", "link", "archive", "theme", "template", "plugin", "draft",
    "because", "although", "while", "before", "after", "until", "since", "whenever", "instead",
    "perhaps", "probably"
]
TECH_WORDS = [
    "python", "pelican", "jinja", "markdown", "unicode", "grapheme", "utf-8", "json", "git",
    "rsync"
]
JA_SENTENCES = [
    "朝の川沿いはとても静かで、水の音だけが聞こえた。",
    "地図を持たずに歩くと、知らない路地がいくつも見つかる。",
    "駅前のパン屋で買ったあんパンを、橋の上で食べた。",
    "雨上がりの石畳が、街灯の光を映して光っていた。",
    "古い町家の窓から、ラジオの音が小さく流れてきた。",
    "坂道をのぼりきると、港と島々が一望できた。",
    "このサイトは静的なHTMLとCSSだけで作られている。",
    "散歩の記録を書くことで、同じ道が少し違って見える。",
]
JA_TITLES = ["京都の朝", "鴨川を歩く", "港町の夕暮れ", "雨の日の散歩", "古い商店街",
             "坂の上の公園", "夜の路面電車", "小さなウェブ"]
TAGS = ["walking", "cities", "small web", "Open Source", "html", "python", "photography",
        "trains", "books", "maps", "日本", "散歩", "京都", "café", "München", "São Paulo",
        "Lisboa", "C++", "rust", "2024", "emoji 🚶", "night walks", "coffee & cake"]
JA_TAGS = ["日本", "散歩", "京都", "walking", "写真"]
CATEGORIES = ["Walking", "Small Web", "Notes", "Code", "Travel"]
CODE_BLOCKS = [
    ("python", "import json\n\nwith open('walks.json') as f:\n    walks = json.load(f)\n"
               "print(sum(w['km'] for w in walks), 'km walked')"),
    ("bash", "pelican content -s pelicanconf.py -o output\nrsync -avz output/ host:/srv/www/"),
    ("html", '<!doctype html>\n<html lang="en">\n<meta charset="utf-8">\n'
             "<title>Field Notes</title>\n<h1>Field Notes</h1>"),
]


def _sentence(rng: random.Random, low: int = 6, high: int = 24) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    if rng.random() < 0.15:
        words.insert(rng.randrange(len(words)), f"`{rng.choice(TECH_WORDS)}`")
    if rng.random() < 0.1:
        at = rng.randrange(len(words))
        words[at] = f"[{words[at]}](https://example.org/{words[at]}/{rng.randint(1, 999)})"
    if rng.random() < 0.05:
        words.append(rng.choice(["🚶", "☕", "🌧️", "🇵🇹", "&", "—"]))
    return " ".join(words).capitalize() + rng.choice([".", ".", ".", "!", "?"])


def _paragraph(rng: random.Random, ja: bool) -> str:
    if ja:
        return "".join(rng.choice(JA_SENTENCES) for _ in range(rng.randint(2, 6)))
    return " ".join(_sentence(rng) for _ in range(rng.randint(2, 7)))


def _code_block(rng: random.Random) -> str:
    lang, code = rng.choice(CODE_BLOCKS)
    return f"```{lang}\n{code}\n```"


def article_text(i: int, n: int, rng: random.Random, start: datetime, span: timedelta
                 ) -> str:
    ja = rng.random() < 0.08
    date = start + span * (i / max(n - 1, 1)) + timedelta(minutes=rng.randint(0, 600))
    if ja:
        title = f"{rng.choice(JA_TITLES)}({i})"
    else:
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 7))).title()
        if rng.random() < 0.05:  # long enough that X has to shorten the title
            title = " ".join([title] + [rng.choice(WORDS) for _ in range(40)])
        title = f"{title} {i}"
    tags = rng.sample(JA_TAGS if ja else TAGS, rng.randint(0, 5) if rng.random() > 0.05 else 0)
    meta = [f"Title: {title}", f"Date: {date:%Y-%m-%d %H:%M}",
            f"Category: {rng.choice(CATEGORIES)}", f"Slug: post-{i:05d}"]
    if tags:
        meta.append(f"Tags: {', '.join(tags)}")
    if ja:
        meta.append("Lang: ja")
    if rng.random() < 0.5:
        if ja:
            summary = "".join(rng.choice(JA_SENTENCES) for _ in range(rng.randint(1, 3)))
        else:  # some summaries are long enough to be shortened for X and Bluesky
            summary = " ".join(_sentence(rng) for _ in range(rng.choice([1, 1, 2, 4, 8])))
        meta.append(f"Summary: {summary}")
    if rng.random() < 0.1:
        meta.append(f"Image: images/photo-{i % 40}.jpg")
        meta.append("Image_Alt: A grey harbour at dusk, with two small boats.")
    roll = rng.random()
    if roll < 0.01:
        meta.append("Syndicate: no")
    elif roll < 0.04:
        meta.append("Syndicate: -x")
    elif roll < 0.06:
        meta.append("Mastodon: New on the blog: {{ title }} {{ hashtags }}")

    body: list[str] = []
    if rng.random() < 0.2:  # a code block before any prose
        body.append(_code_block(rng))
    count = rng.randint(15, 30) if rng.random() < 0.1 else rng.randint(2, 6)
    for number in range(count):
        roll = rng.random()
        if roll < 0.05:
            body.append(f"## {rng.choice(WORDS).capitalize()} {rng.choice(WORDS)}")
        elif roll < 0.1:
            body.append("\n".join(f"- {_sentence(rng, 3, 10)}" for _ in range(rng.randint(2, 5))))
        elif roll < 0.15:
            body.append(_code_block(rng))
        elif roll < 0.18 and i > 10:
            body.append(f"As I wrote [before]({{filename}}/posts/post-{rng.randrange(i):05d}.md),"
                        " " + _sentence(rng))
        body.append(_paragraph(rng, ja))
        if number == 0 and rng.random() < 0.1:
            body.append(f"![A photo]({{static}}/images/photo-{i % 3}.png)")
    return "\n".join(meta) + "\n\n" + "\n\n".join(body) + "\n"


def settings_text(site: Path, theme: Path, plugins: Sequence[str]) -> str:
    """Both variants share every line but the last one."""
    return textwrap.dedent(f"""\
        # Generated by bench/build_overhead.py: the two variants differ only in PLUGINS.
        AUTHOR = "Bench Author"
        SITENAME = "Bench Notes"
        SITESUBTITLE = "A synthetic site for measuring the syndication plugin"
        SITEURL = "https://bench.example"
        PATH = {str(site / "content")!r}
        OUTPUT_PATH = {str(site / "output")!r}
        THEME = {str(theme)!r}
        TIMEZONE = "Europe/Lisbon"
        DEFAULT_LANG = "en"
        DEFAULT_DATE_FORMAT = "%-d %B %Y"
        STATIC_PATHS = ["images"]
        ARTICLE_URL = "posts/{{slug}}/"
        ARTICLE_SAVE_AS = "posts/{{slug}}/index.html"
        ARTICLE_LANG_URL = ARTICLE_URL
        ARTICLE_LANG_SAVE_AS = ARTICLE_SAVE_AS
        PAGE_URL = "{{slug}}/"
        PAGE_SAVE_AS = "{{slug}}/index.html"
        DEFAULT_PAGINATION = 10
        RELATIVE_URLS = False
        # No feeds and no caches: identical in both variants and no disk-cache noise.
        FEED_ALL_ATOM = None
        FEED_ALL_RSS = None
        CATEGORY_FEED_ATOM = None
        TRANSLATION_FEED_ATOM = None
        AUTHOR_FEED_ATOM = None
        AUTHOR_FEED_RSS = None
        CACHE_CONTENT = False
        LOAD_CONTENT_CACHE = False
        DELETE_OUTPUT_DIRECTORY = False
        SYNDICATE = {{"platforms": {{{", ".join(f'"{p}": {{}}' for p in PLATFORMS)}}}}}
        PLUGINS = {list(plugins)!r}
        """)


def find_theme() -> tuple[Path, str]:
    theme = ROOT / "themes" / "fieldnotes"
    if (theme / "templates").is_dir():
        return theme, "themes/fieldnotes"
    import pelican

    return Path(pelican.__file__).parent / "themes" / "notmyidea", "Pelican's default"


def generate_site(site: Path, articles: int, seed: int) -> dict[str, object]:
    rng = random.Random(seed)
    posts = site / "content" / "posts"
    posts.mkdir(parents=True)
    (site / "content" / "pages").mkdir()
    (site / "content" / "pages" / "about.md").write_text(
        "Title: About\n\nA synthetic site for benchmarks.\n", encoding="utf-8")
    images = site / "content" / "images"
    images.mkdir()
    for number in range(3):  # tiny valid PNGs for the {static} links
        (images / f"photo-{number}.png").write_bytes(_PNG)
    start, span = datetime(2015, 1, 1, 8, 0), timedelta(days=3650)
    total_bytes = 0
    for i in range(articles):
        text = article_text(i, articles, rng, start, span)
        total_bytes += len(text.encode("utf-8"))
        (posts / f"post-{i:05d}.md").write_text(text, encoding="utf-8")
    theme, theme_name = find_theme()
    for variant, plugins in (("with", ["syndicate"]), ("without", [])):
        (site / f"conf_{variant}.py").write_text(settings_text(site, theme, plugins),
                                                 encoding="utf-8")
    with_lines = (site / "conf_with.py").read_text().splitlines()
    without_lines = (site / "conf_without.py").read_text().splitlines()
    differing = [a for a, b in zip(with_lines, without_lines, strict=True) if a != b]
    assert differing == ['PLUGINS = [\'syndicate\']'], differing
    return {"articles": articles, "content_mib": total_bytes / 2**20, "theme": theme_name}


_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082")

# --------------------------------------------------------------------------------------
# Measuring children
# --------------------------------------------------------------------------------------


@dataclass
class Run:
    wall: float
    cpu: float
    maxrss_kib: int
    returncode: int
    output: str = ""


def child_env() -> dict[str, str]:
    """The caller's environment without SYNDICATE_* overrides, same for every child."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNDICATE_")}
    env["PYTHONHASHSEED"] = "0"
    if CODE != ROOT:  # the snapshot comes first on sys.path, before the editable install
        env["PYTHONPATH"] = str(CODE)
    return env


# A child's ru_maxrss starts from the memory of the process that forked it (Linux counts
# the pre-exec address space), so children are not started from this grown process but
# from a fresh, minimal interpreter that spawns the command, waits for it with wait4()
# and reports that child's own wall time, CPU time and peak RSS.
LAUNCHER = """
import json, os, sys, time
report, cmd = sys.argv[1], sys.argv[2:]
started = time.perf_counter()
pid = os.posix_spawn(cmd[0], cmd, os.environ)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - started
with open(report, "w") as f:
    json.dump({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
               "maxrss_kib": usage.ru_maxrss, "status": os.waitstatus_to_exitcode(status)}, f)
"""


def measure(cmd: Sequence[str | Path], cwd: Path, capture: bool = False) -> Run:
    """Run cmd through the launcher: its own wall time, CPU time and peak RSS."""
    with tempfile.TemporaryFile() as log, tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "usage.json"
        out = log if capture else subprocess.DEVNULL
        subprocess.run([sys.executable, "-I", "-S", "-c", LAUNCHER, str(report),
                        *(str(c) for c in cmd)], cwd=cwd, env=child_env(),
                       stdin=subprocess.DEVNULL, stdout=out, stderr=out, check=True)
        usage = json.loads(report.read_text())
        text = ""
        if capture:
            log.seek(0)
            text = log.read().decode("utf-8", "replace")
    return Run(usage["wall"], usage["cpu"], usage["maxrss_kib"], usage["status"], text)


@dataclass
class BuildRuns:
    runs: list[Run] = field(default_factory=list)
    pelican_seconds: list[float] = field(default_factory=list)

    def median(self, key: Callable[[Run], float]) -> float:
        return statistics.median(key(r) for r in self.runs)


def build(site: Path, variant: str) -> tuple[Run, float]:
    """One build: "without" or "with" the plugin, or "cold": with it, and no drafts to
    reuse from a previous build (a first build, or one after a template change)."""
    shutil.rmtree(site / "output", ignore_errors=True)
    if variant == "cold":
        shutil.rmtree(site / ".syndicate", ignore_errors=True)
        variant = "with"
    run = measure([BIN / "pelican", site / "content", "-s", site / f"conf_{variant}.py",
                   "-o", site / "output"], cwd=site, capture=True)
    if run.returncode != 0:
        sys.exit(f"pelican ({variant} plugin) failed with {run.returncode}:\n{run.output}")
    done = re.search(r"Processed ([\d,]+) articles?.*? in ([\d.]+) seconds", run.output,
                     re.S)
    if not done:
        sys.exit(f"pelican ({variant} plugin) did not report its work:\n{run.output}")
    return run, float(done.group(2))


@dataclass
class BuildCheck:
    drafts: int
    drafted_articles: int
    unfit: int
    manifest_mib: float
    log_problems: list[str]


def check_build(site: Path, run: Run, articles: int) -> BuildCheck:
    done = re.search(r"Processed ([\d,]+) articles?", run.output)
    processed = int(done.group(1).replace(",", "")) if done else -1
    if processed != articles:
        sys.exit(f"pelican processed {processed} articles, not {articles}:\n{run.output}")
    problems = [line for line in run.output.splitlines()
                if re.search(r"\b(WARNING|ERROR|CRITICAL)\b", line)]
    path = site / ".syndicate" / "manifest.json"
    manifest = json.loads(path.read_text("utf-8"))
    if manifest["errors"]:
        sys.exit(f"the build with the plugin reported errors: {manifest['errors'][:5]}")
    drafts = manifest["drafts"]
    return BuildCheck(drafts=len(drafts), drafted_articles=len({d["article"] for d in drafts}),
                      unfit=sum(not d["fits"] for d in drafts),
                      manifest_mib=path.stat().st_size / 2**20, log_problems=problems)


def timed(function: Callable[[], object], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return times


def in_process_child(site: Path, runs: int) -> None:
    """The same work as the command without interpreter start-up and imports."""
    started = time.perf_counter()
    from click.testing import CliRunner

    from syndicate.cli import cli
    from syndicate.manifest import load_manifest
    from syndicate.settings import load_settings

    import_time = time.perf_counter() - started
    conf = site / "conf_with.py"
    started = time.perf_counter()
    settings = load_settings(conf, environ={})  # the first call may import more
    first_settings = time.perf_counter() - started
    runner = CliRunner()

    def preview(*extra: str) -> Callable[[], None]:
        def invoke() -> None:
            result = runner.invoke(cli, ["preview", "-s", str(conf), *extra])
            if result.exit_code != 0:
                raise RuntimeError(f"preview failed: {result.output[-2000:]}")
        return invoke

    for warm in (preview(), preview("--format", "json")):
        warm()
    print(json.dumps({
        "import syndicate.cli (first import in this process)": [import_time],
        "first load_settings (with any imports it does)":
            [first_settings],
        "load_settings (reads the Pelican settings file)":
            timed(lambda: load_settings(conf, environ={}), runs),
        "load_manifest": timed(lambda: load_manifest(settings.manifest_path), runs),
        "preview, table (CliRunner, in memory)": timed(preview(), runs),
        "preview --format json (CliRunner, in memory)":
            timed(preview("--format", "json"), runs),
    }))


def in_process_preview(site: Path, runs: int) -> dict[str, list[float]]:
    run = measure([sys.executable, Path(__file__).resolve(), "--in-process", site,
                   "--preview-runs", str(runs)], cwd=site, capture=True)
    if run.returncode != 0:
        sys.exit(f"the in-process preview timing failed:\n{run.output[-3000:]}")
    result: dict[str, list[float]] = json.loads(run.output.strip().splitlines()[-1])
    return result


def profile_build(site: Path, top: int) -> str:
    """cProfile one build with the plugin; the plugin's share and its hottest functions."""
    shutil.rmtree(site / "output", ignore_errors=True)
    profile = site / "build.prof"
    run = measure([sys.executable, "-m", "cProfile", "-o", profile, BIN / "pelican",
                   site / "content", "-s", site / "conf_with.py", "-o", site / "output"],
                  cwd=site, capture=True)
    if run.returncode != 0:
        sys.exit(f"profiled build failed:\n{run.output}")
    stats = pstats.Stats(str(profile))
    entries = stats.stats  # type: ignore[attr-defined]
    total = stats.total_tt  # type: ignore[attr-defined]
    plugin = str(CODE / "plugins")
    library = str(CODE / "syndicate")
    hooks = [(func, data) for func, data in entries.items()
             if func[0].startswith(plugin) and func[2] in (
                 "start_session", "attach_syndication_links", "report_unreadable_sources",
                 "render_drafts", "write_manifest")]
    lines = [f"Profiled build with the plugin: {total:.2f} s of profiled CPU "
             f"(wall {run.wall:.1f} s under cProfile).", "",
             "Plugin signal handlers (cumulative, including everything they call):", ""]
    lines += ["| handler | calls | cumulative s | share of build |", "|---|---:|---:|---:|"]
    plugin_total = 0.0
    for func, (_cc, calls, _tt, cum, _callers) in sorted(hooks, key=lambda h: -h[1][3]):
        plugin_total += cum
        lines.append(f"| {func[2]} | {calls} | {cum:.3f} | {cum / total:.1%} |")
    lines += [f"| **all handlers** | | **{plugin_total:.3f}** | **{plugin_total / total:.1%}** |",
              ""]

    def table(title: str, index: int) -> None:
        rows = sorted(((f, d) for f, d in entries.items() if f[0].startswith(library)),
                      key=lambda item: -item[1][index])[:top]
        lines.extend([title, "", "| function | calls | own s | cumulative s |",
                      "|---|---:|---:|---:|"])
        for (path, line, name), (_cc, calls, own, cum, _callers) in rows:
            where = f"{Path(path).relative_to(CODE)}:{line} {name}"
            lines.append(f"| `{where}` | {calls} | {own:.3f} | {cum:.3f} |")
        lines.append("")

    table("Hottest library functions by cumulative time:", 3)
    table("Hottest library functions by own time:", 2)
    counters = sorted(((f, d) for f, d in entries.items()
                       if f[0].startswith(str(CODE / "syndicate" / "platforms"))
                       and f[2] == "count"), key=lambda item: -item[1][3])
    lines.extend(["Platform length counters (`Platform.count`, called while fitting):", "",
                  "| counter | calls | cumulative s | share of build |", "|---|---:|---:|---:|"])
    for (path, line, name), (_cc, calls, _own, cum, _callers) in counters:
        lines.append(f"| `{Path(path).relative_to(CODE)}:{line} {name}` | {calls} | "
                     f"{cum:.3f} | {cum / total:.1%} |")
    return "\n".join(lines)


# Where the plugin's time and memory go, without a profiler's distortion: one in-process
# build with the plugin whose BuildSession methods (all the plugin's work) are wrapped in
# timers. Runs in a child started like the builds, as `build_overhead.py --timings SITE`.
SESSION_METHODS = ("__init__", "attach_links", "record_unreadable", "add_articles", "finish")


def _rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def timings_child(site: Path) -> None:
    import logging
    import resource

    from pelican import Pelican  # first, so that only the plugin's own imports are timed
    from pelican.settings import read_settings

    started = time.perf_counter()
    import syndicate.pelican_build as build_module

    imports = time.perf_counter() - started

    logging.disable(logging.WARNING)
    seconds = dict.fromkeys(SESSION_METHODS, 0.0)
    memory: dict[str, list[float]] = {}
    session = build_module.BuildSession
    def timer(name: str, original: Callable[..., object]) -> Callable[..., object]:
        def timed_method(*args: object, **kwargs: object) -> object:
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                seconds[name] += time.perf_counter() - start
                after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                memory[name] = [before, after, _rss_mib()]
        return timed_method

    for name in SESSION_METHODS:
        setattr(session, name, timer(name, getattr(session, name)))
    shutil.rmtree(site / "output", ignore_errors=True)
    started = time.perf_counter()
    Pelican(read_settings(str(site / "conf_with.py"))).run()
    total = time.perf_counter() - started
    print(json.dumps({"imports": imports, "build": total, "seconds": seconds,
                      "memory": memory}))


def plugin_breakdown(site: Path, without_median: float) -> list[str]:
    run = measure([sys.executable, Path(__file__).resolve(), "--timings", site], cwd=site,
                  capture=True)
    if run.returncode != 0:
        sys.exit(f"the timed in-process build failed:\n{run.output[-3000:]}")
    data = json.loads(run.output.strip().splitlines()[-1])
    labels = {
        "__init__": "BuildSession() at `initialized`: settings, templates, ledger",
        "attach_links": "attach_links at `article_generator_finalized`",
        "record_unreadable": "record_unreadable at `all_generators_finalized`",
        "add_articles": "add_articles at `article_writer_finalized`: excerpts, "
                        "rendering, fitting",
        "finish": "finish at `finalized`: sort and write the manifest",
    }
    lines = [f"One in-process build with the plugin and timers around each `BuildSession` "
             f"method (no profiler): {data['build']:.2f} s in Pelican.run(), peak RSS "
             f"{run.maxrss_kib / 1024:.0f} MiB. Shares are of the median build without the "
             f"plugin ({without_median:.2f} s).", "",
             "| plugin work | s | share | peak RSS before → after (MiB) |",
             "|---|---:|---:|---:|",
             f"| importing syndicate.pelican_build after Pelican (loading the plugin) | "
             f"{data['imports']:.3f} | {data['imports'] / without_median:.1%} | |"]
    total = data["imports"]
    for name in SESSION_METHODS:
        spent = data["seconds"][name]
        total += spent
        before, after, _current = data["memory"].get(name, [0, 0, 0])
        lines.append(f"| {labels[name]} | {spent:.3f} | {spent / without_median:.1%} | "
                     f"{before:.0f} → {after:.0f} |")
    lines.append(f"| **total** | **{total:.3f}** | **{total / without_median:.1%}** | |")
    return lines


# --------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------


def mib(kib: float) -> str:
    return f"{kib / 1024:.0f} MiB"


def library_fingerprint(root: Path = ROOT) -> str:
    """A hash of the code being measured: the library, its templates and the plugin."""
    digest = hashlib.sha256()
    for folder in (root / "syndicate", root / "plugins"):
        for path in sorted(folder.rglob("*")):
            if path.suffix in (".py", ".j2") and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode() + b"\0")
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def code_state() -> str:
    """The commit measured, and which library files differ from it."""
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                                  check=True).stdout.rstrip()
        except (OSError, subprocess.CalledProcessError):
            return ""

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", "syndicate", "plugins").splitlines()
    changed = ", ".join(line[3:] for line in dirty)
    return f"commit {head}" + (f" plus uncommitted changes to {changed}" if changed else "")


def machine() -> list[str]:
    try:
        nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    except OSError:
        nproc = str(len(os.sched_getaffinity(0)))
    import pelican

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return [f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
            f"- Machine: {platform.machine()}, `nproc` = {nproc}, {platform.platform()}",
            f"- Python {platform.python_version()}, Pelican {pelican.__version__}",
            f"- Load average when the report was written: {load}"]


def take_snapshot(site: Path) -> Path:
    code = site / "code"
    for folder in ("syndicate", "plugins"):
        shutil.copytree(ROOT / folder, code / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return code


def main(argv: Sequence[str] | None = None) -> None:
    global CODE
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3,
                        help="builds of each variant, interleaved (default 3)")
    parser.add_argument("--preview-runs", type=int, default=7)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--no-warmup", action="store_true",
                        help="skip the untimed warm-up build")
    parser.add_argument("--profile", action="store_true",
                        help="also cProfile one build with the plugin")
    parser.add_argument("--keep", action="store_true", help="keep the generated site")
    parser.add_argument("--report", type=Path, default=RESULTS / "latest.md",
                        help="where to write the Markdown report (default: %(default)s)")
    parser.add_argument("--snapshot", action="store_true",
                        help="measure a copy of syndicate/ and plugins/ taken at the start "
                             "(for a working tree that others edit meanwhile)")
    parser.add_argument("--timings", type=Path, help=argparse.SUPPRESS)  # child modes
    parser.add_argument("--in-process", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.timings:
        timings_child(args.timings)
        return
    if args.in_process:
        in_process_child(args.in_process, args.preview_runs)
        return
    for tool in ("pelican", "syndicate"):
        if not (BIN / tool).exists():
            sys.exit(f"{BIN / tool} not found: run this with the project's .venv/bin/python")
    command = " ".join([".venv/bin/python bench/build_overhead.py", *(argv or sys.argv[1:])])
    began = time.perf_counter()
    load_before = ", ".join(f"{x:.2f}" for x in os.getloadavg())

    site = Path(tempfile.mkdtemp(prefix="syndicate-bench-"))
    state = code_state()
    if args.snapshot:
        CODE = take_snapshot(site)
        state += ", as a snapshot copied at the start"
    fingerprint = library_fingerprint(CODE)
    try:
        info = generate_site(site, args.articles, args.seed)
        print(f"Generated {args.articles} articles ({info['content_mib']:.1f} MiB of "
              f"Markdown) in {site}", flush=True)

        if not args.no_warmup:
            # With the plugin: the timed builds then find the drafts of a previous build,
            # as every build of a blog but its first does ("cold" measures the first).
            run, seconds = build(site, "with")
            print(f"warm-up build (with plugin): {run.wall:.1f} s", flush=True)
        results = {"with": BuildRuns(), "without": BuildRuns(), "cold": BuildRuns()}
        last_with: Run | None = None
        for number in range(args.rounds):
            order = ("without", "with") if number % 2 == 0 else ("with", "without")
            for variant in (*order, "cold"):
                run, seconds = build(site, variant)
                results[variant].runs.append(run)
                results[variant].pelican_seconds.append(seconds)
                if variant in ("with", "cold"):
                    last_with = run
                print(f"round {number + 1}/{args.rounds} {variant:>7} plugin: "
                      f"wall {run.wall:6.2f} s, cpu {run.cpu:6.2f} s, "
                      f"peak RSS {mib(run.maxrss_kib)}", flush=True)
        # Whichever came last, the manifest on disk is the last build with the plugin's.
        assert last_with is not None
        checks = check_build(site, last_with, args.articles)

        preview_cmds: dict[str, list[str | Path]] = {
            "`python -c pass` (interpreter start-up, for scale)":
                [sys.executable, "-c", "pass"],
            "`syndicate --version` (start-up, imports syndicate.cli)":
                [BIN / "syndicate", "--version"],
            "`syndicate preview -s conf.py`": [BIN / "syndicate", "preview", "-s",
                                               site / "conf_with.py"],
            "`syndicate preview -s conf.py --format json`":
                [BIN / "syndicate", "preview", "-s", site / "conf_with.py", "--format",
                 "json"],
        }
        preview_runs: dict[str, list[Run]] = {}
        for label, cmd in preview_cmds.items():
            measure(cmd, cwd=site)  # warm-up
            runs = [measure(cmd, cwd=site) for _ in range(args.preview_runs)]
            if any(r.returncode for r in runs):
                failed = measure(cmd, cwd=site, capture=True)
                sys.exit(f"{label} failed:\n{failed.output[-3000:]}")
            preview_runs[label] = runs
        in_process = in_process_preview(site, args.preview_runs)
        breakdown = plugin_breakdown(site, results["without"].median(lambda r: r.wall))
        profile = profile_build(site, 15) if args.profile else ""
    finally:
        if args.keep:
            print(f"kept the site in {site}")
        else:
            shutil.rmtree(site, ignore_errors=True)

    with_, without, cold = results["with"], results["without"], results["cold"]
    changed_during_run = library_fingerprint() != fingerprint
    warning = ("the working tree changed while the benchmark ran; the snapshot taken at the "
               "start was measured, so the results are consistent" if args.snapshot else
               "**Warning: the library changed while the benchmark ran; these results mix "
               "versions. Run it again, or with --snapshot.**")

    def ratio(key: Callable[[Run], float]) -> float:
        return with_.median(key) / without.median(key)

    wall_ratio = ratio(lambda r: r.wall)
    paired = statistics.median(w.wall / o.wall for w, o in zip(with_.runs, without.runs,
                                                               strict=True))
    pel_ratio = statistics.median(with_.pelican_seconds) / statistics.median(
        without.pelican_seconds)
    rss_with = max(r.maxrss_kib for r in with_.runs)
    rss_without = max(r.maxrss_kib for r in without.runs)
    preview_table = statistics.median(r.wall for r in preview_runs[
        "`syndicate preview -s conf.py`"])
    preview_json = statistics.median(r.wall for r in preview_runs[
        "`syndicate preview -s conf.py --format json`"])

    def verdict(ok: bool) -> str:
        return "**met**" if ok else "**NOT met**"

    def times(runs: Sequence[float]) -> str:
        return ", ".join(f"{t:.2f}" for t in runs)

    lines = [
        "# syndicate benchmark: plugin build overhead and preview time", "",
        f"Command: `{command}`", "", *machine(),
        f"- Code measured: {state} (library fingerprint {fingerprint})",
        *([f"- Note: {warning}"] if changed_during_run and args.snapshot else
          ["", warning, ""] if changed_during_run else []),
        f"- Load average before the benchmark: {load_before}",
        f"- Site: {args.articles} articles (seed {args.seed}, {info['content_mib']:.1f} MiB "
        f"of Markdown), theme {info['theme']}, platforms {', '.join(PLATFORMS)}",
        f"- Manifest: {checks.drafts} drafts for {checks.drafted_articles} articles "
        f"({checks.unfit} do not fit), {checks.manifest_mib:.1f} MiB",
        f"- {args.rounds} rounds, with/without interleaved in ABBA order after "
        f"{'no' if args.no_warmup else 'one untimed'} warm-up build (with the plugin); "
        f"total benchmark time {time.perf_counter() - began:.0f} s", "",
        "## Targets", "",
        "| target | measured | |", "|---|---:|---|",
        f"| build with plugin ≤ {BUILD_RATIO_TARGET:.2f} × without (median wall time) | "
        f"{wall_ratio:.3f} | {verdict(wall_ratio <= BUILD_RATIO_TARGET)} |",
        f"| `syndicate preview` ≤ {PREVIEW_TARGET_S:.0f} s (median wall, table) | "
        f"{preview_table:.2f} s | {verdict(preview_table <= PREVIEW_TARGET_S)} |",
        f"| `syndicate preview --format json` ≤ {PREVIEW_TARGET_S:.0f} s (median wall) | "
        f"{preview_json:.2f} s | {verdict(preview_json <= PREVIEW_TARGET_S)} |", "",
        f"## Build: `pelican` with and without the plugin ({args.articles} articles)", "",
        "| | without plugin | with plugin | with / without |", "|---|---:|---:|---:|",
        f"| wall time, median (s) | {without.median(lambda r: r.wall):.2f} | "
        f"{with_.median(lambda r: r.wall):.2f} | **{wall_ratio:.3f}** |",
        f"| wall time, median of per-round ratios | | | {paired:.3f} |",
        f"| cold: with the plugin and no previous drafts to reuse, median (s) | | "
        f"{cold.median(lambda r: r.wall):.2f} | "
        f"{cold.median(lambda r: r.wall) / without.median(lambda r: r.wall):.3f} |",
        f"| CPU time user+sys, median (s) | {without.median(lambda r: r.cpu):.2f} | "
        f"{with_.median(lambda r: r.cpu):.2f} | {ratio(lambda r: r.cpu):.3f} |",
        f"| Pelican's own \"in N seconds\", median | "
        f"{statistics.median(without.pelican_seconds):.2f} | "
        f"{statistics.median(with_.pelican_seconds):.2f} | {pel_ratio:.3f} |",
        f"| peak RSS, max over rounds | {mib(rss_without)} | {mib(rss_with)} | "
        f"{rss_with / rss_without:.3f} |",
        f"| wall times per round (s) | {times([r.wall for r in without.runs])} | "
        f"{times([r.wall for r in with_.runs])} | |", "",
        "### Where the plugin's time goes", "", *breakdown, "",
        "## `syndicate preview` on the built site", "",
        f"Subprocesses as a user runs them, output to /dev/null; {args.preview_runs} runs "
        "after one warm-up.", "",
        "| command | median (s) | min (s) | max (s) | peak RSS |", "|---|---:|---:|---:|---:|",
    ]
    for label, runs in preview_runs.items():
        walls = [r.wall for r in runs]
        lines.append(f"| {label} | {statistics.median(walls):.3f} | {min(walls):.3f} | "
                     f"{max(walls):.3f} | {mib(max(r.maxrss_kib for r in runs))} |")
    lines += ["", "In-process, in one fresh interpreter: the first two rows ran once (first "
              "import, first settings read); the others are medians after a warm-up:", "",
              "| step | median (s) | min (s) |", "|---|---:|---:|"]
    for label, values in in_process.items():
        lines.append(f"| {label} | {statistics.median(values):.3f} | {min(values):.3f} |")
    if checks.log_problems:
        lines += ["", "Pelican warnings in the last build with the plugin:", "", "```",
                  *checks.log_problems[:20], "```"]
    if profile:
        lines += ["", "## Profile of one build with the plugin", "", profile]
    report = "\n".join(lines) + "\n"
    print("\n" + report)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(report, encoding="utf-8")
    print(f"Written to {args.report}")


if __name__ == "__main__":
    main()
