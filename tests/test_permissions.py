"""Permission rules: each returns a decision with every unmet condition as a reason."""

from __future__ import annotations

from decimal import Decimal

import attrs
import pytest

from invoicebackup import PermissionDeniedError
from invoicebackup.domain import (
    Contract,
    ContractKind,
    Dictionary,
    Document,
    Invoice,
    PermissionLevel,
    Permissions,
    Project,
    Tool,
    User,
)
from invoicebackup.permissions import (
    Decision,
    Reason,
    ReasonCode,
    SubjectKind,
    can_compile_backup,
    can_edit_invoice_as_collaborator,
    can_view_invoice,
    require_compile_backup,
    require_edit_invoice_as_collaborator,
    require_view_invoice,
)

ADMIN = PermissionLevel.ADMIN
STANDARD = PermissionLevel.STANDARD
READ_ONLY = PermissionLevel.READ_ONLY
NONE = PermissionLevel.NONE


def _invoice(invoice_id: str, contract_id: str, position: int) -> Invoice:
    return Invoice(
        id=invoice_id,
        contract_id=contract_id,
        billing_period_id="bp-1",
        position=position,
        number=f"INV-{invoice_id}",
        amount=Decimal("10.00"),
        document=Document(key=f"docs/{invoice_id}.pdf", filename=f"{invoice_id}.pdf"),
    )


def _project(
    *users: User,
    language: str = "en-US",
    dictionary: Dictionary = Dictionary.GENERAL_CONTRACTOR,
) -> Project:
    """SC-1 (public subcontract), SC-2 (private, private list: vic, contact: ivy), PC-1."""
    return Project(
        id="p-1",
        name="Tower",
        language=language,
        dictionary=dictionary,
        users=users,
        contracts=(
            Contract(id="k-1", number="SC-1"),
            Contract(
                id="k-2",
                number="SC-2",
                private=True,
                private_list=("vic",),
                invoice_contacts=("ivy",),
            ),
            Contract(id="k-3", number="PC-1", kind=ContractKind.PRIME_CONTRACT),
        ),
        invoices=(
            _invoice("i-1", "k-1", 1),
            _invoice("i-2", "k-2", 1),
            _invoice("i-3", "k-3", 1),
            _invoice("i-orphan", "k-gone", 1),
        ),
    )


def _user(user_id: str = "ada", **levels: PermissionLevel) -> User:
    return User(id=user_id, name=user_id.title(), permissions=Permissions(**levels))


def _keys(decision: Decision) -> list[tuple[str, str, str]]:
    return [r.key for r in decision.reasons]


# -- compile ------------------------------------------------------------------------


def test_admin_on_commitments_compiles_subcontractor_invoices() -> None:
    """Admin on Commitments with an active account may compile subcontractor invoices."""
    project = _project(_user(commitments=ADMIN))
    decision = can_compile_backup(project, user_id="ada", invoice_ids=["i-1", "i-2"])
    assert decision.allowed
    assert bool(decision) is True
    assert decision.reasons == ()


def test_standard_on_commitments_may_not_compile() -> None:
    """Standard on Commitments gets one not_admin_on_tool reason per invoice it may see.

    i-2 is on private SC-2, whose private list does not hold ada: it reads as unknown.
    """
    project = _project(_user(commitments=STANDARD))
    decision = can_compile_backup(project, user_id="ada", invoice_ids=["i-2", "i-1"])
    assert not decision
    assert _keys(decision) == [
        ("not_admin_on_tool", "invoice", "i-1"),
        ("unknown_invoice", "invoice", "i-2"),
    ]
    first = decision.reasons[0]
    assert first.tool is Tool.COMMITMENTS
    assert first.required_level is ADMIN
    assert first.message == (
        "Including invoice INV-i-1 (SC-1) needs Admin on Commitments; Ada has Standard."
    )


def test_owner_invoices_are_governed_by_prime_contracts() -> None:
    """An owner invoice needs Admin on Prime Contracts, not on Commitments."""
    commitments_admin = _project(_user(commitments=ADMIN))
    decision = can_compile_backup(commitments_admin, user_id="ada", invoice_ids=["i-3"])
    assert _keys(decision) == [("not_admin_on_tool", "invoice", "i-3")]
    assert decision.reasons[0].tool is Tool.PRIME_CONTRACTS
    prime_admin = _project(_user(prime_contracts=ADMIN))
    assert can_compile_backup(prime_admin, user_id="ada", invoice_ids=["i-3"]).allowed


def test_compile_lists_every_unmet_condition() -> None:
    """Account, activity, unknown invoices, orphans and levels are all reported at once."""
    user = attrs.evolve(_user(commitments=READ_ONLY), has_account=False, active=False)
    project = _project(user)
    decision = can_compile_backup(
        project, user_id="ada", invoice_ids=["i-nope", "i-orphan", "i-1", "i-1"]
    )
    assert _keys(decision) == [
        ("no_account", "user", "ada"),
        ("inactive", "user", "ada"),
        ("not_admin_on_tool", "invoice", "i-1"),
        ("unknown_invoice", "invoice", "i-nope"),
        ("unknown_contract", "invoice", "i-orphan"),
    ]
    assert "k-gone" in decision.reasons[-1].message


def test_user_outside_directory_may_not_compile() -> None:
    """A user not in the directory is told so, and has no level on any tool."""
    decision = can_compile_backup(_project(), user_id="zed", invoice_ids=["i-1"])
    assert _keys(decision) == [
        ("not_in_directory", "user", "zed"),
        ("not_admin_on_tool", "invoice", "i-1"),
    ]
    assert decision.reasons[0].message == "zed is not in the project's directory."


def test_empty_selection_needs_only_the_requester_conditions() -> None:
    """An empty selection is decided by directory, account and activity alone."""
    assert can_compile_backup(_project(_user()), user_id="ada", invoice_ids=[]).allowed
    denied = can_compile_backup(_project(), user_id="ada", invoice_ids=[])
    assert denied.codes == {"not_in_directory"}


def test_require_compile_backup_raises_with_the_decision() -> None:
    """require_compile_backup raises PermissionDeniedError carrying the same decision."""
    project = _project(_user())
    with pytest.raises(PermissionDeniedError) as caught:
        require_compile_backup(project, user_id="ada", invoice_ids=["i-1"])
    expected = can_compile_backup(project, user_id="ada", invoice_ids=["i-1"])
    assert caught.value.decision == expected
    assert isinstance(caught.value, PermissionError)
    assert "needs Admin on Commitments" in str(caught.value)


def test_require_compile_backup_passes_when_allowed() -> None:
    """require_compile_backup returns quietly when the decision allows it."""
    project = _project(_user(commitments=ADMIN))
    require_compile_backup(project, user_id="ada", invoice_ids=["i-1"])


# -- view ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "invoice_id", "codes"),
    [
        (_user(commitments=ADMIN), "i-2", set()),
        (_user(commitments=READ_ONLY), "i-1", set()),
        (_user(commitments=STANDARD), "i-2", {"not_on_private_list"}),
        (_user("vic", commitments=READ_ONLY), "i-2", set()),
        (_user("ivy", commitments=READ_ONLY), "i-2", set()),
        (_user(commitments=NONE), "i-1", {"no_access_to_tool"}),
        (_user(commitments=NONE), "i-2", {"no_access_to_tool", "not_on_private_list"}),
        (_user("vic", commitments=NONE), "i-2", {"no_access_to_tool"}),
        (_user(commitments=ADMIN), "i-3", {"no_access_to_tool"}),
        (_user(prime_contracts=READ_ONLY), "i-3", set()),
        (_user(commitments=ADMIN), "i-orphan", {"unknown_contract"}),
        (_user(commitments=ADMIN), "i-nope", {"unknown_invoice"}),
    ],
)
def test_view_invoice(user: User, invoice_id: str, codes: set[str]) -> None:
    """Admins see every contract; readers see public ones or private ones listing them."""
    decision = can_view_invoice(_project(user), user_id=user.id, invoice_id=invoice_id)
    assert decision.codes == codes
    assert decision.allowed is (not codes)


def test_view_needs_an_active_account() -> None:
    """An admin without an active account may not view an invoice."""
    user = attrs.evolve(_user(commitments=ADMIN), active=False)
    decision = can_view_invoice(_project(user), user_id="ada", invoice_id="i-1")
    assert _keys(decision) == [("inactive", "user", "ada")]


def test_private_list_reason_names_the_contract() -> None:
    """The private-list reason is about the contract, by its number."""
    decision = can_view_invoice(
        _project(_user(commitments=STANDARD)), user_id="ada", invoice_id="i-2"
    )
    assert _keys(decision) == [("not_on_private_list", "contract", "k-2")]
    assert decision.reasons[0].message == (
        "Ada is not on the private list of the private contract SC-2."
    )


def test_require_view_invoice() -> None:
    """require_view_invoice raises when denied and passes when allowed."""
    project = _project(_user(commitments=READ_ONLY))
    require_view_invoice(project, user_id="ada", invoice_id="i-1")
    with pytest.raises(PermissionDeniedError) as caught:
        require_view_invoice(project, user_id="ada", invoice_id="i-2")
    assert caught.value.decision.codes == {"not_on_private_list"}


# -- collaborators ------------------------------------------------------------------


def test_collaborator_with_all_four_settings_may_edit() -> None:
    """Account, Standard on Commitments, private list and invoice contact: allowed."""
    project = _project(_user("ivy", commitments=STANDARD))
    assert can_edit_invoice_as_collaborator(project, user_id="ivy", contract_id="k-2").allowed


def test_collaborator_missing_every_setting_gets_every_reason() -> None:
    """Each of the four settings that is missing is a reason of its own."""
    user = attrs.evolve(_user("vic"), has_account=False)
    project = _project(user)
    decision = can_edit_invoice_as_collaborator(project, user_id="vic", contract_id="k-1")
    assert _keys(decision) == [
        ("no_account", "user", "vic"),
        ("not_standard_on_tool", "contract", "k-1"),
        ("not_invoice_contact", "contract", "k-1"),
    ]
    private = _project(attrs.evolve(user, id="ada"))
    decision = can_edit_invoice_as_collaborator(private, user_id="ada", contract_id="k-2")
    assert decision.codes == {
        "no_account",
        "not_standard_on_tool",
        "not_on_private_list",
        "not_invoice_contact",
    }


def test_collaborator_on_private_list_is_not_yet_invoice_contact() -> None:
    """Being on the private list is not enough: the invoice contact designation is needed."""
    project = _project(_user("vic", commitments=ADMIN))
    decision = can_edit_invoice_as_collaborator(project, user_id="vic", contract_id="k-2")
    assert _keys(decision) == [("not_invoice_contact", "contract", "k-2")]


def test_collaborator_on_prime_contract_needs_prime_contracts() -> None:
    """A prime contract's invoices are governed by the Prime Contracts tool."""
    project = _project(_user(commitments=ADMIN))
    decision = can_edit_invoice_as_collaborator(project, user_id="ada", contract_id="k-3")
    standard = next(r for r in decision.reasons if r.code == "not_standard_on_tool")
    assert standard.tool is Tool.PRIME_CONTRACTS
    assert standard.required_level is STANDARD


def test_collaborator_unknown_contract() -> None:
    """A contract not in the project gives unknown_contract, about the contract."""
    project = _project(_user(commitments=ADMIN))
    decision = can_edit_invoice_as_collaborator(project, user_id="ada", contract_id="k-nope")
    assert _keys(decision) == [("unknown_contract", "contract", "k-nope")]


def test_require_edit_invoice_as_collaborator() -> None:
    """require_edit_invoice_as_collaborator raises when denied and passes when allowed."""
    project = _project(_user("ivy", commitments=STANDARD), _user("vic", commitments=STANDARD))
    require_edit_invoice_as_collaborator(project, user_id="ivy", contract_id="k-2")
    with pytest.raises(PermissionDeniedError) as caught:
        require_edit_invoice_as_collaborator(project, user_id="vic", contract_id="k-2")
    assert caught.value.decision.codes == {"not_invoice_contact"}


# -- wording ------------------------------------------------------------------------


def test_reasons_speak_the_project_language_and_dictionary() -> None:
    """An owner-dictionary fr-CA project names Prime Contracts "Financement" in French."""
    project = _project(_user(commitments=ADMIN), language="fr-CA", dictionary=Dictionary.OWNER)
    decision = can_compile_backup(project, user_id="ada", invoice_ids=["i-3"])
    assert decision.reasons[0].message == (
        "Inclure la facture INV-i-3 (PC-1) exige le niveau Admin dans l'outil Financement; "
        "Ada a le niveau Aucun."
    )


def test_reason_codes_are_stable_strings() -> None:
    """Reason codes and subject kinds are stored as plain strings with stable values."""
    reason = Reason(
        code=ReasonCode.NO_ACCOUNT, subject_kind=SubjectKind.USER, subject_id="u", message="m"
    )
    assert type(reason.code) is str
    assert type(reason.subject_kind) is str
    assert reason.code == "no_account"
    assert reason.key == ("no_account", "user", "u")
    assert [c.value for c in ReasonCode] == [
        "not_in_directory",
        "no_account",
        "inactive",
        "unknown_invoice",
        "unknown_contract",
        "no_access_to_tool",
        "not_standard_on_tool",
        "not_admin_on_tool",
        "not_on_private_list",
        "not_invoice_contact",
    ]


def test_every_reason_code_has_a_message_template() -> None:
    """Each reason code has a message template in the terminology table."""
    from invoicebackup.terminology import TERMS

    assert [c.value for c in ReasonCode if f"reason.{c.value}" not in TERMS] == []
