"""Sphinx configuration; builds offline with -W (no intersphinx)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

# Importable once src is on the path; the one version, written in src/invoicebackup/__init__.py.
from invoicebackup import __version__

project = "invoicebackup"
author = "invoicebackup developers"
copyright = "2026, invoicebackup developers"
release = __version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.doctest",
    # The CLI reference (docs/reference/cli.md) is written from the click commands.
    "sphinx_click",
]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
exclude_patterns = ["_build"]
# Roomier than alabaster: code blocks and command lines are not cut.
html_theme = "furo"
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_format = "short"
napoleon_google_docstring = True
napoleon_numpy_docstring = False
nitpicky = True
# Names that autodoc cannot resolve offline (no intersphinx: the build must not need the internet).
nitpick_ignore_regex = [
    (r"py:.*", r"(attrs|cattrs|pypdf|httpx|click|json|celery)(\..*)?"),
    (r"py:.*", r"(os|typing|collections\.abc|contextlib|datetime|decimal|enum|pathlib|io)\..*"),
    (
        r"py:class",
        r"(BinaryIO|Path|Decimal|datetime|date|Mapping|Sequence|Iterable|Callable|"
        r"Iterator|AbstractContextManager|IO|Any|_T|T|TracebackType|Self|Celery|Task)",
    ),
    (
        r"py:class",
        r"(str|int|bytes|bool|float|object|None|Exception|ValueError|OSError|"
        r"LookupError|PermissionError|FileNotFoundError|FileExistsError|KeyError)",
    ),
]
