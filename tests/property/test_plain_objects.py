"""The fast path for plain objects reads exactly what the engine reads.

:mod:`invoicebackup._rawpdf` tokenises plain objects (and renumbers their references) with
regular expressions instead of the engine's byte-by-byte parser. For any object made of
dictionaries, arrays, names, numbers, references, booleans, null and simple strings,
written with any white space, both must give the same value; and renumbering must
change the references and nothing else.
"""

from __future__ import annotations

import io
from typing import Any

import pypdf
from hypothesis import given
from hypothesis import strategies as st
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    ByteStringObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NullObject,
    NumberObject,
    TextStringObject,
    read_object,
)

from invoicebackup import BackupOptions, _engine, _rawpdf, compile_backup
from invoicebackup.testing import text_pdf

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

_READER = pypdf.PdfReader(io.BytesIO(text_pdf(["x"])))
_SPACE = st.sampled_from([b" ", b"\n", b"\r\n", b"  ", b"\t", b"\x0c", b"\x00", b"\x0b"])

names = st.from_regex(rb"\A/[A-Za-z][A-Za-z0-9_.+-]{0,8}\Z", fullmatch=True)
integers = st.integers(min_value=-(10**9), max_value=10**9).map(lambda n: b"%d" % n)
reals = st.sampled_from([b"0.5", b"-1.25", b"612.0", b".75", b"-.5", b"3."])
references = st.tuples(
    st.integers(min_value=1, max_value=99_999), st.integers(min_value=0, max_value=3)
).map(lambda r: b"%d %d R" % r)
keywords = st.sampled_from([b"true", b"false", b"null"])
strings = st.from_regex(rb"\A\([A-Za-z0-9 /.,:;_-]{0,12}\)\Z", fullmatch=True)
hex_strings = st.binary(max_size=8).map(lambda b: b"<" + b.hex().encode() + b">")
leaves = names | integers | reals | references | keywords | strings | hex_strings


def _containers(children: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
    arrays = st.lists(children, max_size=5).flatmap(
        lambda items: _SPACE.map(lambda space: b"[" + space.join(items) + b"]")
    )
    dicts = st.lists(st.tuples(names, children), max_size=5).flatmap(
        lambda pairs: _SPACE.map(
            lambda space: b"<<" + space.join(k + space + v for k, v in pairs) + b">>"
        )
    )
    return arrays | dicts


objects = st.recursive(leaves, _containers, max_leaves=20)


def _plain(value: Any) -> Any:
    """A comparable Python value for an engine object."""
    if isinstance(value, IndirectObject):
        return ("ref", value.idnum, value.generation)
    if isinstance(value, DictionaryObject):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, ArrayObject):
        return [_plain(v) for v in value]
    if isinstance(value, BooleanObject):
        return bool(value)
    if isinstance(value, NullObject):
        return None
    if isinstance(value, NameObject):
        return ("name", str(value))
    if isinstance(value, FloatObject):
        return ("real", float(value))
    if isinstance(value, NumberObject):
        return int(value)
    if isinstance(value, (TextStringObject, ByteStringObject)):
        return (type(value).__name__, bytes(value.original_bytes))
    raise AssertionError(f"unexpected {type(value).__name__}")


@given(objects)
def test_the_fast_path_reads_what_the_engine_reads(body: bytes) -> None:
    """Tokenised and built, a plain object equals the engine's reading of the same bytes.

    A vertical tab (white space to the engine, not to the standard) leaves the object to
    the engine. A NUL is white space, as the standard says (issue 17: the engine reads it
    as part of a name): the fast path reads what the engine reads with a space there.
    """
    found = _rawpdf.tokens(body)
    if b"\x0b" in body:
        assert found is None
        return
    assert found is not None, body
    built = _engine._build(found, _READER)
    engine = read_object(io.BytesIO(body.replace(b"\x00", b" ") + b" "), _READER)
    assert _plain(built) == _plain(engine)


@given(objects, st.integers(min_value=1, max_value=10**6))
def test_renumbering_changes_references_and_nothing_else(body: bytes, shift: int) -> None:
    """Every reference moves by *shift*; everything else reads the same."""
    moved = _rawpdf.renumbered(body, lambda n, _g: b"%d 0 R" % (n + shift))

    def shifted(value: Any) -> Any:
        if isinstance(value, tuple) and value[:1] == ("ref",):
            return ("ref", value[1] + shift, 0)
        if isinstance(value, dict):
            return {k: shifted(v) for k, v in value.items()}
        if isinstance(value, list):
            return [shifted(v) for v in value]
        return value

    if b"\x00" in body or b"\x0b" in body:
        body = body.replace(b"\x00", b" ").replace(b"\x0b", b" ")
        moved = _rawpdf.renumbered(body, lambda n, _g: b"%d 0 R" % (n + shift))
    before = _plain(read_object(io.BytesIO(body + b" "), _READER))
    after = _plain(read_object(io.BytesIO(moved + b" "), _READER))
    assert after == shifted(before)


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
    spelled = {_rawpdf.name_bytes(name[1:]) for name in names}
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
