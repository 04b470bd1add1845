"""Fingerprints: digests of what a draft is made from, and the reuse they allow.

Two kinds, for two decisions:

- `fingerprint` (from the article's `article_digest`) decides whether the last build's
  draft can be reused: it covers everything a draft is made from, this package's code
  and the card image file's place, size and time included, so equal fingerprints mean
  equal drafts. The manifest keys each draft by it; `reusable_drafts` looks them up.
- `inputs_fingerprint` (from the article's `text_inputs_digest`; `platform_inputs` makes
  one per platform) decides whether an article changed since it was posted: recorded in
  the ledger with each post, it leaves out the code's version and the image file's
  place, size and time, so it stays the same across upgrades and fresh checkouts.

The ledger stores inputs fingerprints: how each of these digests is made must not change.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Mapping
from pathlib import Path

from syndicate import __version__
from syndicate.compose.articles import ArticleSource, content_relative, syndicated_platforms
from syndicate.compose.templates import DraftTemplates, template_for
from syndicate.platforms.base import Platform
from syndicate.settings import Settings


@functools.cache
def _code_digest() -> str:
    """A digest of this package's code and default templates: a new version remakes drafts."""
    digest = hashlib.sha256()
    package = Path(__file__).parents[1]  # syndicate/, not compose/
    for path in sorted([*package.rglob("*.py"), *package.glob("templates/*.j2")]):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _image_stamp(article: ArticleSource, settings: Settings) -> tuple[str, int, int] | None:
    """Where the image file really is, its size and time: replacing it, or a symlink's
    target, remakes the drafts' checks."""
    image = str(article.metadata.get("image") or "")
    if not image or "://" in image:
        return None
    path = settings.content_path / content_relative(image)
    try:
        stat = path.stat()
        return os.path.realpath(path), stat.st_size, stat.st_mtime_ns
    except OSError:
        return None


def article_digest(article: ArticleSource, settings: Settings) -> str:
    """A digest of what an article contributes to its drafts (the same for every platform)."""
    made_from = (
        _code_digest(), settings.hashtags, sorted(settings.hashtag_map.items()),
        settings.author, settings.sitename, article.key,
        article.url, article.title, article.summary_digest or article.summary,
        article.date.isoformat(), article.lang, article.author, article.tags,
        article.image_url, article.image_alt, article.image_file,
        _image_stamp(article, settings), sorted(article.metadata.items()))
    return hashlib.sha256(repr(made_from).encode("utf-8")).hexdigest()


# Changes whenever drafts are made differently, so no build reuses an older kind of draft.
DRAFT_FORMAT = f"{__version__}/2"


def fingerprint(article: str, platform: Platform, template_source: str) -> str:
    """A digest of everything a draft is made from: equal fingerprints, equal drafts.

    article is the article's article_digest.
    """
    # repr((DRAFT_FORMAT, article, *rest)), with the platform's part made once (as below).
    rest = _fingerprint_rest(platform.name, platform.limit, _options_repr(platform),
                             template_source)
    return hashlib.sha256(f"({DRAFT_FORMAT!r}, {article!r}, {rest}".encode()).hexdigest()


def text_inputs_digest(article: ArticleSource, settings: Settings) -> str:
    """A digest of what an article gives its drafts' text, for every platform.

    Unlike article_digest it leaves out the code's version and the image file's place,
    size and time (a fresh clone gives every file a new time): it stays the same across
    upgrades and checkouts, so the ledger can keep it to tell an article edited since it
    was posted from one that was not, without drafting it.
    """
    made_from = (
        settings.hashtags, sorted(settings.hashtag_map.items()), settings.author,
        settings.sitename, article.key, article.url, article.title,
        article.summary_digest or article.summary, article.date.isoformat(), article.lang,
        article.author, article.tags, article.image_url, article.image_alt,
        sorted(article.metadata.items()))
    return hashlib.sha256(repr(made_from).encode("utf-8")).hexdigest()


def inputs_fingerprint(text_inputs: str, platform: Platform, template_source: str) -> str:
    """A digest of what one draft's text is made from (text_inputs: the article's
    text_inputs_digest): recorded in the ledger when the draft is posted."""
    # repr((text_inputs, *rest)) is "(" + repr(text_inputs) + ", " + repr(rest)[1:]: the
    # platform's part is the same for every article, so it is made once.
    rest = _fingerprint_rest(platform.name, platform.limit, _options_repr(platform),
                             template_source)
    return hashlib.sha256(f"({text_inputs!r}, {rest}".encode()).hexdigest()


@functools.lru_cache(maxsize=64)
def _options_repr(platform: Platform) -> str:
    """The platform's options as the digests write them (a platform's settings do not
    change once read; sorting and writing them out per draft was a tenth of its digest)."""
    return repr(sorted(platform.settings.options.items()))


@functools.lru_cache(maxsize=256)
def _fingerprint_rest(name: str, limit: int, options: str, template_source: str) -> str:
    return f"{name!r}, {limit!r}, {options}, {template_source!r})"


def platform_inputs(article: ArticleSource, names: list[str], settings: Settings,
                    templates: DraftTemplates) -> dict[str, str]:
    """The inputs_fingerprint of the article's draft on each of these platforms."""
    text_inputs = text_inputs_digest(article, settings)
    return {name: inputs_fingerprint(
        text_inputs, settings.platforms[name],
        template_for(article, settings.platforms[name], templates)[0].source)
        for name in names}


def reusable_drafts(article: ArticleSource, settings: Settings, templates: DraftTemplates,
                    previous: Mapping[str, str]) -> list[tuple[str, str]] | None:
    """The last build's drafts of this article as (platform, JSON text), if none of their
    inputs changed.

    Fitting is most of a build's syndication work, and most articles do not change from
    one build to the next. article needs no summary here: its summary_digest stands in.
    """
    reused = []
    digest = article_digest(article, settings)
    for name in syndicated_platforms(article, settings.platforms):
        platform = settings.platforms[name]
        template = template_for(article, platform, templates)[0]
        draft = previous.get(fingerprint(digest, platform, template.source))
        if draft is None:
            return None
        reused.append((name, draft))
    return reused
