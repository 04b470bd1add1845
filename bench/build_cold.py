"""A cold build (no .syndicate/, as in CI) with the plugin against one without it.

    .venv/bin/python bench/build_cold.py [--articles 3000] [--pairs 5] [--ledger none]

--ledger none: a blog never syndicated (every article pending, every one drafted);
--ledger all-but-5: an established blog whose ledger holds every article but the 5
newest as posted. Each build is a fresh `pelican` process with its output and drafts
removed first; the pairs alternate which variant goes first (ABBA). Wall time and peak
RSS come from os.wait4() on that very process, started from a minimal launcher (Linux
counts a child's pre-exec memory in its peak RSS, so it must not fork from this one);
the peak RSS is that of the largest process, Pelican's or the plugin's drafting child.
One more pair after the timed ones samples the PSS of the whole process tree every 20 ms
(sampling takes CPU, so the timed pairs do not): the memory the processes take together.
Reports the median of the per-pair ratios, with / without. Targets: time ≤ 1.05 (never
syndicated), ≤ 1.02 (established); peak RSS ≤ 1.10 for both.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from synthetic_site import BIN, establish_ledger, generate_site

TARGETS = {"none": 1.05, "all-but-5": 1.02}
RSS_TARGET = 1.10
# Peak RSS is wait4's: the largest of the process and its children (the plugin drafts in
# a child). The pages a forked child shares with its parent count in both RSSes, so the
# launcher can also sample the PSS of the whole tree every 20 ms (shared pages split
# between the processes sharing them): its peak is the memory the build really took.
# Sampling costs CPU the build then lacks, so the timed pairs do not sample.
LAUNCHER = """
import json, os, sys, time
def tree(pid):
    found = [pid]
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as file:
            found += [p for child in file.read().split() for p in tree(int(child))]
    return found
def pss_kib(pid):
    total = 0
    for member in tree(pid):
        with open(f"/proc/{member}/smaps_rollup") as file:
            total += next(int(line.split()[1]) for line in file if line.startswith("Pss:"))
    return total
sample, cmd = sys.argv[1] == "sample", sys.argv[2:]
started = time.perf_counter()
pid = os.posix_spawn(cmd[0], cmd, os.environ)
peak_pss = 0
while True:
    done, status, usage = os.wait4(pid, os.WNOHANG)
    if done:
        break
    try:
        peak_pss = max(peak_pss, pss_kib(pid)) if sample else 0
    except (OSError, StopIteration):
        pass  # a process ended while it was read
    time.sleep(0.02 if sample else 0.005)
print(json.dumps({"wall": time.perf_counter() - started, "rss_kib": usage.ru_maxrss,
                  "pss_kib": peak_pss, "status": os.waitstatus_to_exitcode(status)}))
"""


def cold_build(site: Path, variant: str, sample: bool = False) -> dict[str, float]:
    """One build from nothing (no output, no drafts): its wall time and peak RSS, and
    when sampled the peak PSS of its processes."""
    shutil.rmtree(site / "output", ignore_errors=True)
    shutil.rmtree(site / ".syndicate", ignore_errors=True)
    command = [BIN / "pelican", site / "content", "-s", site / f"conf_{variant}.py",
               "-o", site / "output", "-q"]
    found = subprocess.run([sys.executable, "-I", "-S", "-c", LAUNCHER,
                            "sample" if sample else "time", *map(str, command)],
                           cwd=site, check=True, capture_output=True, text=True)
    run: dict[str, float] = json.loads(found.stdout.splitlines()[-1])
    if run["status"] != 0:
        sys.exit(f"pelican ({variant} the plugin) failed: {found.stderr[-2000:]}")
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--ledger", choices=tuple(TARGETS), default="none")
    args = parser.parse_args()
    site = Path(tempfile.mkdtemp(prefix="syndicate-cold-"))
    try:
        generate_site(site, args.articles, args.seed)
        if args.ledger == "all-but-5":
            establish_ledger(site)
        cold_build(site, "with")  # warm-up: the OS's file cache, Python's bytecode
        times, memory = [], []
        for pair in range(args.pairs):
            order = ("without", "with") if pair % 2 == 0 else ("with", "without")
            runs = {variant: cold_build(site, variant) for variant in order}
            times.append(runs["with"]["wall"] / runs["without"]["wall"])
            memory.append(runs["with"]["rss_kib"] / runs["without"]["rss_kib"])
            print(f"pair {pair + 1}: " + ", ".join(
                f"{variant} {runs[variant]['wall']:.2f} s, peak RSS "
                f"{runs[variant]['rss_kib'] / 1024:.0f} MiB" for variant in order), flush=True)
        # One more pair, sampled: the memory of all the build's processes together.
        sampled = {variant: cold_build(site, variant, sample=True)["pss_kib"]
                   for variant in ("without", "with")}
        pss_ratio = sampled["with"] / sampled["without"]
        print(f"sampled pair: peak PSS of the process tree without {sampled['without'] / 1024:.0f}"
              f" MiB, with {sampled['with'] / 1024:.0f} MiB", flush=True)
        manifest = (site / ".syndicate" / "manifest.json").read_text(encoding="utf-8")
        drafted = manifest.count('\n{"article": ')
        done = manifest.count('"done": {')
    finally:
        shutil.rmtree(site, ignore_errors=True)
    time_ratio, rss_ratio = statistics.median(times), statistics.median(memory)
    target = TARGETS[args.ledger]
    print(f"\n| blog | articles | drafts made | articles not drafted | time with / without "
          f"(median of {args.pairs} pairs; range) | peak RSS with / without | peak PSS of "
          f"the process tree with / without (one sampled pair) |\n"
          f"|---|---:|---:|---:|---:|---:|---:|\n"
          f"| ledger {args.ledger} | {args.articles:,} | {drafted:,} | {done:,} | "
          f"**{time_ratio:.3f}** ({min(times):.3f}–{max(times):.3f}; target ≤ {target}: "
          f"{'met' if time_ratio <= target else 'NOT met'}) | **{rss_ratio:.3f}** "
          f"(target ≤ {RSS_TARGET}: {'met' if rss_ratio <= RSS_TARGET else 'NOT met'}) | "
          f"**{pss_ratio:.3f}** |")


if __name__ == "__main__":
    main()
