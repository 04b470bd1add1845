"""How fast `syndicate preview` is in every format, and how large the HTML page gets.

Run: .venv/bin/python bench/preview_formats.py [--articles 3000] [--runs 5]

Generates the synthetic site of bench/build_overhead.py (same seed, same platforms:
outbox, mastodon, bluesky, x), builds it once with the plugin, then times
`syndicate preview` as a real process (start-up included) in each format, writing to a
file with -o. Target: each ≤ 1 s after the build. Also reports the HTML page's size per
article, and per article with an image (each image is embedded once, made small).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_overhead import (
    BIN,
    PLATFORMS,
    find_theme,
    generate_site,
    settings_text,
)

TARGET_SECONDS = 1.0
FORMATS = ("table", "json", "markdown", "html")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    site = Path(tempfile.mkdtemp(prefix="syndicate-preview-bench-"))
    try:
        generate_site(site, args.articles, args.seed)
        theme, _ = find_theme()
        conf = site / "conf_with.py"
        conf.write_text(settings_text(site, theme, ["syndicate"]), encoding="utf-8")
        subprocess.run([BIN / "pelican", site / "content", "-s", conf, "-o", site / "output"],
                       cwd=site, check=True, capture_output=True)
        drafts = len(__import__("json").loads(subprocess.run(
            [BIN / "syndicate", "preview", "-s", conf, "--format", "json"], cwd=site,
            check=True, capture_output=True).stdout))
        rows = []
        sizes: dict[str, int] = {}
        for output_format in FORMATS:
            out = site / f"preview.{output_format}"
            command = [BIN / "syndicate", "preview", "-s", conf, "--format", output_format,
                       "-o", out]
            subprocess.run(command, cwd=site, check=True, capture_output=True)  # warm-up
            times = []
            for _ in range(args.runs):
                started = time.perf_counter()
                subprocess.run(command, cwd=site, check=True, capture_output=True)
                times.append(time.perf_counter() - started)
            sizes[output_format] = out.stat().st_size
            median = statistics.median(times)
            rows.append(f"| `--format {output_format}` | {median:.2f} | {min(times):.2f} | "
                        f"{max(times):.2f} | {sizes[output_format] / 1e6:.1f} MB | "
                        f"{'met' if median <= TARGET_SECONDS else 'NOT met'} |")
        images = len(list((site / "content").rglob("*.png")))
    finally:
        shutil.rmtree(site, ignore_errors=True)
    print(f"{args.articles} articles × {', '.join(PLATFORMS)}: {drafts} drafts; {images} "
          f"image files; median of {args.runs} runs each.\n")
    print(f"| format | median (s) | fastest (s) | slowest (s) | output | target ≤ "
          f"{TARGET_SECONDS:g} s |\n|---|---:|---:|---:|---:|---|")
    print("\n".join(rows))
    print(f"\nHTML page: {sizes['html'] / args.articles / 1024:.1f} KiB per article "
          f"({sizes['html'] / drafts / 1024:.2f} KiB per draft).")


if __name__ == "__main__":
    main()
