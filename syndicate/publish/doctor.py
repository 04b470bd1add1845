"""What `syndicate doctor` finds: each platform's settings and credentials, checked with
read-only calls (nothing is posted, no secret is said)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from syndicate.errors import SyndicateError
from syndicate.publish.common import chosen_platforms
from syndicate.settings import Settings


@dataclass(frozen=True)
class Finding:
    platform: str  # or "site", for SITEURL
    ok: bool
    text: str

    def to_json(self) -> dict[str, object]:
        return {"platform": self.platform, "ok": self.ok, "finding": self.text}


def doctor(settings: Settings, platform_names: Sequence[str]) -> list[Finding]:
    """The findings for these platforms (every enabled one when none are named): what
    `post` would skip a platform for, said without calling it; else what the platform's
    own read-only checks find."""
    import httpx

    from syndicate.http import Http
    from syndicate.publish.readiness import platform_readiness
    from syndicate.settings import siteurl_problem

    platforms = chosen_platforms(settings, platform_names)
    found: list[Finding] = []
    problem = siteurl_problem(platforms.values(), settings.siteurl)
    if problem is not None:
        found.append(Finding("site", False, problem.line()))
    http = Http(max_total_wait=20)
    try:
        for name, platform in platforms.items():
            missing = platform_readiness(platform).missing
            if missing:
                found.extend(Finding(name, False, item.line()) for item in missing)
                continue
            try:
                checks = platform.doctor(str(settings.root), http)
            except SyndicateError as error:
                checks = [(False, error.line())]
            except httpx.HTTPError as error:
                checks = [(False, f"cannot reach the server ({type(error).__name__})")]
            found.extend(Finding(name, fine, text) for fine, text in checks)
    finally:
        http.close()
    return found
