"""Whether each enabled platform can post now, and if not, why: one answer for `post`,
`check` and `doctor`.

Read from the settings and the environment alone (no network), so a pull request's
`check` shows it too, and `post` can skip what is not configured instead of refusing all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from syndicate.errors import SettingsError
from syndicate.platforms.base import Platform


@dataclass(frozen=True)
class Missing:
    """One thing a platform needs to post that it does not have."""

    problem: str  # "SYNDICATE_LINKEDIN_TOKEN is not set", "no author"
    fix: str
    # A secret comes from the environment (in CI, a repository secret).
    variable: str | None = None

    def line(self) -> str:
        return f"{self.problem} ({self.fix})"


@dataclass(frozen=True)
class Readiness:
    """One platform: ready to post, or what it lacks."""

    platform: str
    missing: tuple[Missing, ...] = ()

    @property
    def ready(self) -> bool:
        return not self.missing

    def why(self) -> str:
        """What is missing and how to fix it, on one line ("" when ready)."""
        return "; ".join(m.line() for m in self.missing)

    def refusal(self, where: str) -> SettingsError:
        """The error for a platform named on the command line that cannot post."""
        secrets = [m.variable for m in self.missing if m.variable]
        settings = [m for m in self.missing if not m.variable]
        problems = [f"{', '.join(secrets)} {'is' if len(secrets) == 1 else 'are'} not set"
                    ] if secrets else []
        problems += [m.problem for m in settings]
        fixes = [f"export {' and '.join(secrets)} (in CI, from a secret)"] if secrets else []
        fixes += [m.fix for m in settings]
        return SettingsError("environment" if not settings else where,
                             f"{'; '.join(problems)}, so {self.platform} cannot be posted to",
                             f"{'; '.join(fixes)}; or leave {self.platform} out of --platform")


def platform_readiness(platform: Platform) -> Readiness:
    """What platform lacks to post: its secrets first, then the settings posting reads."""
    missing = [Missing(f"{variable} is not set",
                       f"export it, e.g. from a CI secret, or remove {platform.name} from "
                       "SYNDICATE['platforms']", variable)
               for variable in platform.missing_secrets()]
    missing += [Missing(problem, fix) for problem, fix in platform.missing_settings()]
    return Readiness(platform.name, tuple(missing))


def readiness(platforms: Mapping[str, Platform]) -> list[Readiness]:
    """Each platform's readiness, in the order the settings list them."""
    return [platform_readiness(platform) for platform in platforms.values()]
