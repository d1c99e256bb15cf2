"""The Regulator's Tenant Satisfaction Measures CH01 and CH02 for a reporting year.

Asked by `smallhousing tsm` and the Reports screen over years of records. The figures are worked
out in one place, services/figures.py (plain SQL, no ORM imported); this module keeps the names
the CLI, the screens and the tests use.
"""

from __future__ import annotations

from .figures import TSM, tsm_for_year  # noqa: F401  (this module's interface)
