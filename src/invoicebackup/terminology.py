"""The words of the product, by point-of-view dictionary and language.

Tool and term names depend on the project's point-of-view dictionary (general
contractor, owner, specialty contractor) and on its language; rules never do. All
wording lives in the gettext message catalogues under ``locale/`` (one ``.po`` file a
language: a message's id is its key, its context the dictionary whose wording differs
from the general contractor's), read into one table, :data:`TERMS`::

    key -> language -> dictionary -> text

A third language is one more catalogue (copy ``locale/invoicebackup.pot`` to
``locale/<ll_CC>/LC_MESSAGES/invoicebackup.po``, translate, ``make catalogues``), not a
change of code.

Within a language, a dictionary that has no entry of its own uses the general
contractor's wording (the default dictionary). A key missing in a language falls
back to :data:`DEFAULT_LANGUAGE`. A language tag is resolved by exact match (case
and ``_``/``-`` do not matter), then by its primary language (``fr``, ``fr-FR`` →
``fr-CA``), else :data:`DEFAULT_LANGUAGE`.

Texts under keys named ``reason.*``, ``backup_*`` (other than ``backup_title``)
are message templates with ``{named}`` fields; fill them with :func:`message`.

>>> from invoicebackup import Dictionary, Tool
>>> from invoicebackup.terminology import term, tool_name
>>> tool_name(Tool.PRIME_CONTRACTS, dictionary=Dictionary.OWNER, language="en-US")
'Funding'
>>> tool_name(Tool.PRIME_CONTRACTS, dictionary=Dictionary.OWNER, language="fr")
'Financement'
>>> term("invoice_contact", dictionary=Dictionary.GENERAL_CONTRACTOR, language="fr-CA")
'contact de facturation'

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

import attrs

from . import _catalogues, _languages
from .domain import Dictionary, PermissionLevel, Tool

if TYPE_CHECKING:
    from .domain import Project

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "TERMS",
    "Vocabulary",
    "count_message",
    "for_project",
    "level_name",
    "message",
    "resolve_language",
    "term",
    "tool_name",
]

#: The language used when a tag matches none of :data:`LANGUAGES`.
DEFAULT_LANGUAGE: Final = _languages.DEFAULT_LANGUAGE

#: Every language the table is written in, as BCP 47 tags.
LANGUAGES: Final = _languages.LANGUAGES

_GC: Final = Dictionary.GENERAL_CONTRACTOR


def _table() -> Mapping[str, Mapping[str, Mapping[Dictionary, str]]]:
    by_context = {None: _GC, **{d.value: d for d in Dictionary if d is not _GC}}
    return MappingProxyType(
        {
            key: MappingProxyType(
                {
                    language: MappingProxyType(
                        {by_context[context]: text for context, text in texts.items()}
                    )
                    for language, texts in by_language.items()
                }
            )
            for key, by_language in _catalogues.read_catalogues().items()
        }
    )


#: Every word and message template of the product, as key → language → dictionary → text,
#: read from the message catalogues (``locale/<ll_CC>/LC_MESSAGES/invoicebackup.po``,
#: compiled to ``.mo``). The general contractor entry of a language is the fallback for
#: the other dictionaries.
TERMS: Final[Mapping[str, Mapping[str, Mapping[Dictionary, str]]]] = _table()


_normalise = _languages.normalise
_primary = _languages.primary
_BY_TAG: Final = _languages.BY_TAG
# The first language listed for a primary subtag wins (``fr`` → ``fr-CA``).
_BY_PRIMARY: Final[dict[str, str]] = {}
for _tag in LANGUAGES:
    _BY_PRIMARY.setdefault(_primary(_tag), _tag)
del _tag


def resolve_language(tag: str) -> str:
    """The language of :data:`LANGUAGES` that *tag* is shown in.

    Args:
        tag: A BCP 47 tag (``fr-CA``, ``fr``, ``fr-FR``, ``en_us``).

    Returns:
        The exact match (ignoring case and ``_``/``-``), else the first language with
        the same primary subtag, else :data:`DEFAULT_LANGUAGE`.

    Example:
        >>> from invoicebackup.terminology import resolve_language
        >>> resolve_language("fr"), resolve_language("en-GB"), resolve_language("de-DE")
        ('fr-CA', 'en-US', 'en-US')

    .. versionadded:: 0.1.0
    """
    normalised = _normalise(tag)
    if normalised in _BY_TAG:
        return _BY_TAG[normalised]
    return _BY_PRIMARY.get(_primary(normalised), DEFAULT_LANGUAGE)


def term(key: str, *, dictionary: Dictionary, language: str) -> str:
    """The text of *key* in *dictionary* and *language*, unformatted.

    Args:
        key: A key of :data:`TERMS` (``"invoice_contact"``, ``"tool.commitments"``).
        dictionary: The point-of-view dictionary.
        language: A BCP 47 tag, resolved with :func:`resolve_language`.

    Raises:
        KeyError: *key* is not in :data:`TERMS`.

    Example:
        >>> from invoicebackup import Dictionary
        >>> from invoicebackup.terminology import term
        >>> term("invoice_contact", dictionary=Dictionary.OWNER, language="en-US")
        'invoice contact'

    .. versionadded:: 0.1.0
    """
    try:
        by_language = TERMS[key]
    except KeyError:
        raise KeyError(f"no term {key!r} in invoicebackup.terminology.TERMS") from None
    resolved = resolve_language(language)
    by_dictionary = by_language.get(resolved) or by_language[DEFAULT_LANGUAGE]
    return by_dictionary.get(dictionary) or by_dictionary[Dictionary.GENERAL_CONTRACTOR]


#: Which plural form a count takes, by language, from each catalogue's ``Plural-Forms``.
_PLURAL_RULES: Final = MappingProxyType(
    {language: _catalogues.plural_rule(language) for language in LANGUAGES}
)


def count_message(
    key: str, count: int, *, dictionary: Dictionary, language: str, **fields: object
) -> str:
    """The plural template under *key* in the form *count* takes, formatted with ``count``.

    A plural key (``count.invoices``) holds one text per plural form of the language
    (English two; French three, where 0 and 1 are singular), as gettext's
    ``msgid_plural`` does.

    Example:
        >>> from invoicebackup import Dictionary
        >>> from invoicebackup.terminology import count_message
        >>> [count_message("count.invoices", n, dictionary=Dictionary.GENERAL_CONTRACTOR,
        ...                language="fr-CA") for n in (0, 1, 2)]
        ['0 facture', '1 facture', '2 factures']
        >>> count_message("count.invoices", 0, dictionary=Dictionary.GENERAL_CONTRACTOR,
        ...               language="en-US")
        '0 invoices'

    .. versionadded:: 0.1.0
    """
    forms = term(key, dictionary=dictionary, language=language).split(_catalogues.PLURAL_SEPARATOR)
    index = _PLURAL_RULES[resolve_language(language)](count)
    return forms[min(index, len(forms) - 1)].format(count=count, **fields)


def message(key: str, *, dictionary: Dictionary, language: str, **fields: object) -> str:
    """The template under *key*, formatted with *fields*.

    Args:
        key: A template key of :data:`TERMS` (``"reason.no_account"``).
        dictionary: The point-of-view dictionary.
        language: A BCP 47 tag.
        **fields: The template's named fields (``user="Ada"``).

    Raises:
        KeyError: *key* is unknown, or the template needs a field not given.

    Example:
        >>> from invoicebackup import Dictionary
        >>> from invoicebackup.terminology import message
        >>> message(
        ...     "backup_placeholder", dictionary=Dictionary.OWNER, language="en-US",
        ...     filename="W.pdf",
        ... )
        'This document could not be included: W.pdf'

    .. versionadded:: 0.1.0
    """
    return term(key, dictionary=dictionary, language=language).format(**fields)


def tool_name(tool: Tool, *, dictionary: Dictionary, language: str) -> str:
    """The name *tool* goes by in *dictionary* and *language* (``Funding``, ``Engagements``).

    Example:
        >>> from invoicebackup import Dictionary, Tool
        >>> from invoicebackup.terminology import tool_name
        >>> tool_name(Tool.COMMITMENTS, dictionary=Dictionary.OWNER, language="fr-CA")
        'Engagements'

    .. versionadded:: 0.1.0
    """
    return term(f"tool.{tool.value}", dictionary=dictionary, language=language)


def level_name(level: PermissionLevel, *, dictionary: Dictionary, language: str) -> str:
    """The name of permission *level* (``Read Only``, ``Lecture seule``).

    Example:
        >>> from invoicebackup import Dictionary, PermissionLevel
        >>> from invoicebackup.terminology import level_name
        >>> level_name(PermissionLevel.READ_ONLY, dictionary=Dictionary.OWNER, language="fr-CA")
        'Lecture seule'

    .. versionadded:: 0.1.0
    """
    return term(f"level.{level.value}", dictionary=dictionary, language=language)


@attrs.frozen(kw_only=True)
class Vocabulary:
    """The words of one dictionary and language, with the module's functions bound to them.

    Attributes:
        dictionary: The point-of-view dictionary.
        language: The resolved language, one of :data:`LANGUAGES`.

    Example:
        >>> from invoicebackup import Dictionary, Tool, Vocabulary
        >>> words = Vocabulary(dictionary=Dictionary.OWNER, language="fr")
        >>> words.language, words.tool_name(Tool.PRIME_CONTRACTS)
        ('fr-CA', 'Financement')

    .. versionadded:: 0.1.0
    """

    dictionary: Dictionary = Dictionary.GENERAL_CONTRACTOR
    language: str = attrs.field(default=DEFAULT_LANGUAGE, converter=resolve_language)

    def term(self, key: str) -> str:
        """The text of *key* (see :func:`term`)."""
        return term(key, dictionary=self.dictionary, language=self.language)

    def message(self, key: str, **fields: object) -> str:
        """The template under *key*, formatted with *fields* (see :func:`message`)."""
        return message(key, dictionary=self.dictionary, language=self.language, **fields)

    def count_message(self, key: str, count: int, **fields: object) -> str:
        """The plural template under *key* for *count* (see :func:`count_message`)."""
        return count_message(
            key, count, dictionary=self.dictionary, language=self.language, **fields
        )

    def code_label(self, code: str) -> str:
        """Why a document was left out, for its left-out *code*, in this language.

        The code itself when it has no label (a code of a newer library, say).

        Example:
            >>> from invoicebackup import Vocabulary
            >>> Vocabulary(language="fr-CA").code_label("image_skipped") != "image_skipped"
            True
            >>> Vocabulary().code_label("no_such_code")
            'no_such_code'

        .. versionadded:: 0.1.0
        """
        try:
            return self.term(f"bad_document.{code}")
        except KeyError:
            return code

    def tool_name(self, tool: Tool) -> str:
        """The name *tool* goes by (see :func:`tool_name`)."""
        return tool_name(tool, dictionary=self.dictionary, language=self.language)

    def level_name(self, level: PermissionLevel) -> str:
        """The name of permission *level* (see :func:`level_name`)."""
        return level_name(level, dictionary=self.dictionary, language=self.language)


def for_project(project: Project) -> Vocabulary:
    """The vocabulary of *project*'s dictionary and language.

    Example:
        >>> from invoicebackup import Project, Tool, for_project
        >>> words = for_project(Project(id="p-1", name="Tower", language="fr-CA"))
        >>> words.tool_name(Tool.COMMITMENTS)
        'Engagements'

    .. versionadded:: 0.1.0
    """
    return Vocabulary(dictionary=project.dictionary, language=project.language)
