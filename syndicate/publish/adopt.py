"""What `syndicate init` does to adopt a blog: set syndicate up (settings, .gitignore,
workflows), then record the back catalogue as already syndicated, so followers are not
flooded with it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from syndicate.compose.manifest import Manifest, follow_moves
from syndicate.draft import Draft
from syndicate.ledger import Ledger, ledger_lock
from syndicate.notes import Note, Report
from syndicate.platforms import PLATFORM_CLASSES
from syndicate.publish.common import chosen_platforms, refuse_build_errors
from syndicate.publish.scaffold import Change
from syndicate.settings import Settings


@dataclass
class SetUp:
    """What setting up changed (or, dry, would change)."""

    project: Path  # the folder of the settings file
    new_blog: bool  # the settings had no SYNDICATE block
    platforms: list[str]  # the platforms set up (on a new blog)
    changes: list[Change]

    def next_steps(self, ledger_name: str) -> str:
        """What is left for a person to do once syndicate is set up."""
        from syndicate.publish.scaffold import secret_variables

        secrets = secret_variables(self.platforms)
        return ("Next: fill in the empty settings in the SYNDICATE block; in GitHub, set "
                "the repository variable SITEURL"
                + (f" and the secrets {', '.join(secrets)}" if secrets else "")
                + f"; commit {ledger_name} and .github/workflows.")


def set_up(settings_path: Path, platform_names: Sequence[str], dry_run: bool) -> SetUp:
    """Add what is missing: on a blog without syndicate, the plugin and a SYNDICATE block
    for these platforms (the outbox when none are named); the ignored files; workflows."""
    from syndicate.publish import scaffold
    from syndicate.settings import load_settings, read_settings_file

    if not settings_path.is_file():
        load_settings(settings_path)  # the one-line error for a missing settings file
    values = read_settings_file(settings_path)
    project = settings_path.resolve().parent
    new_blog = "SYNDICATE" not in values
    names = [name.lower() for name in platform_names] or ["outbox"]
    publish = "publishconf.py" if (project / "publishconf.py").is_file() \
        else settings_path.name
    changes = scaffold.set_up_settings(settings_path.resolve(), values, names, dry_run)
    changes += scaffold.set_up_gitignore(project, dry_run)
    changes += scaffold.set_up_workflows(project, publish, names if new_blog else list(
        load_settings(settings_path).platforms), dry_run)
    return SetUp(project, new_blog, names, changes)


def record_back_catalogue(settings: Settings, manifest: Manifest,
                          platform_names: Sequence[str], dry_run: bool, report: Report
                          ) -> list[Draft]:
    """Record every draft the ledger does not know yet, on these platforms (all when
    none are named), as skipped: "existed before syndicate init". Articles that moved
    are followed. Dry, only say what would be recorded. The drafts recorded."""
    refuse_build_errors(manifest)
    platforms = chosen_platforms(settings, platform_names)
    with ledger_lock(settings.ledger_path):
        ledger = Ledger.load(settings.ledger_path, PLATFORM_CLASSES)
        moved = follow_moves(ledger, settings, manifest)
        new = [d for d in manifest.drafts
               if d.platform in platforms and ledger.state(d.article, d.platform) is None]
        for draft in new:
            if dry_run:
                report(Note(f"Would record {draft.article} on {draft.platform} as skipped"))
            else:
                ledger.record_skipped(draft.article, draft.url, draft.platform,
                                      "existed before syndicate init", save=False)
        if (new or moved) and not dry_run:
            ledger.save()
    return new
