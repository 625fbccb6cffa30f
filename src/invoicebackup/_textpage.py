"""The content of our own plain text pages (placeholders): Helvetica lines, wrapped by length.

The cover sheet lays out its table with real glyph widths (:mod:`invoicebackup._cover_pdf`);
a placeholder page only needs its lines readable, so it wraps by character count.
"""

from __future__ import annotations

from collections.abc import Sequence

from .pdf.document import text_string
from .pdf.serialise import serialise
from .pdf.values import String


def text_ops(lines: Sequence[str], *, top: float) -> bytes:
    ops = [b"BT", b"/F1 12 Tf", b"14 TL", b"72 " + str(round(top)).encode() + b" Td"]
    for index, line in enumerate(lines):
        size = b"/F1 16 Tf" if index == 0 else b"/F1 11 Tf"
        ops.append(size)
        for part in wrap(line, 88):
            # The placeholder's font is WinAnsi (cp1252); kept on one line.
            raw = part.encode("cp1252", errors="replace").replace(b"\r", b" ").replace(b"\n", b" ")
            ops.append(serialise(String(raw)) + b" Tj T*")
    ops.append(b"ET")
    return b"\n".join(ops)


def wrap(text: str, width: int) -> list[str]:
    words = text.split()
    if not words:
        return [""]
    lines: list[str] = []
    current = ""
    for word in words:
        while len(word) > width:
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:width])
            word = word[width:]
        candidate = f"{current} {word}" if current else word
        if len(candidate) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    lines.append(current)
    return lines


def text_bytes(text: str) -> bytes:
    """*text* as a PDF text string's bytes (a title, a bookmark, a file name)."""
    return serialise(text_string(text))
