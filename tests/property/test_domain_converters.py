"""The domain's converters, for any input a host's rows could carry.

Rule (STYLE.md): "converters accept the unambiguous wire value (an enum from its string)
so a host's plain rows fail at construction, naming the field, or not at all". Each
property below gives a constructor any text (and any other JSON-ish value) and checks that
it either keeps exactly what the rule says or raises InvalidValueError naming the field:
never another exception type, never a guess.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from invoicebackup import (
    Document,
    Envelope,
    EnvelopeStatus,
    InvalidValueError,
    Invoice,
    InvoiceStatus,
    PermissionLevel,
    Permissions,
    Project,
    UnsafeKeyError,
    validate_key,
)
from invoicebackup.terminology import LANGUAGES
from tests.strategies import document_keys, documents

#: Any text, lone surrogates included (a host's strings are not always valid UTF-8).
any_text = st.text(max_size=24)
#: Text that looks like the values: their letters, in both cases, with - and _.
value_like = st.text(alphabet="abcdefghijklmnopqrstuvwxyzADINORST_- ", max_size=24)
#: The other values JSON or a database row could hold.
not_text = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.decimals(),
    st.binary(max_size=8),
    st.lists(st.text(max_size=4), max_size=3),
)


def _expected_member(kind: type[enum.Enum], value: str) -> enum.Enum | None:
    """The member *value* names under the rule: its value in any ASCII case."""
    if not value.isascii():
        return None
    return next((m for m in kind if m.value == value.lower()), None)


def _outcome(make: Callable[[], Any]) -> Any:
    """What *make* returns, or the InvalidValueError it raises (any other exception escapes)."""
    try:
        return make()
    except InvalidValueError as error:
        return error


def _check_member(kind: type[enum.Enum], field: str, value: Any, make: Any) -> None:
    expected = _expected_member(kind, value) if isinstance(value, str) else None
    made = _outcome(lambda: make(value))
    if isinstance(made, InvalidValueError):
        assert expected is None, f"{value!r} names {expected} but was refused"
        assert made.field == field
        assert made.allowed == tuple(m.value for m in kind)
        assert str(made).startswith(f"{field}: {value!r} is not one of ")
    else:
        assert made is expected


@given(value=st.one_of(any_text, value_like, st.sampled_from(InvoiceStatus).map(lambda m: m.value)))
def test_invoice_status_is_its_value_in_any_ascii_case_or_refused(value: str) -> None:
    """Invoice.status: a string converts to the member whose value matches, or is refused."""
    _check_member(
        InvoiceStatus,
        "Invoice.status",
        value,
        lambda v: (
            Invoice(
                id="i",
                contract_id="k",
                billing_period_id="bp",
                position=1,
                number="1",
                status=v,
                document=Document(key="d.pdf", filename="d.pdf"),
            ).status
        ),
    )


@given(value=st.one_of(any_text, value_like, st.sampled_from(["ADMIN", "Read_Only", "NONE"])))
def test_permission_levels_are_their_value_in_any_ascii_case_or_refused(value: str) -> None:
    """Permissions.invoicing: "Admin" is admin; "Read Only", a long-s "standard", "" are refused."""
    _check_member(
        PermissionLevel,
        "Permissions.invoicing",
        value,
        lambda v: Permissions(invoicing=v).invoicing,
    )


@given(value=st.one_of(any_text, value_like, st.sampled_from(["timedOut", "COMPLETED"])))
def test_envelope_status_is_its_value_in_any_ascii_case_or_refused(value: str) -> None:
    """Envelope.status follows the same rule (DocuSign's camelCase timedOut included)."""
    _check_member(
        EnvelopeStatus, "Envelope.status", value, lambda v: Envelope(id="e", status=v).status
    )


@given(value=not_text)
def test_a_value_that_is_not_text_is_refused_by_every_enum_field(value: Any) -> None:
    """None, numbers, bytes, lists: refused with InvalidValueError, never TypeError."""
    _check_member(
        PermissionLevel, "Permissions.commitments", value, lambda v: Permissions(commitments=v)
    )


@given(
    value=st.one_of(
        any_text,
        not_text,
        st.sampled_from(LANGUAGES).flatmap(
            lambda tag: st.sampled_from([tag, tag.lower(), tag.upper(), tag.replace("-", "_")])
        ),
    )
)
def test_a_language_is_one_of_the_languages_or_refused(value: Any) -> None:
    """Project.language keeps a language of LANGUAGES, respelled exactly, or refuses the value."""
    wanted = {tag.lower(): tag for tag in LANGUAGES}
    expected = (
        wanted.get(value.replace("_", "-").lower())
        if isinstance(value, str) and value.isascii()
        else None
    )
    language = _outcome(lambda: Project(id="p", name="P", language=value).language)
    if isinstance(language, InvalidValueError):
        assert expected is None
        assert language.field == "Project.language"
        assert language.allowed == LANGUAGES
    else:
        assert language == expected


@given(key=st.one_of(any_text, document_keys, not_text))
def test_a_document_is_made_exactly_when_its_key_is_safe(key: Any) -> None:
    """Document.key: made iff validate_key accepts it (and it is not blank); else refused."""
    try:
        safe = isinstance(key, str) and validate_key(key) == key and bool(key.strip())
    except UnsafeKeyError:
        safe = False
    document = _outcome(
        lambda: Document(key=key, filename="f", media_type="application/octet-stream")
    )
    if isinstance(document, InvalidValueError):
        assert not safe
        assert document.field == "Document.key"
    else:
        assert safe
        assert document.key == key


@given(key=document_keys, media_type=st.one_of(any_text, not_text, st.from_regex(r"\A\w+/\w+\Z")))
def test_a_media_type_is_kept_lower_cased_or_refused(key: str, media_type: Any) -> None:
    """Document.media_type: kept (type/subtype lower-cased) or refused, naming the field."""
    document = _outcome(lambda: Document(key=key, filename="f", media_type=media_type))
    if isinstance(document, InvalidValueError):
        assert document.field == "Document.media_type"
    elif media_type is None:  # absent: inferred (test_a_document_keeps_its_media_type...)
        assert document.media_type
    else:
        assert isinstance(media_type, str)
        essence, separator, parameters = media_type.partition(";")
        assert document.media_type == essence.lower() + separator + parameters
        assert document.media_type.count("/") >= 1


@given(document=documents())
def test_a_document_keeps_its_media_type_when_made_again(document: Document) -> None:
    """Inference and checks are stable: a document's fields make an equal document."""
    again = Document(key=document.key, filename=document.filename, media_type=document.media_type)
    assert again == document
    assert Document(key=document.key, filename=document.filename).media_type == (
        Document(key=document.key, filename=document.filename, media_type=None).media_type
    )
