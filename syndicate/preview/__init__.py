"""The preview side of syndicate as a library: which drafts a preview shows (pending or
changed since posted, done ones drafted on demand, filtered by article, platform and
state) and in what state, what `check` finds wrong with them, and the builds that make
the drafts (Pelican with the plugin, or a feed). Nothing here reaches a platform or
writes the ledger; nothing prints or imports the command line.
"""
