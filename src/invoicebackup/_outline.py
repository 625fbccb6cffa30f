"""The backup's bookmarks: a source's moved to its place in the output, and the tree written."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ._textpage import text_bytes
from .pdf.document import OutlineNode
from .pdf.writer import ObjectWriter


def shifted(nodes: Sequence[OutlineNode], offset: int) -> tuple[OutlineNode, ...]:
    """*nodes* with every page index moved by *offset* (a source's bookmarks in the output)."""
    return tuple(
        OutlineNode(
            title=node.title,
            page_index=node.page_index + offset,
            children=shifted(node.children, offset),
        )
        for node in nodes
    )


def write_outline(
    objects: ObjectWriter, outline: Sequence[OutlineNode], pages: Sequence[int]
) -> int:
    """Write the bookmark tree *outline* (pages by index into *pages*); return its root's number."""
    allocate = objects.allocate
    root = allocate()
    numbers: dict[int, int] = {}
    for node, _siblings, _index, _parent in _preorder(outline):
        numbers[id(node)] = allocate()
    for node, siblings, index, parent in _preorder(outline):
        body = bytearray(b"<</Title")
        body += text_bytes(node.title)
        body += b"/Parent %d 0 R" % (root if parent is None else numbers[id(parent)])
        if index > 0:
            body += b"/Prev %d 0 R" % numbers[id(siblings[index - 1])]
        if index + 1 < len(siblings):
            body += b"/Next %d 0 R" % numbers[id(siblings[index + 1])]
        if node.children:
            body += b"/First %d 0 R/Last %d 0 R/Count %d" % (
                numbers[id(node.children[0])],
                numbers[id(node.children[-1])],
                _outline_count(node.children),
            )
        body += b"/Dest[%d 0 R/Fit]>>" % pages[node.page_index]
        objects.put(numbers[id(node)], body)
    objects.put(
        root,
        b"<</Type/Outlines/First %d 0 R/Last %d 0 R/Count %d>>"
        % (
            numbers[id(outline[0])],
            numbers[id(outline[-1])],
            _outline_count(outline),
        ),
    )
    return root


def _preorder(
    nodes: Sequence[OutlineNode], parent: OutlineNode | None = None
) -> Iterator[tuple[OutlineNode, Sequence[OutlineNode], int, OutlineNode | None]]:
    """Every bookmark under *nodes*, parents first: the node, its siblings, its index, its parent.

    A function of the module, not a closure that calls itself: such a closure would keep
    the writer (and the backup's file) in a cycle until the garbage collector found it.
    """
    for index, node in enumerate(nodes):
        yield node, nodes, index, parent
        yield from _preorder(node.children, node)


def _outline_count(nodes: Sequence[OutlineNode]) -> int:
    """How many bookmarks *nodes* hold, at every depth."""
    return sum(1 + _outline_count(node.children) for node in nodes)
