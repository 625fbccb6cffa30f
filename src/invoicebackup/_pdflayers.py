"""The backup's optional content (layers): every copied document's groups and default state.

:class:`OutputLayers` gathers, document by document, what :class:`~._pdfwriter.BackupWriter`
lists in the output's ``/OCProperties``: each document's groups, its default
configuration merged into ours (groups it hides stay hidden, its layer order becomes a
group labelled with its file name, its radio-button groups are kept, once per distinct
document). Alternative configurations and automatic states are not kept.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import attrs

from ._textpage import text_bytes
from .pdf.document import Layers, text_string
from .pdf.serialise import serialise
from .pdf.values import Ref


@attrs.define
class OutputLayers:
    """The output's optional content: every document's groups and default state."""

    groups: dict[int, None] = attrs.Factory(dict)
    off: dict[int, None] = attrs.Factory(dict)
    order: list[bytes] = attrs.Factory(list)
    rb_groups: list[bytes] = attrs.Factory(list)
    done: set[object] = attrs.Factory(set)

    def copy(
        self,
        layers: Layers | None,
        *,
        key: object,
        filename: str,
        number: Callable[[Ref], int | None],
        ref: Callable[[Ref], bytes],
    ) -> tuple[Callable[[], None], list[str]]:
        """A document's groups and default state (*layers*), for document *key*.

        *number* gives (allocating) the output number of a group, ``None`` for none;
        *ref* writes a reference of the document. Returns what to record once the copy
        is committed, and notes.
        """
        if layers is None or key in self.done:
            return (lambda: None), []
        if layers.malformed:
            return (lambda: None), [
                "its optional content (layers) declaration is malformed: not kept"
            ]
        mine: dict[int, int] = {}
        for group in layers.groups:
            found = number(group)
            if found is not None:
                mine[group.num] = found

        def mapped(refs: Sequence[Ref]) -> list[int]:
            return [mine[r.num] for r in refs if r.num in mine]

        off = mapped(layers.off)
        if layers.base_off:
            on = set(mapped(layers.on))
            off.extend(n for n in mine.values() if n not in on)
        order = b""
        if layers.order is not None:
            label = serialise(text_string(filename))
            order = b"[" + label + b" " + serialise(layers.order, ref=ref) + b"]"
        rb_groups = [kept for kept in map(mapped, layers.rb_groups) if kept]
        notes = []
        if layers.dropped:
            notes.append(
                "its alternative layer configurations and automatic layer states were not kept"
            )

        def record() -> None:
            self.done.add(key)
            self.groups.update(dict.fromkeys(mine.values()))
            self.off.update(dict.fromkeys(off))
            if order:
                self.order.append(order)
            self.rb_groups.extend(b"[" + refs(group) + b"]" for group in rb_groups)

        return record, notes

    def catalog_entry(self) -> bytes:
        """The catalog's ``/OCProperties`` entry (empty when no document has layers)."""
        if not self.groups:
            return b""
        entry = bytearray(b"/OCProperties<</OCGs[%s]/D<</Name" % refs(self.groups))
        entry += text_bytes("Layers of the backed-up documents")
        entry += b"/BaseState/ON/OFF[%s]/Order[%s]" % (refs(self.off), b"".join(self.order))
        if self.rb_groups:
            entry += b"/RBGroups[%s]" % b"".join(self.rb_groups)
        entry += b">>>>"
        return bytes(entry)


def refs(numbers: Sequence[int] | dict[int, None]) -> bytes:
    """References to objects *numbers*, separated by spaces."""
    return b" ".join(b"%d 0 R" % n for n in numbers)
