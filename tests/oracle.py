"""An independent reader's check that a backup's pages are its sources' pages.

Issue 17: the backup's pages may differ from the source's with nothing noticing (a name
read wrongly, a name written as other bytes, an object an update freed). This module
reads the source and the backup with pikepdf (qpdf: another parser, written
independently of ours and of pypdf) and compares each source page with the page that
stands for it in the backup:

* the page count;
* the effective ``/MediaBox``, ``/CropBox`` (inherited, the crop box defaulting to the
  media box) and ``/Rotate``;
* the content stream's instructions, operators and operands, names compared as the
  bytes they are;
* every resource a content stream uses (``Do``, ``Tf``, ``gs``, ``cs``/``CS``,
  ``scn``/``SCN`` with a pattern, ``sh``, ``BDC``/``DP`` with a property list, an
  inline image's colour space) that resolves in the source page's (inherited)
  resources resolves in the backup page's, to an object of the same kind; form
  XObjects are compared the same way, recursively;
* every image the source can decode decodes in the backup to the same pixels.

qpdf's reading is authoritative where it read the source without a warning. A source
it had to mend (a broken cross-reference table, a damaged page tree or stream) or
cannot read at all may be read otherwise by another parser, legitimately: such a source
is not compared (the corpus and property tests check its page count otherwise).

:func:`differences` returns the differences found, in words; :func:`assert_same_pages`
fails a test with them.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import warnings
from collections.abc import Iterator, Mapping
from typing import Any

import pikepdf

from invoicebackup import BackupResult

__all__ = ["assert_backup_matches", "assert_same_pages", "differences"]

#: Operators that use a resource: the operand's index (from the end, negative) and the
#: resource category it is looked up in.
_USES: dict[str, tuple[int, str]] = {
    "Do": (-1, "/XObject"),
    "Tf": (-2, "/Font"),
    "gs": (-1, "/ExtGState"),
    "cs": (-1, "/ColorSpace"),
    "CS": (-1, "/ColorSpace"),
    "scn": (-1, "/Pattern"),
    "SCN": (-1, "/Pattern"),
    "sh": (-1, "/Shading"),
    "BDC": (-1, "/Properties"),
    "DP": (-1, "/Properties"),
}
#: Colour space names that are not resources.
_DEVICE_SPACES = frozenset({b"/DeviceGray", b"/DeviceRGB", b"/DeviceCMYK", b"/Pattern"})
#: How deep form XObjects are followed (they may nest, or refer to themselves).
_MAX_FORM_DEPTH = 8
#: Images larger than this (pixels) are not decoded: the check would be slow.
_MAX_PIXELS = 25_000_000
#: How far a box's coordinate may move, relatively: the writer writes a real number with
#: eight significant digits, as pypdf does (a millionth of a point on a letter page).
_TOLERANCE = 1e-7

#: qpdf's warnings that do not make its reading of the source any less authoritative.
_HARMLESS = ("null character not allowed in name token",)


def differences(
    source: bytes, backup: bytes, first_page: int, *, password: str = "", rebuilt: bool = False
) -> list[str]:
    """How the backup's pages from *first_page* (1-based) differ from *source*'s pages.

    Empty when every source page is in the backup, as pikepdf reads both, in order.

    *rebuilt*: the library read the source only once pypdf had rewritten it (its reader
    found it damaged). qpdf reads an object when it is asked for, and the damage a page
    meets on the way may not warn: a reference whose object the table lists under another
    generation reads as null, silently, where pypdf finds the object by its header. Such
    a source is read whole first, and compared only if qpdf finds nothing to mend in it.
    """
    with warnings.catch_warnings():
        # pikepdf warns about decoders it lacks (JBIG2); such images are not compared.
        warnings.simplefilter("ignore")
        try:
            original = pikepdf.open(io.BytesIO(source), password=password)
        except (pikepdf.PdfError, pikepdf.PikepdfError):
            # qpdf cannot read the source (or fails flattening its damaged page tree):
            # there is nothing to compare with.
            return []
        with original:
            try:
                len(original.pages)  # qpdf may fail only when it flattens a damaged page tree
            except pikepdf.PikepdfError:
                return []
            if rebuilt and not _sound(original):
                return []
            with pikepdf.open(io.BytesIO(backup)) as copy:
                return _Comparison(original, copy).pages(first_page - 1)


def assert_same_pages(source: bytes, backup: bytes, first_page: int, *, password: str = "") -> None:
    """Fail with every difference :func:`differences` finds."""
    found = differences(source, backup, first_page, password=password)
    assert not found, "the backup's pages differ from the source's:\n" + "\n".join(found)


def assert_backup_matches(
    result: BackupResult, backup: bytes, documents: Mapping[str, bytes]
) -> int:
    """Check every document of *result* whose bytes are in *documents* (by store key).

    Returns how many were checked. Documents that came from elsewhere (the signature
    provider) are not in *documents* and are skipped.
    """
    checked = 0
    problems: list[str] = []
    for record in result.invoices:
        for source in record.sources:
            data = documents.get(source.key)
            if data is None:
                continue
            checked += 1
            rebuilt = any("rebuilt" in note for note in source.notes)
            found = differences(data, backup, source.first_page, rebuilt=rebuilt)
            if source.pages != source.last_page - source.first_page + 1:
                found.append(
                    f"{source.pages} pages but pages {source.first_page}-{source.last_page}"
                )
            problems.extend(f"{source.key}: {problem}" for problem in found)
    assert not problems, "the backup's pages differ from the sources':\n" + "\n".join(problems)
    return checked


def _sound(pdf: pikepdf.Pdf) -> bool:
    """Whether qpdf reads every object of *pdf* without a warning (but harmless ones)."""
    try:
        for _ in pdf.objects:
            pass
    except pikepdf.PdfError:
        return False
    return not [w for w in pdf.get_warnings() if not any(h in w for h in _HARMLESS)]


class _Comparison:
    """One source and the backup that holds its pages."""

    def __init__(self, original: pikepdf.Pdf, copy: pikepdf.Pdf) -> None:
        self.original = original
        self.copy = copy
        self.found: list[str] = []
        self.seen: set[tuple[tuple[int, int], tuple[int, int]]] = set()
        self.images: dict[tuple[int, int], tuple[str, ...] | None] = {}

    def pages(self, first: int) -> list[str]:
        count = len(self.original.pages)
        for index in range(count):
            # qpdf warns as it reads: a source it had to mend is not compared.
            if not self._authoritative():
                return []
            where = f"page {index + 1}"
            source = self.original.pages[index].obj
            if first + index >= len(self.copy.pages):
                self.found.append(f"{where}: not in the backup ({len(self.copy.pages)} pages)")
                return self.found
            page = self.copy.pages[first + index].obj
            for key in ("/MediaBox", "/CropBox", "/Rotate"):
                expected, got = _effective(source, key), _effective(page, key)
                if not _close(expected, got):
                    self.found.append(f"{where}: {key} {got} instead of {expected}")
            self.content(
                where,
                source,
                page,
                _inherited(source, "/Resources"),
                _inherited(page, "/Resources"),
                depth=0,
            )
        return self.found if self._authoritative() else []

    def _authoritative(self) -> bool:
        """Whether qpdf read the source so far without a warning (but harmless ones)."""
        return not [w for w in self.original.get_warnings() if not any(h in w for h in _HARMLESS)]

    def content(
        self, where: str, source: Any, copy: Any, resources: Any, copy_resources: Any, *, depth: int
    ) -> None:
        """Compare the content of *source* and *copy* (pages or forms) and what it uses."""
        expected = _instructions(source)
        got = _instructions(copy)
        if expected is None:
            return  # the source's content is unreadable to qpdf: nothing to compare with
        if got is None:
            self.found.append(f"{where}: the content cannot be read")
            return
        if len(expected) != len(got) or expected != got:
            at = next(
                (i for i, (a, b) in enumerate(zip(expected, got, strict=False)) if a != b),
                min(len(expected), len(got)),
            )
            self.found.append(
                f"{where}: {len(got)} content instructions instead of {len(expected)};"
                f" instruction {at} is {_at(got, at)!r} instead of {_at(expected, at)!r}"
            )
            return
        for category, name in _used(source):
            wanted = _resource(resources, category, name)
            if wanted is None:
                continue  # missing in the source too: not the copy's doing
            if _page_or_tree_node(wanted):
                # Not a resource of any kind: the copy writes a page or page tree node
                # reached otherwise than as a page as null (as qpdf's linearizing does).
                continue
            found = _resource(copy_resources, category, name)
            label = f"{where}: {category[1:]} {name.decode('latin-1')}"
            if found is None:
                self.found.append(f"{label} does not resolve (it does in the source)")
                continue
            self.resource(label, category, wanted, found, resources, copy_resources, depth)

    def resource(
        self,
        label: str,
        category: str,
        wanted: Any,
        found: Any,
        resources: Any,
        copy_resources: Any,
        depth: int,
    ) -> None:
        """Compare one resource the content uses with the copy's."""
        if _kind(wanted) != _kind(found):
            self.found.append(f"{label} is {_kind(found)} instead of {_kind(wanted)}")
            return
        if category != "/XObject" or not isinstance(wanted, pikepdf.Stream):
            return
        pair = (wanted.objgen, found.objgen)
        if pair in self.seen:
            return
        self.seen.add(pair)
        subtype = wanted.get("/Subtype")
        if subtype == "/Image":
            expected = self.image(wanted)
            if expected is not None and _decoded(found) != expected:
                self.found.append(
                    f"{label}: the image decodes to {_decoded(found)} instead of {expected}"
                )
        elif subtype == "/Form" and depth < _MAX_FORM_DEPTH:
            self.content(
                label,
                wanted,
                found,
                wanted.get("/Resources", resources),
                found.get("/Resources", copy_resources),
                depth=depth + 1,
            )

    def image(self, image: pikepdf.Stream) -> tuple[str, ...] | None:
        key = image.objgen
        if key not in self.images or key == (0, 0):
            self.images[key] = _decoded(image)
        return self.images[key]


def _at(items: list[tuple[tuple[Any, ...], bytes | str]], index: int) -> object:
    return items[index] if index < len(items) else "(end)"


def _kind(value: Any) -> str:
    """What a resource is, as far as a check needs: its type, subtype and base font."""
    if isinstance(value, pikepdf.Dictionary | pikepdf.Stream):
        parts = [type(value).__name__]
        for key in ("/Type", "/Subtype", "/BaseFont", "/PatternType", "/ShadingType"):
            entry = value.get(key)
            if entry is not None:
                parts.append(f"{key}={_token(entry)!r}")
        return " ".join(parts)
    return type(value).__name__


def _decoded(image: pikepdf.Stream) -> tuple[str, ...] | None:
    """An image's mode, size and pixels' digest; ``None`` when qpdf cannot decode it."""
    try:
        width, height = int(image.get("/Width", 0)), int(image.get("/Height", 0))
        if width * height > _MAX_PIXELS:
            return ("large", str(width), str(height))
        picture = pikepdf.PdfImage(image).as_pil_image()
        return (picture.mode, repr(picture.size), hashlib.sha256(picture.tobytes()).hexdigest())
    except Exception:
        return None


def _inherited(page: Any, key: str) -> Any:
    """*key* of *page* or of the nearest page-tree node above it that has it."""
    node = page
    for _ in range(64):
        if not isinstance(node, pikepdf.Dictionary):
            return None
        value = node.get(key)
        if value is not None:
            return value
        node = node.get("/Parent")
    return None


def _box(value: Any) -> tuple[float, ...] | None:
    try:
        numbers = tuple(float(v) for v in value)
    except (TypeError, ValueError):
        return None
    if len(numbers) != 4:
        return None
    left, right = sorted((numbers[0], numbers[2]))
    bottom, top = sorted((numbers[1], numbers[3]))
    return (left, bottom, right, top)


def _close(expected: object, got: object) -> bool:
    """Equal; boxes within :data:`_TOLERANCE`."""
    if isinstance(expected, tuple) and isinstance(got, tuple):
        return all(
            math.isclose(a, b, rel_tol=_TOLERANCE, abs_tol=_TOLERANCE)
            for a, b in zip(expected, got, strict=True)
        )
    return expected == got


def _effective(page: Any, key: str) -> object:
    """The page's effective media box, crop box (within the media box) or rotation."""
    if key == "/Rotate":
        value = _inherited(page, key)
        try:
            return int(value) % 360 if value is not None else 0
        except (TypeError, ValueError):
            return 0
    media = _box(_inherited(page, "/MediaBox")) or (0.0, 0.0, 612.0, 792.0)
    if key == "/MediaBox":
        return media
    crop = _box(_inherited(page, "/CropBox")) or media
    # A viewer shows the crop box's part of the media box.
    return (
        max(crop[0], media[0]),
        max(crop[1], media[1]),
        min(crop[2], media[2]),
        min(crop[3], media[3]),
    )


def _instructions(holder: Any) -> list[tuple[tuple[Any, ...], bytes | str]] | None:
    """The content instructions of a page or form, operands as comparable values."""
    try:
        parsed = pikepdf.parse_content_stream(holder)
    except Exception:
        return None
    result: list[tuple[tuple[Any, ...], bytes | str]] = []
    for instruction in parsed:
        if isinstance(instruction, pikepdf.ContentStreamInlineImage):
            result.append(((instruction.iimage.unparse(),), "INLINE IMAGE"))
        else:
            operands, operator = instruction.operands, instruction.operator
            # An operator of a damaged stream may be any bytes: compared as bytes, not text.
            result.append((tuple(_token(o) for o in operands), bytes(operator.unparse())))
    return result


def _token(value: Any) -> Any:
    """An operand as a comparable value: a name or string as its bytes."""
    if isinstance(value, pikepdf.Name):
        return ("name", _name(value))
    if isinstance(value, pikepdf.String):
        return ("string", bytes(value))
    if isinstance(value, pikepdf.Array):
        return [_token(v) for v in value]
    if isinstance(value, pikepdf.Dictionary):
        return {k: _token(v) for k, v in value.items()}
    if isinstance(value, pikepdf.Object):
        return value.unparse(resolved=True)
    return value


def _used(holder: Any) -> Iterator[tuple[str, bytes]]:
    """The resources a page's or form's content uses: ``(category, name)``, each once."""
    seen: set[tuple[str, bytes]] = set()
    try:
        parsed = pikepdf.parse_content_stream(holder)
    except Exception:
        return
    for instruction in parsed:
        if isinstance(instruction, pikepdf.ContentStreamInlineImage):
            space = instruction.iimage.obj.get("/ColorSpace")
            uses = [("/ColorSpace", space)]
        else:
            operands, operator = instruction.operands, instruction.operator
            use = _USES.get(bytes(operator.unparse()).decode("latin-1"))
            if use is None or len(operands) < -use[0]:
                continue
            uses = [(use[1], operands[use[0]])]
        for category, operand in uses:
            if not isinstance(operand, pikepdf.Name):
                continue
            name = _name(operand)
            if category == "/ColorSpace" and name in _DEVICE_SPACES:
                continue
            if category == "/ColorSpace" and name in (b"/G", b"/RGB", b"/CMYK", b"/I"):
                continue  # an inline image's abbreviations
            if (category, name) not in seen:
                seen.add((category, name))
                yield category, name


def _page_or_tree_node(value: Any) -> bool:
    return isinstance(value, pikepdf.Dictionary) and value.get("/Type") in ("/Page", "/Pages")


def _resource(resources: Any, category: str, name: bytes) -> Any:
    """``resources[category][name]`` or ``None`` when it is missing or null."""
    if not isinstance(resources, pikepdf.Dictionary):
        return None
    group = resources.get(category)
    if not isinstance(group, pikepdf.Dictionary):
        return None
    for key, value in group.items():
        # pikepdf gives a key that is not UTF-8 with its other bytes as surrogates.
        if key.encode("utf-8", "surrogateescape") == name:
            return None if value is None else value
    return None


def _name(name: Any) -> bytes:
    """A name as its bytes, ``#`` escapes decoded (``/F#E9`` is ``/F`` and the byte E9)."""
    return re.sub(
        rb"#([0-9A-Fa-f]{2})", lambda match: bytes([int(match[1], 16)]), name.unparse(resolved=True)
    )
