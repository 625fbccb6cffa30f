"""How :func:`~invoicebackup.compile.compile_backup` treats what it finds: :class:`BackupOptions`.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from typing import Any, Final

import attrs

from ._languages import language_tag
from ._sizes import parse_size
from .domain import Document
from .errors import InvalidValueError
from .storage import validate_key

__all__ = ["BackupOptions", "Include", "parse_include"]


class Include(enum.Enum):
    """A part of a backup that can be left out, as the payment product's Compile window offers.

    The invoice's own document (or its signed version) is always included. The
    values are the words of the CLI's ``--include``.

    Example:
        >>> from invoicebackup.options import Include
        >>> Include("first-tier-waivers").name
        'FIRST_TIER_WAIVERS'

    .. versionadded:: 0.1.0
    """

    #: The cover sheet, the backup's first pages (the project, who compiled it and when,
    #: the selection, a table of contents linking to each invoice's first page, totals).
    COVER_SHEET = "cover-sheet"
    #: Each invoice's attachments, in upload order.
    ATTACHMENTS = "attachments"
    #: Lien waivers from the invoice's vendor.
    FIRST_TIER_WAIVERS = "first-tier-waivers"
    #: Lien waivers from the vendor's own subcontractors and suppliers.
    SUB_TIER_WAIVERS = "sub-tier-waivers"
    #: Conditional lien waivers (of the tiers included).
    CONDITIONAL_WAIVERS = "conditional-waivers"
    #: Unconditional lien waivers (of the tiers included).
    UNCONDITIONAL_WAIVERS = "unconditional-waivers"


#: Every part: what ``"all"`` means, and the default.
_ALL: Final = frozenset(Include)


def parse_include(value: str | Iterable[str | Include]) -> frozenset[Include]:
    """Read a selection of parts: ``"all"``, a comma list, or an iterable of parts or words.

    Words are matched in any ASCII case; ``"all"`` may appear among others. An
    empty selection keeps only the invoices' own documents.

    Raises:
        InvalidValueError: A word that names no part (every valid word is listed).

    Example:
        >>> from invoicebackup.options import parse_include
        >>> sorted(part.value for part in parse_include("attachments, Cover-Sheet"))
        ['attachments', 'cover-sheet']
        >>> parse_include("all") == frozenset(Include)
        True

    .. versionadded:: 0.1.0
    """
    words: Iterable[str | Include] = value.split(",") if isinstance(value, str) else value
    parts: set[Include] = set()
    for word in words:
        if isinstance(word, Include):
            parts.add(word)
            continue
        if not isinstance(word, str):
            raise InvalidValueError(
                "BackupOptions.include", word, reason="is not a str or an Include"
            )
        cleaned = word.strip().lower()
        if not cleaned:
            continue
        if cleaned == "all":
            parts.update(_ALL)
            continue
        try:
            parts.add(Include(cleaned))
        except ValueError:
            raise InvalidValueError(
                "BackupOptions.include",
                word,
                allowed=["all", *(part.value for part in Include)],
            ) from None
    return frozenset(parts)


_BAD_DOCUMENT_POLICIES: Final = ("placeholder", "skip", "fail")
_UNSIGNED_POLICIES: Final = ("unsigned", "skip", "fail")
_FORMATS: Final = ("pdf", "zip")
_IMAGE_POLICIES: Final = ("pages", "skip")
_PAPER_SIZES: Final = ("letter", "a4")


def _valid_prefix(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str):
        raise TypeError(f"{attribute.name} must be a str, got {value!r}")
    if value:
        validate_key(value)


def _positive_or_none(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{attribute.name} must be a positive int or None, got {value!r}")


def _positive(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{attribute.name} must be a positive int, got {value!r}")


def _volume_size(value: object) -> int | None:
    return None if value is None else parse_size(value, "BackupOptions.max_volume_bytes")


def _language(value: str | None) -> str | None:
    return None if value is None else language_tag(value, "BackupOptions.language")


@attrs.frozen(kw_only=True)
class BackupOptions:
    """How :func:`~invoicebackup.compile.compile_backup` treats what it finds.

    Attributes:
        on_bad_document: What to do with a damaged, empty, missing, disguised
            (not a PDF inside) or password-protected document: ``"placeholder"``
            (a page naming it and the reason, plus a result entry), ``"skip"``
            (a result entry only) or ``"fail"``
            (:class:`~invoicebackup.errors.BadDocumentError`, nothing written).
        require_closed_periods: Also require that every earlier billing period
            the contract was invoiced in is closed (see :func:`~invoicebackup.plan.plan_backup`).
        include_certificate: Append DocuSign's certificate of completion after
            each signed invoice document.
        on_unsigned: What to do with an invoice whose envelope is not completed
            (declined, voided, still out) on a project with the DocuSign
            integration: ``"unsigned"`` (use the unsigned PDF and say so),
            ``"skip"`` (leave the invoice out and say so) or ``"fail"``
            (:class:`~invoicebackup.errors.UnsignedInvoiceError`, nothing written).
        embed_manifest: Attach the manifest (JSON) inside the PDF as
            :data:`~invoicebackup.manifest.MANIFEST_NAME`.
        language: A language of :data:`~invoicebackup.terminology.LANGUAGES` to use
            instead of the project's, in any ASCII case (``fr_ca`` is ``fr-CA``); any
            other is refused with :class:`~invoicebackup.errors.InvalidValueError`.
        output_prefix: The store folder the backup is written to (``""`` for the
            store's root).
        max_document_bytes: A document larger than this is reported as
            ``too_large`` (``None``: no bound).
        max_document_pages: A document with more pages is reported as ``too_large``.
        max_document_objects: A PDF whose cross-reference table lists more objects, or
            whose pages reach more, is reported as ``too_large`` (the table is counted
            before any object is read). It bounds what one document can make a compile
            hold: about 1 KB of memory an object read (see the guarantees page).
        passwords: A password provider: called with a
            :class:`~invoicebackup.domain.Document` that the empty password does not
            open, it returns candidate passwords to try in order (at most 100). A
            document opened this way is marked ``encrypted`` in the manifest; when
            none opens it, it is reported as ``encrypted``. Its exceptions propagate.
            Never written to the manifest.
        include: The parts of the backup (:class:`Include`), as a set of parts, of
            their words, or a comma list (``"attachments,first-tier-waivers"``);
            ``"all"`` (the default) is every part. The invoice's own document is
            always included.
        require_waivers: Refuse the backup
            (:class:`~invoicebackup.errors.BackupPreconditionsError`, one
            ``missing_waiver`` problem a waiver) when a lien waiver the selection asks
            for is missing (see :func:`~invoicebackup.plan.plan_backup`).
        format: ``"pdf"`` (the default): one PDF; ``"zip"``: one ZIP holding each
            document as the bytes it was (a signed original keeps a valid signature), in
            backup order, named ``NNN - {contract} - {invoice} - {document}.{ext}``, and
            the manifest as :data:`~invoicebackup.manifest.MANIFEST_NAME` (see
            :func:`~invoicebackup.compile.compile_backup`).
        embed_signed_originals: Also embed every DocuSign-signed document (and
            certificate of completion) unmodified, as a file attached to its invoice (an
            embedded file and a paperclip annotation on the invoice's first signed
            page), so that its digital signature can still be validated; the merged
            pages cannot carry it (see the guarantees page).
        repair: When a document cannot be read and pikepdf is installed (the
            ``repair`` extra), rewrite it with pikepdf (qpdf) and try again; such a
            source is marked ``repaired`` in the manifest. Without pikepdf this does
            nothing.
        images: What to do with a document whose bytes are an image (JPEG, PNG, TIFF,
            GIF, WebP, BMP), whatever its name says: ``"pages"`` (it becomes pages at its
            real size, the right way up; see :doc:`/howto/images`) or ``"skip"`` (a
            result entry with the code ``image_skipped``).
        paper_size: The paper an image with no plausible resolution is fitted on:
            ``"letter"`` (8.5 x 11 in) or ``"a4"``; turned to landscape for a wide image.
        max_image_pixels: An image page (a TIFF page, a frame) of more pixels is
            ``too_large``, checked on its header before it is decoded. Its pages count
            against ``max_document_pages``.
        max_volume_bytes: Write a backup that would be larger than this many bytes as
            volumes (``… - Vol 1 of 3.pdf``), each at most this size, split between
            invoices; ``None`` (the default): one file, whatever its size. An int of
            bytes or a text: ``"20MB"`` (``KB``, ``MB``, ``GB`` are decimal, as e-mail
            attachment limits are; ``KiB``, ``MiB``, ``GiB`` binary). See
            :doc:`/howto/volumes`.

    Example:
        >>> from invoicebackup import BackupOptions
        >>> options = BackupOptions(on_bad_document="skip", output_prefix="")
        >>> options.on_bad_document, options.on_unsigned, options.max_document_pages
        ('skip', 'unsigned', 10000)
        >>> try:
        ...     BackupOptions(on_bad_document="ignore")
        ... except ValueError as error:
        ...     print(error.args[0])
        'on_bad_document' must be in ('placeholder', 'skip', 'fail') (got 'ignore')

    .. versionadded:: 0.1.0
    """

    on_bad_document: str = attrs.field(
        default="placeholder", validator=attrs.validators.in_(_BAD_DOCUMENT_POLICIES)
    )
    require_closed_periods: bool = attrs.field(
        default=False, validator=attrs.validators.instance_of(bool)
    )
    include_certificate: bool = attrs.field(
        default=False, validator=attrs.validators.instance_of(bool)
    )
    on_unsigned: str = attrs.field(
        default="unsigned", validator=attrs.validators.in_(_UNSIGNED_POLICIES)
    )
    embed_manifest: bool = attrs.field(default=True, validator=attrs.validators.instance_of(bool))
    language: str | None = attrs.field(default=None, converter=_language)
    output_prefix: str = attrs.field(default="backups", validator=_valid_prefix)
    max_document_bytes: int | None = attrs.field(
        default=512 * 1024 * 1024, validator=_positive_or_none
    )
    max_document_pages: int = attrs.field(default=10_000, validator=_positive)
    max_document_objects: int = attrs.field(default=500_000, validator=_positive)
    passwords: Callable[[Document], Iterable[str]] | None = attrs.field(
        default=None, repr=False, eq=False
    )
    repair: bool = attrs.field(default=True, validator=attrs.validators.instance_of(bool))
    include: frozenset[Include] = attrs.field(default=_ALL, converter=parse_include)
    require_waivers: bool = attrs.field(default=False, validator=attrs.validators.instance_of(bool))
    format: str = attrs.field(default="pdf", validator=attrs.validators.in_(_FORMATS))
    embed_signed_originals: bool = attrs.field(
        default=False, validator=attrs.validators.instance_of(bool)
    )
    images: str = attrs.field(default="pages", validator=attrs.validators.in_(_IMAGE_POLICIES))
    paper_size: str = attrs.field(default="letter", validator=attrs.validators.in_(_PAPER_SIZES))
    # Under Pillow's own decompression-bomb threshold (about 89 million), so a decoder
    # never warns about an image this library accepted.
    max_image_pixels: int = attrs.field(default=80_000_000, validator=_positive)
    max_volume_bytes: int | None = attrs.field(default=None, converter=_volume_size)
