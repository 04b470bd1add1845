"""The synthetic site every benchmark measures: one generator, deterministic (seeded).

    .venv/bin/python bench/synthetic_site.py DIR [--articles 3000] [--ledger none|all-but-5]

N Markdown articles over ten years (tags with non-ASCII and awkward names, summaries on
about half, some long enough to be shortened, code blocks before the prose, `{filename}`
links, 8% Japanese, a few opt-outs and metadata templates, one in ten with an image),
and settings files that differ only in PLUGINS: `conf_with.py` and `conf_without.py`.
With `--ledger all-but-5`, `syndication.json` holds every article but the 5 newest as
posted on every platform, as an established blog's ledger does (made from one build's
drafts, then the drafts are removed: the next build is cold, as in CI).
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent  # the venv's bin: run this with .venv/bin/python
PLATFORMS = ("outbox", "mastodon", "bluesky", "x")

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
        # Generated by bench/synthetic_site.py: the two variants differ only in PLUGINS.
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



WHEN = "2025-01-01T00:00:00+00:00"


def establish_ledger(site: Path, pending: int = 5) -> int:
    """Write the site's ledger as an established blog has it: every article but the
    `pending` newest posted on every platform it goes to. Builds once with the plugin
    to know the drafts, then removes them and the output (the next build is cold).
    Returns how many drafts the ledger holds."""
    from syndicate.compose.manifest import load_manifest
    from syndicate.ledger import Ledger

    build(site, "with")
    manifest = load_manifest(site / ".syndicate" / "manifest.json")
    newest = sorted({(d.date, d.article) for d in manifest.drafts})[-pending:]
    left_out = {article for _, article in newest}
    ledger = Ledger(site / "syndication.json")
    held = 0
    for number, draft in enumerate(manifest.drafts):
        if draft.article in left_out:
            continue
        entry = {"state": "posted", "hash": draft.text_hash, "updated_at": WHEN,
                 "parts": [{"state": "posted", "id": f"{number}-{index}",
                            "url": f"https://{draft.platform}.example/@bench/{number}-{index}",
                            "posted_at": WHEN}
                           for index in range(len(draft.parts))]}
        if draft.inputs:
            entry["inputs"] = draft.inputs
        article = ledger.articles.setdefault(draft.article, {"url": draft.url, "platforms": {}})
        article["platforms"][draft.platform] = entry
        held += 1
    ledger.save()
    shutil.rmtree(site / ".syndicate", ignore_errors=True)
    shutil.rmtree(site / "output", ignore_errors=True)
    return held


def build(site: Path, variant: str) -> None:
    """One build, "with" or "without" the plugin, into site/output."""
    subprocess.run([BIN / "pelican", site / "content", "-s", site / f"conf_{variant}.py",
                    "-o", site / "output"], cwd=site, check=True, capture_output=True)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="an empty or missing folder")
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--ledger", choices=("none", "all-but-5"), default="none")
    args = parser.parse_args(argv)
    args.site.mkdir(parents=True, exist_ok=True)
    facts = generate_site(args.site, args.articles, args.seed)
    if args.ledger == "all-but-5":
        facts["ledger drafts"] = establish_ledger(args.site)
    print(facts)


if __name__ == "__main__":
    main()
