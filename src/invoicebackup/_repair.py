"""The optional repair step: rewrite a PDF pypdf cannot read with pikepdf (qpdf).

Installed with the ``repair`` extra. This is the only module that imports
pikepdf, and only inside :func:`rewrite`, so the core stays pure Python and
works without it.
"""

from __future__ import annotations

import io
from typing import Any

__all__ = ["rewrite"]


def rewrite(data: bytes, *, max_bytes: int) -> tuple[bytes, int] | None:
    """*data* opened and saved again by qpdf, which reconstructs damaged structure.

    Args:
        data: The document's bytes.
        max_bytes: Larger documents are not rewritten (qpdf works in memory and
            cannot be interrupted).

    Returns:
        The rewritten document and how many pages qpdf found in *data* (a page it
        cannot read may be written as ``null``: the caller compares), or ``None``
        when pikepdf is not installed, the document is too large, or qpdf cannot
        read it either.
    """
    if len(data) > max_bytes:
        return None
    try:
        import pikepdf
    except ImportError:
        return None
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            pages = len(pdf.pages)
            if pages == 0:
                return None
            # qpdf reads an object when it is asked for. Saving asks for every one, and
            # damage met on the way makes it rebuild the cross-reference table, after
            # which an object it had read well may read as null (a page's font, found by
            # make fuzz). What the pages use is read first, as a viewer reads it, so the
            # save writes that; a rewrite whose pages still reach less is no repair.
            used = _reached(pdf)
            out = io.BytesIO()
            pdf.save(out)
        rewritten = out.getvalue()
        with pikepdf.open(io.BytesIO(rewritten)) as written:
            if _reached(written) < used:
                return None
    except Exception:
        # qpdf could not make sense of it either: the caller reports pypdf's reason.
        return None
    return rewritten, pages


def _reached(pdf: Any) -> int:
    """How many objects (not null) the pages of *pdf* reach, each counted once.

    A page's ``/Parent`` and an annotation's ``/P`` are not followed (they lead back up).
    """
    import pikepdf

    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [page.obj for page in pdf.pages]
    while stack:
        value = stack.pop()
        if not isinstance(value, (pikepdf.Dictionary, pikepdf.Stream, pikepdf.Array)):
            continue  # null, or a number, a name, a string: nothing to follow
        if value.is_indirect:
            if value.objgen in seen:
                continue
            seen.add(value.objgen)
        if isinstance(value, pikepdf.Array):
            stack.extend(value)
        else:  # a dictionary, or a stream's
            stack.extend(item for key, item in value.items() if key not in _UP)
    return len(seen)


#: Keys that lead from an object back up to what holds it.
_UP = frozenset({"/Parent", "/P"})
