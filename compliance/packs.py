"""The six policy packs of DOMAIN.md as data.

Each number below is the default a policy gives; once loaded, the rows live in the database
and a council changes them in the admin. The engine reads only the tables, never this module.
"""

from dataclasses import dataclass, field

from django.db import transaction

from careleavers.models import Circumstance, EventKind
from core.errors import ServiceError

from .models import PackEvent, PackRequirement, PolicyPack

PATHWAY_REVIEW_DAYS = 182  # P1: at least every 6 months
DUE_SOON_DAYS = 14  # V2: schedule visits 2 weeks ahead
REVIEW_DUE_SOON_DAYS = 28  # P2: schedule reviews 1 month ahead


@dataclass(frozen=True)
class PackSpec:
    key: str
    name: str
    #: circumstance -> {requirement: interval} for the standard pattern; "*" is every circumstance.
    standard: dict[str, dict[str, int]]
    escalation_attempts: int = 3  # E3 "several"
    different_needs_to_21_and_1_month: bool = False  # D4
    events: dict[str, tuple[str, int, str]] = field(
        default_factory=lambda: {
            EventKind.CUSTODY_START: ("visit", 28, "T6"),
            EventKind.EMERGENCY_PLACEMENT: ("visit", 7, "T7"),
            EventKind.SIGNIFICANT_CHANGE: ("pathway_review", 28, "P1"),
            EventKind.ACCOMMODATION_PROVIDED: ("visit", 7, "reg 8(2)(a)"),
            EventKind.ACCOMMODATION_MOVE: ("pathway_review", 28, "P1"),
        }
    )


EIGHT_WEEKLY_VISITS = {"*": {"visit": 56}}  # V1

#: Arrangements replace the standard pattern the same way in every pack (R6, S5, D3).
ARRANGEMENTS: dict[str, list[tuple[str, str, int | None, str]]] = {
    "reduced_visits": [("contact", "interval", 56, "R6"), ("visit", "escalation", None, "E3")],
    "step_back": [("keeping_in_touch", "interval", 91, "S5")],
    "different_needs": [("lead_worker_contact", "interval", 84, "D3"), ("family_contact", "interval", 182, "D3")],
}

RULE_OF = {"visit": "V1", "contact": "T3"}

PACKS: tuple[PackSpec, ...] = (
    PackSpec("england", "England (statutory minimum)", EIGHT_WEEKLY_VISITS),
    PackSpec("pcc", "PCC one-minute guide", EIGHT_WEEKLY_VISITS),
    PackSpec("tct2", "TCT2 reduced visits process", EIGHT_WEEKLY_VISITS),
    PackSpec("buckinghamshire", "Buckinghamshire", EIGHT_WEEKLY_VISITS),
    PackSpec(
        "tower_hamlets",
        "Tower Hamlets",
        {
            "*": {"visit": 42},  # T1
            Circumstance.SETTLED: {"visit": 42, "contact": 21},  # T3
            Circumstance.HIGHER_EDUCATION: {"contact": 42},  # T5
        },
    ),
    PackSpec("derbyshire", "Derbyshire", EIGHT_WEEKLY_VISITS, different_needs_to_21_and_1_month=True),
)
DEFAULT_PACK = "england"


def pack_rows(spec: PackSpec) -> list[dict]:
    """Every (arrangement kind, circumstance, requirement) row of a pack."""
    rows = []
    for circumstance in Circumstance.values:
        home_only = circumstance == Circumstance.ON_LICENCE  # T2
        patterns: dict[str, list[tuple[str, str, int | None, str]]] = {
            "standard": [
                (code, "interval", days, "T5" if circumstance == Circumstance.HIGHER_EDUCATION else RULE_OF[code])
                for code, days in spec.standard.get(circumstance, spec.standard["*"]).items()
            ],
            **ARRANGEMENTS,
        }
        for kind, requirements in patterns.items():
            for code, trigger, days, rule in [*requirements, ("pathway_review", "interval", PATHWAY_REVIEW_DAYS, "P1")]:
                rows.append(
                    {
                        "arrangement_kind": kind,
                        "circumstance": circumstance,
                        "requirement": code,
                        "trigger": trigger,
                        "interval_days": days,
                        "due_soon_days": REVIEW_DUE_SOON_DAYS if code == "pathway_review" else DUE_SOON_DAYS,
                        "home_visit_only": home_only and code == "visit",
                        "rule": rule,
                    }
                )
    return rows


@transaction.atomic
def ensure_packs() -> None:
    """Create missing packs and rows; leave what a council has edited alone."""
    for spec in PACKS:
        pack, created = PolicyPack.objects.get_or_create(
            key=spec.key,
            defaults={
                "name": spec.name,
                "escalation_attempts": spec.escalation_attempts,
                "different_needs_to_21_and_1_month": spec.different_needs_to_21_and_1_month,
            },
        )
        existing = set(pack.requirements.values_list("arrangement_kind", "circumstance", "requirement"))
        PackRequirement.objects.bulk_create(
            PackRequirement(pack=pack, **row)
            for row in pack_rows(spec)
            if (row["arrangement_kind"], row["circumstance"], row["requirement"]) not in existing
        )
        existing_events = set(pack.events.values_list("event_kind", "requirement"))
        PackEvent.objects.bulk_create(
            PackEvent(pack=pack, event_kind=kind, requirement=code, window_days=days, rule=rule)
            for kind, (code, days, rule) in spec.events.items()
            if (kind, code) not in existing_events
        )
    if not PolicyPack.objects.filter(is_active=True).exists():
        PolicyPack.objects.filter(key=DEFAULT_PACK).update(is_active=True)


class NoActivePack(ServiceError):
    """No policy pack is active: the rules are unknown, so nothing is computed with made-up ones."""


def active_pack() -> PolicyPack:
    """The one way to read the service's active policy pack; fails loudly when none is active."""
    pack = PolicyPack.objects.filter(is_active=True).first()
    if pack is None:
        raise NoActivePack("No policy pack is active: an administrator must choose one.")
    return pack


def ensure_packs_after_migrate(**kwargs) -> None:
    ensure_packs()
