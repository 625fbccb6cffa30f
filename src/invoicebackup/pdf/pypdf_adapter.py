"""Making a file the reader refuses well-formed, through pypdf's public API only.

:func:`normalise` decrypts (with the password given, or the empty one) and rewrites a
file with :class:`pypdf.PdfReader` and :class:`pypdf.PdfWriter`; where pypdf cannot read
it and the ``repair`` extra is installed, pikepdf (qpdf) opens and saves it instead. The
result is a plain, unencrypted file that :class:`~.reader.PdfFile` reads.

This is the one module that imports the engines, and it imports them only when called:
a backup of plain documents never loads pypdf. Their exceptions are caught here, by
class, and become a :class:`~.errors.PdfError`.
"""

from __future__ import annotations

import io

from .errors import DAMAGED, ENCRYPTED, TOO_LARGE, UNSUPPORTED_ENCRYPTION, PdfError


def normalise(data: bytes, *, password: str | None = None, qpdf: bool = True) -> bytes:
    """*data* decrypted and rewritten as a well-formed file, or a :class:`PdfError` saying why not.

    With *qpdf* false, pikepdf is not tried when pypdf cannot read the file (a caller
    that offers qpdf's repair as an option of its own).

    Raises:
        PdfError: ``encrypted`` when no password given opens it, ``unsupported_encryption``
            when its security handler is one the engines lack, ``damaged`` when neither
            engine can read it, ``too_large`` when it inflates past the engine's limits.
    """
    try:
        return _with_pypdf(data, password)
    except PdfError as error:
        if error.code != DAMAGED or not qpdf:
            raise
        return _with_pikepdf(data, password, error)


def _with_pypdf(data: bytes, password: str | None) -> bytes:
    import pypdf  # imported only when a file needs normalising
    from pypdf.errors import DependencyError, FileNotDecryptedError, LimitReachedError, PyPdfError

    # pypdf reports what it recovers from through its own logger, which belongs to the
    # host application: it is left alone (no handler, no filter is installed here).
    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(password or ""):
            raise PdfError(
                ENCRYPTED,
                "it is encrypted and the password given does not open it"
                if password
                else "it is encrypted with a password",
            )
        out = io.BytesIO()
        try:
            pypdf.PdfWriter(clone_from=reader).write(out)
            # Cloning copies the catalog's page tree as it is written, which can hold other
            # pages than the reader found (a kid of another generation, read as null, is
            # cloned as the object): the result must have the pages pypdf read, no more.
            cloned = len(pypdf.PdfReader(io.BytesIO(out.getvalue()), strict=False).pages)
            if cloned != len(reader.pages):
                raise ValueError(f"the clone has {cloned} pages, pypdf read {len(reader.pages)}")
        except (KeyError, ValueError, TypeError, AttributeError):
            # Cloning needs the whole document catalog and trailer right (a trailer without
            # /Size fails); appending needs only the pages, which pypdf did read: the pages,
            # their bookmarks and form fields come over, the rest of a damaged catalog not.
            out = io.BytesIO()
            writer = pypdf.PdfWriter()
            writer.append(reader)
            writer.write(out)
    except PdfError:
        raise
    except DependencyError as error:
        raise PdfError(UNSUPPORTED_ENCRYPTION, f"pypdf cannot decrypt it ({error})") from None
    except NotImplementedError as error:
        raise PdfError(UNSUPPORTED_ENCRYPTION, f"pypdf cannot decrypt it ({error})") from None
    except FileNotDecryptedError as error:
        raise PdfError(ENCRYPTED, f"it is encrypted ({error})") from None
    except LimitReachedError as error:
        raise PdfError(TOO_LARGE, f"it passes one of pypdf's limits ({error})") from None
    except MemoryError:
        raise PdfError(TOO_LARGE, "pypdf needs more memory than is available to read it") from None
    except (
        PyPdfError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        IndexError,
        AssertionError,
        RecursionError,
    ) as error:
        # pypdf signals a file it cannot make sense of with these as well as its own.
        raise PdfError(DAMAGED, f"pypdf cannot read it ({type(error).__name__}: {error})") from None
    return out.getvalue()


def _with_pikepdf(data: bytes, password: str | None, pypdf_error: PdfError) -> bytes:
    try:
        import pikepdf  # the optional `repair` extra
    except ImportError:
        raise pypdf_error from None
    try:
        with pikepdf.open(io.BytesIO(data), password=password or "") as pdf:
            out = io.BytesIO()
            pdf.save(out)
    except pikepdf.PasswordError as error:
        raise PdfError(ENCRYPTED, f"it is encrypted with a password ({error})") from None
    except pikepdf.PdfError as error:
        raise PdfError(DAMAGED, f"neither pypdf nor qpdf can read it ({error})") from None
    return out.getvalue()
