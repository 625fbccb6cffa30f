"""Making a file the reader refuses well-formed, through pypdf's public API only.

:func:`normalise` decrypts (with the password given, or the empty one) and rewrites a
file with :class:`pypdf.PdfReader` and :class:`pypdf.PdfWriter`. The result is a plain,
unencrypted file that :class:`~.reader.PdfFile` reads. Where pypdf cannot read a file
either, the ``repair`` option's qpdf (:mod:`invoicebackup._repair`, the ``repair``
extra) may rewrite it.

This is the one module that imports pypdf, and it imports it only when called: a backup
of plain documents never loads pypdf. Its exceptions are caught here, by class, and
become a :class:`~.errors.PdfError`.
"""

from __future__ import annotations

import io
import re
from typing import Any, Final

from .errors import DAMAGED, ENCRYPTED, TOO_LARGE, UNSUPPORTED_ENCRYPTION, PdfError
from .reader import Limits, PdfFile

#: A name as pypdf reads one: ``/`` and what runs to the next white-space or delimiter.
_NAME_TOKEN: Final = re.compile(rb"/[^\s()<>\[\]{}/%]*")


def normalise(data: bytes, *, password: str | None = None) -> bytes:
    """*data* decrypted and rewritten as a well-formed file, or a :class:`PdfError` saying why not.

    Raises:
        PdfError: ``encrypted`` when no password given opens it, ``unsupported_encryption``
            when its security handler is one pypdf lacks, ``damaged`` when pypdf cannot
            read it (or its rewrite would not show what the file shows), ``too_large``
            when it inflates past pypdf's limits.
    """
    import pypdf  # imported only when a file needs normalising
    from pypdf.errors import DependencyError, FileNotDecryptedError, LimitReachedError, PyPdfError

    # pypdf reports what it recovers from through its own logger, which belongs to the
    # host application: it is left alone (no handler, no filter is installed here).
    reader = None
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
            writer = pypdf.PdfWriter(clone_from=reader)
            writer.write(out)
            # Cloning copies the catalog's page tree as it is written, which can hold other
            # pages than the reader found (a kid of another generation, read as null, is
            # cloned as the object): the result must have the pages pypdf read, no more.
            # Counted by the one reader, which reads the result next (a second pypdf parse
            # cost more than the rest of the check).
            expected = len(reader.pages)
            try:
                cloned = len(PdfFile(out.getvalue(), limits=Limits(max_pages=expected)).pages())
            except PdfError as error:
                if error.code != TOO_LARGE:
                    raise
                raise ValueError(
                    f"the clone has more pages than the {expected} pypdf read"
                ) from None
            if cloned != expected:
                raise ValueError(f"the clone has {cloned} pages, pypdf read {expected}")
        except (KeyError, ValueError, TypeError, AttributeError):
            # Cloning needs the whole document catalog and trailer right (a trailer without
            # /Size fails); appending needs only the pages, which pypdf did read: the pages,
            # their bookmarks and form fields come over, the rest of a damaged catalog not.
            out = io.BytesIO()
            writer = pypdf.PdfWriter()
            writer.append(reader)
            writer.write(out)
        _check_rewrite(data, writer)
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
    finally:
        if reader is not None:
            reader.close()
    return out.getvalue()


def _check_rewrite(data: bytes, writer: Any) -> None:
    """Refuse (``damaged``) a rewrite through pypdf that would not show what the file shows.

    Every object the rewrite reaches from its catalog is walked, and the rewrite refused
    (the ``repair`` step's qpdf may then take over) when:

    * a dictionary has a ``/Length`` but no stream: pypdf reads a stream whose ``stream``
      keyword follows a byte it does not take for white-space (a vertical tab, which
      qpdf passes over) as its dictionary alone, so a page's content or an image is lost;
    * a name is written as other bytes than the file's: the reader keeps a name as its
      bytes (a content stream finds its font by them), while pypdf reads a name's bytes
      as UTF-8, else GBK, else Latin-1, and writes the characters back as UTF-8, so a
      resource renamed no longer matches the content stream that uses it. Each
      non-ASCII name written must be, as bytes, a name of the file.
    """
    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        IndirectObject,
        NameObject,
        StreamObject,
    )

    written: set[bytes] = set()
    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [writer.root_object]
    while stack:
        value = stack.pop()
        if isinstance(value, IndirectObject):
            if (id(value.pdf), value.idnum) in seen:
                continue
            seen.add((id(value.pdf), value.idnum))
            value = value.get_object()
        if isinstance(value, DictionaryObject):
            if "/Length" in value and not isinstance(value, StreamObject):
                raise PdfError(
                    DAMAGED,
                    "pypdf reads a stream as its dictionary alone (it does not find the "
                    "stream keyword where it looks): its data would be lost",
                )
            # dict's own views: the values as stored, references not followed yet.
            stack.extend(dict.keys(value))
            stack.extend(dict.values(value))
        elif isinstance(value, ArrayObject):
            stack.extend(value)
        elif isinstance(value, NameObject) and not value.isascii():
            written.add(value.encode("utf-8"))
    if not written:
        return
    # Every name-like token of the file (stream data included: a superset is enough).
    names = {NameObject.unnumber(token) for token in _NAME_TOKEN.findall(data)}
    unkept = sorted(written - names)
    if unkept:
        shown = unkept[0].decode("utf-8", "backslashreplace")
        raise PdfError(
            DAMAGED,
            f"pypdf cannot keep the name {shown} as the bytes the file writes it with",
        )
