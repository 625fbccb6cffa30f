"""Every public class and function has a runnable example where the reference shows it.

The examples are run by Sphinx's doctest builder (``make docs``, part of ``make test``):
autodoc puts each docstring on its module's reference page, and the builder runs every
doctest block of a page (``doctest_test_doctest_blocks``). This test keeps that true: each
public class or function of ``invoicebackup.__all__`` and of every module documented under
``docs/reference/`` must be on its page and have a doctest block of its own -- a ``>>>``
example that Sphinx will run, not one inside a ``::`` literal block. Methods are covered by
their class's example. Constants have no docstring of their own and are not checked; a click
command's example lives in its module's docstring (its own docstring is its ``--help``).
"""

from __future__ import annotations

import importlib
import inspect
import io
import re
import runpy
from pathlib import Path

import click
import pytest
from docutils import nodes  # type: ignore[import-untyped]
from docutils.core import publish_doctree  # type: ignore[import-untyped]
from sphinx.ext.napoleon import Config
from sphinx.ext.napoleon.docstring import GoogleDocstring

import invoicebackup

DOCS = Path(__file__).resolve().parents[1] / "docs"
REFERENCE = DOCS / "reference"

_AUTOMODULE = re.compile(
    r"^\.\. automodule:: (?P<module>[\w.]+)\n(?P<options>(?:[ \t]+:.*\n)*)", re.MULTILINE
)


def documented_modules() -> dict[str, tuple[str, frozenset[str] | None, frozenset[str]]]:
    """Each module with an ``automodule`` page: its page, listed members (None: all), excluded."""
    modules: dict[str, tuple[str, frozenset[str] | None, frozenset[str]]] = {}
    for page in sorted(REFERENCE.glob("*.md")):
        for match in _AUTOMODULE.finditer(page.read_text(encoding="utf-8")):
            options = dict(
                re.findall(r"^[ \t]+:([\w-]+):[ \t]*(.*)$", match["options"], re.MULTILINE)
            )
            if "members" not in options:
                continue
            listed = options["members"].replace(",", " ").split()
            excluded = options.get("exclude-members", "").replace(",", " ").split()
            modules[match["module"]] = (
                page.name,
                frozenset(listed) if listed else None,
                frozenset(excluded),
            )
    return modules


DOCUMENTED = documented_modules()


def public_names() -> dict[str, tuple[str, str, object]]:
    """Every public name to check, by qualified name: (documenting module, name, object)."""
    found: dict[str, tuple[str, str, object]] = {}
    for module_name in DOCUMENTED:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            home = getattr(obj, "__module__", module_name)
            if home != module_name and home in DOCUMENTED:
                continue  # a re-export (``invoicebackup.compile``'s): checked on its home's page
            found.setdefault(f"{module_name}.{name}", (module_name, name, obj))
    for name in invoicebackup.__all__:
        obj = getattr(invoicebackup, name)
        home = getattr(obj, "__module__", None)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert home in DOCUMENTED, f"invoicebackup.{name}: its module {home} has no page"
            assert f"{home}.{name}" in found, f"invoicebackup.{name} is not in {home}.__all__"
    return found


PUBLIC = public_names()


def doctree(docstring: str) -> nodes.document:
    """The docutils tree Sphinx would render for *docstring*, after napoleon's translation."""
    # napoleon's own Config stands in for Sphinx's, as its documentation shows.
    config = Config(napoleon_numpy_docstring=False)
    rst = str(GoogleDocstring(inspect.cleandoc(docstring), config))  # type: ignore[arg-type]
    settings = {"report_level": 5, "halt_level": 5, "warning_stream": io.StringIO()}
    return publish_doctree(rst, settings_overrides=settings)


def doctest_blocks(docstring: str | None) -> list[str]:
    """The doctest blocks Sphinx would run in *docstring*."""
    if not docstring:
        return []
    return [block.astext() for block in doctree(docstring).findall(nodes.doctest_block)]


def hidden_examples(docstring: str | None) -> list[str]:
    """The literal (``::``) blocks of *docstring* holding ``>>>`` lines: shown, never run."""
    if not docstring:
        return []
    blocks = [block.astext() for block in doctree(docstring).findall(nodes.literal_block)]
    return [block for block in blocks if re.search(r"^>>> ", block, re.MULTILINE)]


def own_docstring(obj: object) -> str | None:
    """The object's own docstring: a class does not inherit one from its base."""
    if inspect.isclass(obj):
        doc = obj.__dict__.get("__doc__")
        return doc if isinstance(doc, str) else None
    return getattr(obj, "__doc__", None)


def is_checked(obj: object) -> bool:
    return inspect.isclass(obj) or inspect.isfunction(obj) or isinstance(obj, click.Command)


def test_doctest_blocks_of_docstrings_are_run_by_sphinx() -> None:
    """docs/conf.py loads the doctest builder and leaves plain doctest blocks tested."""
    conf = runpy.run_path(str(DOCS / "conf.py"))
    assert "sphinx.ext.doctest" in conf["extensions"]
    assert "sphinx.ext.autodoc" in conf["extensions"]
    assert conf.get("doctest_test_doctest_blocks", "default")


def test_the_parser_tells_a_doctest_block_from_a_literal_block() -> None:
    """A ``>>>`` example counts; the same lines in a ``::`` literal block do not."""
    assert doctest_blocks("Add.\n\nExample:\n    >>> 1 + 1\n    2\n") == [">>> 1 + 1\n2"]
    # A docstring's first line is its summary: cleandoc dedents only the lines after it.
    assert doctest_blocks("Add.\n\n    Like this::\n\n        >>> 1 + 1\n        2\n") == []
    assert doctest_blocks("Add.") == []
    literal = "Add.\n\n    Like this::\n\n        >>> 1 + 1\n        2\n"
    assert hidden_examples(literal) == [">>> 1 + 1\n2"]
    assert hidden_examples("Add.\n\nExample:\n    >>> 1 + 1\n    2\n") == []


def test_the_reference_pages_and_public_names_are_found() -> None:
    """The walk sees the reference pages' modules and every name of ``invoicebackup.__all__``."""
    assert {"invoicebackup.domain", "invoicebackup.cli", "invoicebackup.testing"} <= set(DOCUMENTED)
    assert "invoicebackup.domain.Project" in PUBLIC
    assert "invoicebackup.cli.main" in PUBLIC


@pytest.mark.parametrize("qualified", sorted(PUBLIC))
def test_public_name_has_a_runnable_example(qualified: str) -> None:
    """The public class or function is on its reference page with a doctest block of its own."""
    module_name, name, obj = PUBLIC[qualified]
    if not is_checked(obj):
        pytest.skip("a constant: no docstring of its own")
    page, listed, excluded = DOCUMENTED[module_name]
    if isinstance(obj, click.Command):
        # Shown through the module docstring, which the page always renders.
        module = importlib.import_module(module_name)
        examples = [b for b in doctest_blocks(module.__doc__) if f"invoke({name}," in b]
    else:
        assert name not in excluded, f"{qualified} is excluded from reference/{page}"
        assert listed is None or name in listed, f"{qualified} is not listed on reference/{page}"
        examples = doctest_blocks(own_docstring(obj))
    assert examples, f"{qualified} has no >>> example (a doctest block) in its docstring"


def docstrings_of(module_name: str) -> dict[str, str | None]:
    """The module's docstring and those of its public names and their methods, by name."""
    module = importlib.import_module(module_name)
    found: dict[str, str | None] = {module_name: module.__doc__}
    for name in module.__all__:
        obj = getattr(module, name)
        if not is_checked(obj):
            continue
        found[f"{module_name}.{name}"] = own_docstring(obj)
        if inspect.isclass(obj):
            for attribute, member in vars(obj).items():
                if inspect.isfunction(member) or isinstance(member, property):
                    found[f"{module_name}.{name}.{attribute}"] = member.__doc__
    return found


@pytest.mark.parametrize("module_name", sorted(DOCUMENTED))
def test_no_example_hides_in_a_literal_block(module_name: str) -> None:
    """No docstring on a reference page keeps a ``>>>`` example in a ``::`` block, unrun."""
    hidden = [
        qualified
        for qualified, docstring in docstrings_of(module_name).items()
        if hidden_examples(docstring)
    ]
    assert hidden == [], (
        f"these show >>> lines in a literal block, which Sphinx never runs: {hidden}"
    )
