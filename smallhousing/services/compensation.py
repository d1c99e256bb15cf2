"""The sums from the Ombudsman's compensation guidance as this landlord uses them (Settings).

A kind of loss with no row in ``compensation_rate`` has the published figure (domain/compensation
``GUIDANCE``); changing a sum writes its row; ``reset_to_guidance`` removes every row, so the
published figures apply again. Each change is audited. Directors only (services/team.py).
"""

from __future__ import annotations

from sqlmodel import col, select

from ..domain import compensation as K
from ..domain.errors import DomainError
from ..store.models import CompensationRate
from .base import Unit, audit, audit_removed, reading, transaction, update_fields


def _changed(u: Unit) -> dict[str, CompensationRate]:
    rows = u.session.exec(select(CompensationRate).order_by(col(CompensationRate.id))).all()
    return {r.kind: r for r in rows if r.kind in K.BY_KIND}


def rates_in(u: Unit) -> list[K.Rate]:
    """The sums in force, read inside ``u`` (the remedy service uses this)."""
    return K.rates_in_force({k: (r.pence, r.active) for k, r in _changed(u).items()})


def rate_in(u: Unit, kind: str) -> K.Rate:
    for r in rates_in(u):
        if r.kind == kind:
            return r
    raise DomainError(
        "That is not one of the guidance's kinds of loss with a set sum: choose one of "
        + ", ".join(r.label.lower() for r in K.GUIDANCE)
        + ".",
        field="guidance_kind",
    )


def rates(db) -> list[K.Rate]:
    """Every kind of loss with a set sum, as in force here, in the guidance's order."""
    with reading(db) as u:
        return rates_in(u)


def changed_kinds(db) -> set[str]:
    """The kinds whose sum differs from the published guidance (a row is kept)."""
    with reading(db) as u:
        return set(_changed(u))


def set_rate(db, kind: str, pence: int, *, active: bool = True) -> K.Rate:
    """Change the sum for one kind of loss (or switch it off). Setting the published figure back
    keeps the row: the sum is then the guidance's again, and the change is on record."""
    if kind not in K.BY_KIND:
        raise DomainError("Choose one of the guidance's kinds of loss with a set sum.", field="kind")
    pence = K.check_pence(pence, f"the sum for {K.BY_KIND[kind].label.lower()}")
    base = K.BY_KIND[kind]
    with transaction(db) as u:
        row = _changed(u).get(kind)
        if row is None:
            row = CompensationRate(
                kind=kind,
                label=base.label,
                unit=base.unit,
                pence=pence,
                guidance_on=base.guidance_on,
                active=bool(active),
            )
            u.session.add(row)
            audit(u, "compensation sum set", row)
        else:
            update_fields(u, row, "compensation sum changed", pence=pence, active=bool(active))
        return rate_in(u, kind)


def reset_to_guidance(db) -> int:
    """Every sum back to the published guidance's: the rows are removed (each audited). Returns
    how many sums were changed back."""
    with transaction(db) as u:
        rows = list(_changed(u).values())
        for row in rows:
            audit_removed(u, "compensation sum reset to the guidance", row)
            u.session.delete(row)
        return len(rows)
