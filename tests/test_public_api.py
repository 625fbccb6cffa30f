"""The public surface: curated, sorted, documented, and free of engine types."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import invoicebackup

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_all_lists_each_name_once() -> None:
    """`invoicebackup.__all__` lists each name once (ruff's RUF022 keeps it sorted)."""
    names = list(invoicebackup.__all__)
    assert len(names) == len(set(names))


def test_every_exported_name_exists_and_is_documented() -> None:
    """Every exported name resolves and carries a docstring of its own."""
    for name in invoicebackup.__all__:
        obj = getattr(invoicebackup, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert inspect.getdoc(obj), f"{name} has no docstring"


#: Packages that are a documented internal interface (tests use them; not public API): each
#: is explained under docs/explanation instead of having a reference page.
INTERNAL = {"pdf": "pdf-reader.md"}


def test_every_public_module_has_a_reference_page() -> None:
    """Each public module has a page under docs/reference with an automodule directive."""
    pages = "\n".join(p.read_text(encoding="utf-8") for p in (DOCS / "reference").glob("*.md"))
    modules = [
        m.name
        for m in pkgutil.iter_modules(invoicebackup.__path__)
        if not m.name.startswith("_") and m.name not in INTERNAL
    ]
    for module in modules:
        assert re.search(rf"automodule::\s+invoicebackup\.{module}\b", pages), module


def test_every_internal_package_has_an_explanation_page() -> None:
    """An internal package is not in the reference; a page under docs/explanation says why."""
    for package, page in INTERNAL.items():
        text = (DOCS / "explanation" / page).read_text(encoding="utf-8")
        assert f"invoicebackup.{package}" in text, package


def test_no_engine_type_in_public_signatures() -> None:
    """No pypdf, cattrs or httpx type appears in the signature of an exported function or class."""
    for name in invoicebackup.__all__:
        obj = getattr(invoicebackup, name)
        if not (inspect.isclass(obj) or inspect.isfunction(obj)):
            continue
        try:
            text = str(inspect.signature(obj))
        except (TypeError, ValueError):
            continue
        assert not re.search(r"\b(pypdf|cattrs|httpx)\b", text), f"{name}{text}"


def test_core_modules_import_no_optional_dependency() -> None:
    """Core: no click, httpx, pikepdf or celery (but _repair, lazily); cattrs only in serialization.

    celery_tasks names Celery's types for the type checker only; that it imports no Celery
    when run is tests/test_celery_tasks.py's test_importing_the_library_never_imports_celery.
    """
    src = Path(invoicebackup.__file__).parent
    for path in src.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        imports = set(re.findall(r"^\s*(?:from|import)\s+([a-z_]+)", text, re.MULTILINE))
        if path.stem not in {"cli", "__main__", "docusign_rest", "_repair"}:
            assert not imports & {"click", "httpx", "pikepdf"}, path.name
        if path.stem != "celery_tasks":
            assert not imports & {"celery", "kombu"}, path.name
        if path.stem == "_repair":  # the repair extra, imported lazily and only there
            assert not imports & {"click", "httpx"}, path.name
        if path.stem != "serialization":
            assert "cattrs" not in imports, path.name
        # pypdf only in invoicebackup.pdf.pypdf_adapter (a subpackage, not globbed here).
        assert "pypdf" not in imports, path.name
    assert importlib.import_module("invoicebackup")


#: pypdf's private state that the copier once reached (issue 18): none of it may be used.
_PYPDF_PRIVATE = re.compile(
    r"(?:reader|self)\.xref\b|xref_objStm|xref_free_entry|_startxref|resolved_objects|flattened_pages"
    r"|_validated_root|_get_object_from_stream|_named_destinations_cache|_read_xref"
    r"|cache_indirect_object"
)


def _sources() -> list[Path]:
    return sorted(Path(invoicebackup.__file__).parent.rglob("*.py"))


def test_pypdf_is_reached_through_its_public_api_only() -> None:
    """No subclass of pypdf's reader, no pypdf private attribute, pypdf only in its adapter."""
    for path in _sources():
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\(\s*(?:pypdf\.)?PdfReader\s*\)\s*:", text), path.name
        assert not _PYPDF_PRIVATE.search(text), (path.name, _PYPDF_PRIVATE.search(text))
        imports = set(re.findall(r"^\s*(?:from|import)\s+(pypdf)\b", text, re.MULTILINE))
        if path.name != "pypdf_adapter.py" and path.stem != "_samples":
            assert not imports, path.name


def test_no_error_is_matched_by_its_class_name() -> None:
    """Errors are caught by class, never recognised by the text of their type's name."""
    for path in _sources():
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"type\([^)]*\)\.__name__\s*==", text), path.name
        assert not re.search(r"__name__\s*==\s*[\"'][A-Za-z]*Error[\"']", text), path.name
        assert not re.search(r"\bname\s*==\s*[\"'][A-Za-z]*Error[\"']", text), path.name
