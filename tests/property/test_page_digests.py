"""Page digests: the same pages digest alike however their objects are numbered and keyed.

A two-page PDF (shared font, an annotation pointing back at its page, a form XObject, a
link to the other page) is written with its objects numbered in any order and its
dictionary keys in any order: every page's digest stays the same. Changing one byte a page
draws changes that page's digest and no other.
"""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from invoicebackup.pdf.digest import page_digests, render
from invoicebackup.pdf.reader import PdfFile
from invoicebackup.pdf.values import Array, Name, Real, Value
from tests.pdf_craft import build_pdf

#: The objects, by name; ``{name}`` is a reference to that object.
TEMPLATES = {
    "catalog": "<< /Type /Catalog /Pages {pages} >>",
    "pages": "<< /Type /Pages /Kids [{page1} {page2}] /Count 2 >>",
    "page1": "<< /Type /Page /Parent {pages} /MediaBox [0 0 612 792] "
    "/Resources << /Font << /F1 {font} >> /XObject << /X1 {form} >> >> "
    "/Contents {content1} /Annots [{note} {link}] >>",
    "page2": "<< /Type /Page /Parent {pages} /MediaBox [0 0 612 792] "
    "/Resources << /Font << /F1 {font} >> >> /Contents {content2} >>",
    "font": "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    "form": "<< /Type /XObject /Subtype /Form /BBox [0 0 10 10] /Length LEN >>\n"
    "stream\n0 0 m 5 l\nendstream",
    "content1": "<< /Length LEN >>\nstream\nBT /F1 12 Tf 72 720 Td (one) Tj ET\nendstream",
    "content2": "<< /Length LEN >>\nstream\nBT /F1 12 Tf 72 720 Td (two) Tj ET\nendstream",
    "note": "<< /Type /Annot /Subtype /Text /Rect [0 0 10 10] /P {page1} /Popup {popup} >>",
    "popup": "<< /Type /Annot /Subtype /Popup /Rect [0 0 9 9] /Parent {note} >>",
    "link": "<< /Type /Annot /Subtype /Link /Rect [0 0 5 5] /Dest [{page2} /Fit] >>",
}
NAMES = list(TEMPLATES)


def _shuffled_keys(body: str, order: list[int]) -> str:
    """*body* with the top-level keys of its first dictionary in another order."""
    match = re.fullmatch(r"<< (.*) >>(.*)", body, re.DOTALL)
    assert match is not None
    pairs = re.findall(r"(/\w+ (?:<<.*?>> >>|<<.*?>>|\[.*?\]|\{\w+\}|/\w+|\d+|LEN))", match[1])
    assert " ".join(pairs) == match[1], body
    shuffled = [pairs[i % len(pairs)] for i in order if i < len(pairs)]
    shuffled += [p for p in pairs if p not in shuffled]
    return "<< " + " ".join(shuffled) + " >>" + match[2]


def written(numbering: list[int], order: list[int], templates: dict[str, str]) -> bytes:
    numbers = {name: numbering.index(index) + 1 for index, name in enumerate(NAMES)}
    refs = {name: f"{number} 0 R" for name, number in numbers.items()}
    bodies: list[bytes] = [b""] * len(NAMES)
    for name, template in templates.items():
        body = _shuffled_keys(template, order).format(**refs)
        if "stream\n" in body:
            data = body.split("stream\n", 1)[1].rsplit("\nendstream", 1)[0]
            body = body.replace("LEN", str(len(data)))
        bodies[numbers[name] - 1] = body.encode()
    return build_pdf(bodies, root=numbers["catalog"])


def digests(data: bytes) -> list[str]:
    return page_digests(PdfFile(data))


BASE = digests(written(list(range(len(NAMES))), [], TEMPLATES))


@given(
    numbering=st.permutations(range(len(NAMES))),
    order=st.lists(st.integers(0, 7), max_size=8),
)
def test_numbering_and_key_order_never_change_a_digest(
    numbering: list[int], order: list[int]
) -> None:
    """Any object numbering, any key order: the same two digests."""
    assert digests(written(numbering, order, TEMPLATES)) == BASE


@given(
    numbering=st.permutations(range(len(NAMES))),
    target=st.sampled_from(["content1", "form", "font", "note", "popup", "link", "content2"]),
)
def test_a_change_to_what_a_page_draws_changes_that_page_only(
    numbering: list[int], target: str
) -> None:
    """One value changed in an object a page reaches: that page's digest changes, no other."""
    changed = dict(TEMPLATES)
    changed[target] = {
        "content1": TEMPLATES["content1"].replace("(one)", "(ONE)"),
        "content2": TEMPLATES["content2"].replace("(two)", "(TWO)"),
        "form": TEMPLATES["form"].replace("5 l", "6 l"),
        "font": TEMPLATES["font"].replace("Helvetica", "Courier"),
        "note": TEMPLATES["note"].replace("[0 0 10 10]", "[0 0 11 10]"),
        "popup": TEMPLATES["popup"].replace("[0 0 9 9]", "[0 0 9 8]"),
        "link": TEMPLATES["link"].replace("/Fit", "/FitH"),
    }[target]
    after = digests(written(numbering, [], changed))
    pages = {"content2": {1}, "font": {0, 1}}.get(target, {0})
    assert [after[i] != BASE[i] for i in range(2)] == [i in pages for i in range(2)]


_numbers = st.one_of(
    st.integers(-(10**12), 10**12),
    st.builds(
        lambda whole, frac: Real(b"%d.%s" % (whole, frac)),
        st.integers(-999, 999),
        st.sampled_from([b"", b"0", b"5", b"25", b"000"]),
    ),
)


@given(
    st.one_of(
        st.lists(st.one_of(_numbers, st.sampled_from([Name(b"F1"), True, None])), max_size=30),
        # Integers alone, as many as a font's /Widths (written in one pass from 17 on).
        st.lists(st.integers(-(10**12), 10**12), min_size=10, max_size=40),
    )
)
def test_an_arrays_canonical_form_is_its_items_in_brackets(items: list[Value]) -> None:
    """An array digests as the canonical forms of its items in brackets, however it is written.

    Integers alone take a path of their own; a real that is whole (``2.0``, ``2.``) is the
    integer it equals; the pieces are the ones each item gives on its own.
    """
    whole = render(Array(items))[0]
    assert whole == b"[" + b"".join(render(item)[0] for item in items) + b"]"
    as_integers = [
        int(float(item.text)) if isinstance(item, Real) and float(item.text).is_integer() else item
        for item in items
    ]
    assert render(Array(as_integers))[0] == whole
