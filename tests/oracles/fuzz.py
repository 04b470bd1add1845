"""Millions of texts through our counters and the platforms' own code (`make fuzz`).

The differential tests in tests/test_oracles.py draw their text with Hypothesis, which
shrinks a disagreement to its smallest form but spends most of its time on bookkeeping.
This script draws from the same alphabet of hard cases with a seeded random generator and
sends the texts to the oracles in batches, so a million texts take minutes, not hours.
Every text is checked by every counter (X, Bluesky graphemes, bytes and facets,
Mastodon), and every --fit-every'th text is also fitted as an article's summary for X,
Mastodon and Bluesky, alone and as a thread, and each part checked: valid, within the
limit and counted to the unit as the oracles count it. Each disagreement is printed (as
a Python literal, ready to become an @example) and the exit status is 1 if there was any.

    python tests/oracles/fuzz.py --texts 1000000 --seed 1
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from oracle import Oracles  # noqa: E402
from test_oracles import (  # noqa: E402
    INVISIBLE,
    KEYCAP,
    MARKS,
    MENTIONS,
    PICTOGRAPHS,
    PUNCTUATION,
    REGIONAL,
    SCRIPTS,
    SEQUENCES,
    SKIN_TONES,
    TAGS,
    URLS,
    VS15,
    VS16,
    WORDS,
    ZWJ,
    facet_key,
    fitted_draft,
    oracle_facets,
)

from syndicate.text import bluesky_richtext  # noqa: E402
from syndicate.text.graphemes import count_graphemes, count_utf8_bytes  # noqa: E402
from syndicate.text.mastodon_text import mastodon_length  # noqa: E402
from syndicate.text.twitter_text import is_valid_post, weighted_length  # noqa: E402


def any_character(rng: random.Random) -> str:
    """Any code point UTF-8 can carry (no surrogates), small ones more often, as
    Hypothesis's characters() draws them."""
    while True:
        code = rng.randrange(0x80) if rng.random() < 0.5 else rng.randrange(0x110000)
        if not 0xD800 <= code <= 0xDFFF:
            return chr(code)


def piece(rng: random.Random) -> str:
    """One piece of text, with the same kinds and weights as test_oracles.PIECE."""
    kind = rng.randrange(14)
    if kind == 0:
        return rng.choice(SEQUENCES)
    if kind == 1:
        elements = (rng.choice(PICTOGRAPHS) + rng.choice(["", "", VS16, VS15, *SKIN_TONES])
                    for _ in range(rng.randint(1, 4)))
        return ZWJ.join(elements)
    if kind == 2:
        return rng.choice("aeZ日กक 1") + "".join(rng.choices(MARKS, k=rng.randint(0, 12)))
    if kind == 3:
        return "".join(rng.choices(REGIONAL, k=rng.randint(1, 5)))
    choices: list[list[str]] = [SCRIPTS, INVISIBLE, URLS, MENTIONS, TAGS, PUNCTUATION, WORDS]
    if kind < 11:
        return rng.choice(choices[kind - 4])
    if kind == 11:
        return rng.choice("0#*") + KEYCAP
    if kind == 12:
        return any_character(rng)
    return rng.choice(PICTOGRAPHS + SKIN_TONES + KEYCAP)


def text(rng: random.Random) -> str:
    return "".join(piece(rng) for _ in range(rng.randint(0, 30)))


def disagreements(sample: str, reference: dict[str, object]) -> list[str]:
    """What our counters say differently from the oracles about one text."""
    found = []
    x = reference["x"]
    assert isinstance(x, dict)
    if (weighted_length(sample), is_valid_post(sample)) != (x["weightedLength"], x["valid"]):
        found.append(f"x: ours {(weighted_length(sample), is_valid_post(sample))}, "
                     f"twitter-text {(x['weightedLength'], x['valid'])}")
    bluesky = reference["bluesky"]
    assert isinstance(bluesky, dict)
    if count_graphemes(sample) != bluesky["graphemes"]:
        found.append(f"bluesky graphemes: ours {count_graphemes(sample)}, "
                     f"@atproto/api {bluesky['graphemes']}")
    if count_utf8_bytes(sample) != bluesky["bytes"]:
        found.append("bluesky bytes differ")
    ours = [facet_key(segment) for segment in bluesky_richtext.detect(sample)]
    theirs = oracle_facets(bluesky["facets"])
    if ours != theirs:
        found.append(f"bluesky facets: ours {ours}, @atproto/api {theirs}")
    if mastodon_length(sample) != reference["mastodon"]:
        found.append(f"mastodon: ours {mastodon_length(sample)}, "
                     f"rule {reference['mastodon']}")
    return found


FITTED = ("x", "mastodon", "bluesky")


def fitting_problems(oracles: Oracles, title: str, summary: str, thread: bool) -> list[str]:
    """What is wrong with the parts the fitter makes of this title and summary."""
    drafts = [(name, fitted_draft(name, title, summary, [], {"thread": thread}))
              for name in FITTED]
    problems = [f"{name}: does not fit {draft.problems}" for name, draft in drafts
                if not draft.fits]
    parts = [(name, draft.limit, part) for name, draft in drafts for part in draft.parts]
    references = oracles.measure([part.text for _, _, part in parts])
    for (name, limit, part), reference in zip(parts, references, strict=True):
        if name == "x":
            x = reference["x"]
            theirs, valid = x["weightedLength"], x["valid"]
        elif name == "mastodon":
            theirs, valid = reference["mastodon"], True
        else:
            bluesky = reference["bluesky"]
            theirs = max(bluesky["graphemes"], 301 if bluesky["bytes"] > 3000 else 0)
            valid = bluesky["graphemes"] <= 300 and bluesky["bytes"] <= 3000
        if part.length != theirs or not valid or part.length > limit:
            problems.append(f"{name} part {part.text!r}: ours {part.length}, "
                            f"theirs {theirs}, valid {valid}, limit {limit}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch", type=int, default=2_000)
    parser.add_argument("--fit-every", type=int, default=20,
                        help="fit one text in N as a summary (0: never)")
    options = parser.parse_args()

    rng = random.Random(options.seed)
    oracles = Oracles()
    print(f"oracles: {oracles.versions()}; {options.texts:,} texts, seed {options.seed}",
          flush=True)
    started, checked, fitted, failures = time.monotonic(), 0, 0, 0
    try:
        while checked < options.texts:
            batch = [text(rng) for _ in range(min(options.batch, options.texts - checked))]
            for sample, reference in zip(batch, oracles.measure(batch), strict=True):
                for problem in disagreements(sample, reference):
                    failures += 1
                    print(f"DISAGREE {sample!r}: {problem}", flush=True)
            for index in range(0, len(batch), options.fit_every or len(batch) + 1):
                title, summary = batch[index - 1], batch[index]
                thread = index % 2 == 0
                for problem in fitting_problems(oracles, title, summary, thread):
                    failures += 1
                    print(f"FITTING title={title!r} summary={summary!r} thread={thread}: "
                          f"{problem}", flush=True)
                fitted += 1
            checked += len(batch)
            if checked % 50_000 < options.batch:
                rate = checked / (time.monotonic() - started)
                print(f"{checked:,} texts, {failures} disagreements, {rate:,.0f} texts/s",
                      flush=True)
    finally:
        oracles.close()
    elapsed = time.monotonic() - started
    print(f"done: {checked:,} texts ({fitted:,} also fitted three ways) in {elapsed:,.0f} s, "
          f"{failures} disagreements "
          f"(seed {options.seed})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
