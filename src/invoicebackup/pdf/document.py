"""What copying one document needs, read from its :class:`~.reader.PdfFile` and made safe.

:func:`prepare` reads a document's pages (inherited attributes made explicit), removes
its active content — JavaScript, ``/OpenAction``, ``/Launch`` and other actions that are
not a move inside the document, a named viewer command or a web address; ``/AA``;
annotations that carry media or files — makes its links explicit destinations to its
own pages, and records its form's fields, its bookmarks, its layers and what the merge
cannot keep (notes). Values are immutable: what cleaning changes is a new value, kept
in :attr:`Prepared.objects` by object number, which a copy reads before the file.

Finally every object the copy will reach is read once (:func:`reach`), so that a damaged
object shows when the document is opened, not midway through its copy.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Final

import attrs

from .errors import TOO_LARGE, PdfError
from .reader import PdfFile
from .values import Array, Dictionary, Name, Real, Ref, Stream, String, Value

#: US Letter, what viewers assume for a page without a usable media box.
LETTER: Final = Array((0, 0, 612, 792))

#: Notes written for signed or certified sources, and for pure XFA forms.
SIGNATURE_NOTE: Final = (
    "it is digitally signed: the signature does not survive the merge (the backup copies "
    "its pages, not its signed bytes; keep the original to verify the signature)"
)
CERTIFIED_NOTE: Final = (
    "it is certified (DocMDP): the certification does not survive the merge (keep the "
    "original to verify it)"
)
PURE_XFA_NOTE: Final = (
    "it is a pure XFA form: its content lives in XFA data that is not copied, so its "
    "pages show only what the PDF carries without it (often a placeholder message)"
)

#: Page keys that are not copied: the page tree parent (the output's), structure-tree
#: links (no structure tree is copied), additional actions (active content),
#: annotations (copied separately, filtered), article beads and transitions'
#: presentation steps (they point into the source's catalog).
_PAGE_EXCLUDED: Final = frozenset(
    {b"Parent", b"StructParents", b"AA", b"Annots", b"B", b"PresSteps"}
)
#: Annotation kinds that carry active or embedded content and are never copied.
_DROPPED_ANNOTATIONS: Final = frozenset(
    {b"Screen", b"Movie", b"Sound", b"RichMedia", b"3D", b"FileAttachment"}
)
#: Actions that may stay: moving inside the document, opening a web address, named
#: viewer commands (next page…).
_SAFE_ACTIONS: Final = frozenset({b"GoTo", b"URI", b"Named"})
#: Bounds on one document's form, bookmarks and name tree (a loop or a bomb must not hang).
_MAX_FIELDS: Final = 10_000
_MAX_FIELD_DEPTH: Final = 32
_MAX_OUTLINE_ITEMS: Final = 10_000
_MAX_OUTLINE_DEPTH: Final = 32
_MAX_NAME_NODES: Final = 10_000

_GOTO: Final = Name(b"GoTo")
_WIDGET: Final = Name(b"Widget")


@attrs.frozen(kw_only=True)
class OutlineNode:
    """One bookmark: a title, the 0-based page it opens, and its children."""

    title: str
    page_index: int
    children: tuple[OutlineNode, ...] = ()


@attrs.frozen(kw_only=True)
class Layers:
    """A document's optional content (layers, §8.11.4), its references the file's.

    Attributes:
        groups: The groups (``/OCGs``) that are dictionaries.
        off: The groups its default configuration hides.
        base_off: Whether the configuration hides every group it does not show (``on``).
        on: The groups it shows when ``base_off``.
        order: Its ``/Order`` array, if any.
        rb_groups: Its radio-button groups.
        dropped: Whether it has alternative configurations or automatic states (not kept).
        malformed: Whether ``/OCGs`` is not an array (nothing is kept).
    """

    groups: tuple[Ref, ...] = ()
    off: tuple[Ref, ...] = ()
    base_off: bool = False
    on: tuple[Ref, ...] = ()
    order: Array | None = None
    rb_groups: tuple[tuple[Ref, ...], ...] = ()
    dropped: bool = False
    malformed: bool = False


@attrs.define
class Prepared:
    """One document, ready to be copied: its pages, cleaned objects, form and outline.

    Attributes:
        pages: Each page's dictionary as it is written (without ``/Parent``).
        page_ids: The object number of each page held indirectly, to its index.
        objects: Values that replace the file's, by object number (cleaned annotations,
            form fields, actions); a copy reads here first.
        occurrence_ids: Objects each occurrence copies afresh (annotations and fields).
        dropped_ids: Annotations not copied; references to them become ``null``.
        field_roots: The top-level fields: ``/Fields``, then those adopted from widgets.
        adopted: How many top-level fields were adopted from widgets alone.
        form_da: The form's ``/DA``, if any.
        form_fonts: The form's default fonts (``/DR /Font``), name and value.
        need_appearances: The form's ``/NeedAppearances``.
        layers: Its optional content, if any.
        removed: What was taken out, as short phrases.
        notes: What the merge cannot keep, in words.
        outline: Its bookmarks, with 0-based page indexes into the document.
    """

    pages: list[Dictionary] = attrs.Factory(list)
    page_ids: dict[int, int] = attrs.Factory(dict)
    objects: dict[int, Value] = attrs.Factory(dict)
    occurrence_ids: set[int] = attrs.Factory(set)
    dropped_ids: set[int] = attrs.Factory(set)
    field_roots: list[Ref] = attrs.Factory(list)
    adopted: int = 0
    form_da: Value = None
    form_fonts: list[tuple[Name, Value]] = attrs.Factory(list)
    need_appearances: bool = False
    layers: Layers | None = None
    removed: list[str] = attrs.Factory(list)
    notes: list[str] = attrs.Factory(list)
    outline: tuple[OutlineNode, ...] = ()


def _without(node: Dictionary, key: bytes) -> Dictionary:
    """*node* without *key*; *node* itself when it has none (so it is copied as its bytes)."""
    name = Name(key)
    if name not in node:
        return node
    return Dictionary({k: v for k, v in node.items() if k != name})


def _name_text(value: Value) -> str:
    return value.value.decode("latin-1") if isinstance(value, Name) else "unknown"


class _Document:
    """The state of preparing one document."""

    def __init__(self, file: PdfFile) -> None:
        self.file = file
        self.found = Prepared()
        self._named: dict[bytes, Value] | None = None
        self._page_count = 0

    def get(self, value: Value) -> Value:
        """*value* resolved, reading a cleaned object before the file's."""
        if isinstance(value, Ref):
            objects = self.found.objects
            if value.num in objects:
                return objects[value.num]
            return self.file.object(value.num, value.gen)
        return value

    def dictionary(self, value: Value) -> Dictionary:
        """*value* resolved, as a dictionary (an empty one when it is anything else)."""
        resolved = self.get(value)
        return resolved if isinstance(resolved, Dictionary) else Dictionary()

    # -- links ------------------------------------------------------------------------------

    def _lookup(self, name: bytes) -> Value:
        if self._named is None:
            self._named = self._named_destinations()
        return self._named.get(name)

    def _named_destinations(self) -> dict[bytes, Value]:
        """§12.3.2.3: the catalog's ``/Dests``, then the ``/Names /Dests`` name tree."""
        named: dict[bytes, Value] = {}
        catalog = self.file.catalog
        for key, dest in self.dictionary(catalog.get(b"Dests")).items():
            named.setdefault(key.value, dest)
        stack = [self.dictionary(catalog.get(b"Names")).get(b"Dests")]
        seen: set[Ref] = set()
        while stack and len(seen) < _MAX_NAME_NODES:
            ref = stack.pop()
            if isinstance(ref, Ref):
                if ref in seen:
                    continue
                seen.add(ref)
            node = self.dictionary(ref)
            names = self.get(node.get(b"Names"))
            if isinstance(names, Array):
                for index in range(0, len(names) - 1, 2):
                    entry = self.get(names[index])
                    if isinstance(entry, String):
                        named.setdefault(entry.value, names[index + 1])
            kids = self.get(node.get(b"Kids"))
            if isinstance(kids, Array):
                stack.extend(reversed(kids))
        return named

    def _resolved(self, dest: Value) -> Array | None:
        """*dest* followed to a non-empty explicit destination, or ``None``."""
        for _ in range(4):  # named -> dictionary -> array
            dest = self.get(dest)
            if isinstance(dest, (String, Name)):
                dest = self._lookup(dest.value)
            elif isinstance(dest, Dictionary):
                dest = dest.get(b"D")
            elif isinstance(dest, Array):
                return dest if dest else None
            else:
                return None
        return None

    def explicit(self, dest: Value) -> Array | None:
        """*dest* as a direct explicit destination to one of the pages, or ``None``."""
        resolved = self._resolved(dest)
        if (
            resolved is not None
            and isinstance(resolved[0], Ref)
            and resolved[0].num in self.found.page_ids
        ):
            return Array(resolved)
        return None

    def page_index(self, dest: Value) -> int | None:
        """The 0-based index of the page *dest* opens, or ``None``."""
        resolved = self._resolved(dest)
        page = resolved[0] if resolved is not None else None
        if isinstance(page, Ref):
            return self.found.page_ids.get(page.num)
        if type(page) is int and 0 <= page < self._page_count:
            return page  # a remote-style page number, seen in the wild
        return None

    # -- cleaning ---------------------------------------------------------------------------

    def clean(self, node: Dictionary) -> Dictionary:
        """*node* without active content, its links explicit or removed."""
        removed = self.found.removed
        if b"AA" in node:
            node = _without(node, b"AA")
            removed.append("additional actions (/AA)")
        if b"A" in node:
            reference = node[b"A"]
            action = self.get(reference)
            kind = _unsafe_action(action)
            if kind is not None:
                node = _without(node, b"A")
                removed.append(f"{kind} action")
            elif isinstance(action, Dictionary) and b"Next" in action:
                removed.append("chained actions (/Next)")
                if isinstance(reference, Ref):
                    self.found.objects[reference.num] = _without(action, b"Next")
                else:
                    node = node.replaced(b"A", _without(action, b"Next"))
        if b"Dest" in node:
            dest = self.explicit(node[b"Dest"])
            node = _without(node, b"Dest") if dest is None else node.replaced(b"Dest", dest)
        action = self.get(node.get(b"A"))
        if isinstance(action, Dictionary) and action.get(b"S") == _GOTO:
            dest = self.explicit(action.get(b"D"))
            # A direct copy: the action may be shared by annotations of other pages.
            node = (
                _without(node, b"A")
                if dest is None
                else node.replaced(b"A", action.replaced(b"D", dest))
            )
        return node

    def _field_tree(self, top: Ref, seen: set[int]) -> None:
        """Clean every node of the field tree under *top*, recording their numbers."""
        stack: list[Value] = [top]
        while stack and len(seen) < _MAX_FIELDS:
            entry = stack.pop()
            if isinstance(entry, Ref):
                if entry.num in seen:
                    continue
                seen.add(entry.num)
            node = self.get(entry)
            if isinstance(node, Dictionary):
                node, kids = self._clean_field(node, 0)
                stack.extend(reversed(kids))
            if isinstance(entry, Ref):
                self.found.objects[entry.num] = node

    def _clean_field(self, node: Dictionary, depth: int) -> tuple[Dictionary, list[Ref]]:
        """A field node cleaned (and its direct kids), and its indirect kids."""
        node = self.clean(node)
        kids = self.get(node.get(b"Kids"))
        if not isinstance(kids, Array):
            return node, []
        indirect = [kid for kid in kids if isinstance(kid, Ref)]
        if depth < _MAX_FIELD_DEPTH and any(isinstance(kid, Dictionary) for kid in kids):
            items: list[Value] = []
            for kid in kids:
                if isinstance(kid, Dictionary):
                    kid, deeper = self._clean_field(kid, depth + 1)
                    indirect += deeper
                items.append(kid)
            node = node.replaced(b"Kids", Array(items))
        return node, indirect

    # -- the document -------------------------------------------------------------------------

    def pages(self) -> list[Ref]:
        """Read the pages and their annotations; return the indirect widgets, in order."""
        found = self.found
        # The page count the tree declares, checked before the tree is walked.
        count = self.dictionary(self.file.page_tree_root()).get(b"Count")
        if type(count) is int and count > self.file.limits.max_pages:
            raise PdfError(TOO_LARGE, f"it has {count} pages, over the limit")
        pages = self.file.pages()
        self._page_count = len(pages)
        found.page_ids = {page.ref.num: i for i, page in enumerate(pages) if page.ref is not None}
        widgets: list[Ref] = []
        for page in pages:
            node = page.dictionary
            if b"AA" in node:
                found.removed.append("page additional actions (/AA)")
            annots = self.get(node.get(b"Annots"))
            kept: list[Value] = []
            for entry in annots if isinstance(annots, Array) else ():
                annot = self.get(entry)
                if not isinstance(annot, Dictionary):
                    continue
                subtype = annot.get(b"Subtype")
                if isinstance(subtype, Name) and subtype.value in _DROPPED_ANNOTATIONS:
                    found.removed.append(f"{_name_text(subtype)} annotation")
                    if isinstance(entry, Ref):
                        found.dropped_ids.add(entry.num)
                    continue
                # Its structure-tree key would point into the output's tree (a
                # cover sheet's), not the source's: no structure tree is copied.
                cleaned = _without(self.clean(annot), b"StructParent")
                if isinstance(entry, Ref):
                    found.occurrence_ids.add(entry.num)
                    found.objects[entry.num] = cleaned
                    kept.append(entry)
                    if subtype == _WIDGET:
                        widgets.append(entry)
                else:
                    kept.append(cleaned)
            items = {k: v for k, v in node.items() if k.value not in _PAGE_EXCLUDED}
            items[Name(b"Type")] = Name(b"Page")
            # Inherited attributes made explicit (§7.7.3.4): the page keeps its size and
            # rotation under the output's page tree.
            items[Name(b"MediaBox")] = page.media_box or LETTER
            if page.crop_box is not None and page.crop_box is not page.media_box:
                items[Name(b"CropBox")] = page.crop_box
            if page.rotate or b"Rotate" in node:
                items[Name(b"Rotate")] = page.rotate
            if not isinstance(self.get(node.get(b"Resources")), Dictionary):
                items[Name(b"Resources")] = page.resources
            if kept:
                items[Name(b"Annots")] = Array(kept)
            found.pages.append(Dictionary(items))
        return widgets

    def form(self, widgets: Sequence[Ref]) -> None:
        """Read the form: its fields (cleaned), those adopted from widgets, its defaults."""
        found = self.found
        form = self.dictionary(self.file.catalog.get(b"AcroForm"))
        if form.get(b"XFA") is not None:
            found.removed.append("XFA form data")
        fields = self.get(form.get(b"Fields"))
        in_form: set[int] = set()
        for entry in fields if isinstance(fields, Array) else ():
            if (
                isinstance(entry, Ref)
                and entry.num not in in_form
                and isinstance(self.get(entry), Dictionary)
            ):
                found.field_roots.append(entry)
                self._field_tree(entry, in_form)
        for widget in widgets:
            if widget.num in in_form:
                continue
            top = widget
            for _ in range(_MAX_FIELD_DEPTH):
                parent = self.dictionary(top).get(b"Parent")
                if not isinstance(parent, Ref) or not isinstance(self.get(parent), Dictionary):
                    break
                top = parent
            if top.num not in in_form:
                found.field_roots.append(top)
                found.adopted += 1
                self._field_tree(top, in_form)
        found.occurrence_ids |= in_form
        found.occurrence_ids -= found.page_ids.keys()
        found.form_da = form.get(b"DA")
        fonts = self.dictionary(self.dictionary(form.get(b"DR")).get(b"Font"))
        found.form_fonts = list(fonts.items())
        found.need_appearances = self.get(form.get(b"NeedAppearances")) is True

    def catalog_removals(self) -> None:
        root = self.file.catalog
        removed = self.found.removed
        if b"OpenAction" in root:
            removed.append("document open action (/OpenAction)")
        if b"AA" in root:
            removed.append("document additional actions (/AA)")
        names = self.dictionary(root.get(b"Names"))
        if b"JavaScript" in names:
            removed.append("document JavaScript")
        if b"EmbeddedFiles" in names:
            removed.append("embedded files")
        if b"PageLabels" in root:
            removed.append("page labels")

    def structure_notes(self) -> None:
        """What the merge cannot keep of this document's structure, as notes."""
        notes = self.found.notes
        root = self.file.catalog
        form = self.dictionary(root.get(b"AcroForm"))
        fields = list(self._field_dicts(form))
        if form.get(b"XFA") is not None and not fields:
            notes.append(PURE_XFA_NOTE)
        if any(f.get(b"FT") == Name(b"Sig") and f.get(b"V") is not None for f in fields):
            notes.append(SIGNATURE_NOTE)
        perms = self.dictionary(root.get(b"Perms"))
        if b"DocMDP" in perms:
            notes.append(CERTIFIED_NOTE)
        elif b"UR3" in perms or b"UR" in perms:
            notes.append("its usage rights signature (/Perms /UR3) does not survive the merge")

    def _field_dicts(self, form: Dictionary) -> Iterator[Dictionary]:
        """Every field dictionary of *form* (bounded, loops ignored)."""
        top = self.get(form.get(b"Fields"))
        stack = list(top) if isinstance(top, Array) else []
        seen: set[Ref] = set()
        count = 0
        while stack and count < _MAX_FIELDS:
            entry = stack.pop()
            if isinstance(entry, Ref):
                if entry in seen:
                    continue
                seen.add(entry)
            node = self.get(entry)
            if not isinstance(node, Dictionary):
                continue
            count += 1
            yield node
            kids = self.get(node.get(b"Kids"))
            if isinstance(kids, Array):
                stack.extend(kids)

    def outline(self) -> int:
        """Read the bookmarks; return how many were left out."""
        walk = _OutlineWalk(self)
        outlines = self.dictionary(self.file.catalog.get(b"Outlines"))
        self.found.outline = tuple(walk.level(outlines.get(b"First"), 1))
        return walk.dropped

    def layers(self) -> None:
        properties = self.dictionary(self.file.catalog.get(b"OCProperties"))
        if not properties:
            return
        groups = self.get(properties.get(b"OCGs"))
        if not isinstance(groups, Array):
            self.found.layers = Layers(malformed=True)
            return
        mine = tuple(
            g for g in groups if isinstance(g, Ref) and isinstance(self.get(g), Dictionary)
        )

        def refs(value: Value) -> tuple[Ref, ...]:
            value = self.get(value)
            return tuple(r for r in value if isinstance(r, Ref)) if isinstance(value, Array) else ()

        default = self.dictionary(properties.get(b"D"))
        order = self.get(default.get(b"Order"))
        rb = self.get(default.get(b"RBGroups"))
        self.found.layers = Layers(
            groups=mine,
            off=refs(default.get(b"OFF")),
            base_off=default.get(b"BaseState") == Name(b"OFF"),
            on=refs(default.get(b"ON")),
            order=order if isinstance(order, Array) else None,
            rb_groups=tuple(refs(g) for g in rb) if isinstance(rb, Array) else (),
            dropped=b"Configs" in properties or b"AS" in default,
        )


class _OutlineWalk:
    """One walk of a bookmark tree (§12.3.3), bounded in items and depth."""

    def __init__(self, document: _Document) -> None:
        self.document = document
        self.dropped = 0
        self.seen: set[int] = set()

    def target(self, item: Dictionary) -> int | None:
        dest = item.get(b"Dest")
        if dest is None:
            action = self.document.dictionary(item.get(b"A"))
            if action.get(b"S") != _GOTO:
                return None
            dest = action.get(b"D")
        return self.document.page_index(dest)

    def level(self, first: Value, depth: int) -> list[OutlineNode]:
        nodes: list[OutlineNode] = []
        ref = first
        while isinstance(ref, Ref) and len(self.seen) < _MAX_OUTLINE_ITEMS:
            item = self.document.get(ref)
            if not isinstance(item, Dictionary) or ref.num in self.seen:
                break
            self.seen.add(ref.num)
            deeper = depth < _MAX_OUTLINE_DEPTH
            children = self.level(item.get(b"First"), depth + 1) if deeper else []
            page = self.target(item)
            if page is None:
                self.dropped += 1
                nodes.extend(children)
            else:
                raw = self.document.get(item.get(b"Title"))
                text = decode_text(raw) if isinstance(raw, String) else ""
                title = " ".join(text.split())[:300] or "(untitled)"
                nodes.append(OutlineNode(title=title, page_index=page, children=tuple(children)))
            ref = item.get(b"Next")
        return nodes


def _unsafe_action(action: Value) -> str | None:
    """What to call *action* in a report if it must not be copied; ``None`` if it is safe.

    Safe: going to a page, a named navigation action, and a link to a web address. A
    ``/URI`` that opens a local file (``file:``) is as unsafe as a Launch action.
    """
    kind = action.get(b"S") if isinstance(action, Dictionary) else None
    if not isinstance(kind, Name) or kind.value not in _SAFE_ACTIONS:
        return _name_text(kind) if isinstance(kind, Name) and kind.value else "unknown"
    if kind.value == b"URI":
        assert isinstance(action, Dictionary)
        uri = action.get(b"URI")
        target = uri.value.decode("latin-1") if isinstance(uri, String) else ""
        if target.strip().lower().startswith("file:"):
            return "URI (to a local file)"
    return None


def prepare(file: PdfFile, *, max_objects: int) -> Prepared:
    """Everything copying *file* needs (see the module docstring).

    Raises:
        PdfError: ``damaged`` when something the copy needs cannot be read, ``too_large``
            past the file's limits or when its pages reach more than *max_objects*.
    """
    document = _Document(file)
    widgets = document.pages()
    document.catalog_removals()
    document.form(widgets)
    document.structure_notes()
    dropped = document.outline()
    if dropped:
        document.found.notes.append(
            f"{dropped} of its bookmarks point nowhere or could not be read: left out"
        )
    document.layers()
    reach(document, max_objects=max_objects)
    return document.found


def reach(document: _Document, *, max_objects: int) -> None:
    """Read every object the copy reaches, so that damage shows now (and is counted).

    A page or a page tree node reached otherwise than as a page of the document (a
    widget's ``/P`` naming a page that an extraction left out of the tree) is not
    copied: nothing shows it, and a page would carry its content into the backup unseen.
    References to it become ``null`` (it joins :attr:`Prepared.dropped_ids`), as qpdf
    writes them when it linearizes a file.
    """
    found = document.found
    roots: list[Value] = [*found.pages, *found.field_roots, found.form_da]
    roots += [value for _name, value in found.form_fonts]
    if found.layers is not None:
        roots += [*found.layers.groups, found.layers.order]
    skipped = found.page_ids.keys() | found.dropped_ids
    cleaned = found.objects
    file = document.file
    seen: set[int] = set()
    stack = roots
    while stack:
        value = stack.pop()
        if type(value) is Ref:
            num = value.num
            if num in seen or num in skipped:
                continue
            seen.add(num)
            if len(seen) > max_objects:
                raise PdfError(TOO_LARGE, f"its pages reach more than {max_objects} objects")
            if num not in cleaned or cleaned[num] is file.object(num, value.gen):
                # Read from the file (or cleaned and left as it was): its references are
                # those the reader found in its bytes — what a copy of those bytes
                # renumbers (a key given twice too).
                source = file.source(num, value.gen)
                if source is not None:
                    if _stray_page(file.object(num, value.gen)):
                        _drop_stray_page(found, num)
                        continue
                    stack.extend([ref for _start, _end, ref in source[3]])
                    continue
            value = document.get(value)
            if _stray_page(value):
                _drop_stray_page(found, num)
                continue
        # Only what holds values is looked into (type, not isinstance: the fast test).
        if type(value) is Dictionary:
            stack.extend(value.values())
        elif type(value) is Array:
            stack.extend(value)
        elif type(value) is Stream:
            stack.extend(value.dictionary.values())


#: What :func:`reach` says it left out (once per document).
_STRAY_PAGE: Final = "a page or page tree node reached outside the page tree"
_PAGE_TREE: Final = frozenset({Name(b"Page"), Name(b"Pages")})


def _stray_page(value: Value) -> bool:
    """Whether *value* is a page or a page tree node (reached otherwise than as a page)."""
    if type(value) is not Dictionary:
        return False
    kind = value.get(b"Type")
    return type(kind) is Name and kind in _PAGE_TREE


def _drop_stray_page(found: Prepared, num: int) -> None:
    found.dropped_ids.add(num)
    if _STRAY_PAGE not in found.removed:
        found.removed.append(_STRAY_PAGE)


# -- text strings (§7.9.2.2) -----------------------------------------------------------------

#: PDFDocEncoding (ISO 32000-1, annex D): the bytes it leaves undefined, and the characters
#: of those where it differs from Latin-1.
_PDFDOC_UNDEFINED: Final = frozenset({0x00, 0x16, 0x7F, 0x9F, 0xAD})
_PDFDOC_DIFFERENCES: Final = dict(
    zip(
        [*range(0x18, 0x20), *range(0x80, 0x9F), 0xA0],
        map(
            chr,
            [
                *(0x02D8, 0x02C7, 0x02C6, 0x02D9, 0x02DD, 0x02DB, 0x02DA, 0x02DC),
                *(0x2022, 0x2020, 0x2021, 0x2026, 0x2014, 0x2013, 0x0192, 0x2044, 0x2039),
                *(0x203A, 0x2212, 0x2030, 0x201E, 0x201C, 0x201D, 0x2018, 0x2019, 0x201A),
                *(0x2122, 0xFB01, 0xFB02, 0x0141, 0x0152, 0x0160, 0x0178, 0x017D, 0x0131),
                *(0x0142, 0x0153, 0x0161, 0x017E, 0x20AC),
            ],
        ),
        strict=True,
    )
)
#: PDFDocEncoding's byte for each character it has, and the character of each byte.
_PDFDOC: Final = {
    _PDFDOC_DIFFERENCES.get(byte, chr(byte)): byte
    for byte in range(256)
    if byte not in _PDFDOC_UNDEFINED
}
_PDFDOC_CHARS: Final = {byte: char for char, byte in _PDFDOC.items()}


def text_string(text: str) -> String:
    r"""*text* as a PDF text string: PDFDocEncoding when it can be, else UTF-16BE.

    >>> text_string("Café").value, text_string("→").value
    (b'Caf\xe9', b'\xfe\xff!\x92')
    """
    try:
        return String(bytes(_PDFDOC[char] for char in text))
    except KeyError:
        return String(b"\xfe\xff" + text.encode("utf-16be"))


def decode_text(string: String) -> str:
    """The text of a PDF text string: UTF-16BE or UTF-8 after their marks, else PDFDocEncoding."""
    data = string.value
    if data[:2] == b"\xfe\xff":
        return data[2:].decode("utf-16be", "replace")
    if data[:3] == b"\xef\xbb\xbf":
        return data[3:].decode("utf-8", "replace")
    return "".join(_PDFDOC_CHARS.get(byte, "\ufffd") for byte in data)


def number(value: float) -> int | Real:
    """*value* as a PDF number: an integer when it is one, else a real of at most 8 decimals."""
    if float(value).is_integer():
        return int(value)
    return Real(f"{value:.8f}".rstrip("0").rstrip(".").encode())
