"""Resource names of any bytes, after any white space, resolve in the backup (issue 17).

The one reader keeps a name's bytes (``#`` escapes decoded, raw bytes kept) and the one
serialiser writes them back; the pages oracle (:mod:`tests.oracle`, qpdf) checks that the
backup's page is the source's page, each resource name still resolving.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from invoicebackup import BackupOptions, compile_backup
from invoicebackup.pdf.syntax import name_value

from ..oracle import assert_backup_matches
from ..pdf_craft import (
    ATTACHMENT_KEY,
    NOW,
    USER_ID,
    build_pdf,
    one_attachment,
    resource_page,
    xref_stream_pdf,
)

_SPACE = st.sampled_from([b" ", b"\n", b"\r\n", b"  ", b"\t", b"\x0c", b"\x00", b"\x0b"])


#: A name's bytes spelled as a name token: each byte escaped, or raw where the standard allows.
_DELIMITERS = b"\x00\t\n\x0b\x0c\r ()<>[]{}/%#"


@st.composite
def _name_tokens(draw: st.DrawFn) -> bytes:
    name = draw(st.binary(min_size=1, max_size=4).filter(lambda b: b"\x00" not in b))
    escape = draw(st.lists(st.booleans(), min_size=len(name), max_size=len(name)))
    return b"/" + b"".join(
        b"#%02X" % byte if force or bytes([byte]) in _DELIMITERS else bytes([byte])
        for byte, force in zip(name, escape, strict=True)
    )


@given(
    st.lists(_name_tokens(), min_size=1, max_size=6, unique=True),
    _SPACE.filter(lambda space: space != b"\x0b"),
    st.sampled_from(["table", "stream", "packed"]),
)
def test_resource_names_of_any_bytes_resolve_in_the_backup(
    names: list[bytes], space: bytes, structure: str
) -> None:
    """Issue 17: a page whose resources have names of any bytes, after any white space.

    In one table, a cross-reference stream or an object stream, its backup's page is the
    source's page as qpdf reads it (:mod:`tests.oracle`): each name still resolves.
    """
    spelled = {name_value(name[1:]) for name in names}
    if len(spelled) != len(names):
        return  # two spellings of one name: a dictionary would hold it twice
    objects = resource_page(names, space=space)
    if structure == "table":
        data = build_pdf(objects)
    else:
        data = xref_stream_pdf(objects, compressed=[3] if structure == "packed" else [])
    project, store = one_attachment(data)
    result = compile_backup(
        project,
        invoice_ids=["i-1"],
        user_id=USER_ID,
        store=store,
        now=NOW,
        options=BackupOptions(on_bad_document="fail", embed_manifest=False),
    )
    assert assert_backup_matches(result, store.read_bytes(result.key), {ATTACHMENT_KEY: data})
