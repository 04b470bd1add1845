"""Showing the drafts before anything is posted: which drafts a preview shows (pending or
changed since posted, done ones drafted on demand, filtered by article, platform and
state) and in what state (selection), what `check` finds wrong with them, and the three
views of them: terminal tables (display), the HTML page (html) and Markdown (markdown).
Nothing here reaches a platform or writes the ledger; nothing imports the command line.
"""
