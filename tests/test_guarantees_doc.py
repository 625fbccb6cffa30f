"""The guarantees page names only tests that exist, and marks exactly the expected failures."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "explanation" / "guarantees.md"
CITED = re.compile(r"`(tests/[\w/]+\.py)::(test_\w+)`(\s*\*\(expected to fail)?")


def _tests_in(path: Path) -> dict[str, bool]:
    """Each test function in *path*, and whether it is marked xfail."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
            "test_"
        ):
            found[node.name] = any("xfail" in ast.unparse(d) for d in node.decorator_list)
    return found


def test_every_test_the_guarantees_page_names_exists() -> None:
    """Each `file::test` on the page is a test function in that file; xfails are marked so."""
    cited = CITED.findall(PAGE.read_text(encoding="utf-8"))
    assert len(cited) >= 40
    missing, unmarked, overmarked = [], [], []
    for file, name, expected_to_fail in cited:
        tests = _tests_in(ROOT / file) if (ROOT / file).is_file() else {}
        if name not in tests:
            missing.append(f"{file}::{name}")
        elif tests[name] and not expected_to_fail:
            unmarked.append(f"{file}::{name}")
        elif expected_to_fail and not tests[name]:
            overmarked.append(f"{file}::{name}")
    assert missing == []
    assert unmarked == [], "xfail tests the page does not call expected to fail"
    assert overmarked == [], "tests the page calls expected to fail that are no longer xfail"
