"""The one writer hands its output chunks over and never changes them afterwards."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st

from invoicebackup.pdf.reader import PdfFile
from invoicebackup.pdf.values import Dictionary
from invoicebackup.pdf.writer import ObjectWriter, cross_reference


class _Recording(io.BytesIO):
    """An output that keeps every chunk it is given, and a copy of it as it was then."""

    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[tuple[object, bytes]] = []

    def write(self, chunk: object) -> int:
        assert isinstance(chunk, (bytes, bytearray, memoryview))
        self.chunks.append((chunk, bytes(chunk)))
        return super().write(chunk)


def test_chunks_handed_to_the_output_never_change() -> None:
    """The output may hash a chunk later, on another thread: what it was given stays as it was.

    Many small objects, staged and committed, then written directly: the writer's
    gathering buffer is handed over several times and must be a new one each time.
    """
    out = _Recording()
    writer = ObjectWriter(out)
    numbers = [writer.allocate() for _ in range(4000)]
    writer.stage()
    for number in numbers[:2000]:
        writer.put(number, b"<</N %d /Pad (%s)>>" % (number, b"x" * 200))
    writer.commit()
    for number in numbers[2000:]:
        writer.put(number, b"<</N %d /Pad (%s)>>" % (number, b"y" * 200))
    root = writer.allocate()
    writer.put(root, b"<</Type /Catalog>>")
    writer.finish(root=root, info=root, file_id=b"test")
    assert len(out.chunks) > 2
    assert all(bytes(chunk) == copy for chunk, copy in out.chunks)  # type: ignore[call-overload]
    assert PdfFile(out.getvalue()).object(numbers[2500]) is not None


@settings(max_examples=60, deadline=None)
@given(listed=st.sets(st.integers(1, 40)))
def test_a_table_of_some_objects_lists_those_and_no_other(listed: set[int]) -> None:
    """Listed objects read as written; the others are absent (null), in any pattern of runs."""
    out = io.BytesIO()
    writer = ObjectWriter(out)
    numbers = [writer.allocate() for _ in range(40)]
    for number in numbers:
        writer.put(number, b"<</N %d>>" % number)
    catalog = writer.allocate()
    writer.put(catalog, b"<</Type /Catalog>>")
    end = writer.flush()
    table = cross_reference(
        writer.offsets,
        start=end,
        trailer=b"/Root %d 0 R" % catalog,
        listed=lambda number: number in listed or number == catalog,
    )
    file = PdfFile(out.getvalue() + table)
    for number in numbers:
        value = file.object(number)
        if number in listed:
            assert isinstance(value, Dictionary)
            assert value[b"N"] == number
        else:
            assert value is None
    assert set(file.numbers()) == listed | {catalog}
