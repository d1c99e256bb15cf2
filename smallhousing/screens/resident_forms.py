"""Forms for residents: their details, representatives, reasonable adjustments, restrictions and
reviews, each built on the form kit (``form_kit.FormScreen`` from ``FormField`` specs).

The kit's pieces are named here too (``FormScreen``, ``FormField``, ``ConfirmScreen``,
``call_service`` ...) for the screens that import them from this module.
"""

from __future__ import annotations

from typing import Any

from ..services import residents as residents_service
from ..store.models import Resident
from .common import BindingCommands, go_back
from .form_kit import (
    ConfirmScreen,
    DateValidator,
    FormField,
    FormFields,
    FormScreen,
    FormScroll,
    Required,
    WholeNumber,
    YearValidator,
    call_service,
    date_text,
    run_save,
)

__all__ = [
    "AdjustmentForm",
    "BindingCommands",
    "ConfirmScreen",
    "DateValidator",
    "FormField",
    "FormFields",
    "FormScreen",
    "FormScroll",
    "RepresentativeForm",
    "Required",
    "ResidentForm",
    "RestrictionForm",
    "ReviewForm",
    "WholeNumber",
    "YearValidator",
    "call_service",
    "date_text",
    "go_back",
    "run_save",
]


# resident forms ----------------------------------------------------------------------------------

CONTACT_HELP = "For example phone, email, letter or text message."


class ResidentForm(FormScreen[int | None]):
    """Add a resident, or change one's contact details and preferred format."""

    INTRO = (
        "How to reach the resident and how they want letters; note any disability or "
        "vulnerability they tell us of, to plan adjustments (5.10)."
    )

    def __init__(self, db, resident: Resident | None = None) -> None:
        super().__init__(db)
        self.resident = resident

    def heading(self) -> str:
        return f"Change details of {self.resident.name}" if self.resident else "Add a resident"

    def form_fields(self) -> list[FormField]:
        r = self.resident
        v = (lambda k: getattr(r, k) or "") if r else (lambda k: "")
        return [
            FormField("name", "Name", v("name"), required=True, what="the resident's name"),
            FormField("address", "Address", v("address")),
            FormField("postcode", "Postcode", v("postcode")),
            FormField("phone", "Phone", v("phone")),
            FormField("email", "Email", v("email")),
            FormField(
                "preferred_contact",
                "Preferred way to be contacted",
                v("preferred_contact"),
                help=CONTACT_HELP,
            ),
            FormField(
                "preferred_format",
                "Preferred format for letters",
                v("preferred_format") or "standard",
                kind="choice",
                choices=residents_service.FORMATS,
            ),
            FormField("disabilities", "Disabilities the resident has told us about", v("disabilities")),
            FormField("vulnerabilities", "Vulnerabilities or risks", v("vulnerabilities")),
            FormField("notes", "Notes", v("notes")),
        ]

    def perform(self, values: dict[str, Any]) -> int:
        if self.resident is None:
            return residents_service.add_resident(self.db, **values).id
        return residents_service.update_resident(self.db, self.resident.id, **values).id


class RepresentativeForm(FormScreen[int | None]):
    TITLE_TEXT = "Add a representative"
    INTRO = (
        "Someone acting for the resident with their authority, such as a relative, advocate, MP "
        "or solicitor (1.3, 3.6). Record what shows that authority."
    )

    def __init__(self, db, resident_id: int) -> None:
        super().__init__(db)
        self.resident_id = resident_id

    def form_fields(self) -> list[FormField]:
        return [
            FormField("name", "Name", required=True, what="the representative's name"),
            FormField(
                "relationship",
                "Relationship to the resident",
                placeholder="e.g. daughter, advocate, councillor…",
            ),
            FormField(
                "authority", "Authority to act", placeholder="e.g. signed consent form, power of attorney…"
            ),
            FormField(
                "authority_on",
                "Authority given on",
                kind="date",
                placeholder="e.g. 17/12/2025",
                what="date the authority was given",
            ),
            FormField("address", "Address"),
            FormField("phone", "Phone"),
            FormField("email", "Email"),
        ]

    def perform(self, values: dict[str, Any]) -> int:
        name = values.pop("name")
        return residents_service.add_representative(self.db, self.resident_id, name, **values).id


class AdjustmentForm(FormScreen[int | None]):
    TITLE_TEXT = "Add a reasonable adjustment"
    INTRO = (
        "An adjustment agreed with the resident, such as letters in large print or calls "
        "only in the afternoon (Code 5.10). Give a date to review it."
    )

    def __init__(self, db, resident_id: int) -> None:
        super().__init__(db)
        self.resident_id = resident_id

    def form_fields(self) -> list[FormField]:
        return [
            FormField("description", "What has been agreed", required=True, what="the adjustment"),
            FormField(
                "agreed_on",
                "Agreed on",
                kind="date",
                placeholder="leave blank for today",
                what="date it was agreed",
            ),
            FormField(
                "review_on",
                "Review by",
                kind="date",
                required=True,
                placeholder="e.g. 17/12/2026",
                what="review date",
            ),
        ]

    def perform(self, values: dict[str, Any]) -> int:
        return residents_service.add_adjustment(
            self.db,
            self.resident_id,
            values["description"],
            values["review_on"],
            agreed_on=values["agreed_on"],
        ).id


class RestrictionForm(FormScreen[int | None]):
    TITLE_TEXT = "Add a restriction for unacceptable behaviour"
    INTRO = (
        "A restriction must be backed by evidence, in proportion to the behaviour, and "
        "reviewed regularly (Code 5.14, 5.15). The resident can still complain."
    )

    def __init__(self, db, resident_id: int) -> None:
        super().__init__(db)
        self.resident_id = resident_id

    def form_fields(self) -> list[FormField]:
        return [
            FormField(
                "description",
                "The restriction",
                required=True,
                what="the restriction",
                placeholder="e.g. contact by email only, to one named officer…",
            ),
            FormField(
                "reason", "Why, and the evidence", required=True, what="the reason for the restriction"
            ),
            FormField(
                "imposed_on", "Starts on", kind="date", placeholder="leave blank for today", what="start date"
            ),
            FormField(
                "review_on",
                "Review by",
                kind="date",
                required=True,
                placeholder="e.g. 17/12/2026",
                what="review date",
            ),
        ]

    def perform(self, values: dict[str, Any]) -> int:
        return residents_service.add_restriction(
            self.db,
            self.resident_id,
            values["description"],
            values["reason"],
            values["review_on"],
            imposed_on=values["imposed_on"],
        ).id


class ReviewForm(FormScreen[int | None]):
    """Record a review of an adjustment or restriction and set the next review date."""

    FIELD_ALIASES = {"review_on": "next_review_on"}

    def __init__(self, db, kind: str, ident: int, description: str) -> None:
        super().__init__(db)
        self.kind, self.ident, self.description = kind, ident, description

    def heading(self) -> str:
        return f"Review {self.kind}: {self.description}"

    def help_line(self) -> str:
        if self.kind == "adjustment":
            return "Check with the resident that the adjustment still helps, and set the next review (5.10)."
        return (
            "Check the restriction is still needed and in proportion, and set the next review (5.14, 5.15)."
        )

    def form_fields(self) -> list[FormField]:
        return [
            FormField(
                "reviewed_on",
                "Reviewed on",
                kind="date",
                placeholder="leave blank for today",
                what="review date",
            ),
            FormField(
                "next_review_on",
                "Next review by",
                kind="date",
                required=True,
                placeholder="e.g. 17/12/2026",
                what="next review date",
            ),
        ]

    def perform(self, values: dict[str, Any]) -> int:
        fn = (
            residents_service.review_adjustment
            if self.kind == "adjustment"
            else residents_service.review_restriction
        )
        return fn(self.db, self.ident, values["next_review_on"], reviewed_on=values["reviewed_on"]).id
