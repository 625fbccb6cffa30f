"""Properties of the permission rules, on generated projects, users and selections."""

from __future__ import annotations

import attrs
from hypothesis import given
from hypothesis import strategies as st

from invoicebackup.domain import (
    Contract,
    Dictionary,
    Document,
    Invoice,
    PermissionLevel,
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
)
from tests.strategies import (
    Grant,
    PermissionCase,
    grants,
    permission_cases,
    put_contract,
    put_user,
)

Key = tuple[str, str, str]


def _decisions(case: PermissionCase, project: Project | None = None) -> dict[str, Decision]:
    """The three rules' decisions on *case* (optionally on another version of its project)."""
    p = case.project if project is None else project
    return {
        "compile": can_compile_backup(p, user_id=case.user_id, invoice_ids=case.invoice_ids),
        "view": can_view_invoice(p, user_id=case.user_id, invoice_id=case.invoice_id),
        "collaborate": can_edit_invoice_as_collaborator(
            p, user_id=case.user_id, contract_id=case.contract_id
        ),
    }


def _keys(decision: Decision) -> set[Key]:
    return {r.key for r in decision.reasons}


def _user(project: Project, user_id: str) -> User:
    """The user *user_id*, or a new one with the defaults (account, active, no levels)."""
    user = project.user(user_id)
    return user if user is not None else User(id=user_id, name="")


def _fresh_id(prefix: str, taken: set[str]) -> str:
    n = 0
    while f"{prefix}{n}" in taken:
        n += 1
    return f"{prefix}{n}"


def _fix(project: Project, user_id: str, reason: Reason) -> Project:
    """*project* with the condition *reason* names met, and nothing else granted."""
    code = ReasonCode(reason.code)
    user = _user(project, user_id)
    if code is ReasonCode.NOT_IN_DIRECTORY:
        return put_user(project, user)
    if code is ReasonCode.NO_ACCOUNT:
        return put_user(project, attrs.evolve(user, has_account=True))
    if code is ReasonCode.INACTIVE:
        return put_user(project, attrs.evolve(user, active=True))
    if reason.tool is not None and reason.required_level is not None:
        permissions = user.permissions.with_level(reason.tool, reason.required_level)
        return put_user(project, attrs.evolve(user, permissions=permissions))
    if code is ReasonCode.UNKNOWN_INVOICE:
        hidden = project.invoice(reason.subject_id)
        if hidden is not None:
            # On a private contract she may not know of: put her in the directory and
            # on its private list, which is what makes it visible.
            contract = project.contract(hidden.contract_id)
            assert contract is not None
            visible = attrs.evolve(contract, private_list=(*contract.private_list, user_id))
            return put_contract(put_user(project, user), visible)
        contract_id = _fresh_id("k-fix-", {c.id for c in project.contracts})
        invoice = Invoice(
            id=reason.subject_id,
            contract_id=contract_id,
            billing_period_id="bp-fix",
            position=1,
            number="FIX-1",
            document=Document(key="fix.pdf", filename="fix.pdf"),
        )
        return attrs.evolve(
            project,
            contracts=[*project.contracts, Contract(id=contract_id, number="FIX")],
            invoices=[*project.invoices, invoice],
        )
    if code is ReasonCode.UNKNOWN_CONTRACT:
        contract_id = reason.subject_id
        if reason.subject_kind == SubjectKind.INVOICE:
            orphan = project.invoice(reason.subject_id)
            assert orphan is not None
            contract_id = orphan.contract_id
        return put_contract(project, Contract(id=contract_id, number="FIX"))
    contract = project.contract(reason.subject_id)
    assert contract is not None
    if code is ReasonCode.NOT_ON_PRIVATE_LIST:
        listed = (*contract.private_list, user_id)
        return put_contract(project, attrs.evolve(contract, private_list=listed))
    assert code is ReasonCode.NOT_INVOICE_CONTACT, code
    contacts = (*contract.invoice_contacts, user_id)
    return put_contract(project, attrs.evolve(contract, invoice_contacts=contacts))


def _empowered(project: Project, user_id: str) -> Project:
    """*project* where *user_id* is an active directory member, Admin on Commitments."""
    user = _user(project, user_id)
    permissions = user.permissions.with_level(Tool.COMMITMENTS, PermissionLevel.ADMIN)
    return put_user(
        project, attrs.evolve(user, has_account=True, active=True, permissions=permissions)
    )


def _subcontractor_invoices(project: Project) -> list[str]:
    """The invoices of the project's commitments (subcontracts, purchase orders)."""
    ids = []
    for invoice in project.invoices:
        contract = project.contract(invoice.contract_id)
        if contract is not None and contract.kind.is_commitment:
            ids.append(invoice.id)
    return ids


@given(case=permission_cases(), grant=grants())
def test_granting_never_denies(case: PermissionCase, grant: Grant) -> None:
    """A grant never adds a reason to any rule's decision, so allowed stays allowed.

    Rule: "Raising any permission level, giving an account, or adding a user to a private
    list or as invoice contact never turns an allowed decision into a denied one."
    """
    before = _decisions(case)
    after = _decisions(case, grant.apply(case.project, case.user_id))
    for rule, decision in before.items():
        assert _keys(after[rule]) <= _keys(decision) | _revealed(decision, after[rule]), rule
        if decision.allowed:
            assert after[rule].allowed, rule


def _revealed(before: Decision, after: Decision) -> set[Key]:
    """Reasons about invoices that read as unknown before: a grant may reveal them.

    An invoice of a private contract the requester may not know of is refused as an
    unknown id, telling nothing of it (issue 17); a grant that lets the requester know
    of the contract (Admin on its tool, a place on its list, the directory) turns that one
    reason into the invoice's real ones. No allowance is taken away: it was denied before.
    """
    hidden = {r.subject_id for r in before.reasons if r.code == ReasonCode.UNKNOWN_INVOICE}
    return {r.key for r in after.reasons if r.subject_id in hidden}


@given(case=permission_cases(), data=st.data())
def test_commitments_admin_compiles_any_subcontractor_selection(
    case: PermissionCase, data: st.DataObject
) -> None:
    """An active Commitments admin may compile any selection of subcontractor invoices.

    Rule: "Admin on Commitments with an active account in the project may always compile
    any selection of that project's subcontractor invoices."
    """
    project = _empowered(case.project, case.user_id)
    eligible = _subcontractor_invoices(project)
    selection = data.draw(
        st.lists(st.sampled_from(eligible), max_size=8) if eligible else st.just([])
    )
    decision = can_compile_backup(project, user_id=case.user_id, invoice_ids=selection)
    assert decision.allowed, decision.reasons


@given(case=permission_cases())
def test_without_an_account_never_compiles(case: PermissionCase) -> None:
    """A user without an account never compiles, not even as Admin on every tool.

    Rule: "... may always compile any selection ...; without an account, never."
    """
    user = _user(case.project, case.user_id)
    permissions = user.permissions
    for tool in Tool:
        permissions = permissions.with_level(tool, PermissionLevel.ADMIN)
    project = put_user(case.project, attrs.evolve(user, has_account=False, permissions=permissions))
    decision = can_compile_backup(project, user_id=case.user_id, invoice_ids=case.invoice_ids)
    assert not decision.allowed
    assert (ReasonCode.NO_ACCOUNT, SubjectKind.USER, case.user_id) in _keys(decision)


@given(case=permission_cases(), data=st.data())
def test_order_and_repetition_never_change_the_decision(
    case: PermissionCase, data: st.DataObject
) -> None:
    """Shuffling and repeating the selection gives the very same decision, reasons in order.

    Rule: "Order and repetition of the selection never change the decision."
    """
    selection = list(case.invoice_ids)
    repeats = data.draw(
        st.lists(st.sampled_from(selection), max_size=4) if selection else st.just([])
    )
    shuffled = data.draw(st.permutations(selection + repeats))
    expected = can_compile_backup(case.project, user_id=case.user_id, invoice_ids=selection)
    got = can_compile_backup(case.project, user_id=case.user_id, invoice_ids=iter(shuffled))
    assert got == expected


@given(case=permission_cases())
def test_selection_is_decided_invoice_by_invoice(case: PermissionCase) -> None:
    """A selection's reasons are the union of each invoice's reasons, listed once each.

    Rule: "The selection is all-or-nothing: the decision lists each invoice the user may
    not include and why."
    """
    whole = can_compile_backup(case.project, user_id=case.user_id, invoice_ids=case.invoice_ids)
    parts = [
        can_compile_backup(case.project, user_id=case.user_id, invoice_ids=[invoice_id])
        for invoice_id in case.invoice_ids
    ]
    alone = can_compile_backup(case.project, user_id=case.user_id, invoice_ids=[])
    union = set().union(_keys(alone), *(_keys(p) for p in parts))
    assert _keys(whole) == union
    assert len(whole.reasons) == len(_keys(whole))
    for reason in whole.reasons:
        if reason.subject_kind == SubjectKind.INVOICE:
            assert reason.subject_id in case.invoice_ids


@given(
    case=permission_cases(),
    dictionary=st.sampled_from(Dictionary),
    # Every spelling a project takes (an unknown language is refused when the project is made).
    language=st.sampled_from(["en-US", "fr-CA", "en_us", "FR-ca"]),
)
def test_dictionary_and_language_change_only_the_wording(
    case: PermissionCase, dictionary: Dictionary, language: str
) -> None:
    """Dictionary and language change no reason, only messages; fr-CA differs from en-US.

    Rule: "The dictionary and language never change the decision, only the wording."
    """

    def shape(decision: Decision) -> list[tuple[Key, Tool | None, PermissionLevel | None]]:
        return [(r.key, r.tool, r.required_level) for r in decision.reasons]

    base = _decisions(case)
    other = _decisions(case, attrs.evolve(case.project, dictionary=dictionary, language=language))
    english = _decisions(case, attrs.evolve(case.project, dictionary=dictionary, language="en-US"))
    french = _decisions(case, attrs.evolve(case.project, dictionary=dictionary, language="fr-CA"))
    for rule, decision in base.items():
        assert shape(other[rule]) == shape(decision), rule
        for en, fr in zip(english[rule].reasons, french[rule].reasons, strict=True):
            assert en.message != fr.message


@given(case=permission_cases())
def test_every_denial_is_explained(case: PermissionCase) -> None:
    """A denial has reasons: known codes and subjects, worded, listed once, in canonical order.

    Rule: "Every denial has at least one reason."
    """
    for rule, decision in _decisions(case).items():
        assert decision.allowed == (not decision.reasons), rule
        assert len(_keys(decision)) == len(decision.reasons), rule
        for reason in decision.reasons:
            assert reason.code in set(ReasonCode)
            assert reason.subject_kind in set(SubjectKind)
            assert reason.message.strip()
        kinds, codes = list(SubjectKind), list(ReasonCode)
        order = [
            (
                kinds.index(SubjectKind(r.subject_kind)),
                r.subject_id,
                codes.index(ReasonCode(r.code)),
            )
            for r in decision.reasons
        ]
        assert order == sorted(order), rule


@given(case=permission_cases())
def test_fixing_a_reason_removes_it(case: PermissionCase) -> None:
    """Meeting the condition a reason names removes that reason from the decision.

    Rule: "Fixing the condition a reason names removes that reason."
    """
    for rule, decision in _decisions(case).items():
        for reason in decision.reasons:
            fixed = _fix(case.project, case.user_id, reason)
            assert reason.key not in _keys(_decisions(case, fixed)[rule]), (rule, reason)


@given(case=permission_cases())
def test_governing_admin_sees_every_invoice(case: PermissionCase) -> None:
    """An active admin of the governing tool may view any invoice of a known contract.

    Rule: "Admin on the governing tool sees every contract, private or not."
    """
    invoice = case.project.invoice(case.invoice_id)
    contract = case.project.contract(invoice.contract_id) if invoice is not None else None
    if invoice is None or contract is None:
        return
    user = _user(case.project, case.user_id)
    permissions = user.permissions.with_level(contract.kind.governing_tool, PermissionLevel.ADMIN)
    project = put_user(
        case.project, attrs.evolve(user, has_account=True, active=True, permissions=permissions)
    )
    assert can_view_invoice(project, user_id=case.user_id, invoice_id=case.invoice_id).allowed
