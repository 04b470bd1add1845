"""What `syndicate check` finds: drafts that do not fit, wrong card images, warnings,
and a SITEURL that would break every remote post's link."""

from __future__ import annotations

from dataclasses import dataclass, field

from syndicate.compose.manifest import Manifest
from syndicate.errors import SettingsError
from syndicate.notes import Note
from syndicate.settings import Settings


@dataclass
class CheckReport:
    """notes: the warnings, then the errors, then each problem of a draft that does not
    fit, in the order they are said (one line per article where all its drafts share
    it). siteurl: the SITEURL problem, if any."""

    drafts: int
    notes: list[Note] = field(default_factory=list)
    failed: bool = False
    siteurl: SettingsError | None = None

    @property
    def exit_code(self) -> int:
        return 1 if self.failed or self.siteurl is not None else 0

    def summary(self) -> str:
        return f"All {self.drafts} drafts fit their platforms."


def check(settings: Settings, manifest: Manifest) -> CheckReport:
    """Check the manifest's drafts under the site's alt_text policy (build errors are
    the manifest's own: see publish.common.refuse_build_errors)."""
    from syndicate.settings import siteurl_problem

    notes: list[Note] = []
    failures: list[str] = []
    said = set()
    for draft in manifest.drafts:
        for finding in draft.checks:
            message = finding["message"]
            if message in said:
                continue  # one line per article, not per platform
            said.add(message)
            if finding["code"] == "no-alt" and settings.alt_text != "error":
                if settings.alt_text == "warn":
                    notes.append(Note(message, err=True, level="warning"))
                continue
            failures.append(message)
        for warning in draft.warnings:
            if warning not in said:
                said.add(warning)
                notes.append(Note(warning, err=True, level="warning"))
    notes += [Note(message, err=True, level="error") for message in failures]
    bad = [d for d in manifest.drafts if not d.fits]
    notes += [Note(f"{draft.article} → {draft.platform}: {problem}", err=True)
              for draft in bad for problem in draft.problems or ["does not fit"]]
    return CheckReport(len(manifest.drafts), notes, bool(bad or failures),
                       siteurl_problem(settings.platforms.values(), manifest.siteurl))
