"""Cross-reference sections (ISO 32000-1 §7.5.4 tables, §7.5.8 streams), read into entries.

An entry says where object *n* is in one revision. It is a tuple ``(kind, a, b)``:

- ``(FREE, next_free, generation)`` — §7.5.4 an ``f`` entry, §7.5.8.3 type 0: the object
  is free (deleted) in this revision, and reads as null;
- ``(IN_FILE, offset, generation)`` — an ``n`` entry, type 1: the object is at *offset*;
- ``(COMPRESSED, stream, index)`` — type 2: the object is number *index* in object
  stream *stream* (§7.5.7), generation 0.

The reader (:mod:`.reader`) puts the sections of every revision together.
"""

from __future__ import annotations

import re
from typing import Final

from .errors import DAMAGED, TOO_LARGE, PdfError
from .values import Array, Dictionary

FREE: Final = 0
IN_FILE: Final = 1
COMPRESSED: Final = 2

Entry = tuple[int, int, int]

#: §7.5.4: a subsection header ``first count`` on its own line.
_SUBSECTION: Final = re.compile(
    rb"[\x00\t\n\x0c\r ]*(\d{1,10})[ \t]+(\d{1,10})[ \t]*(?:\r\n|\r|\n)"
)
#: §7.5.4: entries exactly as the standard writes them, 20 bytes each …
_ENTRIES: Final = re.compile(rb"(?:\d{10} \d{5} [nf](?: \r| \n|\r\n))*")
_ENTRY: Final = re.compile(rb"(\d{10}) (\d{5}) ([nf])")
#: … or as some writers do (other white space, shorter numbers): read one at a time.
_LOOSE_ENTRY: Final = re.compile(rb"[\x00\t\n\x0c\r ]*(\d{1,10})[ ]+(\d{1,5})[ ]+([nf])(?=[\r\n ])")
_KIND: Final = {b"n": IN_FILE, b"f": FREE}


def table_entries(data: bytes, position: int, *, max_objects: int) -> tuple[dict[int, Entry], int]:
    """The entries of the classic table whose subsections start at *position* (after ``xref``).

    Returns the entries and the offset where the subsections end (where ``trailer`` should
    follow). A table with more than *max_objects* entries is refused before it is read.
    """
    entries: dict[int, Entry] = {}
    while True:
        header = _SUBSECTION.match(data, position)
        if header is None:
            return entries, position
        first, count = int(header[1]), int(header[2])
        if first + count > max_objects or len(entries) + count > max_objects:
            raise PdfError(
                TOO_LARGE,
                f"the cross-reference table lists more than {max_objects} objects",
                offset=position,
            )
        position = header.end()
        block_end = position + 20 * count
        if _ENTRIES.fullmatch(data, position, block_end) is not None:
            found = _ENTRY.findall(data, position, block_end)
            position = block_end
        else:
            if count * 5 > len(data) - position:
                raise PdfError(
                    DAMAGED, "a cross-reference subsection is cut short", offset=position
                )
            found = []
            for _ in range(count):
                loose = _LOOSE_ENTRY.match(data, position)
                if loose is None:
                    raise PdfError(
                        DAMAGED, "a cross-reference entry is not 'offset gen n|f'", offset=position
                    )
                found.append((loose[1], loose[2], loose[3]))
                position = loose.end()
        kinds = _KIND
        entries.update(
            {
                number: (kinds[kind], int(offset), int(generation))
                for number, (offset, generation, kind) in enumerate(found, first)
            }
        )


def stream_entries(dictionary: Dictionary, decoded: bytes, *, max_objects: int) -> dict[int, Entry]:
    """The entries of a cross-reference stream (§7.5.8.2 Table 17, §7.5.8.3 Table 18).

    *decoded* is the stream's data after its filters; ``/W`` gives each field's width,
    ``/Index`` (default ``[0 /Size]``) the subsections.
    """
    widths = dictionary.get(b"W")
    size = dictionary.get(b"Size")
    if (
        not isinstance(widths, Array)
        or len(widths) != 3
        or not all(type(w) is int and 0 <= w <= 8 for w in widths)
    ):
        raise PdfError(DAMAGED, "a cross-reference stream's /W is not three small integers")
    if type(size) is not int or size < 0:
        raise PdfError(DAMAGED, "a cross-reference stream's /Size is not an integer")
    index = dictionary.get(b"Index", Array((0, size)))
    if (
        not isinstance(index, Array)
        or len(index) % 2
        or not all(type(i) is int and i >= 0 for i in index)
    ):
        raise PdfError(DAMAGED, "a cross-reference stream's /Index is not pairs of integers")
    w0, w1, w2 = (int(w) for w in widths)  # type: ignore[arg-type]
    row_size = w0 + w1 + w2
    pairs = [(int(index[i]), int(index[i + 1])) for i in range(0, len(index), 2)]  # type: ignore[arg-type]
    total = sum(count for _, count in pairs)
    if total > max_objects or any(first + count > max_objects for first, count in pairs):
        raise PdfError(
            TOO_LARGE, f"the cross-reference stream lists more than {max_objects} objects"
        )
    if row_size == 0 or total * row_size > len(decoded):
        raise PdfError(DAMAGED, "a cross-reference stream's data is shorter than /W and /Index say")
    entries: dict[int, Entry] = {}
    position = 0
    number_of = int.from_bytes  # the fields inline: a call per field was most of the time
    for first, count in pairs:
        for number in range(first, first + count):
            one = position + w0
            two = one + w1
            position = two + w2
            # §7.5.8.3: a missing type field means type 1; types above 2 read as null.
            kind = number_of(decoded[position - row_size : one], "big") if w0 else 1
            if number in entries:
                continue  # the first subsection that lists an object decides
            if kind > COMPRESSED:
                entries[number] = (FREE, 0, 0)
            else:
                entries[number] = (
                    kind,
                    number_of(decoded[one:two], "big") if w1 else 0,
                    number_of(decoded[two:position], "big") if w2 else 0,
                )
    return entries
