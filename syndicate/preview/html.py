"""The preview as one self-contained HTML page: each draft as each platform would show it.

No request leaves the page: styles and its one script are inline (the page's policy runs
that script, by its hash, and no other), images are embedded once each as data URIs
(made small first), and links only link. It works from file://. Every text is escaped;
links, hashtags and mentions are styled the way the platform styles them, the cut that
fitting made is marked, and each part carries its count against the limit. One section
per article, open for the first screen and collapsed after it; a filter by platform and
state shows only what you want to look at.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from syndicate.draft import Draft, Part
from syndicate.files import write_atomically
from syndicate.ledger import Ledger
from syndicate.platforms import PLATFORM_CLASSES
from syndicate.platforms.base import Platform
from syndicate.settings import Settings
from syndicate.text.fitting import ELLIPSIS
from syndicate.text.twitter_text import find_urls

# An image is shown at most this wide in a card: embedded at that size, not larger.
PREVIEW_IMAGE_SIDE = 480
PREVIEW_IMAGE_BYTES = 400_000


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


class Images:
    """Each image file embedded once, small, as a CSS class with a data URI."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.classes: dict[str, str] = {}
        self.rules: list[str] = []

    def css_class(self, relative: str | None) -> str | None:
        if not relative:
            return None
        if relative not in self.classes:
            uri = _data_uri(self.root, relative)
            if uri is None:
                return None
            name = f"i{len(self.classes)}"
            self.classes[relative] = name
            self.rules.append(f".{name}{{background-image:url({uri})}}")
        return self.classes[relative]


def _data_uri(root: Path, relative: str) -> str | None:
    """The image as a data URI, decoded and encoded again: a file outside the project or
    one that is not an image shows nothing (this page is shared as a CI artifact)."""
    from syndicate.images import ImageProblem, read_inside, reencoded

    try:
        data, mime = reencoded(read_inside(root, relative), PREVIEW_IMAGE_BYTES, relative,
                               max_side=PREVIEW_IMAGE_SIDE)
    except ImageProblem:
        return None
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _spans_from_facets(text: str, facets: Sequence[Mapping[str, Any]]) -> list[tuple[int, int,
                                                                                     str, str]]:
    """(start, end, kind, target) in characters, from Bluesky's UTF-8 byte facets."""
    encoded = text.encode("utf-8")
    spans = []
    for facet in facets:
        start = len(encoded[:facet["index"]["byteStart"]].decode("utf-8", "ignore"))
        end = len(encoded[:facet["index"]["byteEnd"]].decode("utf-8", "ignore"))
        feature = facet["features"][0]
        kind = feature["$type"].rsplit("#", 1)[-1]
        spans.append((start, end, kind, str(feature.get("uri") or feature.get("tag") or "")))
    return spans


# Links with a scheme, hashtags and mentions, as the platforms style them. Each pattern
# starts with a literal the regex engine searches for quickly (a lookbehind would make
# it try every position): what may not come before a match is checked after.
_STYLED = (
    ("link", re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]'’”]"), "\x00"),
    ("tag", re.compile(r"[#＃][\w\u0300-\u036f\u0900-\u097f\u0600-\u06ff]+"), "&#/"),
    ("mention", re.compile(r"@[\w.-]+(?:@[\w.-]+\w)?"), "/"),
)


def _spans(text: str, bare_addresses: bool = True) -> list[tuple[int, int, str, str]]:
    """Links (any http(s):// address, and with bare_addresses those written without one,
    as X and others link them), hashtags and mentions in text, in order, none inside
    another."""
    found = []
    for kind, pattern, not_after in _STYLED:
        for match in pattern.finditer(text):
            start = match.start()
            before = text[start - 1] if start else " "
            if not (before.isalnum() or before == "_" or before in not_after):
                found.append((start, match.end(), kind, match.group()))
    if bare_addresses and "." in text:
        # Addresses without a scheme (example.com/page), as twitter-text finds them.
        found += [(start, end, "link", text[start:end]) for start, end in find_urls(text)]
    found.sort(key=lambda span: (span[0], -span[1]))
    spans: list[tuple[int, int, str, str]] = []
    for span in found:
        if not spans or span[0] >= spans[-1][1]:
            spans.append(span)
    return spans


_CUT = '<mark class="cut" title="shortened here">' + ELLIPSIS + "</mark>"


def rich_text(part: Part, platform: type[Platform] | Platform, cut: bool) -> str:
    """The part's text as HTML: escaped, with links, hashtags and mentions styled as the
    platform shows them (its facets, or what it finds in the text)."""
    text = part.text
    spans = (_spans_from_facets(text, part.facets) if platform.links_from_facets
             else _spans(text, platform.links_bare_addresses))
    if cut and ELLIPSIS in text:  # the ellipsis fitting added: the last one
        at = text.rindex(ELLIPSIS)
        spans = sorted([*(s for s in spans if not s[0] <= at < s[1]),
                        (at, at + 1, "cut", ELLIPSIS)])
    escape = html.escape
    out = []
    position = 0
    for start, end, kind, target in spans:
        if start < position:
            continue
        out.append(escape(text[position:start]))
        if kind == "link":
            href = target if "://" in target else f"https://{target}"
            out.append(f'<a class="link" href="{escape(href)}" rel="noopener noreferrer">'
                       f"{escape(text[start:end])}</a>")
        elif kind == "cut":
            out.append(_CUT)
        else:
            out.append(f'<span class="{kind}">{escape(text[start:end])}</span>')
        position = end
    out.append(escape(text[position:]))
    return "".join(out)


def _initials(name: str) -> str:
    letters = [word[0] for word in name.split() if word[:1].isalnum()]
    return "".join(letters[:2]).upper() or "?"


def _account(platform: Platform, author: str, sitename: str) -> tuple[str, str]:
    name = str(platform.option("display_name") or author or sitename or platform.label)
    handle = platform.option("account") or platform.option("handle") \
        or platform.option("chat_id") or ""
    return name, str(handle)


def _count(length: int, limit: int) -> str:
    level = "over" if length > limit else "close" if length > 0.9 * limit else "ok"
    return (f'<span class="count {level}" title="{length} as the platform counts, of '
            f'{limit}">{length}/{limit}</span>')


def _card(draft: Draft, platform: Platform, images: Images) -> str:
    card = draft.card
    if not card or not platform.shows_card:
        return ""
    image_class = images.css_class(card.get("image_file"))
    alt = card.get("image_alt") or ""
    if platform.option("image") and image_class:  # the image is attached, no card
        return (f'<div class="attachment {image_class}" role="img" '
                f'aria-label="{_escape(alt)}"></div>'
                + ("" if alt else '<p class="warn">This image has no alt text.</p>'))
    picture = (f'<div class="thumb {image_class}" role="img" aria-label="{_escape(alt)}">'
               "</div>" if image_class else "")
    host = re.sub(r"^https?://([^/]+).*$", r"\1", card.get("url", ""))
    return (f'<div class="card">{picture}<div class="card-text">'
            f'<span class="host">{_escape(host)}</span>'
            f'<strong>{_escape(card.get("title", ""))}</strong>'
            f'<span class="description">{_escape(card.get("description", ""))}</span>'
            "</div></div>")


class Renderer:
    """Builds the page's sections, with what repeats (a platform's account header, an
    article's card) made once."""

    def __init__(self, platforms: Mapping[str, Platform], images: Images, author: str,
                 sitename: str) -> None:
        self.platforms = platforms
        self.images = images
        self.author, self.sitename = author, sitename
        self._headers: dict[str, str] = {}
        self._cards: dict[tuple[str, str], str] = {}

    def platform(self, name: str) -> Platform:
        if name not in self.platforms:
            from syndicate.platforms.base import PlatformSettings

            self.platforms = {**self.platforms,
                              name: PLATFORM_CLASSES[name](PlatformSettings(name))}
        return self.platforms[name]

    def header(self, platform: Platform) -> str:
        if platform.name not in self._headers:
            name, handle = _account(platform, self.author, self.sitename)
            avatar_class = self.images.css_class(platform.option("avatar"))
            avatar = (f'<div class="avatar {avatar_class}" role="img" '
                      f'aria-label="{_escape(name)}"></div>' if avatar_class else
                      '<div class="avatar initials" aria-hidden="true">'
                      f"{_escape(_initials(name))}</div>")
            self._headers[platform.name] = (
                f'{avatar}<div class="who"><strong>{_escape(name)}</strong>'
                f'<span class="handle">{_escape(handle)}</span></div>')
        return self._headers[platform.name]

    def card(self, draft: Draft, platform: Platform) -> str:
        attach = "attach" if platform.option("image") else "card"
        key = (draft.article, attach if platform.shows_card else "none")
        if key not in self._cards:
            self._cards[key] = _card(draft, platform, self.images)
        return self._cards[key]

    def draft(self, draft: Draft, state: str) -> str:
        platform = self.platform(draft.platform)
        header = self.header(platform)
        cut = any("cut at a word" in note for note in draft.shortened)
        warning = str(draft.extras.get("spoiler_text") or "")
        parts = []
        for number, part in enumerate(draft.parts, start=1):
            which = (f'<span class="part">{number}/{len(draft.parts)}</span>'
                     if len(draft.parts) > 1 else "")
            content = (f'<div class="text" lang="{_escape(draft.lang)}" dir="auto">'
                       f"{rich_text(part, platform, cut and number == 1)}</div>"
                       + (self.card(draft, platform) if number == 1 else ""))
            if warning:  # as Mastodon shows it: the warning, the post behind it
                content = (f'<details class="cw"><summary><span class="cw-text" '
                           f'lang="{_escape(draft.lang)}" dir="auto">{_escape(warning)}'
                           '</span><span class="cw-toggle" aria-hidden="true"></span>'
                           f"</summary>{content}</details>")
            parts.append(
                f'<div class="post"><header>{header}{which}</header>{content}'
                f"<footer>{_count(part.length, draft.limit)}</footer></div>")
        notes = (f'<p class="note">✂ shortened to fit: {_escape("; ".join(draft.shortened))}'
                 "</p>" if draft.shortened else "")
        notes += "".join(f'<p class="problem">✗ {_escape(p)}</p>' for p in draft.problems)
        notes += "".join(f'<p class="warn">! {_escape(w)}</p>' for w in
                         [*draft.warnings, *(check["message"] for check in draft.checks)])
        return (f'<section class="{_section_classes(platform)}" '
                f'data-article="{_escape(draft.article)}" data-platform="{draft.platform}" '
                f'data-state="{state_kind(state)}" data-parts="{len(draft.parts)}">'
                f'<h3><span class="platform">{platform.label}</span>'
                f'<span class="state {state.split(",")[0]}">{_escape(state)}</span></h3>'
                f'<div class="thread">{"".join(parts)}</div>{notes}</section>')


def _section_classes(platform: Platform) -> str:
    """A draft's classes: its platform's (for its accent colour) and its platform's
    looks, which data/preview.css describes."""
    looks = [*(["avatar-square"] if platform.square_avatar else []),
             *(["card-embed"] if platform.card_style == "embed" else [])]
    return " ".join(["draft", f"p-{platform.name}", *looks])


def platform_css(platform: type[Platform] | Platform) -> str:
    """The platform's colours, as custom properties of its drafts (.p-<name>)."""
    link = f";--link:{platform.link_colour}" if platform.link_colour else ""
    return f".p-{platform.name}{{--accent:{platform.accent}{link}}}"


# Articles are open until this many drafts are shown (about a screen); the rest start
# collapsed, so a page of thousands of articles opens at once and reads as a list.
FIRST_SCREEN_DRAFTS = 10


def state_kind(state: str) -> str:
    """The state the filter knows a draft by: its first word, or "edited" for a post
    whose text changed since."""
    return "edited" if "edited since" in state else state.split(",")[0].strip()


def html_page(drafts: Sequence[Draft], state_of: Callable[[Draft], str],
              platforms: Mapping[str, Platform], root: Path, author: str = "",
              sitename: str = "") -> list[str]:
    """The preview page in pieces, in order, to be written one after the other: joined,
    one emoji anywhere on a page of thousands of drafts makes Python hold all of it at
    four bytes a character, then copy it twice more (a fifth of the page's time)."""
    images = Images(root)
    renderer = Renderer(platforms, images, author, sitename)
    body = []
    current = None
    platform_counts: dict[str, int] = {}
    state_counts: dict[str, int] = {}
    for shown, draft in enumerate(drafts):
        if draft.article != current:
            if current is not None:
                body.append("</div></details>")
            current = draft.article
            body.append(f'<details class="article" data-article="{_escape(draft.article)}"'
                        f'{" open" if shown < FIRST_SCREEN_DRAFTS else ""}><summary>'
                        f'<h2><a href="{_escape(draft.url)}">{_escape(draft.title)}</a></h2>'
                        f'<p class="meta">{_escape(draft.article)} · {draft.date[:10]}</p>'
                        '</summary><div class="grid">')
        state = state_of(draft)
        platform_counts[draft.platform] = platform_counts.get(draft.platform, 0) + 1
        kind = state_kind(state)
        state_counts[kind] = state_counts.get(kind, 0) + 1
        body.append(renderer.draft(draft, state))
    if current is not None:
        body.append("</div></details>")
    articles = len({d.article for d in drafts})
    unfit = sum(not d.fits for d in drafts)
    summary = (f"{len(drafts)} draft{'s' * (len(drafts) != 1)} for {articles} "
               f"article{'s' * (articles != 1)}" + (f", {unfit} do not fit" if unfit else ""))
    accents = "".join(platform_css(renderer.platform(name)) for name in sorted(platform_counts))
    head = (PAGE_HEAD.replace("{css}", CSS + accents).replace("{summary}", _escape(summary))
            .replace("{images}", "".join(images.rules))
            .replace("{filters}", _filters(renderer, platform_counts, state_counts)))
    return [head, *body, PAGE_TAIL]


def _filters(renderer: Renderer, platforms: Mapping[str, int], states: Mapping[str, int]
             ) -> str:
    """The filter form: a box per platform and per state on the page, with its count."""
    def boxes(name: str, counts: Mapping[str, int], label: Callable[[str], str]) -> str:
        return "".join(f'<label><input type="checkbox" name="{name}" value="{_escape(value)}" '
                       f'checked> {_escape(label(value))} <small>{count}</small></label>'
                       for value, count in sorted(counts.items()))

    return ('<form class="filters" id="filters" hidden>'
            f'<fieldset><legend>Platform</legend>'
            f'{boxes("platform", platforms, lambda n: renderer.platform(n).label)}</fieldset>'
            f'<fieldset><legend>State</legend>{boxes("state", states, str)}</fieldset>'
            '<button type="button" id="expand">Expand all</button>'
            '<button type="button" id="collapse">Collapse all</button>'
            '<output id="shown" aria-live="polite"></output></form>')


# The page's look, kept in its own file: data/preview.css.
CSS = (Path(__file__).parents[1] / "data" / "preview.css").read_text(encoding="utf-8")
# The filter and the expand/collapse buttons. The form stays hidden where scripts do not
# run (it could not work there); every draft is shown then.
SCRIPT = """(() => {
const form = document.getElementById("filters");
const drafts = [...document.querySelectorAll("section.draft")];
const articles = [...document.querySelectorAll("details.article")];
const shown = document.getElementById("shown");
const checked = name => new Set([...form.querySelectorAll(`input[name=${name}]:checked`)]
  .map(box => box.value));
function apply() {
  const platforms = checked("platform"), states = checked("state");
  let count = 0, open = 0;
  for (const draft of drafts) {
    draft.hidden = !(platforms.has(draft.dataset.platform) && states.has(draft.dataset.state));
    count += !draft.hidden;
  }
  for (const article of articles) {
    article.hidden = !article.querySelector("section.draft:not([hidden])");
    open += !article.hidden;
  }
  shown.textContent = `${count} of ${drafts.length} drafts shown, in ${open} articles`;
}
form.addEventListener("change", apply);
document.getElementById("expand").addEventListener("click", () =>
  articles.forEach(article => { if (!article.hidden) article.open = true; }));
document.getElementById("collapse").addEventListener("click", () =>
  articles.forEach(article => { article.open = false; }));
form.hidden = false;
apply();
})();"""
SCRIPT_HASH = base64.b64encode(hashlib.sha256(SCRIPT.encode("utf-8")).digest()).decode("ascii")
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy"
 content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; \
script-src 'sha256-{script_hash}'">
<title>Status updates preview: {summary}</title>
<style>
{css}{images}
</style></head>
<body><main>
<h1>Status updates preview: {summary}</h1>
{filters}
{body}
</main>
<script>{script}</script>
</body></html>
""".replace("{script_hash}", SCRIPT_HASH).replace("{script}", SCRIPT)
# The page before the drafts and after them.
PAGE_HEAD, PAGE_TAIL = PAGE.split("{body}")


def write_preview_page(path: Path, settings: Settings, ledger: Ledger,
                       texts: list[str]) -> None:
    """The HTML preview of every draft (texts: their JSON lines), written where the site's
    settings ask for it at the end of a build (never in the output folder: it is for the
    author, not the readers; the build refuses such a path)."""
    drafts = [Draft.from_json(json.loads(text)) for text in texts]
    page = html_page(drafts, lambda d: ledger.state(d.article, d.platform) or "new",
                     settings.platforms, settings.root, settings.author, settings.sitename)
    write_atomically(path, (part.encode("utf-8") for part in page))
