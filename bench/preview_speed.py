"""How fast `syndicate preview` is in every format on a 3,000-article blog, with hyperfine.

    .venv/bin/python bench/preview_speed.py [--articles 3000] [--runs 5]

Two synthetic sites (bench/synthetic_site.py), each built once with the plugin: a blog
never syndicated (every article pending: the default preview shows all of them) and an
established one (the ledger holds all but the 5 newest: the default preview shows 5,
`--all` drafts the other 2,995 on demand). Each command is a real process (start-up
included) writing its output with -o; hyperfine runs it once to warm up, then --runs
times. Target: ≤ 0.5 s in every format. Needs hyperfine (`apt-get install hyperfine`).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

from synthetic_site import BIN, build, establish_ledger, generate_site

TARGET = 0.5
FORMATS = ("json", "table", "markdown", "html")  # json first: it counts the drafts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    if shutil.which("hyperfine") is None:
        raise SystemExit("hyperfine is not installed: apt-get install hyperfine")
    work = Path(tempfile.mkdtemp(prefix="syndicate-preview-"))
    rows = []
    try:
        cases = []
        for blog in ("never syndicated", "established"):
            site = work / blog.replace(" ", "-")
            site.mkdir()
            generate_site(site, args.articles, args.seed)
            if blog == "established":
                establish_ledger(site)
            build(site, "with")
            cases += [(blog, site, "")] + ([(blog, site, "--all")] if blog == "established"
                                           else [])
        for blog, site, extra in cases:
            for output_format in FORMATS:
                out = site / f"preview.{output_format}"
                command = (f"{BIN / 'syndicate'} preview -s {site / 'conf_with.py'} "
                           f"--format {output_format} -o {out} {extra}").strip()
                report = site / "hyperfine.json"
                subprocess.run(["hyperfine", "--warmup", "1", "--runs", str(args.runs),
                                "--shell=none", "--style", "none", "--export-json",
                                str(report), command], check=True, capture_output=True)
                result = json.loads(report.read_text())["results"][0]
                drafts = len(json.loads((site / "preview.json").read_text()))
                rows.append(f"| {blog} | `{extra or '(default)'}` | `--format {output_format}` "
                            f"| {drafts:,} | {result['median']:.2f} | {result['min']:.2f} | "
                            f"{result['max']:.2f} | {out.stat().st_size / 1e6:.1f} MB | "
                            f"{'met' if result['median'] <= TARGET else 'NOT met'} |")
                print(rows[-1], flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"\n| blog | preview | format | drafts shown | median (s) | fastest | slowest | "
          f"output | target ≤ {TARGET} s |\n|---|---|---|---:|---:|---:|---:|---:|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
