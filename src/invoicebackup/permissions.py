"""Who may do what: pure permission rules that explain their decisions.

Every rule returns a :class:`Decision`: allowed or not, and every unmet condition
as a :class:`Reason`. The ``require_*`` variants raise
:class:`~invoicebackup.errors.PermissionDeniedError` carrying the decision.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import attrs

__all__ = ["Decision", "Reason"]


@attrs.frozen(kw_only=True)
class Reason:
    """One unmet condition of a rule.

    Attributes:
        code: A stable, machine-readable code (``not_admin_on_tool``).
        subject_kind: What the reason is about: ``"user"``, ``"contract"``,
            ``"invoice"``, ``"project"`` or ``"item"``.
        subject_id: The id of that subject.
        message: A sentence in the project's language and dictionary.
    """

    code: str
    subject_kind: str
    subject_id: str
    message: str


@attrs.frozen(kw_only=True)
class Decision:
    """The answer of a rule: allowed or not, and every reason why not.

    A decision is allowed exactly when it has no reasons.
    """

    reasons: tuple[Reason, ...] = attrs.field(default=(), converter=tuple)

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
