"""Responses brought home: replies, reposts and likes of the syndicated copies.

`syndicate backfeed` fetches them from each platform and keeps them in a data file in
the repository (`responses.json`, one entry per article), merged with what earlier runs
found, so a reply deleted upstream stays until removed by hand and nothing is fetched
twice for long. The build renders them under the article.

Replies are untrusted input. Their HTML is cleaned to a small allow-list of tags here,
when stored, and again when the page is built (nh3, the ammonia sanitiser): no script,
no style, no event attribute, links only to http(s) with rel="nofollow ugc noopener".
Names, handles and URLs are plain text, escaped by the theme.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from syndicate.files import read_json_file, write_atomically

ALLOWED_TAGS = {"p", "br", "a", "span", "strong", "em", "b", "i", "code", "pre",
                "blockquote", "ul", "ol", "li"}
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {"a": {"href"}}
# Per article and kind: keep the latest this many (a viral post must not bloat the repo).
MAX_PER_KIND = 200
KINDS = ("replies", "reposts", "likes")


def clean_html(html: str) -> str:
    """Reply HTML reduced to the allow-list: safe to put in a page as it is."""
    import nh3  # 1.5 MiB: only a blog with replies to show pays for it in its build

    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https"}, url_relative="deny",
                     link_rel="nofollow ugc noopener")


def safe_url(url: str | None) -> str:
    """url when it is an http(s) address, else nothing (no javascript: or data:)."""
    url = (url or "").strip()
    return url if url.lower().startswith(("https://", "http://")) else ""


@dataclass(frozen=True)
class Author:
    name: str
    handle: str
    url: str
    avatar: str


@dataclass(frozen=True)
class Response:
    """One reply, repost or like, on one platform."""

    platform: str
    kind: str  # reply, repost, like
    id: str
    author: Author
    url: str = ""
    published: str = ""
    content: str = ""  # cleaned HTML, for replies

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Response:
        author = Author(**{k: str(data["author"].get(k, "")) for k in
                           ("name", "handle", "url", "avatar")})
        return cls(platform=str(data["platform"]), kind=str(data["kind"]), id=str(data["id"]),
                   author=author, url=str(data.get("url", "")),
                   published=str(data.get("published", "")),
                   content=str(data.get("content", "")))


def response(platform: str, kind: str, id: str, name: str, handle: str, author_url: str,
             avatar: str, url: str = "", published: str = "", content: str = "") -> Response:
    """A Response made safe: HTML cleaned, URLs only http(s), names as plain text."""
    return Response(platform=platform, kind=kind, id=str(id),
                    author=Author(name=name.strip() or handle, handle=handle,
                                  url=safe_url(author_url), avatar=safe_url(avatar)),
                    url=safe_url(url), published=published,
                    content=clean_html(content) if content else "")


@dataclass
class Responses:
    """The responses file: per article key, its replies, reposts and likes."""

    path: Path
    articles: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Responses:
        data = read_json_file(path, "responses", "articles")
        return cls(path, data["articles"]) if data else cls(path)

    def merge(self, key: str, found: Iterable[Response]) -> int:
        """Add what is new for the article; the number of new responses."""
        entry = self.articles.setdefault(key, {kind: [] for kind in KINDS})
        added = 0
        for item in found:
            kind = {"reply": "replies", "repost": "reposts", "like": "likes"}[item.kind]
            known = {(r["platform"], r["id"]) for r in entry.setdefault(kind, [])}
            if (item.platform, item.id) in known:
                continue
            entry[kind].append(asdict(item))
            added += 1
        for kind in KINDS:
            items = entry.get(kind, [])
            items.sort(key=lambda r: (r.get("published", ""), r["platform"], r["id"]))
            entry[kind] = items[-MAX_PER_KIND:]
        return added

    def for_article(self, key: str) -> dict[str, list[Response]]:
        """The article's responses for the theme, cleaned once more (the file may have
        been edited by hand)."""
        entry = self.articles.get(key, {})
        result: dict[str, list[Response]] = {}
        for kind in KINDS:
            items = []
            for data in entry.get(kind, []):
                item = Response.from_json(data)
                items.append(response(item.platform, item.kind, item.id, item.author.name,
                                      item.author.handle, item.author.url,
                                      item.author.avatar, item.url, item.published,
                                      item.content))
            result[kind] = items
        return result

    def save(self) -> None:
        text = json.dumps({"version": 1, "articles": self.articles}, ensure_ascii=False,
                          indent=1, sort_keys=True) + "\n"
        write_atomically(self.path, text.encode("utf-8"))
