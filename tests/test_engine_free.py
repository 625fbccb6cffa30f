"""A backup of plain documents never loads pypdf; text strings are written as pypdf reads them.

pypdf is imported only by :mod:`invoicebackup.pdf.pypdf_adapter`, when the library's own
reader refuses a file (encrypted or damaged). These tests check in a fresh interpreter
that a backup of plain documents leaves it unloaded, and compare the text strings the
writer encodes (titles, bookmarks, field names) with pypdf's encoding of the same text.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

from hypothesis import given
from hypothesis import strategies as st
from pypdf.generic import TextStringObject

from invoicebackup.pdf.document import decode_text, text_string


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
    pages = result.manifest.page_count - (result.manifest.cover_last_page or 0)
    print(pages, "pypdf" in sys.modules)
"""


def test_a_backup_of_plain_documents_does_not_load_pypdf() -> None:
    """Invoice i-1 of the sample project: text pages, a lien waiver (a form), the cover sheet.

    The five pages counted are the invoice's (the cover sheet's are not: they are ours).
    """
    assert _in_a_fresh_interpreter(_COMPILE.format(invoices='"i-1"')) == "5 False"


def test_a_document_the_reader_refuses_loads_pypdf() -> None:
    """Invoice i-4 holds a damaged document: pypdf is asked to rewrite it, and loaded."""
    pages, loaded = _in_a_fresh_interpreter(_COMPILE.format(invoices='"i-4"')).split()
    assert loaded == "True"
    assert int(pages) >= 1


@given(st.text(max_size=12))
def test_text_strings_are_encoded_as_pypdf_encodes_them(text: str) -> None:
    """Any text is written as pypdf's ``TextStringObject`` encodes it, and reads back."""
    try:
        expected = TextStringObject(text).get_encoded_bytes()
    except UnicodeEncodeError:  # a lone surrogate: neither can encode it
        return
    assert text_string(text).value == expected
    assert decode_text(text_string(text)) == text


def test_every_character_is_encoded_as_pypdf_encodes_it() -> None:
    """The whole basic plane, PDFDocEncoding's differences from Latin-1 included."""
    for code in range(0x10000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        text = f"a{chr(code)}b"
        assert text_string(text).value == TextStringObject(text).get_encoded_bytes(), hex(code)
