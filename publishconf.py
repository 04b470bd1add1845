"""Pelican settings for the deployed site: pelicanconf.py plus the public address."""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: F403

# The address the site is deployed at; CI sets it (for GitHub Pages, the Pages URL).
SITEURL = os.environ.get("SITEURL", "https://fieldnotes.example")
ABSOLUTE_SITEURL = SITEURL
RELATIVE_URLS = False

DELETE_OUTPUT_DIRECTORY = True
