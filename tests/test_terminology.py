"""The words of the product, by point-of-view dictionary and language."""

from __future__ import annotations

import doctest
import string

import pytest

from invoicebackup import terminology
from invoicebackup.domain import Dictionary, PermissionLevel, Project, Tool
from invoicebackup.terminology import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    TERMS,
    Vocabulary,
    for_project,
    level_name,
    message,
    resolve_language,
    term,
    tool_name,
)

GC = Dictionary.GENERAL_CONTRACTOR
OWNER = Dictionary.OWNER
SPECIALTY = Dictionary.SPECIALTY_CONTRACTOR


@pytest.mark.parametrize(
    ("tool", "dictionary", "language", "expected"),
    [
        (Tool.COMMITMENTS, GC, "en-US", "Commitments"),
        (Tool.PRIME_CONTRACTS, GC, "en-US", "Prime Contracts"),
        (Tool.INVOICING, GC, "en-US", "Invoicing"),
        (Tool.PRIME_CONTRACTS, OWNER, "en-US", "Funding"),
        (Tool.COMMITMENTS, OWNER, "en-US", "Commitments"),
        (Tool.INVOICING, SPECIALTY, "en-US", "Progress Billings"),
        (Tool.PRIME_CONTRACTS, SPECIALTY, "en-US", "Client Contracts"),
        (Tool.COMMITMENTS, GC, "fr-CA", "Engagements"),
        (Tool.PRIME_CONTRACTS, GC, "fr-CA", "Contrats principaux"),
        (Tool.INVOICING, GC, "fr-CA", "Facturation"),
        (Tool.PRIME_CONTRACTS, OWNER, "fr-CA", "Financement"),
        (Tool.PRIME_CONTRACTS, SPECIALTY, "fr-CA", "Contrats clients"),
    ],
)
def test_tool_names(tool: Tool, dictionary: Dictionary, language: str, expected: str) -> None:
    """Each tool is named after the dictionary and the language."""
    assert tool_name(tool, dictionary=dictionary, language=language) == expected


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("en-US", "en-US"),
        ("fr-CA", "fr-CA"),
        ("fr_ca", "fr-CA"),
        ("FR-ca", "fr-CA"),
        ("fr", "fr-CA"),
        ("fr-FR", "fr-CA"),
        ("en-GB", "en-US"),
        ("en", "en-US"),
        ("de-DE", "en-US"),
        ("", "en-US"),
    ],
)
def test_resolve_language(tag: str, expected: str) -> None:
    """A tag resolves by exact match, then by primary language, else to en-US."""
    assert resolve_language(tag) == expected


def test_owner_dictionary_renames_subcontractor() -> None:
    """The owner dictionary calls the subcontractor a contractor, in both languages."""
    assert term("subcontractor", dictionary=GC, language="en-US") == "subcontractor"
    assert term("subcontractor", dictionary=OWNER, language="en-US") == "contractor"
    assert term("subcontractor", dictionary=OWNER, language="fr-CA") == "entrepreneur"


def test_backup_title() -> None:
    """The backup title follows dictionary and language."""
    assert term("backup_title", dictionary=GC, language="en-US") == "Subcontractor invoice backup"
    assert term("backup_title", dictionary=OWNER, language="en-US") == "Contractor invoice backup"
    assert (
        term("backup_title", dictionary=SPECIALTY, language="fr-CA")
        == "Sauvegarde des factures de sous-traitant"
    )


@pytest.mark.parametrize(
    ("level", "english", "french"),
    [
        (PermissionLevel.NONE, "None", "Aucun"),
        (PermissionLevel.READ_ONLY, "Read Only", "Lecture seule"),
        (PermissionLevel.STANDARD, "Standard", "Standard"),
        (PermissionLevel.ADMIN, "Admin", "Admin"),
    ],
)
def test_level_names(level: PermissionLevel, english: str, french: str) -> None:
    """Permission levels have names in each language."""
    assert level_name(level, dictionary=GC, language="en-US") == english
    assert level_name(level, dictionary=GC, language="fr-CA") == french


def test_invoice_contact_in_french() -> None:
    """The invoice contact is a "contact de facturation" in fr-CA."""
    assert term("invoice_contact", dictionary=OWNER, language="fr-CA") == "contact de facturation"


def test_every_key_is_written_in_every_language() -> None:
    """Every key has general contractor wording in each supported language."""
    missing = [
        (key, language)
        for key, by_language in TERMS.items()
        for language in LANGUAGES
        if GC not in by_language.get(language, {})
    ]
    assert missing == []


def test_templates_use_the_same_fields_in_every_language() -> None:
    """A template's named fields do not depend on language or dictionary."""

    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    for key, by_language in TERMS.items():
        expected = fields(by_language[DEFAULT_LANGUAGE][GC])
        for by_dictionary in by_language.values():
            for text in by_dictionary.values():
                assert fields(text) == expected, key


def test_unknown_key_raises_key_error() -> None:
    """An unknown key says which key it was."""
    with pytest.raises(KeyError, match="no_such_term"):
        term("no_such_term", dictionary=GC, language="en-US")


def test_message_fills_fields() -> None:
    """A message template is formatted with its fields."""
    text = message("reason.no_account", dictionary=GC, language="fr-CA", user="Ada")
    assert text == "Ada n'a pas de compte d'utilisateur."


def test_for_project_binds_dictionary_and_language() -> None:
    """for_project uses the project's dictionary and language."""
    project = Project(id="p", name="P", language="fr-CA", dictionary=OWNER)
    vocabulary = for_project(project)
    assert vocabulary == Vocabulary(dictionary=OWNER, language="fr-CA")
    assert vocabulary.tool_name(Tool.PRIME_CONTRACTS) == "Financement"
    assert vocabulary.level_name(PermissionLevel.READ_ONLY) == "Lecture seule"
    assert vocabulary.term("private_list") == "liste privée"
    assert vocabulary.message("backup_failed", reason="x").endswith("compilée\u00a0: x")


def test_module_doctests() -> None:
    """The examples in the module docstring run."""
    result = doctest.testmod(terminology)
    assert result.attempted > 0
    assert result.failed == 0
