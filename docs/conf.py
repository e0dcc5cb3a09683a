"""Sphinx configuration for the otcoding documentation."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

import otcoding

project = "otcoding"
author = "otcoding developers"
copyright = "2026, otcoding developers. CPT is a registered trademark of the AMA"
release = otcoding.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "otcoding_docs",
]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
html_theme = "furo"
html_title = f"otcoding {release}"
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": True}
# attrs generates __init__ signatures mypy understands but Sphinx cannot always resolve.
nitpicky = False
suppress_warnings = ["myst.header"]
