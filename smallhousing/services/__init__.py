"""Use cases: one function per thing a user does, each one transaction with its audit entry.

Screens, the CLI, letters and reports call these; none of them runs SQL itself.
"""


def _after_upgrade(db, from_revision: str) -> None:
    """Deadlines stored on open complaints are worked out again under the rules of this version,
    and service requests recorded before targets existed get their target date."""
    from .base import transaction
    from .complaints import refresh_open_deadlines
    from .service_requests import fill_missing_targets

    with transaction(db) as u:
        refresh_open_deadlines(u)
        fill_missing_targets(u)


def _register() -> None:
    from ..store.db import AFTER_UPGRADE

    if _after_upgrade not in AFTER_UPGRADE:
        AFTER_UPGRADE.append(_after_upgrade)


_register()
