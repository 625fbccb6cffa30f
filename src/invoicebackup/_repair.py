"""The optional repair step: rewrite a PDF pypdf cannot read with pikepdf (qpdf).

Installed with the ``repair`` extra. This is the only module that imports
pikepdf, and only inside :func:`rewrite`, so the core stays pure Python and
works without it.
"""

from __future__ import annotations

import io

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
            out = io.BytesIO()
            pdf.save(out)
    except Exception:
        # qpdf could not make sense of it either: the caller reports pypdf's reason.
        return None
    return out.getvalue(), pages
