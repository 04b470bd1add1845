"""What every run shares: the platforms it is asked for, the manifest's build errors and
the platforms' posters (progress lines are syndicate.notes, Halt is in syndicate.errors,
moves are followed by syndicate.compose.manifest.follow_moves)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from syndicate.compose.manifest import Manifest
from syndicate.errors import Halt, SettingsError
from syndicate.platforms.base import Platform, Poster
from syndicate.settings import Settings

if TYPE_CHECKING:
    from syndicate.http import Http


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
