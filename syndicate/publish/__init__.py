"""Publishing: the runs that reach the platforms and write the ledger (post, backfeed,
retract, approve, init's back catalogue), their steps (planning and the cadence, which
are pure; liveness, webmentions, readiness) and the answers about them (status rows,
doctor's findings). Each run takes settings and options, says its progress through a
callback of `Note` lines and returns a report; it never prints, never exits and never
imports the command line: mistakes are raised as the errors of `syndicate.errors`,
which the `syndicate` command turns into its exit codes.
"""
