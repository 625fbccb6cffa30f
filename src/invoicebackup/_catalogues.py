"""The product's words, read from its gettext message catalogues (``locale/``).

Each language is a folder ``locale/<ll_CC>/LC_MESSAGES/`` holding ``invoicebackup.po``
(what translators edit) and ``invoicebackup.mo`` (what is read here, compiled from it
by Babel: ``make catalogues``). A message's id is its key (``tool.prime_contracts``);
its context (``msgctxt``), when it has one, is the point-of-view dictionary whose
wording differs from the general contractor's. So a third language is one more folder,
not a change of code.

The ``.mo`` files are read once, when this module is imported, into an immutable
table; nothing is cached later and :mod:`gettext`'s process-wide cache is not used.
Only the standard library is needed at run time.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Mapping
from gettext import c2py
from pathlib import Path
from types import MappingProxyType
from typing import Final

#: The catalogues' folder, inside the package.
LOCALE_DIR: Final = Path(__file__).with_name("locale")
#: The gettext domain: the catalogues' file name.
DOMAIN: Final = "invoicebackup"

# GNU gettext's .mo magic number, as read in little- and big-endian order.
_MAGIC_LE: Final = 0x950412DE
_MAGIC_BE: Final = 0xDE120495
# gettext joins a message's context and id with EOT.
_CONTEXT_SEPARATOR: Final = "\x04"
#: gettext joins a message's singular and plural ids, and its plural forms' texts, with NUL.
#: A plural message's text is kept so joined: :func:`plural_rule` says which form a count takes.
PLURAL_SEPARATOR: Final = "\x00"


def _read_mo(data: bytes, path: Path) -> dict[tuple[str | None, str], str]:
    """Every translated message of a ``.mo`` file, by ``(context, id)``; the header is left out."""
    (magic,) = struct.unpack_from("<I", data, 0)
    if magic == _MAGIC_LE:
        order = "<"
    elif magic == _MAGIC_BE:
        order = ">"
    else:
        raise ValueError(f"{path} is not a gettext .mo file")
    _version, count, ids_at, texts_at = struct.unpack_from(order + "4I", data, 4)
    messages: dict[tuple[str | None, str], str] = {}
    for index in range(count):
        id_length, id_offset = struct.unpack_from(order + "2I", data, ids_at + 8 * index)
        text_length, text_offset = struct.unpack_from(order + "2I", data, texts_at + 8 * index)
        raw_id = data[id_offset : id_offset + id_length].decode("utf-8")
        text = data[text_offset : text_offset + text_length].decode("utf-8")
        if not raw_id:
            continue  # the catalogue's header
        # A plural message is known by its singular id (the key); its forms stay joined.
        raw_id = raw_id.partition(PLURAL_SEPARATOR)[0]
        context, separator, message_id = raw_id.rpartition(_CONTEXT_SEPARATOR)
        messages[(context if separator else None, message_id)] = text
    return messages


def _header(data: bytes, path: Path) -> dict[str, str]:
    """The header fields of a ``.mo`` file (the translation of the empty id)."""
    (magic,) = struct.unpack_from("<I", data, 0)
    order = "<" if magic == _MAGIC_LE else ">"
    _version, count, ids_at, texts_at = struct.unpack_from(order + "4I", data, 4)
    for index in range(count):
        id_length, _id_offset = struct.unpack_from(order + "2I", data, ids_at + 8 * index)
        if id_length == 0:
            length, offset = struct.unpack_from(order + "2I", data, texts_at + 8 * index)
            lines = data[offset : offset + length].decode("utf-8").splitlines()
            return {
                name.strip(): value.strip()
                for name, colon, value in (line.partition(":") for line in lines)
                if colon
            }
    raise ValueError(f"{path} has no header")


def plural_rule(language: str, locale_dir: Path = LOCALE_DIR) -> Callable[[int], int]:
    """Which plural form a count takes in *language*, from its catalogue's ``Plural-Forms``.

    English has two forms (``n != 1``); French three (0 and 1 are singular).
    """
    folder = language.replace("-", "_")
    mo = locale_dir / folder / "LC_MESSAGES" / f"{DOMAIN}.mo"
    forms = _header(mo.read_bytes(), mo).get("Plural-Forms", "nplurals=2; plural=(n != 1);")
    expression = forms.partition("plural=")[2].rstrip(";")
    return c2py(expression)


def language_tag(folder_name: str) -> str:
    """The BCP 47 tag of a locale folder (``fr_CA`` → ``fr-CA``)."""
    return folder_name.replace("_", "-")


def read_catalogues(
    locale_dir: Path = LOCALE_DIR,
) -> Mapping[str, Mapping[str, Mapping[str | None, str]]]:
    """Every message of every language: key → language tag → context (or ``None``) → text."""
    table: dict[str, dict[str, dict[str | None, str]]] = {}
    for mo in sorted(locale_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.mo")):
        language = language_tag(mo.parent.parent.name)
        for (context, key), text in _read_mo(mo.read_bytes(), mo).items():
            table.setdefault(key, {}).setdefault(language, {})[context] = text
    return MappingProxyType(
        {
            key: MappingProxyType(
                {language: MappingProxyType(texts) for language, texts in by_language.items()}
            )
            for key, by_language in table.items()
        }
    )


def languages(locale_dir: Path = LOCALE_DIR) -> tuple[str, ...]:
    """The language tags that have a compiled catalogue, sorted."""
    return tuple(
        sorted(
            language_tag(mo.parent.parent.name)
            for mo in locale_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.mo")
        )
    )
