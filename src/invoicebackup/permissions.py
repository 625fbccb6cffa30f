"""Who may do what: pure permission rules that explain their decisions.

Every rule returns a :class:`Decision`: allowed or not, and every unmet condition
as a :class:`Reason`. The ``require_*`` variants raise
:class:`~invoicebackup.errors.PermissionDeniedError` carrying the decision. The
rules read the project and nothing else; they never write.

The rules never depend on the project's point-of-view dictionary or language:
those change only the wording of each reason's message (see
:mod:`invoicebackup.terminology`).

The tool that governs an invoice is its contract's
:attr:`~invoicebackup.domain.ContractKind.governing_tool`: Commitments for a
subcontract or purchase order (subcontractor invoices), Prime Contracts (Funding,
Client Contracts) for a prime contract (owner invoices).

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Final

import attrs

from .domain import Contract, Invoice, PermissionLevel, Project, Tool, User, _ids
from .errors import PermissionDeniedError
from .terminology import Vocabulary, for_project

__all__ = [
    "Decision",
    "Reason",
    "ReasonCode",
    "SubjectKind",
    "can_compile_backup",
    "can_edit_invoice_as_collaborator",
    "can_view_invoice",
    "known_ids",
    "may_know_of_contract",
    "require_compile_backup",
    "require_edit_invoice_as_collaborator",
    "require_view_invoice",
]


class ReasonCode(enum.StrEnum):
    """The stable codes of the conditions a rule may find unmet, in canonical order.

    Example:
        >>> from invoicebackup import ReasonCode
        >>> ReasonCode.NOT_IN_DIRECTORY == "not_in_directory"
        True

    .. versionadded:: 0.1.0
    """

    #: The user is not in the project's directory.
    NOT_IN_DIRECTORY = "not_in_directory"
    #: The user has no account on the platform.
    NO_ACCOUNT = "no_account"
    #: The user's account is inactive.
    INACTIVE = "inactive"
    #: The invoice is not in the project.
    UNKNOWN_INVOICE = "unknown_invoice"
    #: The contract (of the invoice) is not in the project.
    UNKNOWN_CONTRACT = "unknown_contract"
    #: The user's level on the governing tool is ``NONE``; reading needs ``READ_ONLY``.
    NO_ACCESS_TO_TOOL = "no_access_to_tool"
    #: The user's level on the governing tool is below ``STANDARD``.
    NOT_STANDARD_ON_TOOL = "not_standard_on_tool"
    #: The user's level on the governing tool is below ``ADMIN``.
    NOT_ADMIN_ON_TOOL = "not_admin_on_tool"
    #: The contract is private and the user is not on its private list.
    NOT_ON_PRIVATE_LIST = "not_on_private_list"
    #: The user is not designated as an invoice contact of the contract.
    NOT_INVOICE_CONTACT = "not_invoice_contact"


class SubjectKind(enum.StrEnum):
    """What a :class:`Reason` is about, in canonical order.

    Example:
        >>> from invoicebackup import SubjectKind, can_view_invoice
        >>> from invoicebackup.testing import sample_project
        >>> decision = can_view_invoice(sample_project(), user_id="u-gone", invoice_id="i-1")
        >>> reason = decision.reasons[0]
        >>> reason.subject_kind == SubjectKind.USER, reason.subject_id
        (True, 'u-gone')

    .. versionadded:: 0.1.0
    """

    USER = "user"
    PROJECT = "project"
    CONTRACT = "contract"
    INVOICE = "invoice"
    ITEM = "item"


@attrs.frozen(kw_only=True)
class Reason:
    """One unmet condition of a rule.

    Attributes:
        code: A stable, machine-readable code (``not_admin_on_tool``); the rules
            use the values of :class:`ReasonCode`.
        subject_kind: What the reason is about: ``"user"``, ``"contract"``,
            ``"invoice"``, ``"project"`` or ``"item"`` (:class:`SubjectKind`).
        subject_id: The id of that subject.
        message: A sentence in the project's language and dictionary.
        tool: For a permission-level reason, the tool whose level falls short.
        required_level: For a permission-level reason, the level that would do.

    Example:
        >>> from invoicebackup import can_compile_backup
        >>> from invoicebackup.testing import sample_project
        >>> decision = can_compile_backup(sample_project(), user_id="u-reader", invoice_ids=["i-3"])
        >>> reason = decision.reasons[0]
        >>> reason.code, reason.tool.value, reason.required_level.value
        ('not_admin_on_tool', 'commitments', 'admin')
        >>> print(reason.message)
        Including invoice P-001 (SC-10) needs Admin on Commitments; Rita Reader has Read Only.

    .. versionadded:: 0.1.0
    """

    code: str = attrs.field(converter=str)
    subject_kind: str = attrs.field(converter=str)
    subject_id: str
    message: str
    tool: Tool | None = None
    required_level: PermissionLevel | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        """``(code, subject_kind, subject_id)``: the reason without its wording."""
        return (self.code, self.subject_kind, self.subject_id)


def _reason_tuple(reasons: Iterable[Reason]) -> tuple[Reason, ...]:
    # A typed converter: mypy's attrs plugin cannot infer the item type of ``tuple``.
    return tuple(reasons)


@attrs.frozen(kw_only=True)
class Decision:
    """The answer of a rule: allowed or not, and every reason why not.

    A decision is allowed exactly when it has no reasons.

    Example:
        >>> from invoicebackup import can_view_invoice
        >>> from invoicebackup.testing import sample_project
        >>> project = sample_project()
        >>> bool(can_view_invoice(project, user_id="u-admin", invoice_id="i-1"))
        True
        >>> decision = can_view_invoice(project, user_id="u-reader", invoice_id="i-1")
        >>> decision.allowed, sorted(decision.codes)
        (False, ['not_on_private_list'])

    .. versionadded:: 0.1.0
    """

    reasons: tuple[Reason, ...] = attrs.field(default=(), converter=_reason_tuple)

    @property
    def allowed(self) -> bool:
        """Whether the request is allowed (no reason stands against it)."""
        return not self.reasons

    def __bool__(self) -> bool:
        return self.allowed

    @property
    def codes(self) -> frozenset[str]:
        """The codes of every reason."""
        return frozenset(r.code for r in self.reasons)


_CODE_RANK = {code.value: rank for rank, code in enumerate(ReasonCode)}
_KIND_RANK = {kind.value: rank for rank, kind in enumerate(SubjectKind)}


def _canonical(reason: Reason) -> tuple[int, str, int, str]:
    return (
        _KIND_RANK.get(reason.subject_kind, len(_KIND_RANK)),
        reason.subject_id,
        _CODE_RANK.get(reason.code, len(_CODE_RANK)),
        reason.code,
    )


def _decide(reasons: Iterable[Reason]) -> Decision:
    """A decision with *reasons* in canonical order: subject kind, subject id, code."""
    return Decision(reasons=sorted(reasons, key=_canonical))


# -- wording helpers ---------------------------------------------------------------


@attrs.frozen(kw_only=True)
class _Context:
    """What every rule needs to know about the requester, and how to say it."""

    project: Project
    user_id: str
    user: User | None
    words: Vocabulary

    @property
    def user_label(self) -> str:
        if self.user is not None and self.user.name.strip():
            return self.user.name
        return self.user_id

    def level(self, tool: Tool) -> PermissionLevel:
        """The requester's level on *tool*; a user outside the directory has none."""
        return self.user.level(tool) if self.user is not None else PermissionLevel.NONE

    def reason(
        self,
        code: ReasonCode,
        kind: SubjectKind,
        subject_id: str,
        *,
        template: str | None = None,
        tool: Tool | None = None,
        required: PermissionLevel | None = None,
        **fields: str,
    ) -> Reason:
        if tool is not None and required is not None:
            fields["tool"] = self.words.tool_name(tool)
            fields["required"] = self.words.level_name(required)
            fields["level"] = self.words.level_name(self.level(tool))
        text = self.words.message(
            template or f"reason.{code.value}", user=self.user_label, **fields
        )
        return Reason(
            code=code,
            subject_kind=kind,
            subject_id=subject_id,
            message=text,
            tool=tool,
            required_level=required,
        )


def _context(project: Project, user_id: str) -> _Context:
    return _Context(
        project=project, user_id=user_id, user=project.user(user_id), words=for_project(project)
    )


def _contract_label(contract: Contract) -> str:
    return contract.number.strip() or contract.id


def _invoice_label(invoice: Invoice | None, invoice_id: str) -> str:
    return invoice.number.strip() if invoice is not None and invoice.number.strip() else invoice_id


def _user_reasons(ctx: _Context) -> list[Reason]:
    """The requester is in the directory, has an account, and it is active."""
    if ctx.user is None:
        return [ctx.reason(ReasonCode.NOT_IN_DIRECTORY, SubjectKind.USER, ctx.user_id)]
    reasons = []
    if not ctx.user.has_account:
        reasons.append(ctx.reason(ReasonCode.NO_ACCOUNT, SubjectKind.USER, ctx.user_id))
    if not ctx.user.active:
        reasons.append(ctx.reason(ReasonCode.INACTIVE, SubjectKind.USER, ctx.user_id))
    return reasons


def may_know_of_contract(project: Project, *, user_id: str, contract: Contract) -> bool:
    """Whether *user_id* may learn that *contract* exists.

    A private contract is visible to the Admins of its governing tool and to the
    users on its private list only, in refusals too: to anyone else, its id reads
    as an id that is not in the project, and nothing of it (number, invoices) is
    told. A user outside the project's directory knows of no private contract. A
    contract that is not private is known to everyone.

    Use it to filter what you list to a user (the CLI's default selection and
    ``docusign status`` do).

    Example:
        >>> from invoicebackup import may_know_of_contract
        >>> from invoicebackup.testing import sample_project
        >>> project = sample_project()
        >>> private = project.contract("k-2")   # SC-2: private, u-volt on its list
        >>> [may_know_of_contract(project, user_id=u, contract=private)
        ...  for u in ("u-admin", "u-volt", "u-reader", "nobody")]
        [True, True, False, False]

    .. versionadded:: 0.1.0
    """
    if not contract.private:
        return True
    user = project.user(user_id)
    if user is None:
        return False
    admin = user.level(contract.kind.governing_tool) >= PermissionLevel.ADMIN
    return admin or contract.lists_privately(user_id)


#: How many ids a hint lists before it says how many more there are.
_HINT_IDS: Final = 10


def known_ids(ids: Iterable[str]) -> str:
    """The ids a requester may select, for a hint in any language.

    At most ten, then an ellipsis and how many there are in all; ``—`` when there are none.

    Example:
        >>> from invoicebackup.permissions import known_ids
        >>> known_ids(["i-1", "i-2"]), known_ids([]), known_ids(f"i-{n}" for n in range(12))
        ('i-1, i-2', '—', 'i-0, i-1, i-2, i-3, i-4, i-5, i-6, i-7, i-8, i-9, … (12)')

    .. versionadded:: 0.1.0
    """
    listed = list(ids)
    if not listed:
        return "—"
    shown = ", ".join(listed[:_HINT_IDS])
    return f"{shown}, … ({len(listed)})" if len(listed) > _HINT_IDS else shown


def _resolve_invoice(
    ctx: _Context, invoice_id: str, *, hide_private: bool = False
) -> tuple[Invoice, Contract] | Reason:
    """The invoice and its contract, or the reason one of them is not in the project.

    With *hide_private*, an invoice of a contract the requester may not know of
    (not :func:`may_know_of_contract`) is reported exactly as an unknown invoice id.
    """
    invoice = ctx.project.invoice(invoice_id)
    if invoice is not None and hide_private:
        contract = ctx.project.contract(invoice.contract_id)
        if contract is not None and not may_know_of_contract(
            ctx.project, user_id=ctx.user_id, contract=contract
        ):
            invoice = None
    label = _invoice_label(invoice, invoice_id)
    if invoice is None:
        return ctx.reason(
            ReasonCode.UNKNOWN_INVOICE,
            SubjectKind.INVOICE,
            invoice_id,
            invoice=label,
            known=known_ids(
                invoice.id
                for invoice in ctx.project.invoices
                if (contract := ctx.project.contract(invoice.contract_id)) is not None
                and may_know_of_contract(ctx.project, user_id=ctx.user_id, contract=contract)
            ),
        )
    contract = ctx.project.contract(invoice.contract_id)
    if contract is None:
        return ctx.reason(
            ReasonCode.UNKNOWN_CONTRACT,
            SubjectKind.INVOICE,
            invoice_id,
            template="reason.unknown_contract_of_invoice",
            invoice=label,
            contract=invoice.contract_id,
        )
    return invoice, contract


# -- the rules ---------------------------------------------------------------------


def can_compile_backup(project: Project, *, user_id: str, invoice_ids: Iterable[str]) -> Decision:
    """Whether *user_id* may compile a backup of the invoices *invoice_ids*.

    The requester must be in the project's directory, have an account, be active,
    and have ``ADMIN`` on the governing tool of every selected invoice's contract:
    Commitments for subcontractor invoices, Prime Contracts for owner invoices. The
    selection is all-or-nothing; the decision gives one reason per invoice that
    cannot be included (``unknown_invoice``, ``unknown_contract`` or
    ``not_admin_on_tool``, each with the invoice as subject). An invoice of a private
    contract the requester may not know of (not :func:`may_know_of_contract`) is refused
    word for word as an unknown invoice id. Order and repetition
    of *invoice_ids* never change the decision. An empty selection needs only the
    requester's own conditions.

    Args:
        project: The project.
        user_id: The requesting user.
        invoice_ids: The selected invoices, in any order, repeats allowed.

    Example:
        >>> from invoicebackup import can_compile_backup
        >>> from invoicebackup.testing import sample_project
        >>> project = sample_project()
        >>> can_compile_backup(project, user_id="u-admin", invoice_ids=["i-1", "i-4"]).allowed
        True
        >>> decision = can_compile_backup(project, user_id="u-reader", invoice_ids=["i-1", "i-4"])
        >>> [(r.code, r.subject_id) for r in decision.reasons]  # i-1 is on private SC-2
        [('unknown_invoice', 'i-1'), ('not_admin_on_tool', 'i-4')]

    .. versionadded:: 0.1.0
    """
    selection = _ids(invoice_ids, "invoice_ids")
    ctx = _context(project, user_id)
    reasons = _user_reasons(ctx)
    for invoice_id in sorted(set(selection)):
        found = _resolve_invoice(ctx, invoice_id, hide_private=True)
        if isinstance(found, Reason):
            reasons.append(found)
            continue
        invoice, contract = found
        tool = contract.kind.governing_tool
        if ctx.level(tool) < PermissionLevel.ADMIN:
            reasons.append(
                ctx.reason(
                    ReasonCode.NOT_ADMIN_ON_TOOL,
                    SubjectKind.INVOICE,
                    invoice_id,
                    tool=tool,
                    required=PermissionLevel.ADMIN,
                    invoice=_invoice_label(invoice, invoice_id),
                    contract=_contract_label(contract),
                )
            )
    return _decide(reasons)


def can_view_invoice(project: Project, *, user_id: str, invoice_id: str) -> Decision:
    """Whether *user_id* may see the invoice *invoice_id*.

    ``ADMIN`` on the governing tool sees every contract's invoices, private or
    not. ``READ_ONLY`` or ``STANDARD`` sees a contract that is not private, or a
    private one whose private list includes the user (invoice contacts always
    are). ``NONE`` sees nothing. The requester must also be in the directory and
    have an active account.

    Args:
        project: The project.
        user_id: The requesting user.
        invoice_id: The invoice.

    Example:
        >>> from invoicebackup import can_view_invoice
        >>> from invoicebackup.testing import sample_project
        >>> project = sample_project()
        >>> can_view_invoice(project, user_id="u-admin", invoice_id="i-1").allowed
        True
        >>> decision = can_view_invoice(project, user_id="u-reader", invoice_id="i-1")
        >>> print(decision.reasons[0].message)
        Rita Reader is not on the private list of the private contract SC-2.

    .. versionadded:: 0.1.0
    """
    ctx = _context(project, user_id)
    reasons = _user_reasons(ctx)
    found = _resolve_invoice(ctx, invoice_id)
    if isinstance(found, Reason):
        return _decide([*reasons, found])
    invoice, contract = found
    tool = contract.kind.governing_tool
    level = ctx.level(tool)
    if level < PermissionLevel.ADMIN:
        if level < PermissionLevel.READ_ONLY:
            reasons.append(
                ctx.reason(
                    ReasonCode.NO_ACCESS_TO_TOOL,
                    SubjectKind.INVOICE,
                    invoice_id,
                    tool=tool,
                    required=PermissionLevel.READ_ONLY,
                    invoice=_invoice_label(invoice, invoice_id),
                    contract=_contract_label(contract),
                )
            )
        if contract.private and not contract.lists_privately(user_id):
            reasons.append(
                ctx.reason(
                    ReasonCode.NOT_ON_PRIVATE_LIST,
                    SubjectKind.CONTRACT,
                    contract.id,
                    contract=_contract_label(contract),
                )
            )
    return _decide(reasons)


def can_edit_invoice_as_collaborator(
    project: Project, *, user_id: str, contract_id: str
) -> Decision:
    """Whether *user_id* may submit or edit invoices on *contract_id* as a collaborator.

    The company account holder grants four settings, and each one missing is a
    reason: an account (``no_account``), ``STANDARD`` or more on the contract's
    governing tool (``not_standard_on_tool``), membership of a private contract's
    private list (``not_on_private_list``), and designation as the contract's
    invoice contact (``not_invoice_contact``). The requester must also be in the
    directory and active. Invoice contacts are always on the private list, so the
    private-list reason only appears together with ``not_invoice_contact``.

    Args:
        project: The project.
        user_id: The requesting user.
        contract_id: The contract the invoice bills against.

    Example:
        >>> from invoicebackup import can_edit_invoice_as_collaborator
        >>> from invoicebackup.testing import sample_project
        >>> project = sample_project()
        >>> can_edit_invoice_as_collaborator(project, user_id="u-volt", contract_id="k-2").allowed
        True
        >>> decision = can_edit_invoice_as_collaborator(
        ...     project, user_id="u-volt", contract_id="k-10"
        ... )
        >>> sorted(decision.codes)
        ['not_invoice_contact']

    .. versionadded:: 0.1.0
    """
    ctx = _context(project, user_id)
    reasons = _user_reasons(ctx)
    contract = project.contract(contract_id)
    if contract is None:
        reason = ctx.reason(
            ReasonCode.UNKNOWN_CONTRACT, SubjectKind.CONTRACT, contract_id, contract=contract_id
        )
        return _decide([*reasons, reason])
    label = _contract_label(contract)
    tool = contract.kind.governing_tool
    if ctx.level(tool) < PermissionLevel.STANDARD:
        reasons.append(
            ctx.reason(
                ReasonCode.NOT_STANDARD_ON_TOOL,
                SubjectKind.CONTRACT,
                contract_id,
                tool=tool,
                required=PermissionLevel.STANDARD,
                contract=label,
            )
        )
    if contract.private and not contract.lists_privately(user_id):
        reasons.append(
            ctx.reason(
                ReasonCode.NOT_ON_PRIVATE_LIST, SubjectKind.CONTRACT, contract_id, contract=label
            )
        )
    if user_id not in contract.invoice_contacts:
        reasons.append(
            ctx.reason(
                ReasonCode.NOT_INVOICE_CONTACT, SubjectKind.CONTRACT, contract_id, contract=label
            )
        )
    return _decide(reasons)


def _require(decision: Decision) -> None:
    if not decision.allowed:
        raise PermissionDeniedError(decision)


def require_compile_backup(project: Project, *, user_id: str, invoice_ids: Iterable[str]) -> None:
    """Like :func:`can_compile_backup`, but raise when denied.

    Raises:
        PermissionDeniedError: The decision denies it; its ``decision`` has every reason.

    Example:
        >>> from invoicebackup import PermissionDeniedError, require_compile_backup
        >>> from invoicebackup.testing import sample_project
        >>> require_compile_backup(sample_project(), user_id="u-admin", invoice_ids=["i-1"])
        >>> try:
        ...     require_compile_backup(sample_project(), user_id="u-reader", invoice_ids=["i-3"])
        ... except PermissionDeniedError as error:
        ...     print(sorted(error.decision.codes))
        ['not_admin_on_tool']

    .. versionadded:: 0.1.0
    """
    _require(can_compile_backup(project, user_id=user_id, invoice_ids=invoice_ids))


def require_view_invoice(project: Project, *, user_id: str, invoice_id: str) -> None:
    """Like :func:`can_view_invoice`, but raise when denied.

    Raises:
        PermissionDeniedError: The decision denies it; its ``decision`` has every reason.

    Example:
        >>> from invoicebackup import PermissionDeniedError, require_view_invoice
        >>> from invoicebackup.testing import sample_project
        >>> require_view_invoice(sample_project(), user_id="u-admin", invoice_id="i-1")
        >>> try:
        ...     require_view_invoice(sample_project(), user_id="u-reader", invoice_id="i-1")
        ... except PermissionDeniedError as error:
        ...     print(sorted(error.decision.codes))
        ['not_on_private_list']

    .. versionadded:: 0.1.0
    """
    _require(can_view_invoice(project, user_id=user_id, invoice_id=invoice_id))


def require_edit_invoice_as_collaborator(
    project: Project, *, user_id: str, contract_id: str
) -> None:
    """Like :func:`can_edit_invoice_as_collaborator`, but raise when denied.

    Raises:
        PermissionDeniedError: The decision denies it; its ``decision`` has every reason.

    Example:
        >>> from invoicebackup import PermissionDeniedError, require_edit_invoice_as_collaborator
        >>> from invoicebackup.testing import sample_project
        >>> project = sample_project()
        >>> require_edit_invoice_as_collaborator(project, user_id="u-volt", contract_id="k-2")
        >>> try:
        ...     require_edit_invoice_as_collaborator(project, user_id="u-reader", contract_id="k-2")
        ... except PermissionDeniedError as error:
        ...     print(sorted(error.decision.codes))
        ['not_invoice_contact', 'not_on_private_list', 'not_standard_on_tool']

    .. versionadded:: 0.1.0
    """
    _require(can_edit_invoice_as_collaborator(project, user_id=user_id, contract_id=contract_id))
