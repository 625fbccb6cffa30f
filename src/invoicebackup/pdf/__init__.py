"""The library's internal PDF layer: one reader of the file structure, one builder, one writer.

This package is a documented *internal* interface: the backup compiler and the tests use it,
and it may change in any release. It is not public API and nothing in it appears in a public
signature. It knows PDF files, never invoices.

Modules, by role (ISO 32000-1 section numbers in each piece's docstring):

- :mod:`.syntax` — lexical pieces (§7.2, §7.3): the tokeniser and the decoders of names,
  literal and hexadecimal strings.
- :mod:`.values` — the value model (§7.3): names and strings kept as their bytes.
- :mod:`.build` — tokens to values (the one builder), depth and size bounded.
- :mod:`.serialise` — values to bytes (the one writer of object syntax).
- :mod:`.filters` — the decoding a reader of the file structure needs (FlateDecode with
  predictors, §7.4.4), bounded.
- :mod:`.xref` — cross-reference tables and streams (§7.5.4, §7.5.8).
- :mod:`.reader` — :class:`~.reader.PdfFile`: revisions, object streams, the page tree.
- :mod:`.crypt` — decryption of files the empty user password opens (standard security
  handler: RC4, AES-128, AES-256), so the reader reads them without pypdf.
- :mod:`.objectcache` — values built once per compile for objects repeated byte for byte.
- :mod:`.errors` — :class:`~.errors.PdfError`, the one error of this layer, with a code.
- :mod:`.pypdf_adapter` — makes an encrypted or odd file well-formed through pypdf's
  public API (and pikepdf's, when installed), so that the same reader reads it.
"""
