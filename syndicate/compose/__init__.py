"""From an article to its drafts: the article as the library sees it (from Pelican or a
feed), the Jinja2 templates (sandboxed), the drafting and fitting per platform, images,
and the manifest the build writes for the commands. Never touches the network.
"""
