"""A backup of simple documents never loads pypdf; what it writes is what pypdf would write.

:mod:`invoicebackup._engine` (pypdf) is imported the first time a document needs it. The
few things the simple path writes that the engine used to — names with their escapes,
real numbers, text strings in PDFDocEncoding — are written by our own code: these tests
compare them with pypdf's, and check in a fresh interpreter that pypdf stays unloaded.
"""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap

from hypothesis import given
from hypothesis import strategies as st
from pypdf.generic import FloatObject, NameObject, TextStringObject

from invoicebackup import _pdf


def _in_a_fresh_interpreter(code: str) -> str:
    """Run *code* in a new Python process; its standard output."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return done.stdout.strip()


_COMPILE = """
    import sys
    from datetime import datetime, timezone
    from invoicebackup import InMemoryStore, compile_backup
    from invoicebackup.testing import sample_documents, sample_project

    assert "pypdf" not in sys.modules, "importing invoicebackup loaded pypdf"
    result = compile_backup(
        sample_project(), invoice_ids=[{invoices}], user_id="u-admin",
        store=InMemoryStore(sample_documents()),
        now=datetime(2026, 11, 3, 9, 30, tzinfo=timezone.utc),
    )
    print(result.manifest.page_count, "pypdf" in sys.modules)
"""


def test_a_backup_of_simple_documents_does_not_load_pypdf() -> None:
    """Invoice i-1 of the sample project: text pages and a lien waiver (a simple form)."""
    assert _in_a_fresh_interpreter(_COMPILE.format(invoices='"i-1"')) == "5 False"


def test_a_document_the_simple_path_does_not_take_loads_pypdf() -> None:
    """Invoice i-4 holds a damaged document (a placeholder): the engine is asked, and loaded."""
    pages, loaded = _in_a_fresh_interpreter(_COMPILE.format(invoices='"i-4"')).split()
    assert loaded == "True"
    assert int(pages) >= 1


@given(st.text(max_size=12))
def test_text_strings_are_encoded_as_the_engine_encodes_them(text: str) -> None:
    try:
        engine = TextStringObject(text).get_encoded_bytes()
    except UnicodeEncodeError:  # a lone surrogate: neither can encode it
        return
    assert _pdf._string(text) == _pdf._literal_bytes(engine)


def test_every_character_is_encoded_as_the_engine_encodes_it() -> None:
    """The whole basic plane, PDFDocEncoding's differences from Latin-1 included."""
    for code in range(0x10000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        text = f"a{chr(code)}b"
        expected = _pdf._literal_bytes(TextStringObject(text).get_encoded_bytes())
        assert _pdf._string(text) == expected, hex(code)


@given(st.text(min_size=1, max_size=12).filter(lambda t: "\x00" not in t))
def test_names_are_written_as_the_engine_writes_them(text: str) -> None:
    name = "/" + text
    buffer = io.BytesIO()
    try:
        NameObject(name).write_to_stream(buffer)
    except UnicodeEncodeError:  # a lone surrogate: neither can write it
        return
    _pdf._NAME_BYTES.clear()
    assert _pdf._name_bytes(name) == buffer.getvalue()


_REALS = st.from_regex(rb"\A[+-]?(?:\d{1,12}\.\d{0,12}|\.\d{1,12})\Z", fullmatch=True)


@given(_REALS)
def test_real_numbers_are_written_as_the_engine_writes_them(token: bytes) -> None:
    """Real tokens as they appear in files, written back as pypdf's ``FloatObject`` does."""
    assert _pdf._real_bytes(float(token)) == FloatObject(token.decode()).myrepr().encode()


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_any_real_is_written_as_the_engine_writes_it(value: float) -> None:
    assert _pdf._real_bytes(value) == FloatObject(value).myrepr().encode()
