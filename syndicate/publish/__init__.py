"""The publishing side of syndicate as a library: the runs that reach the platforms and
the ledger (post, backfeed, retract, init's back catalogue) and the answers about them
(status rows, doctor's findings). Each run takes settings and options, says its progress
through a callback of `Note` lines, and returns a report; it never prints, never exits
and never imports the command line: mistakes are raised as the errors of
`syndicate.errors`, which the `syndicate` command turns into its exit codes.
"""
