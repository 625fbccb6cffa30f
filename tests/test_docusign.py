"""The DocuSign core: account links, sync status, the signature catalog and its rule."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import attrs
import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from invoicebackup.docusign import (
    ENVELOPE_OUTCOMES,
    GOVERNING_TOOLS,
    MAX_IDLE,
    SIGNABLE_INVOICE_STATUSES,
    SIGNATURE_CATALOG,
    TRANSITIONS,
    EnvelopeInfo,
    EnvelopeOutcome,
    InvoiceDirection,
    LinkEvent,
    SignableItem,
    SignableKind,
    SignatureProvider,
    SignatureTool,
    SyncReport,
    SyncStatus,
    can_request_signature,
    expire_if_stale,
    is_complete,
    is_final_unsuccessful,
    is_in_progress,
    link_account,
    next_link_state,
    reauthenticate,
    record_use,
    revoke_grant,
    sync_status,
    unlink_account,
)
from invoicebackup.domain import (
    Contract,
    ContractKind,
    Dictionary,
    Document,
    DocuSignLink,
    EnvelopeStatus,
    Invoice,
    InvoiceStatus,
    LinkState,
    PermissionLevel,
    Permissions,
    Project,
    Tool,
    User,
)
from invoicebackup.errors import EnvelopeNotFoundError, InvalidTransitionError
from invoicebackup.terminology import LANGUAGES, Vocabulary
from invoicebackup.testing import InMemorySignatureProvider
from tests.strategies import docusign_links, permission_levels, permissions

T0 = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)
ACCOUNT_ID, BASE_URI = "acc-1", "https://demo.docusign.net"


def linked(at: datetime = T0) -> DocuSignLink:
    return link_account(now=at, account_id=ACCOUNT_ID, base_uri=BASE_URI)


# -- the transition table -------------------------------------------------------------------


def test_the_table_is_the_documented_life_cycle() -> None:
    """Not linked → linked → re-authentication required → linked; unlink from either."""
    assert dict(TRANSITIONS) == {
        (LinkState.NOT_LINKED, LinkEvent.GRANT): LinkState.LINKED,
        (LinkState.LINKED, LinkEvent.USE): LinkState.LINKED,
        (LinkState.LINKED, LinkEvent.EXPIRE): LinkState.REAUTHENTICATION_REQUIRED,
        (LinkState.LINKED, LinkEvent.REVOKE): LinkState.REAUTHENTICATION_REQUIRED,
        (LinkState.LINKED, LinkEvent.UNLINK): LinkState.NOT_LINKED,
        (LinkState.REAUTHENTICATION_REQUIRED, LinkEvent.REAUTHENTICATE): LinkState.LINKED,
        (LinkState.REAUTHENTICATION_REQUIRED, LinkEvent.UNLINK): LinkState.NOT_LINKED,
    }


@pytest.mark.parametrize("state", list(LinkState))
@pytest.mark.parametrize("event", list(LinkEvent))
def test_an_event_outside_the_table_raises(state: LinkState, event: LinkEvent) -> None:
    """Every (state, event) pair the table lacks raises InvalidTransitionError naming both."""
    if (state, event) in TRANSITIONS:
        assert next_link_state(state, event) is TRANSITIONS[(state, event)]
        return
    with pytest.raises(InvalidTransitionError) as caught:
        next_link_state(state, event)
    assert (caught.value.state, caught.value.event) == (state.value, event.value)


def test_linking_records_the_grant() -> None:
    """A grant stores the account, its base URI, when it was granted and last used."""
    link = linked()
    assert link == DocuSignLink(
        state=LinkState.LINKED,
        linked_at=T0,
        last_used_at=T0,
        account_id=ACCOUNT_ID,
        base_uri=BASE_URI,
    )


def test_use_moves_last_used_forward_only() -> None:
    """Using a link updates its last use, never backwards."""
    later = record_use(linked(), now=T0 + timedelta(days=3))
    assert later.last_used_at == T0 + timedelta(days=3)
    assert record_use(later, now=T0).last_used_at == T0 + timedelta(days=3)
    with pytest.raises(InvalidTransitionError):
        record_use(DocuSignLink(), now=T0)


def test_a_link_unused_for_30_days_expires() -> None:
    """Unused for 30 days, a link needs re-authentication; a day less, it does not."""
    link = record_use(linked(), now=T0 + timedelta(days=1))
    fresh = expire_if_stale(link, now=T0 + timedelta(days=30, hours=23))
    assert fresh is link
    stale = expire_if_stale(link, now=T0 + timedelta(days=31))
    assert stale.state is LinkState.REAUTHENTICATION_REQUIRED
    assert stale.account_id == "acc-1"
    assert expire_if_stale(stale, now=T0 + timedelta(days=90)) is stale


def test_revoke_then_reauthenticate_links_again() -> None:
    """A revoked grant needs a new login, after which the link is linked and fresh."""
    revoked = revoke_grant(linked())
    assert revoked.state is LinkState.REAUTHENTICATION_REQUIRED
    back = reauthenticate(revoked, now=T0 + timedelta(days=2))
    assert (back.state, back.linked_at, back.account_id) == (
        LinkState.LINKED,
        T0 + timedelta(days=2),
        "acc-1",
    )
    with pytest.raises(InvalidTransitionError):
        reauthenticate(back, now=T0)
    with pytest.raises(InvalidTransitionError):
        link_account(back, now=T0, account_id=ACCOUNT_ID, base_uri=BASE_URI)


def test_unlink_forgets_the_account() -> None:
    """Unlinking from linked or awaiting re-authentication leaves an empty link."""
    assert unlink_account(linked()) == DocuSignLink()
    assert unlink_account(revoke_grant(linked())) == DocuSignLink()
    with pytest.raises(InvalidTransitionError):
        unlink_account(DocuSignLink())


_EVENT_FUNCTIONS: dict[LinkEvent, Callable[[DocuSignLink, datetime], DocuSignLink]] = {
    LinkEvent.GRANT: lambda link, now: link_account(
        link, now=now, account_id=ACCOUNT_ID, base_uri=BASE_URI
    ),
    LinkEvent.USE: lambda link, now: record_use(link, now=now),
    LinkEvent.EXPIRE: lambda link, now: expire_if_stale(link, now=now + MAX_IDLE * 2),
    LinkEvent.REVOKE: lambda link, now: revoke_grant(link),
    LinkEvent.REAUTHENTICATE: lambda link, now: reauthenticate(link, now=now),
    LinkEvent.UNLINK: lambda link, now: unlink_account(link),
}


@given(
    start=docusign_links(),
    events=st.lists(st.sampled_from(LinkEvent), max_size=12),
)
def test_no_event_sequence_reaches_an_undefined_state(
    start: DocuSignLink, events: list[LinkEvent]
) -> None:
    """Rule: every event either follows the table or raises and changes nothing."""
    link = start
    for n, event in enumerate(events):
        now = T0 + timedelta(days=n)
        before = link
        try:
            link = _EVENT_FUNCTIONS[event](link, now)
        except InvalidTransitionError:
            assert (before.state, event) not in TRANSITIONS
            assert link is before
            continue
        if event is LinkEvent.EXPIRE and before.state is LinkState.LINKED:
            expected = TRANSITIONS[(before.state, event)]
            assert link.state in (expected, before.state)  # a link without dates never expires
        elif event is not LinkEvent.EXPIRE:
            assert link.state is TRANSITIONS[(before.state, event)]
        assert link.state in set(LinkState)
        if link.state is not LinkState.NOT_LINKED:
            assert link.account_id
            assert link.base_uri


# -- sync status ------------------------------------------------------------------------------


def user_with(link: DocuSignLink, **fields: object) -> User:
    return User(id="u-1", name="Ada", docusign=link, **fields)  # type: ignore[arg-type]


def test_sync_status_names_the_state() -> None:
    """Linked and recently used is synced; no link is not linked; revoked or idle needs a login."""
    now = T0 + timedelta(days=5)
    assert sync_status(user_with(linked()), now=now).status is SyncStatus.SYNCED
    assert sync_status(user_with(DocuSignLink()), now=now).status is SyncStatus.NOT_LINKED
    revoked = sync_status(user_with(revoke_grant(linked())), now=now)
    assert revoked.status is SyncStatus.REAUTHENTICATION_REQUIRED
    assert str(revoked) == "re-authentication required"
    stale = sync_status(user_with(linked()), now=T0 + timedelta(days=30))
    assert stale.status is SyncStatus.REAUTHENTICATION_REQUIRED
    assert stale.idle_days == 30
    assert str(stale) == "re-authentication required (last used 2024-01-01, 30 days idle)"
    assert str(sync_status(user_with(linked()), now=T0 + timedelta(days=29))) == "synced"


def test_sync_status_describes_the_state_in_french() -> None:
    """The state and its idle detail follow the language."""
    stale = sync_status(user_with(linked()), now=T0 + timedelta(days=45))
    assert stale.describe(language="fr-CA") == (
        "nouvelle authentification requise (dernière utilisation le 2024-01-01, "
        "inactif depuis 45 jours)"
    )
    assert SyncReport(status=SyncStatus.NOT_LINKED).describe(language="fr-CA") == "non lié"


def test_sync_status_without_now_reads_the_clock() -> None:
    """Without a time, staleness is judged at the current time (here a clock the test sets)."""
    with time_machine.travel(T0 + timedelta(days=10), tick=False):
        assert sync_status(user_with(linked())).status is SyncStatus.SYNCED
    with time_machine.travel(T0 + timedelta(days=31), tick=False):
        assert sync_status(user_with(linked())).status is SyncStatus.REAUTHENTICATION_REQUIRED


def test_sync_labels_name_states_and_captions_follow_the_page() -> None:
    """Labels name the state; captions are the profile page's words, in English and French."""
    assert [s.label() for s in SyncStatus] == [
        "synced",
        "not linked",
        "re-authentication required",
    ]
    assert SyncStatus.SYNCED.caption() == "Synced"
    assert SyncStatus.NOT_LINKED.caption() == "Login with DocuSign"
    assert SyncStatus.REAUTHENTICATION_REQUIRED.caption() == "Login with DocuSign"
    assert SyncStatus.SYNCED.caption(language="fr-CA") == "Synchronisé"
    assert SyncStatus.NOT_LINKED.caption(language="fr") == "Connexion avec DocuSign"


# -- the catalog -------------------------------------------------------------------------------


def test_catalog_lists_what_each_tool_collects_signatures_for() -> None:
    """The catalog is the product's table: tool → kinds, invoices with their direction."""
    table = {
        tool: [(e.kind, e.direction) for e in entries]
        for tool, entries in SIGNATURE_CATALOG.items()
    }
    k, up, down = SignableKind, InvoiceDirection.UPSTREAM, InvoiceDirection.DOWNSTREAM
    assert table == {
        SignatureTool.CHANGE_ORDERS: [
            (k.COMMITMENT_CHANGE_ORDER, None),
            (k.PRIME_CONTRACT_CHANGE_ORDER, None),
        ],
        SignatureTool.COMMITMENTS: [
            (k.PURCHASE_ORDER, None),
            (k.SUBCONTRACT, None),
            (k.COMMITMENT_CHANGE_ORDER, None),
        ],
        SignatureTool.CORRESPONDENCE: [(k.CORRESPONDENCE, None)],
        SignatureTool.DOCUMENTS: [(k.DOCUMENT, None)],
        SignatureTool.INVOICING: [(k.OWNER_INVOICE, up), (k.SUBCONTRACTOR_INVOICE, down)],
        SignatureTool.PRIME_CONTRACTS: [
            (k.PRIME_CONTRACT, None),
            (k.PRIME_CONTRACT_CHANGE_ORDER, None),
            (k.OWNER_INVOICE, up),
        ],
    }
    assert set(GOVERNING_TOOLS) == set(SignableKind)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("dictionary", list(Dictionary))
def test_every_catalog_word_exists_in_every_language(language: str, dictionary: Dictionary) -> None:
    """Every tool, kind, direction and sync label has a name in every language."""
    words = Vocabulary(dictionary=dictionary, language=language)
    names = [t.label(words=words) for t in SignatureTool]
    names += [k.label(words=words) for k in SignableKind]
    names += [d.label(words=words) for d in InvoiceDirection]
    names += [s.label(language=language) for s in SyncStatus]
    names += [s.caption(language=language) for s in SyncStatus]
    assert all(name.strip() for name in names)


def test_names_follow_the_dictionary_and_language() -> None:
    """Prime contract items take the owner's and the specialty contractor's words."""
    owner = Vocabulary(dictionary=Dictionary.OWNER, language="en-US")
    specialty_fr = Vocabulary(dictionary=Dictionary.SPECIALTY_CONTRACTOR, language="fr-CA")
    assert SignableKind.PRIME_CONTRACT.label(words=owner) == "Funding"
    assert SignableKind.SUBCONTRACTOR_INVOICE.label(words=owner) == "Contractor Invoices"
    assert SignatureTool.PRIME_CONTRACTS.label(words=specialty_fr) == "Contrats clients"
    assert SignatureTool.CHANGE_ORDERS.label() == "Change Orders"
    assert InvoiceDirection.UPSTREAM.label(words=specialty_fr) == "Ce sont vos factures en amont"


# -- can_request_signature ------------------------------------------------------------------


def project_with(user: User, *, enabled: bool = True, **fields: object) -> Project:
    contracts = (
        Contract(id="k-sub", number="SC-1", kind=ContractKind.SUBCONTRACT),
        Contract(id="k-prime", number="PC-1", kind=ContractKind.PRIME_CONTRACT),
        Contract(id="k-private", number="SC-2", private=True, private_list=("u-listed",)),
    )
    return Project(
        id="p-1",
        name="Tower",
        docusign_enabled=enabled,
        users=(user,),
        contracts=contracts,
        **fields,  # type: ignore[arg-type]
    )


STANDARD = Permissions(
    commitments=PermissionLevel.STANDARD, prime_contracts=PermissionLevel.STANDARD
)
SYNCED_USER = User(id="u-1", name="Ada", permissions=STANDARD, docusign=linked(T0))
APPROVED_SUB_INVOICE = SignableItem(
    kind=SignableKind.SUBCONTRACTOR_INVOICE,
    id="i-1",
    invoice_status=InvoiceStatus.APPROVED,
    contract_id="k-sub",
)


def decide(project: Project, user: User, item: SignableItem, **kw: object) -> set[str]:
    decision = can_request_signature(project, user, item, now=T0 + timedelta(days=1), **kw)  # type: ignore[arg-type]
    assert decision.allowed is (not decision.reasons)
    return set(decision.codes)


def test_a_synced_standard_user_may_request_on_an_approved_invoice() -> None:
    """Everything in order: allowed, no reason."""
    assert decide(project_with(SYNCED_USER), SYNCED_USER, APPROVED_SUB_INVOICE) == set()


def test_every_reason_is_given_at_once() -> None:
    """Integration off, no link, read-only, a draft invoice: four reasons together."""
    user = User(
        id="u-1", name="Ada", permissions=Permissions(commitments=PermissionLevel.READ_ONLY)
    )
    item = attrs.evolve(APPROVED_SUB_INVOICE, invoice_status=InvoiceStatus.DRAFT)
    assert decide(project_with(user, enabled=False), user, item) == {
        "docusign_disabled",
        "docusign_not_linked",
        "not_standard_on_tool",
        "invoice_status_not_signable",
    }


def test_a_stale_or_revoked_link_needs_reauthentication() -> None:
    """A link awaiting re-authentication, or unused for 30 days, is refused as such."""
    revoked = attrs.evolve(SYNCED_USER, docusign=revoke_grant(linked()))
    assert decide(project_with(revoked), revoked, APPROVED_SUB_INVOICE) == {
        "docusign_reauthentication_required"
    }
    old = attrs.evolve(SYNCED_USER, docusign=linked(T0 - timedelta(days=40)))
    assert decide(project_with(old), old, APPROVED_SUB_INVOICE) == {
        "docusign_reauthentication_required"
    }


def test_an_item_its_tool_does_not_list_is_unsupported() -> None:
    """A subcontract sent for signature from the Documents tool is refused."""
    item = SignableItem(kind=SignableKind.SUBCONTRACT, id="k-sub", tool=SignatureTool.DOCUMENTS)
    project = project_with(SYNCED_USER)
    assert decide(project, SYNCED_USER, item) == {"item_not_signable"}
    assert decide(project, SYNCED_USER, attrs.evolve(item, tool=SignatureTool.COMMITMENTS)) == set()


@pytest.mark.parametrize("status", list(InvoiceStatus))
def test_only_approved_or_pending_owner_invoices_are_signable(status: InvoiceStatus) -> None:
    """Approved, approved as noted and pending owner approval only."""
    item = attrs.evolve(APPROVED_SUB_INVOICE, invoice_status=status)
    codes = decide(project_with(SYNCED_USER), SYNCED_USER, item)
    assert (codes == set()) is (status in SIGNABLE_INVOICE_STATUSES)


def test_an_invoice_status_is_read_from_the_project_when_not_given() -> None:
    """Without a status on the item, the project's invoice with that id decides."""
    invoice = Invoice(
        id="i-1",
        contract_id="k-prime",
        billing_period_id="bp-1",
        position=1,
        number="1",
        status=InvoiceStatus.UNDER_REVIEW,
        document=Document(key="docs/i-1.pdf", filename="i-1.pdf"),
    )
    project = project_with(SYNCED_USER, invoices=(invoice,))
    contract = project.contract("k-prime")
    assert contract is not None
    item = SignableItem.for_invoice(invoice, contract=contract)
    assert item.kind is SignableKind.OWNER_INVOICE
    assert decide(project, SYNCED_USER, attrs.evolve(item, invoice_status=None)) == {
        "invoice_status_not_signable"
    }


def test_owner_invoices_are_governed_by_prime_contracts() -> None:
    """An owner invoice needs Standard on Prime Contracts, whichever tool asks."""
    user = attrs.evolve(
        SYNCED_USER,
        permissions=STANDARD.with_level(Tool.PRIME_CONTRACTS, PermissionLevel.READ_ONLY),
    )
    item = SignableItem(
        kind=SignableKind.OWNER_INVOICE,
        id="i-9",
        tool=SignatureTool.INVOICING,
        invoice_status=InvoiceStatus.PENDING_OWNER_APPROVAL,
    )
    assert decide(project_with(user), user, item) == {"not_standard_on_tool"}
    assert decide(project_with(SYNCED_USER), SYNCED_USER, item) == set()


def test_correspondence_and_documents_take_their_level_from_the_host() -> None:
    """Tools the domain has no permission for count as None unless the host gives a level."""
    item = SignableItem(kind=SignableKind.CORRESPONDENCE, id="c-1")
    project = project_with(SYNCED_USER)
    assert decide(project, SYNCED_USER, item) == {"not_standard_on_tool"}
    levels = {SignatureTool.CORRESPONDENCE: PermissionLevel.STANDARD}
    assert decide(project, SYNCED_USER, item, tool_levels=levels) == set()


def test_a_private_contract_needs_admin_or_the_private_list() -> None:
    """On a private contract, Standard is not enough without a place on its list."""
    item = SignableItem(kind=SignableKind.SUBCONTRACT, id="k-private", contract_id="k-private")
    project = project_with(SYNCED_USER)
    assert decide(project, SYNCED_USER, item) == {"not_on_private_list"}
    listed = attrs.evolve(SYNCED_USER, id="u-listed")
    assert decide(project_with(listed), listed, item) == set()
    admin = attrs.evolve(
        SYNCED_USER, permissions=STANDARD.with_level(Tool.COMMITMENTS, PermissionLevel.ADMIN)
    )
    assert decide(project_with(admin), admin, item) == set()
    unknown = attrs.evolve(item, contract_id="k-nowhere")
    assert decide(project, SYNCED_USER, unknown) == {"unknown_contract"}


def test_reasons_are_worded_in_the_projects_language() -> None:
    """A French project gets French reasons naming the user and the tool."""
    user = attrs.evolve(SYNCED_USER, permissions=Permissions())
    project = project_with(user, language="fr-CA", enabled=False)
    decision = can_request_signature(project, user, APPROVED_SUB_INVOICE, now=T0)
    messages = {r.code: r.message for r in decision.reasons}
    assert "n'est pas activée" in messages["docusign_disabled"]
    assert "Engagements" in messages["not_standard_on_tool"]
    assert "Ada" in messages["not_standard_on_tool"]


items = st.builds(
    SignableItem,
    kind=st.sampled_from(SignableKind),
    id=st.sampled_from(["i-1", "k-sub", "x-1"]),
    tool=st.none() | st.sampled_from(SignatureTool),
    invoice_status=st.none() | st.sampled_from(InvoiceStatus),
    contract_id=st.none() | st.sampled_from(["k-sub", "k-prime", "k-private", "k-gone"]),
)
tool_levels = st.dictionaries(st.sampled_from(SignatureTool), permission_levels, max_size=3)


def raise_levels(base: Permissions, extra: Permissions) -> Permissions:
    out = base
    for tool in Tool:
        out = out.with_level(tool, max(base.level(tool), extra.level(tool)))
    return out


@given(
    link=docusign_links(),
    perms=permissions(),
    more=permissions(),
    levels=tool_levels,
    more_levels=tool_levels,
    item=items,
    enabled=st.booleans(),
    user_id=st.sampled_from(["u-1", "u-listed"]),
)
def test_granting_more_never_takes_an_allowance_away(
    link: DocuSignLink,
    perms: Permissions,
    more: Permissions,
    levels: dict[SignatureTool, PermissionLevel],
    more_levels: dict[SignatureTool, PermissionLevel],
    item: SignableItem,
    enabled: bool,
    user_id: str,
) -> None:
    """Rule (monotone): higher levels, the integration on and a fresh link only remove reasons."""
    user = User(id=user_id, name="Ada", permissions=perms, docusign=link)
    before = decide(project_with(user, enabled=enabled), user, item, tool_levels=levels)
    richer = attrs.evolve(
        user,
        permissions=raise_levels(perms, more),
        docusign=linked(T0) if link.state is not LinkState.LINKED else link,
    )
    more_tool_levels = {
        tool: max(
            levels.get(tool, PermissionLevel.NONE), more_levels.get(tool, PermissionLevel.NONE)
        )
        for tool in set(levels) | set(more_levels)
    }
    after = decide(project_with(richer, enabled=True), richer, item, tool_levels=more_tool_levels)
    after.discard("docusign_reauthentication_required")  # a dated link may still be stale
    before.discard("docusign_reauthentication_required")
    before.discard("docusign_not_linked")
    assert after <= before - {"docusign_disabled"}


# -- envelopes ---------------------------------------------------------------------------------


def test_only_completed_is_complete() -> None:
    """Signed is transient: only completed means the workflow is complete."""
    assert [s for s in EnvelopeStatus if is_complete(s)] == [EnvelopeStatus.COMPLETED]
    assert not EnvelopeInfo(envelope_id="e", status=EnvelopeStatus.SIGNED).is_complete


def test_envelope_outcomes_partition_the_statuses() -> None:
    """Declined, voided, deleted, timed out are final; created…signed are in progress."""
    assert set(ENVELOPE_OUTCOMES) == set(EnvelopeStatus)
    final = {s for s in EnvelopeStatus if is_final_unsuccessful(s)}
    going = {s for s in EnvelopeStatus if is_in_progress(s)}
    assert final == {
        EnvelopeStatus.DECLINED,
        EnvelopeStatus.VOIDED,
        EnvelopeStatus.DELETED,
        EnvelopeStatus.TIMED_OUT,
    }
    assert going == {
        EnvelopeStatus.CREATED,
        EnvelopeStatus.SENT,
        EnvelopeStatus.DELIVERED,
        EnvelopeStatus.SIGNED,
    }
    info = EnvelopeInfo(envelope_id="e", status=EnvelopeStatus.VOIDED)
    assert info.outcome is EnvelopeOutcome.UNSUCCESSFUL


def test_docusign_spellings_are_accepted_in_any_case() -> None:
    """DocuSign's timedout (and camel-cased spellings) map to the enum."""
    assert EnvelopeStatus("timedout") is EnvelopeStatus.TIMED_OUT
    assert EnvelopeStatus("timedOut") is EnvelopeStatus.TIMED_OUT
    assert EnvelopeStatus("Completed") is EnvelopeStatus.COMPLETED


# -- the in-memory provider ------------------------------------------------------------------


def test_in_memory_provider_is_a_signature_provider() -> None:
    """The fake implements the protocol, moves between states and counts calls."""
    provider = InMemorySignatureProvider()
    assert isinstance(provider, SignatureProvider)
    provider.add_envelope("e-1", status=EnvelopeStatus.SENT)
    provider.add_envelope("e-2", status=EnvelopeStatus.DECLINED)
    with pytest.raises(EnvelopeNotFoundError):
        provider.signed_document("e-1")
    provider.complete(
        "e-1", signed_pdf=b"%PDF-signed", certificate_pdf=b"%PDF-cert", completed_at=T0
    )
    statuses = provider.envelope_statuses(["e-1", "e-2", "e-3"])
    assert {k: v.status for k, v in statuses.items()} == {
        "e-1": EnvelopeStatus.COMPLETED,
        "e-2": EnvelopeStatus.DECLINED,
    }
    assert provider.envelope_status("e-1").completed_at == T0
    assert provider.signed_document("e-1") == b"%PDF-signed"
    assert provider.certificate("e-1") == b"%PDF-cert"
    provider.set_status("e-2", EnvelopeStatus.VOIDED)
    assert provider.envelope("e-2").status is EnvelopeStatus.VOIDED
    assert dict(provider.calls) == {
        "signed_document": 2,
        "envelope_statuses": 1,
        "envelope_status": 1,
        "certificate": 1,
    }
    provider.remove("e-2")
    with pytest.raises(EnvelopeNotFoundError):
        provider.envelope_status("e-2")


def test_in_memory_provider_fails_on_request() -> None:
    """A queued failure is raised by the next call, then the fake works again."""
    provider = InMemorySignatureProvider()
    provider.add_envelope("e-1")
    provider.fail_next(TimeoutError("slow"))
    with pytest.raises(TimeoutError):
        provider.envelope_status("e-1")
    assert provider.envelope_status("e-1").envelope_id == "e-1"
    provider.reset_calls()
    assert sum(provider.calls.values()) == 0
