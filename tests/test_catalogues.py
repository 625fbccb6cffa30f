"""The words come from gettext catalogues: complete, compiled, and open to a new language."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from invoicebackup import Action, Dictionary, LeftOut, Project
from invoicebackup._catalogues import (
    LOCALE_DIR,
    PLURAL_SEPARATOR,
    _read_mo,
    languages,
    read_catalogues,
)
from invoicebackup._codes import LEFT_OUT_CODES
from invoicebackup.terminology import LANGUAGES, TERMS, count_message


def _po_messages(po: Path) -> dict[tuple[str | None, str], str]:
    """Each message by (context, key); a plural message's forms joined as the .mo joins them."""
    with po.open("rb") as stream:
        catalogue = read_po(stream)
    messages: dict[tuple[str | None, str], str] = {}
    for m in catalogue:
        if not m.id:
            continue
        if m.pluralizable:
            forms = (str(form) for form in m.string or ())
            messages[(m.context, str(m.id[0]))] = PLURAL_SEPARATOR.join(forms)
        else:
            messages[(m.context, str(m.id))] = str(m.string)
    return messages


def test_each_compiled_catalogue_is_its_po_file() -> None:
    """Every ``.mo`` holds exactly its ``.po``'s messages (``make catalogues`` after an edit)."""
    pos = sorted(LOCALE_DIR.glob("*/LC_MESSAGES/invoicebackup.po"))
    assert [po.parent.parent.name for po in pos] == ["en_US", "fr_CA"]
    for po in pos:
        mo = po.with_suffix(".mo")
        assert _read_mo(mo.read_bytes(), mo) == _po_messages(po), f"{mo} is stale"


def test_every_key_is_translated_in_every_language() -> None:
    """Each key of the template has a general-contractor text in every language, none empty."""
    template = _po_messages(LOCALE_DIR / "invoicebackup.pot")
    keys = {key for _context, key in template}
    assert keys == set(TERMS)
    for key, by_language in TERMS.items():
        assert set(by_language) == set(LANGUAGES), key
        for texts in by_language.values():
            assert texts[Dictionary.GENERAL_CONTRACTOR].strip(), key


def test_a_third_language_is_a_file_not_a_code_change(tmp_path: Path) -> None:
    """A new catalogue folder is a new language of the reader, with its own words."""
    locale = tmp_path / "locale"
    shutil.copytree(LOCALE_DIR, locale)
    folder = locale / "de_DE" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (LOCALE_DIR / "invoicebackup.pot").open("rb") as stream:
        catalogue = read_po(stream, locale="de_DE")
    for message in catalogue:
        if message.id == "tool.commitments" and message.context is None:
            message.string = "Verpflichtungen"
    buffer = io.BytesIO()
    write_mo(buffer, catalogue)
    (folder / "invoicebackup.mo").write_bytes(buffer.getvalue())
    assert languages(locale) == ("de-DE", "en-US", "fr-CA")
    assert read_catalogues(locale)["tool.commitments"]["de-DE"][None] == "Verpflichtungen"


def test_the_package_reads_the_shipped_catalogues() -> None:
    """The languages a project may take are exactly those with a catalogue."""
    assert languages() == LANGUAGES == ("en-US", "fr-CA")
    assert Project(id="p", name="P", language="fr-CA").language == "fr-CA"


def test_a_plural_message_takes_the_form_its_language_gives_a_count() -> None:
    """English has one form for 1 and another for 0 and 2+; French uses the singular for 0 and 1."""
    english = [
        count_message("count.pages", n, dictionary=Dictionary.GENERAL_CONTRACTOR, language="en-US")
        for n in (0, 1, 2)
    ]
    french = [
        count_message("count.pages", n, dictionary=Dictionary.GENERAL_CONTRACTOR, language="fr-CA")
        for n in (0, 1, 2)
    ]
    assert english == ["0 pages", "1 page", "2 pages"]
    assert french == ["0 page", "1 page", "2 pages"]


def test_every_plural_message_has_every_form_of_its_language() -> None:
    """Each plural key has as many forms as its catalogue's Plural-Forms header says."""
    for po in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/invoicebackup.po")):
        with po.open("rb") as stream:
            catalogue = read_po(stream)
        plurals = [m for m in catalogue if m.id and m.pluralizable]
        assert plurals, po
        for message in plurals:
            forms = message.string
            assert isinstance(forms, tuple), (po, message.id)
            assert len(forms) == catalogue.num_plurals, (po, message.id)
            assert all(form.strip() for form in forms), (po, message.id)


@pytest.mark.parametrize("code", sorted(LEFT_OUT_CODES))
def test_every_left_out_code_has_its_own_label_in_every_catalogue(code: str) -> None:
    """Each code a result can leave a document out with is labelled in each ``.po``.

    The label lookup shows the code itself when its ``bad_document.<code>`` is missing, and
    the completeness test above compares the catalogues with the template only: the image
    codes (``image_skipped``, ``needs_images_extra``) and ``unsigned`` showed raw.
    """
    pos = sorted(LOCALE_DIR.glob("*/LC_MESSAGES/invoicebackup.po"))
    assert pos
    for po in pos:
        label = _po_messages(po).get((None, f"bad_document.{code}"), "")
        assert label.strip(), f"{po.parent.parent.name} has no label for {code}"
        assert label != code


def test_a_left_out_record_takes_only_a_listed_code() -> None:
    """A code outside the list cannot reach a result, so the test above sees every code."""
    with pytest.raises(ValueError, match="new_reason"):
        LeftOut(
            invoice_id="i-1",
            key="k.pdf",
            filename="k.pdf",
            code="new_reason",
            reason="made up",
            action=Action.SKIPPED,
        )
