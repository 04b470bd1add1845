"""What every run shares: its progress lines, the platforms it is asked for, the
manifest's build errors, articles that moved, and the platforms' posters."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from syndicate.compose.manifest import Manifest, done_articles, draft_lines, load_manifest
from syndicate.errors import SettingsError, SyndicateError
from syndicate.ledger import Ledger
from syndicate.platforms.base import Platform, Poster
from syndicate.settings import Settings

if TYPE_CHECKING:
    from syndicate.http import Http


@dataclass(frozen=True)
class Note:
    """One line of progress for a person, said as it happens.

    err: it belongs on stderr. level "error" or "warning": the line is said after an
    "Error: " or "Warning: " mark. state: the outcome of a draft (posted, failed,
    attention), said as a coloured word after the counter ("[1/3]").
    """

    text: str
    err: bool = False
    level: str = ""
    state: str = ""
    counter: str = ""


Report = Callable[[Note], None]


def quiet(note: Note) -> None:
    """A Report that says nothing."""


class Halt(SyndicateError):
    """A run stops and changes nothing more, with its own lines on stderr: each of
    errors after an "Error: " mark, then message (exit 1)."""

    def __init__(self, message: str, errors: Sequence[str] = ()) -> None:
        self.message = message
        self.errors = list(errors)
        super().__init__("", message, "")

    def line(self) -> str:
        return self.message


def refuse_build_errors(manifest: Manifest) -> None:
    """Halt when the last build had errors."""
    if manifest.errors:
        raise Halt("The last build had errors: fix them and rebuild. Nothing was posted.",
                   manifest.errors)


def chosen_platforms(settings: Settings, names: Sequence[str]) -> dict[str, Platform]:
    """The platforms named (all the enabled ones when none are); a name that is not
    enabled is a settings error."""
    if not names:
        return dict(settings.platforms)
    chosen = {}
    for name in names:
        name = name.lower()
        if name not in settings.platforms:
            raise SettingsError(settings.where, f"platform {name!r} is not enabled",
                                f"add \"{name}\": {{}} to SYNDICATE['platforms']")
        chosen[name] = settings.platforms[name]
    return chosen


def follow_moves(ledger: Ledger, settings: Settings, manifest: Manifest | None = None
                 ) -> list[tuple[str, str]]:
    """Articles whose source file moved keep their ledger entries (in memory; `post` and
    `init` save it). (old key, new key) per move."""
    if manifest is None:
        keys = {article for article, _, _ in draft_lines(settings.manifest_path)[1]}
        known = ledger.articles.keys()
        if keys <= known:
            return []  # no article the ledger lacks (done articles are in the ledger)
        keys |= {article.key for article in done_articles(settings.manifest_path)}
        if known <= keys:
            return []  # no entry without its article
        manifest = load_manifest(settings.manifest_path)
    return ledger.follow_moves(manifest.article_urls())


@contextmanager
def open_posters(platforms: dict[str, Platform], root: Path
                 ) -> Iterator[tuple[dict[str, Poster], Http]]:
    """A poster per platform, sharing one HTTP client for the run; all closed after."""
    from syndicate.http import Http

    posters: dict[str, Poster] = {}
    http = Http()  # one client for the run: keep-alive across every post
    try:
        for name, platform in platforms.items():
            try:
                posters[name] = platform.open_poster(str(root), http)
            except NotImplementedError:
                raise SettingsError(
                    name, "posting to this platform is not available in this version",
                    "preview and check work; post with --platform outbox for now") from None
        yield posters, http
    finally:
        for poster in posters.values():
            poster.close()
        http.close()
