"""The words of the product, by point-of-view dictionary and language.

Tool and term names depend on the project's point-of-view dictionary (general
contractor, owner, specialty contractor) and on its language; rules never do. All
wording lives in one literal table, :data:`TERMS`::

    key -> language -> dictionary -> text

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
from typing import TYPE_CHECKING, Final

import attrs

from . import _languages
from .domain import Dictionary, PermissionLevel, Tool

if TYPE_CHECKING:
    from .domain import Project

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "TERMS",
    "Vocabulary",
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
_OWNER: Final = Dictionary.OWNER
_SPECIALTY: Final = Dictionary.SPECIALTY_CONTRACTOR

# French typography: a no-break space before a colon.
_NBSP: Final = "\u00a0"

#: Every word and message template of the product, as key → language → dictionary → text.
#: The general contractor entry of a language is the fallback for the other dictionaries.
TERMS: Final[Mapping[str, Mapping[str, Mapping[Dictionary, str]]]] = {
    # -- tools ------------------------------------------------------------------
    "tool.commitments": {
        "en-US": {_GC: "Commitments"},
        "fr-CA": {_GC: "Engagements"},
    },
    "tool.prime_contracts": {
        "en-US": {_GC: "Prime Contracts", _OWNER: "Funding", _SPECIALTY: "Client Contracts"},
        "fr-CA": {
            _GC: "Contrats principaux",
            _OWNER: "Financement",
            _SPECIALTY: "Contrats clients",
        },
    },
    "tool.invoicing": {
        "en-US": {_GC: "Invoicing", _SPECIALTY: "Progress Billings"},
        "fr-CA": {_GC: "Facturation", _SPECIALTY: "Facturation progressive"},
    },
    # -- nouns ------------------------------------------------------------------
    "subcontractor": {
        "en-US": {_GC: "subcontractor", _OWNER: "contractor"},
        "fr-CA": {_GC: "sous-traitant", _OWNER: "entrepreneur"},
    },
    "subcontractor_invoice": {
        "en-US": {_GC: "subcontractor invoice", _OWNER: "contractor invoice"},
        "fr-CA": {_GC: "facture de sous-traitant", _OWNER: "facture d'entrepreneur"},
    },
    "invoice": {
        "en-US": {_GC: "invoice"},
        "fr-CA": {_GC: "facture"},
    },
    "invoice_contact": {
        "en-US": {_GC: "invoice contact"},
        "fr-CA": {_GC: "contact de facturation"},
    },
    "private_list": {
        "en-US": {_GC: "private list"},
        "fr-CA": {_GC: "liste privée"},
    },
    # -- permission levels ------------------------------------------------------
    "level.none": {"en-US": {_GC: "None"}, "fr-CA": {_GC: "Aucun"}},
    "level.read_only": {"en-US": {_GC: "Read Only"}, "fr-CA": {_GC: "Lecture seule"}},
    "level.standard": {"en-US": {_GC: "Standard"}, "fr-CA": {_GC: "Standard"}},
    "level.admin": {"en-US": {_GC: "Admin"}, "fr-CA": {_GC: "Admin"}},
    # -- backups ----------------------------------------------------------------
    "backup_title": {
        "en-US": {_GC: "Subcontractor invoice backup", _OWNER: "Contractor invoice backup"},
        "fr-CA": {
            _GC: "Sauvegarde des factures de sous-traitant",
            _OWNER: "Sauvegarde des factures d'entrepreneur",
        },
    },
    "backup_succeeded": {
        "en-US": {_GC: "The invoice backup was compiled successfully: {filename}"},
        "fr-CA": {
            _GC: f"La sauvegarde des factures a été compilée avec succès{_NBSP}: {{filename}}"
        },
    },
    "backup_failed": {
        "en-US": {_GC: "The invoice backup could not be compiled: {reason}"},
        "fr-CA": {_GC: f"La sauvegarde des factures n'a pas pu être compilée{_NBSP}: {{reason}}"},
    },
    "backup_with_problems": {
        "en-US": {
            _GC: "The invoice backup was compiled; {count} item(s) left out or replaced by a "
            "placeholder: {filename}"
        },
        "fr-CA": {
            _GC: "La sauvegarde des factures a été compilée; {count} élément(s) omis ou "
            f"remplacés par une page de remplacement{_NBSP}: {{filename}}"
        },
    },
    "backup_placeholder": {
        "en-US": {_GC: "This document could not be included: {filename}"},
        "fr-CA": {_GC: f"Ce document n'a pas pu être inclus{_NBSP}: {{filename}}"},
    },
    "backup_nothing_included": {
        "en-US": {_GC: "No document could be included; see the manifest."},
        "fr-CA": {_GC: "Aucun document n'a pu être inclus; voir le manifeste."},
    },
    # -- why a document was left out (the codes of BadDocumentError), on placeholder pages --
    "bad_document.missing": {
        "en-US": {_GC: "Missing from the store"},
        "fr-CA": {_GC: "Absent du stockage"},
    },
    "bad_document.not_pdf": {"en-US": {_GC: "Not a PDF"}, "fr-CA": {_GC: "Pas un PDF"}},
    "bad_document.empty": {"en-US": {_GC: "Empty file"}, "fr-CA": {_GC: "Fichier vide"}},
    "bad_document.damaged": {"en-US": {_GC: "Damaged PDF"}, "fr-CA": {_GC: "PDF endommagé"}},
    "bad_document.encrypted": {
        "en-US": {_GC: "Protected by a password"},
        "fr-CA": {_GC: "Protégé par un mot de passe"},
    },
    "bad_document.unsupported_encryption": {
        "en-US": {_GC: "Encrypted in a way that is not supported"},
        "fr-CA": {_GC: "Chiffré d'une manière non prise en charge"},
    },
    "bad_document.too_large": {
        "en-US": {_GC: "Too large"},
        "fr-CA": {_GC: "Trop volumineux"},
    },
    # -- permission reasons (fields: user, invoice, contract, tool, level, required) --
    "reason.not_in_directory": {
        "en-US": {_GC: "{user} is not in the project's directory."},
        "fr-CA": {_GC: "{user} ne figure pas dans le répertoire du projet."},
    },
    "reason.no_account": {
        "en-US": {_GC: "{user} has no user account."},
        "fr-CA": {_GC: "{user} n'a pas de compte d'utilisateur."},
    },
    "reason.inactive": {
        "en-US": {_GC: "The account of {user} is inactive."},
        "fr-CA": {_GC: "Le compte de {user} est inactif."},
    },
    "reason.unknown_invoice": {
        "en-US": {_GC: "Invoice {invoice} is not in this project, or {user} may not see it."},
        "fr-CA": {
            _GC: "La facture {invoice} ne fait pas partie de ce projet, "
            "ou {user} ne peut pas la voir."
        },
    },
    "reason.unknown_contract": {
        "en-US": {_GC: "Contract {contract} is not in this project."},
        "fr-CA": {_GC: "Le contrat {contract} ne fait pas partie de ce projet."},
    },
    "reason.unknown_contract_of_invoice": {
        "en-US": {
            _GC: "Invoice {invoice} bills contract {contract}, which is not in this project."
        },
        "fr-CA": {
            _GC: "La facture {invoice} porte sur le contrat {contract}, "
            "qui ne fait pas partie de ce projet."
        },
    },
    "reason.not_admin_on_tool": {
        "en-US": {
            _GC: "Including invoice {invoice} ({contract}) needs {required} on {tool}; "
            "{user} has {level}."
        },
        "fr-CA": {
            _GC: "Inclure la facture {invoice} ({contract}) exige le niveau {required} "
            "dans l'outil {tool}; {user} a le niveau {level}."
        },
    },
    "reason.no_access_to_tool": {
        "en-US": {
            _GC: "Seeing invoices on {contract} needs {required} or more on {tool}; "
            "{user} has {level}."
        },
        "fr-CA": {
            _GC: "Voir les factures du contrat {contract} exige au moins le niveau {required} "
            "dans l'outil {tool}; {user} a le niveau {level}."
        },
    },
    "reason.not_standard_on_tool": {
        "en-US": {
            _GC: "Submitting or editing invoices on {contract} needs {required} or more on "
            "{tool}; {user} has {level}."
        },
        "fr-CA": {
            _GC: "Soumettre ou modifier des factures du contrat {contract} exige au moins le "
            "niveau {required} dans l'outil {tool}; {user} a le niveau {level}."
        },
    },
    "reason.not_on_private_list": {
        "en-US": {_GC: "{user} is not on the private list of the private contract {contract}."},
        "fr-CA": {_GC: "{user} ne figure pas sur la liste privée du contrat privé {contract}."},
    },
    "reason.not_invoice_contact": {
        "en-US": {_GC: "{user} is not designated as an invoice contact of {contract}."},
        "fr-CA": {
            _GC: "{user} n'est pas désigné comme contact de facturation du contrat {contract}."
        },
    },
    # -- DocuSign (invoicebackup.docusign) ----------------------------------------
    "tool.change_orders": {"en-US": {_GC: "Change Orders"}, "fr-CA": {_GC: "Ordres de changement"}},
    "tool.correspondence": {"en-US": {_GC: "Correspondence"}, "fr-CA": {_GC: "Correspondance"}},
    "tool.documents": {"en-US": {_GC: "Documents"}, "fr-CA": {_GC: "Documents"}},
    "signable.commitment_change_order": {
        "en-US": {_GC: "Commitment Change Orders"},
        "fr-CA": {_GC: "Ordres de changement à l'engagement"},
    },
    "signable.prime_contract_change_order": {
        "en-US": {
            _GC: "Prime Contract Change Orders",
            _OWNER: "Funding Change Orders",
            _SPECIALTY: "Client Contract Change Orders",
        },
        "fr-CA": {
            _GC: "Ordres de changement au contrat principal",
            _OWNER: "Ordres de changement au financement",
            _SPECIALTY: "Ordres de changement au contrat client",
        },
    },
    "signable.purchase_order": {
        "en-US": {_GC: "Purchase Orders"},
        "fr-CA": {_GC: "Bons de commande"},
    },
    "signable.subcontract": {
        "en-US": {_GC: "Subcontracts"},
        "fr-CA": {_GC: "Contrats de sous-traitance"},
    },
    "signable.correspondence": {
        "en-US": {_GC: "Correspondence Items"},
        "fr-CA": {_GC: "Documents de correspondance"},
    },
    "signable.document": {"en-US": {_GC: "Documents"}, "fr-CA": {_GC: "Documents"}},
    "signable.prime_contract": {
        "en-US": {_GC: "Prime Contracts", _OWNER: "Funding", _SPECIALTY: "Client Contracts"},
        "fr-CA": {
            _GC: "Contrats principaux",
            _OWNER: "Financement",
            _SPECIALTY: "Contrats clients",
        },
    },
    "signable.owner_invoice": {
        "en-US": {_GC: "Owner Invoices", _SPECIALTY: "Client Invoices"},
        "fr-CA": {_GC: "Factures du maître d'ouvrage", _SPECIALTY: "Factures client"},
    },
    "signable.subcontractor_invoice": {
        "en-US": {_GC: "Subcontractor Invoices", _OWNER: "Contractor Invoices"},
        "fr-CA": {_GC: "Factures de sous-traitant", _OWNER: "Factures d'entrepreneur"},
    },
    "direction.upstream": {
        "en-US": {_GC: "These are your upstream invoices"},
        "fr-CA": {_GC: "Ce sont vos factures en amont"},
    },
    "direction.downstream": {
        "en-US": {_GC: "These are your downstream invoices"},
        "fr-CA": {_GC: "Ce sont vos factures en aval"},
    },
    "sync.synced": {"en-US": {_GC: "synced"}, "fr-CA": {_GC: "synchronisé"}},
    "sync.not_linked": {"en-US": {_GC: "not linked"}, "fr-CA": {_GC: "non lié"}},
    "sync.reauthentication_required": {
        "en-US": {_GC: "re-authentication required"},
        "fr-CA": {_GC: "nouvelle authentification requise"},
    },
    "sync.idle": {
        "en-US": {_GC: "last used {last_used}, {days} days idle"},
        "fr-CA": {_GC: "dernière utilisation le {last_used}, inactif depuis {days} jours"},
    },
    "sync.caption.synced": {"en-US": {_GC: "Synced"}, "fr-CA": {_GC: "Synchronisé"}},
    "sync.caption.login": {
        "en-US": {_GC: "Login with DocuSign"},
        "fr-CA": {_GC: "Connexion avec DocuSign"},
    },
    "invoice_status.draft": {"en-US": {_GC: "Draft"}, "fr-CA": {_GC: "Brouillon"}},
    "invoice_status.under_review": {"en-US": {_GC: "Under Review"}, "fr-CA": {_GC: "En révision"}},
    "invoice_status.revise_and_resubmit": {
        "en-US": {_GC: "Revise and Resubmit"},
        "fr-CA": {_GC: "Réviser et soumettre de nouveau"},
    },
    "invoice_status.approved": {"en-US": {_GC: "Approved"}, "fr-CA": {_GC: "Approuvée"}},
    "invoice_status.approved_as_noted": {
        "en-US": {_GC: "Approved as Noted"},
        "fr-CA": {_GC: "Approuvée avec commentaires"},
    },
    "invoice_status.pending_owner_approval": {
        "en-US": {_GC: "Pending Owner Approval"},
        "fr-CA": {_GC: "En attente de l'approbation du maître d'ouvrage"},
    },
    # (fields: project, user, item, kind, tool, required, level, invoice, status, allowed)
    "reason.docusign_disabled": {
        "en-US": {_GC: "The DocuSign integration is not enabled on project {project}."},
        "fr-CA": {_GC: "L'intégration DocuSign n'est pas activée sur le projet {project}."},
    },
    "reason.docusign_not_linked": {
        "en-US": {_GC: "{user} has not linked a DocuSign account."},
        "fr-CA": {_GC: "{user} n'a pas lié de compte DocuSign."},
    },
    "reason.docusign_reauthentication_required": {
        "en-US": {_GC: "{user} must log in with DocuSign again."},
        "fr-CA": {_GC: "{user} doit se reconnecter avec DocuSign."},
    },
    "reason.item_not_signable": {
        "en-US": {_GC: "{item} ({kind}) cannot collect DocuSign signatures in {tool}."},
        "fr-CA": {
            _GC: "{item} ({kind}) ne peut pas recueillir de signatures DocuSign dans "
            "l'outil {tool}."
        },
    },
    "reason.cannot_edit_item": {
        "en-US": {
            _GC: "Requesting signatures on {item} ({kind}) needs {required} or more on "
            "{tool}; {user} has {level}."
        },
        "fr-CA": {
            _GC: "Demander des signatures pour {item} ({kind}) exige au moins le niveau "
            "{required} dans l'outil {tool}; {user} a le niveau {level}."
        },
    },
    "reason.invoice_status_not_signable": {
        "en-US": {
            _GC: "Invoice {invoice} is {status}; signatures can be requested only when it "
            "is {allowed}."
        },
        "fr-CA": {
            _GC: "La facture {invoice} est au statut {status}; on ne peut demander des "
            "signatures qu'au statut {allowed}."
        },
    },
}


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
