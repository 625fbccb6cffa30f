"""Properties of the one builder and the one serialiser (ISO 32000-1 §7.3)."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import example, given
from hypothesis import strategies as st

from invoicebackup.pdf.build import SyntaxLimits, parse
from invoicebackup.pdf.errors import PdfError
from invoicebackup.pdf.reader import PdfFile
from invoicebackup.pdf.serialise import serialise
from invoicebackup.pdf.values import Array, Dictionary, Name, Real, Ref, String, Value
from tests.pdf import craft

LIMITS = SyntaxLimits(max_depth=20, max_token=10_000)


def _outcome(read: Callable[[], object]) -> str:
    """``read`` when *read* succeeds, else the PdfError's code (any other error escapes)."""
    try:
        read()
    except PdfError as error:
        return error.code
    return "read"


names = st.binary(max_size=12).map(Name)
reals = st.builds(
    lambda whole, frac: Real(b"%d.%s" % (whole, frac)),
    st.integers(-(10**6), 10**6),
    st.text("0123456789", max_size=5).map(str.encode),
)
atoms = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63),
    reals,
    names,
    st.builds(String, st.binary(max_size=40), hex=st.booleans()),
    st.builds(Ref, st.integers(0, 10**9), st.integers(0, 65535)),
)
values: st.SearchStrategy[Value] = st.recursive(
    atoms,
    lambda children: st.one_of(
        st.lists(children, max_size=5).map(lambda items: Array(items)),
        st.dictionaries(names, children, max_size=5).map(Dictionary),
    ),
    max_leaves=30,
)


@given(values)
def test_reading_what_the_serialiser_writes_gives_the_same_value(value: Value) -> None:
    """build(serialise(v)) == v for every value, names and strings byte for byte."""
    assert parse(serialise(value)) == value


@given(values)
def test_the_serialised_form_is_canonical(value: Value) -> None:
    """serialise(build(b)) is a fixed point: writing what was read changes nothing more."""
    once = serialise(value)
    assert serialise(parse(once)) == once


@given(st.binary(max_size=200))
def test_arbitrary_bytes_give_a_value_or_a_typed_refusal(data: bytes) -> None:
    """The tokeniser and builder raise nothing but PdfError, whatever the bytes."""
    assert _outcome(lambda: parse(data, limits=LIMITS)) in {"read", "damaged", "too_large"}


token_soup = st.lists(
    st.sampled_from(
        [
            b"<<",
            b">>",
            b"[",
            b"]",
            b"/A",
            b"/#4",
            b"1",
            b"-2.5",
            b"0 0 R",
            b"(",
            b")",
            b"\\",
            b"<",
            b">",
            b"<0a>",
            b"%c\n",
            b" ",
            b"\x00",
            b"true",
            b"obj",
            b"#",
            b"(a(b)",
        ]
    ),
    max_size=30,
).map(b"".join)


@given(token_soup)
def test_token_soup_gives_a_value_or_a_typed_refusal(data: bytes) -> None:
    """Near-miss PDF syntax raises nothing but PdfError."""
    assert _outcome(lambda: parse(data, limits=LIMITS)) in {"read", "damaged", "too_large"}


@given(st.integers(0, 2000), st.binary(min_size=1, max_size=8))
def test_a_file_with_bytes_overwritten_is_read_or_refused_with_a_code(
    position: int, junk: bytes
) -> None:
    """A damaged file (some bytes replaced) is read or refused with a PdfError, never crashes."""
    original = craft.classic(craft.BASIC)
    position %= len(original)
    data = original[:position] + junk + original[position + len(junk) :]

    def read() -> None:
        reader = PdfFile(data)
        for page in reader.pages():
            reader.resolve(page.dictionary.get(b"Contents"))

    assert _outcome(read) in {"read", "damaged", "too_large", "encrypted"}


number_texts = st.one_of(
    st.from_regex(rb"\A[+-]?[0-9]{1,4}\Z"),
    # Around the 20 digits an integer may have (more is refused).
    st.from_regex(rb"\A[+-]?[0-9]{19,22}\Z"),
    st.from_regex(rb"\A[+-]?([0-9]{1,8}\.[0-9]{0,6}|\.[0-9]{1,6})\Z"),
)
#: White space between numbers.
separators = st.lists(
    st.sampled_from([b" ", b"\n", b"\r\n", b"\t", b"\x0c", b"\r"]), min_size=1, max_size=2
)


@given(
    st.lists(st.tuples(separators.map(b"".join), number_texts), max_size=12),
    separators.map(b"".join),
    st.sampled_from([b"", b"<</W ", b"[/A "]),
    st.sampled_from([LIMITS, SyntaxLimits(max_depth=20, max_token=3)]),
    st.sampled_from([None, None, None, b"\x00", b"\x0b"]),
)
# Integers alone, one longer than the limits allow a token to be.
@example([(b" ", b"1234"), (b"\n", b"5")], b" ", b"", SyntaxLimits(max_depth=20, max_token=3), None)
def test_an_array_of_numbers_reads_as_the_token_loop_reads_it(
    items: list[tuple[bytes, bytes]],
    tail: bytes,
    around: bytes,
    limits: SyntaxLimits,
    odd: bytes | None,
) -> None:
    """An array of numbers is read in one match as token by token, refusals included.

    A comment just after the bracket sends the same numbers through the token loop: both
    give the same value (integers as int, reals as their text), or the same refusal (an
    integer of more than 20 digits, a token longer than the limits allow). A NUL (white
    space in PDF, not to bytes.split) or a vertical tab (not white space in PDF) in the
    array sends both through the token loop.
    """
    body = b"".join(separator + text for separator, text in items) + tail
    if odd is not None:
        body = odd + body
    closing = {b"": b"", b"<</W ": b">>", b"[/A ": b"]"}[around]

    def read(opening: bytes) -> object:
        try:
            return parse(around + opening + body + b"]" + closing, limits=limits)
        except PdfError as error:
            return error.code, error.reason

    assert read(b"[") == read(b"[%\n")
