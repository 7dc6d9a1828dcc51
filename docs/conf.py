"""Sphinx configuration: ``python -m sphinx -b html docs docs/_build/html`` (no network needed)."""

project = "symalign"
author = "symalign contributors"
copyright = "symalign contributors"

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx_click",  # the command reference: every command and option, from the click definitions
]
source_suffix = {".md": "markdown"}
master_doc = "index"
exclude_patterns = ["_build", "figures/*.md"]
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3
napoleon_numpy_docstring = True
napoleon_google_docstring = False
napoleon_use_rtype = False
autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "show-inheritance": False}
autodoc_typehints = "signature"
html_theme = "alabaster"
html_static_path = []
suppress_warnings = ["myst.xref_missing"]
