"""Lien waivers in a backup: which are asked for, in which order, which are missing.

The rules, in one place for the plan, the preview, the assembly and the manifest:

* a waiver is *asked for* when the selection (:attr:`BackupOptions.include
  <invoicebackup.options.BackupOptions.include>`) holds both its tier's part
  (``first-tier-waivers`` / ``sub-tier-waivers``) and its condition's part
  (``conditional-waivers`` / ``unconditional-waivers``);
* the waivers asked for come after the invoice's document and attachments: the first tier,
  then the sub tier, each in the order received (the invoice's list order);
* a waiver asked for without a document is *missing*: reported, never silent. A missing
  waiver the selection left out is not reported: nobody asked for it.
"""

from __future__ import annotations

from collections.abc import Iterable

from .domain import Invoice, LienWaiver, WaiverCondition, WaiverTier
from .errors import Problem
from .options import Include
from .terminology import Vocabulary

_TIER_PART = {
    WaiverTier.FIRST: Include.FIRST_TIER_WAIVERS,
    WaiverTier.SUB: Include.SUB_TIER_WAIVERS,
}
_CONDITION_PART = {
    WaiverCondition.CONDITIONAL: Include.CONDITIONAL_WAIVERS,
    WaiverCondition.UNCONDITIONAL: Include.UNCONDITIONAL_WAIVERS,
}
#: The tiers in backup order.
_TIER_ORDER = (WaiverTier.FIRST, WaiverTier.SUB)


def asked_for(waiver: LienWaiver, include: Iterable[Include]) -> bool:
    """Whether the selection holds the waiver's tier and its condition."""
    parts = frozenset(include)
    return _TIER_PART[waiver.tier] in parts and _CONDITION_PART[waiver.condition] in parts


def waivers_in_order(invoice: Invoice, include: Iterable[Include]) -> tuple[LienWaiver, ...]:
    """The invoice's waivers asked for, first tier then sub tier, each in the order received."""
    parts = frozenset(include)
    return tuple(
        waiver
        for tier in _TIER_ORDER
        for waiver in invoice.lien_waivers
        if waiver.tier is tier and asked_for(waiver, parts)
    )


def missing_waiver_problem(invoice: Invoice, waiver: LienWaiver) -> Problem:
    """The refusal of ``require_waivers`` for one missing waiver: code ``missing_waiver``."""
    return Problem(
        f"waiver:{waiver.id}",
        "missing_waiver",
        f"invoice {invoice.number!r} ({invoice.id}): the {describe(waiver)} "
        "was requested and has not been received",
    )


def title(waiver: LienWaiver, vocabulary: Vocabulary) -> str:
    """The waiver's bookmark title in the backup's language (tier, condition, claimant…)."""
    return vocabulary.message(
        "backup_waiver_title",
        tier=vocabulary.term(f"waiver_tier.{waiver.tier.value}"),
        condition=vocabulary.term(f"waiver_condition.{waiver.condition.value}"),
        scope=vocabulary.term(f"waiver_scope.{waiver.scope.value}"),
        claimant=waiver.claimant,
        through_date=waiver.through_date.isoformat(),
    )


def describe(waiver: LienWaiver) -> str:
    """The waiver in English words, for messages: ``first-tier conditional progress …``."""
    return (
        f"{waiver.tier.value}-tier {waiver.condition.value} {waiver.scope.value} lien waiver "
        f"{waiver.id} from {waiver.claimant} through {waiver.through_date.isoformat()}"
    )
