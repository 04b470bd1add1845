"""From an article to its drafts: the article as the library sees it (from Pelican or a
feed), the Jinja2 templates (sandboxed), the drafting and fitting per platform, images,
the fingerprints that decide reuse and what changed since posting, the Pelican build
session (and what it gives the theme and feeds), and the manifest the build writes for
the commands. Never touches the network.
"""
