"""The manifest: what the build produced for the CLI to preview, check and post.

Written by the plugin at the end of every build, read by every `syndicate` command. It
holds the drafts of every article that may still be posted or changed since it was, the
sources of the articles that are done everywhere (drafted on demand), and the build's
content errors; never a secret.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from syndicate.compose.articles import ArticleSource
from syndicate.draft import Draft
from syndicate.errors import SettingsError
from syndicate.files import write_atomically
from syndicate.ledger import Ledger
from syndicate.settings import Settings

# 2: articles done everywhere are kept as their sources, with no drafts.
VERSION = 2


@dataclass(frozen=True)
class DoneArticle:
    """An article posted, skipped or retracted on every platform it goes to, and not
    changed since it was posted: the build keeps what it is made of, not its drafts."""

    source: ArticleSource  # its summary not made yet: see article()
    # Platform → the inputs fingerprint of its draft (see fingerprints.inputs_fingerprint).
    inputs: dict[str, str]
    # What its summary is made from: see summary_from.
    summary_from: tuple[str, str] = ("", "")

    def article(self) -> ArticleSource:
        """The article as the build would draft it, its summary made."""
        if not self.summary_from[0]:
            return self.source
        return replace(self.source, summary=summary_from(*self.summary_from))

    @property
    def key(self) -> str:
        return self.source.key

    @property
    def url(self) -> str:
        return self.source.url

    @property
    def date(self) -> str:
        return self.source.date.isoformat()


@dataclass
class Manifest:
    siteurl: str
    drafts: list[Draft] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    generated_at: str = ""
    done: list[DoneArticle] = field(default_factory=list)

    def save(self, path: Path) -> None:
        write_manifest(path, self.siteurl, self.errors,
                       [encode_draft(d.to_json()) for d in self.drafts],
                       [*articles_of(self.drafts),
                        *(encode_article(a.key, a.inputs, a.source, a.summary_from)
                          for a in self.done)])

    def article_urls(self) -> set[tuple[str, str]]:
        """(key, URL) of every article the build saw, drafted or done."""
        return {(d.article, d.url) for d in self.drafts} | {(a.key, a.url) for a in self.done}


def articles_of(drafts: Iterable[Draft]) -> list[str]:
    """The article lines of drafted articles: their drafts' inputs fingerprints."""
    inputs: dict[str, dict[str, str]] = {}
    for draft in drafts:
        if draft.inputs:
            inputs.setdefault(draft.article, {})[draft.platform] = draft.inputs
    return [encode_article(key, value) for key, value in inputs.items()]


def source_to_json(source: ArticleSource) -> dict[str, Any]:
    return {"key": source.key, "source": source.source, "url": source.url,
            "title": source.title, "summary": source.summary,
            "date": source.date.isoformat(), "lang": source.lang, "author": source.author,
            "tags": list(source.tags), "image_url": source.image_url,
            "image_alt": source.image_alt, "image_file": source.image_file,
            "metadata": dict(source.metadata), "summary_digest": source.summary_digest}


def summary_from(kind: str, html: str) -> str:
    """The summary as the build makes it (pelican_articles.summary_text), from the kind of
    HTML it is made from and that HTML."""
    from syndicate.text.excerpt import first_prose, plain_text

    return first_prose(html) if kind == "content" else plain_text(html)


def source_from_json(data: dict[str, Any]) -> ArticleSource:
    return ArticleSource(
        key=data["key"], source=data["source"], url=data["url"], title=data["title"],
        summary=data["summary"], date=datetime.fromisoformat(data["date"]),
        lang=data["lang"], author=data["author"], tags=tuple(data["tags"]),
        image_url=data["image_url"], image_alt=data["image_alt"],
        image_file=data["image_file"], metadata=dict(data["metadata"]),
        summary_digest=data["summary_digest"])


def encode_article(key: str, inputs: dict[str, str], done: ArticleSource | None = None,
                   summary: tuple[str, str] = ("", "")) -> str:
    """An article as one line of JSON: its drafts' inputs fingerprints and, when it is done
    everywhere, its source (to draft it on demand) with what its summary is made from
    (see summary_from). Never starts like a draft's line."""
    line: dict[str, Any] = {"key": key}
    if done is not None:
        line["done"] = {**source_to_json(done), "summary_from": list(summary)}
    line["inputs"] = inputs
    return json.dumps(line, ensure_ascii=False)


def write_manifest(path: Path, siteurl: str, errors: list[str],
                   drafts: Iterable[str], articles: Iterable[str] = ()) -> None:
    """Write the manifest from drafts and articles already encoded as JSON (one a line).

    One draft per line lets the next build take a draft it can reuse as the text it is,
    without parsing a large blog's whole manifest.
    """
    header = {
        "version": VERSION,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "siteurl": siteurl,
        "errors": errors,
    }

    def chunks() -> Iterator[bytes]:
        yield json.dumps(header, ensure_ascii=False)[:-1].encode("utf-8")
        yield b', "drafts": ['
        for number, draft in enumerate(drafts):
            yield (",\n" if number else "\n").encode("utf-8")
            yield draft.encode("utf-8")
        yield b'\n], "articles": ['
        for number, article in enumerate(articles):
            yield (",\n" if number else "\n").encode("utf-8")
            yield article.encode("utf-8")
        yield b"\n]}\n"

    write_atomically(path, chunks())


def encode_draft(draft: dict[str, Any]) -> str:
    """A draft as one line of JSON, its fingerprint last (see previous_drafts)."""
    fingerprint = draft.get("fingerprint", "")
    body = {key: value for key, value in draft.items() if key != "fingerprint"}
    return json.dumps({**body, "fingerprint": fingerprint}, ensure_ascii=False)


_FINGERPRINT_TAIL = re.compile(r', "fingerprint": "([0-9a-f]{64})"}$')


def lines_digest(lines: Iterable[str]) -> str:
    """A digest of article lines: whether a build's are the last build's, without
    keeping those (a done article's line holds its HTML)."""
    digest = hashlib.sha256()
    for line in lines:
        digest.update(line.encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def previous_drafts(path: Path) -> tuple[str | None, dict[str, str], str]:
    """The last build's SITEURL, its drafts as JSON text by fingerprint (for reuse), and
    the lines_digest of its article lines.

    Empty when there is no usable manifest, or it had errors (its drafts may be partial).
    """
    try:
        with path.open(encoding="utf-8") as lines:
            header = json.loads(next(lines).removesuffix('"drafts": [\n') + '"drafts": []}')
            if header.get("version") != VERSION or header.get("errors"):
                return None, {}, ""
            drafts = {}
            articles = hashlib.sha256()
            for line in lines:
                line = line.rstrip("\n").removesuffix(",")
                match = _FINGERPRINT_TAIL.search(line)
                if match:
                    drafts[match.group(1)] = line
                elif line.startswith('{"key": '):
                    articles.update(line.encode("utf-8"))
                    articles.update(b"\n")
            return header["siteurl"], drafts, articles.hexdigest()
    except (OSError, ValueError, KeyError, TypeError, AttributeError, StopIteration):
        return None, {}, ""


# The first keys of every draft line, in the order to_json writes them: the article and
# platform can be read off the start of a line without decoding the rest of it.
_LINE_KEYS = re.compile(r'^\{"article": ("(?:[^"\\]|\\.)*")')
_LINE_PLATFORM = re.compile(r'"platform": "([a-z]+)"')


def draft_lines(path: Path) -> tuple[dict[str, Any], list[tuple[str, str, str]]]:
    """The header, and (article, platform, the draft's JSON text) per draft, undecoded.

    For `preview --format json`, which passes drafts through as they are: decoding and
    encoding again thousands of drafts is most of its time.
    """
    try:
        # Lines split as bytes and decoded one by one: decoded whole, one emoji anywhere
        # makes the 17 MB text of a large blog four bytes a character (3 times slower).
        lines = path.read_bytes().split(b"\n")
        first = lines[0].decode("utf-8").removesuffix("\r")  # a manifest saved with CRLF
        header = json.loads(first.removesuffix(', "drafts": [') + "}")
    except (OSError, ValueError):
        header = {}
    if not isinstance(header, dict) or header.get("version") != VERSION \
            or not first.endswith('"drafts": ['):
        return _draft_lines_of_whole(path)
    drafts = []
    for raw in itertools.islice(lines, 1, None):
        try:
            line = raw.decode("utf-8").removesuffix("\r")
        except UnicodeDecodeError:
            return _draft_lines_of_whole(path)
        keys = _LINE_KEYS.match(line)
        if keys is None:
            continue
        platform = _LINE_PLATFORM.search(line)
        if platform is not None:
            key = keys.group(1)
            # A key with no escape in it is its JSON text without the quotes.
            key = key[1:-1] if "\\" not in key else str(json.loads(key))
            drafts.append((key, platform.group(1), line.removesuffix(",")))
    return header, drafts


def _draft_lines_of_whole(path: Path) -> tuple[dict[str, Any], list[tuple[str, str, str]]]:
    """draft_lines of a manifest not laid out as write_manifest lays it out, read whole (or
    what is wrong with it, said)."""
    data = read_manifest_json(path)
    return data, [(d["article"], d["platform"], json.dumps(d, ensure_ascii=False))
                  for d in data["drafts"]]


def read_manifest_json(path: Path) -> dict[str, Any]:
    """The manifest as parsed JSON, checked to be one this version wrote."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError(str(path), "no drafts yet: the site has not been built",
                            "build it first (`syndicate build` or `pelican`) with the "
                            "syndication plugin enabled") from None
    except ValueError as error:
        raise SettingsError(str(path), f"the manifest is not valid JSON ({error})",
                            "rebuild the site to write it again") from None
    if not isinstance(data, dict) or data.get("version") != VERSION:
        raise SettingsError(str(path), "the manifest was written by another version",
                            "rebuild the site to write it again")
    return data


def load_manifest(path: Path) -> Manifest:
    data = read_manifest_json(path)
    drafts = [Draft.from_json(item) for item in data["drafts"]]
    done = []
    inputs = {}
    for article in data.get("articles") or []:
        if "done" in article:
            done.append(done_article(article))
        else:
            inputs[article["key"]] = article["inputs"]
    for draft in drafts:
        draft.inputs = inputs.get(draft.article, {}).get(draft.platform, "")
    return Manifest(
        siteurl=data["siteurl"],
        drafts=drafts,
        errors=list(data["errors"]),
        generated_at=data["generated_at"],
        done=done,
    )


def done_article(line: dict[str, Any]) -> DoneArticle:
    kind, html = line["done"].get("summary_from") or ("", "")
    return DoneArticle(source_from_json(line["done"]), line["inputs"], (kind, html))


def done_articles(path: Path) -> list[DoneArticle]:
    """The articles done everywhere, read off their lines without decoding the drafts."""
    done = []
    with path.open(encoding="utf-8") as lines:
        if not next(lines, "").endswith('"drafts": [\n'):
            return load_manifest(path).done  # not laid out as write_manifest lays it out
        for line in lines:
            if line.startswith('{"key": '):
                article = json.loads(line.rstrip("\n").removesuffix(","))
                if "done" in article:
                    done.append(done_article(article))
    return done


# An article's key at the start of its line, and of each of its drafts' lines.
_LINE_ARTICLE = re.compile(r'^\{"(?:key|article)": ("(?:[^"\\]|\\.)*")')


def article_keys(path: Path) -> set[str] | None:
    """The keys of the manifest's articles, read off the starts of their lines (no line
    decoded whole: a done article's holds its HTML); None when the manifest is not laid
    out as write_manifest lays it out, or cannot be read."""
    keys = set()
    try:
        with path.open(encoding="utf-8") as lines:
            if not next(lines, "").endswith('"drafts": [\n'):
                return None
            for line in lines:
                key = _LINE_ARTICLE.match(line)
                if key is not None:
                    keys.add(str(json.loads(key.group(1))))
    except (OSError, ValueError):
        return None
    return keys


def follow_moves(ledger: Ledger, settings: Settings, manifest: Manifest | None = None
                 ) -> list[tuple[str, str]]:
    """Articles whose source file moved keep their ledger entries (in memory; `post` and
    `init` save it). (old key, new key) per move."""
    if not ledger.articles:
        return []  # nothing posted yet: nothing to carry over
    keys = article_keys(settings.manifest_path) if manifest is None else None
    if keys is None:
        manifest = manifest or load_manifest(settings.manifest_path)
        urls = dict(manifest.article_urls())
        return ledger.follow_moves(urls, urls.__getitem__)
    known: dict[str, str] = {}

    def url_of(key: str) -> str:
        # The manifest decoded whole (its done articles' HTML too) only if a move may be.
        if not known:
            known.update(load_manifest(settings.manifest_path).article_urls())
        return known.get(key, "")

    return ledger.follow_moves(keys, url_of)
