"""Articles to drafts: one fitted status update per (article, platform).

Each draft carries its fingerprints (compose.fingerprints), which say when the next build
may reuse it and when a posted article has changed.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from syndicate.compose.articles import (
    ArticleSource,
    content_relative,
    hashtags,
    syndicated_platforms,
)
from syndicate.compose.fingerprints import article_digest, fingerprint, platform_inputs
from syndicate.compose.templates import DraftTemplates, template_for
from syndicate.draft import Draft, Part
from syndicate.errors import ContentError
from syndicate.platforms.base import Platform
from syndicate.settings import Settings
from syndicate.text.fitting import (
    LINK_ONLY,
    THREAD_CLAUSE_ROOM,
    THREAD_SENTENCE_ROOM,
    fit_with_rest,
    restated,
    split_thread,
    stub_floor,
    tidy,
)

TITLE_LOST = ("title cut at a word", "title cut after a sentence", "title left out")


def article_context(article: ArticleSource, settings: Settings) -> dict[str, Any]:
    """The template variables of an article, the same for every platform."""
    tags = hashtags(article.tags, settings.hashtags, settings.hashtag_map)
    return {
        "title": article.title,
        "summary": article.summary,
        "url": article.url,
        "tags": tags,
        "hashtags": " ".join(tags),
        "author": article.author or settings.author,
        "date": article.date,
        "lang": article.lang,
        "image": article.image_url or "",
        "image_alt": article.image_alt or "",
        "site": settings.sitename,
    }


def is_threaded(article: ArticleSource, platform: Platform) -> bool:
    """Whether a long draft becomes a reply chain: `Thread:` metadata, else the setting."""
    if "thread" not in platform.common_options:  # no reply chains there (LinkedIn)
        return False
    choice = article.metadata.get("thread", "").strip().lower()
    if choice in ("yes", "true", "on", "1"):
        return True
    if choice in ("no", "false", "off", "0"):
        return False
    setting = platform.option("thread")
    if isinstance(setting, str):  # from the environment
        return setting.strip().lower() in ("yes", "true", "on", "1")
    return bool(setting)


def card_checks(article: ArticleSource, settings: Settings) -> list[dict[str, str]]:
    """What is wrong with the article's card image: no alt text, no such file, too large.

    `syndicate check` decides which of these fail the build (settings `alt_text`)."""
    if not article.image_url:
        return []
    checks = []
    if not article.image_alt:
        checks.append({"code": "no-alt", "message": f"{article.source}: the card image has "
                       "no alt text; add an 'Image_Alt: …' line describing it"})
    image = str(article.metadata.get("image") or "")
    if article.image_file is None and "://" not in image:
        if _outside_content(image, settings):
            checks.append({"code": "image-outside", "message": f"{article.source}: the card "
                           f"image {image} lies outside the content folder (symlinks "
                           "resolved); it is never read, shown or uploaded: put the image "
                           "inside the content folder"})
        else:
            checks.append({"code": "missing-image", "message": f"{article.source}: the "
                           f"card image {image} is not in the content folder; fix the "
                           "'Image:' path"})
    elif article.image_file is not None:
        size = (settings.root / article.image_file).stat().st_size
        if size > settings.max_image_bytes:
            checks.append({"code": "image-too-large", "message": f"{article.source}: the "
                           f"card image is {size:,} bytes, over {settings.max_image_bytes:,}; "
                           "make it smaller (platforms refuse or shrink it)"})
        elif not _is_image(settings.root / article.image_file):
            checks.append({"code": "not-an-image", "message": f"{article.source}: the card "
                           f"image {image} is not an image Pillow can read; it is never "
                           "shown or uploaded: use a PNG, JPEG, GIF or WebP file"})
    return checks


def _is_image(path: Path) -> bool:
    """Whether Pillow recognises the file as an image (its header only: cheap)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            return image.width > 0 and image.height > 0
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return False


def _outside_content(image: str, settings: Settings) -> bool:
    from syndicate.images import inside

    return inside(settings.content_path, content_relative(image)) is None


def card_for(article: ArticleSource) -> dict[str, str]:
    """The link card: title, description, canonical URL, image and its alt text."""
    card = {"url": article.url, "title": article.title, "description": article.summary}
    if article.image_url:
        card["image"] = article.image_url
        card["image_alt"] = article.image_alt or ""
        if article.image_file:
            card["image_file"] = article.image_file
    return card


@functools.cache
def _refused_pattern(refused: frozenset[str]) -> re.Pattern[str] | None:
    """A pattern finding the characters a platform refuses (None: it refuses none)."""
    return re.compile(f"[{re.escape(''.join(sorted(refused)))}]") if refused else None


def _without_characters(context: dict[str, Any], refused: re.Pattern[str]
                        ) -> tuple[dict[str, Any], list[str]]:
    """The context without the characters the platform refuses, and those removed."""
    removed: list[str] = []

    def clean(value: str) -> str:
        removed.extend(refused.findall(value))
        return refused.sub("", value)

    cleaned = dict(context)
    for key, value in context.items():
        if isinstance(value, str) and key != "hashtags":
            cleaned[key] = clean(value)
        elif key == "tags" and isinstance(value, list | tuple):
            cleaned[key] = [clean(str(tag)) for tag in value]
    cleaned["hashtags"] = " ".join(cleaned.get("tags") or [])
    return cleaned, removed


THREAD_ROOM = {"sentence_room": THREAD_SENTENCE_ROOM, "clause_room": THREAD_CLAUSE_ROOM}


def _thread(render: Any, context: dict[str, Any], measure: Any, room: int
            ) -> tuple[list[str], list[str]]:
    """The parts of a reply chain and what fitting did: the first part fitted (its summary
    cut after a sentence, else a clause, even one that leaves more room unused), the rest
    of the summary split after it. When that rest would be a stub, the first part keeps
    less; the hashtags go at the end of the last part when they fit there."""
    floor = stub_floor(room)
    first, rest, notes = fit_with_rest(render, context, measure, room, **THREAD_ROOM)
    limit = room
    for _ in range(4):
        if not rest or measure(rest.strip()) >= floor or limit <= floor:
            break
        # Too little left for a part of its own: leave more of the summary to it.
        limit -= floor - measure(rest.strip()) + 1
        fitted = fit_with_rest(render, context, measure, limit, **THREAD_ROOM)
        if any(n == LINK_ONLY or n.startswith("title") for n in fitted[2]):
            break  # not at the cost of the title
        first, rest, notes = fitted
    if not rest:
        return [first], notes
    parts = [first, *split_thread(rest, measure, room)]
    hashtags = str(context.get("hashtags") or "")
    if hashtags and hashtags not in first and len(parts) > 1:
        with_tags = f"{parts[-1]}\n\n{hashtags}"
        shows_tags = tidy(render(context)) != tidy(render({**context, "tags": [],
                                                             "hashtags": ""}))
        if shows_tags and measure(with_tags) <= room:
            parts[-1] = with_tags
            notes = [n for n in notes if "hashtag" not in n]
    notes = [n for n in notes if not n.startswith("summary")]
    notes.append(f"summary continued in {len(parts) - 1} more "
                 f"part{'s' * (len(parts) > 2)}")
    return parts, notes


@dataclass(frozen=True)
class ArticleShare:
    """What every platform's draft of one article is made with: made once per article."""

    context: dict[str, Any]  # the template variables (article_context)
    digest: str  # article_digest
    date: str
    checks: list[dict[str, str]]  # card_checks: a stat, maybe a look at the image file
    card: dict[str, str]

    @classmethod
    def of(cls, article: ArticleSource, settings: Settings) -> ArticleShare:
        return cls(article_context(article, settings), article_digest(article, settings),
                   article.date.isoformat(), card_checks(article, settings),
                   card_for(article))


def draft_for(article: ArticleSource, platform: Platform, settings: Settings,
              templates: DraftTemplates, share: ArticleShare | None = None) -> Draft:
    """Render and fit one article for one platform (share: what its drafts share, when
    the caller has it)."""
    share = share or ArticleShare.of(article, settings)
    template, where, override = template_for(article, platform, templates)
    context = {**share.context, "platform": platform.name}
    refused = _refused_pattern(getattr(platform, "refused_characters", frozenset()))
    removed: list[str] = []
    if refused is not None and any(refused.search(value) for value in context.values()
                                   if isinstance(value, str)):
        context, removed = _without_characters(context, refused)

    def render_text(values: Any) -> str:
        text = template.render(values)
        if override and article.url not in text:
            # The author's own words, with the link the post exists for.
            text = f"{text.rstrip()}\n\n{values['url']}"
        if refused is not None and refused.search(text):
            text = refused.sub("", text)
        return text

    notes: list[str] = []
    dropped = restated(str(context.get("title") or ""), str(context.get("summary") or ""))
    if dropped:
        without = {**context, dropped: ""}
        # Only when the template shows both: else nothing is said twice.
        if tidy(render_text(without)) != tidy(render_text(context)) and \
                tidy(render_text({**context, ({"title", "summary"} - {dropped}).pop(): ""})) \
                != tidy(render_text(context)):
            context = without
            notes.append(f"{dropped} left out: it says what the "
                         f"{'title' if dropped == 'summary' else 'summary'} says")

    extras = platform.extras_for(article.lang, article.metadata)

    measured: dict[str, int] = {}

    def measure(text: str) -> int:
        # Fitting counts the text it settles on, and the parts are counted again below.
        length = measured.get(text)
        if length is None:
            length = measured[text] = platform.measure(text, extras)
        return length

    threaded = is_threaded(article, platform)
    numbering = str(platform.option("numbering") or "") if threaded else ""
    # Room for the part numbers, at their widest, in every part of a thread.
    room = platform.limit - (measure(" " + numbering.format(n=99, total=99)) if numbering else 0)
    if threaded:
        texts, fitted = _thread(render_text, context, measure, room)
        notes.extend(fitted)
    else:
        first, _, fitted = fit_with_rest(render_text, context, measure, platform.limit)
        texts = [first]
        notes.extend(fitted)
    if removed:
        names = ", ".join(sorted({f"U+{ord(char):04X}" for char in removed}))
        notes.append(f"removed {len(removed)} character{'s' * (len(removed) > 1)} "
                     f"{platform.label} refuses ({names})")
    if article.url not in texts[0]:
        raise ContentError(where, "the template never shows the article's link",
                           "add {{ url }} to the template")
    if numbering and len(texts) > 1:
        texts = [f"{text} {numbering.format(n=n, total=len(texts))}"
                 for n, text in enumerate(texts, start=1)]
    # What fitting lost beyond the summary and hashtags: check warns about it.
    warnings = [f"{article.source}: the {platform.label} post did not fit: {note}"
                for note in notes if note == LINK_ONLY or note in TITLE_LOST]
    parts: list[Part] = []
    problems: list[str] = []
    for text in texts:
        length = measure(text)
        problems.extend(platform.problems(text))
        shown, facets = platform.prepare(text)
        if length > platform.limit:
            problems.append(f"{length} is over the limit of {platform.limit} even shortened; "
                            f"write a shorter {platform.label} text in the article's metadata")
        parts.append(Part(text=shown, length=length, facets=facets))
    return Draft(
        article=article.key,
        url=article.url,
        title=article.title,
        date=share.date,
        lang=article.lang,
        platform=platform.name,
        limit=platform.limit,
        parts=parts,
        problems=problems,
        warnings=warnings,
        shortened=notes,
        checks=[dict(check) for check in share.checks],
        card=dict(share.card),
        extras=extras,
        fingerprint=fingerprint(share.digest, platform, template.source),
    )


def drafts_for(article: ArticleSource, settings: Settings, templates: DraftTemplates,
               inputs: dict[str, str] | None = None) -> list[Draft]:
    """One draft per platform the article goes to (none when it opts out); inputs: its
    platform_inputs, when the caller has them."""
    names = syndicated_platforms(article, settings.platforms)
    share = ArticleShare.of(article, settings)
    drafts = [draft_for(article, settings.platforms[name], settings, templates, share)
              for name in names]
    if inputs is None:
        inputs = platform_inputs(article, names, settings, templates)
    for draft in drafts:
        draft.inputs = inputs[draft.platform]
    return drafts
