"""Fitting throughput: drafts per second for many articles on mastodon, bluesky, x, linkedin.

Run: .venv/bin/python bench/fitting_throughput.py [--articles 10000] [--rounds 3]

Articles are made in memory (seeded), as the plugin hands them to the library: title,
plain-text summary (a third long enough to need shortening, some Japanese, some emoji),
tags, an absolute URL. Every draft is rendered and fitted from scratch (nothing reused
from a previous build, no count remembered from the round before), with the cycle
collector paused as the build pauses it. The target is at least 20,000 drafts per second
(10,000 at the least).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic_site import JA_SENTENCES, TAGS, _sentence

from syndicate.collector import collection_paused
from syndicate.compose.articles import ArticleSource
from syndicate.compose.drafting import drafts_for
from syndicate.compose.templates import DraftTemplates
from syndicate.settings import settings_from_pelican
from syndicate.text.chunked import forget

PLATFORMS = ("mastodon", "bluesky", "x", "linkedin")
TARGET = 20_000  # issue 12: 20,000 (10,000 at the least)


def make_articles(count: int, seed: int) -> list[ArticleSource]:
    rng = random.Random(seed)
    start = datetime(2016, 1, 1, tzinfo=UTC)
    articles = []
    for number in range(count):
        japanese = rng.random() < 0.08
        sentences = rng.choice([1, 2, 3, 6, 10]) if not japanese else rng.randint(2, 8)
        summary = ("".join(rng.choice(JA_SENTENCES) for _ in range(sentences)) if japanese
                   else " ".join(_sentence(rng) for _ in range(sentences)))
        title = _sentence(rng, 3, 14 if rng.random() < 0.9 else 30).rstrip(".!?")
        slug = f"article-{number:05d}"
        articles.append(ArticleSource(
            key=f"posts/{slug}.md", source=f"content/posts/{slug}.md",
            url=f"https://bench.example/posts/{slug}/", title=title, summary=summary,
            date=start + timedelta(hours=number * 7), lang="ja" if japanese else "en",
            tags=tuple(rng.sample(TAGS, rng.randint(0, 5)))))
    return articles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    settings = settings_from_pelican(
        {"PATH": "content", "SITENAME": "Bench", "AUTHOR": "Bench Author",
         "SYNDICATE": {"platforms": {name: {} for name in PLATFORMS}}}, "bench", environ={})
    articles = make_articles(args.articles, args.seed)
    rates, cpu_rates = [], []
    drafts = unfit = 0
    for _ in range(args.rounds):
        templates = DraftTemplates(None)  # fresh: no compiled template carried over
        forget()  # nor any count remembered from the round before
        started, cpu_started = time.perf_counter(), time.process_time()
        with collection_paused():  # as the build drafts
            made = [d for article in articles for d in drafts_for(article, settings, templates)]
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu_started
        drafts, unfit = len(made), sum(not d.fits for d in made)
        rates.append(drafts / seconds)
        cpu_rates.append(drafts / cpu_seconds)
        print(f"{drafts} drafts in {seconds:.2f} s: {drafts / seconds:,.0f} drafts/s "
              f"({drafts / cpu_seconds:,.0f} per CPU second)", flush=True)
    median = statistics.median(rates)
    verdict = "met" if median >= TARGET else "NOT met"
    # Per CPU second leaves out the time other processes took the core (not a host that
    # runs the core slower, which the two columns then show alike).
    print(f"\n| articles | platforms | drafts | do not fit | drafts/s (median of {args.rounds}) "
          f"| per CPU second | target ≥ {TARGET:,} |\n|---:|---|---:|---:|---:|---:|---|\n"
          f"| {args.articles:,} | {', '.join(PLATFORMS)} | {drafts:,} | {unfit} | "
          f"{median:,.0f} | {statistics.median(cpu_rates):,.0f} | {verdict} |")


if __name__ == "__main__":
    main()
