"""The languages the product is written in, and how a tag is matched against them.

Shared by :mod:`invoicebackup.domain`, which refuses a language it does not know,
:mod:`invoicebackup.options`, whose options may name one, and
:mod:`invoicebackup.terminology`, which shows words in one. It imports only the
errors and the catalogues' reader, so all of them may depend on it.
"""

from __future__ import annotations

from typing import Final

from . import _catalogues
from .errors import InvalidValueError

#: Every language the product is written in, as BCP 47 tags: one a message catalogue.
LANGUAGES: Final = _catalogues.languages()

#: The language of a project that names none.
DEFAULT_LANGUAGE: Final = "en-US"


def normalise(tag: str) -> str:
    """*tag* with case, surrounding space and ``_``/``-`` made irrelevant (BCP 47 ignores case)."""
    return tag.strip().replace("_", "-").casefold()


def primary(tag: str) -> str:
    """The primary language subtag of *tag* (``fr`` of ``fr-CA``), normalised."""
    return normalise(tag).split("-", 1)[0]


#: Each language by its normalised tag.
BY_TAG: Final = {normalise(tag): tag for tag in LANGUAGES}


def language_tag(value: object, field: str) -> str:
    """The language of :data:`LANGUAGES` that *value* names, in its own spelling.

    A tag is matched in any ASCII case, with ``_`` for ``-`` (``en_us`` is ``en-US``):
    BCP 47 tags ignore case, and POSIX locales write ``_``. Anything else is refused,
    a bare primary tag (``fr``) or another region (``fr-FR``, ``en-GB``) too: a
    project's language is stored and shown exactly, never guessed.

    Raises:
        InvalidValueError: *value* names none of :data:`LANGUAGES`; the message says
            which one shares its primary subtag, if one does.
    """
    if isinstance(value, str) and value.isascii():
        found = BY_TAG.get(value.replace("_", "-").lower())
        if found is not None:
            return found
    reason = f"is not one of {', '.join(LANGUAGES)}"
    if isinstance(value, str):
        near = [tag for tag in LANGUAGES if primary(tag) == primary(value)]
        if near:
            reason += f" (did you mean {near[0]!r}?)"
    raise InvalidValueError(field, value, allowed=LANGUAGES, reason=reason)
