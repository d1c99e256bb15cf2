"""Text that must say something: punctuation, spaces and invisible characters are not words."""

import datetime as dt

import pytest

from smallhousing.domain import lifecycle as L
from smallhousing.domain.errors import DomainError
from smallhousing.domain.words import has_words, same_words, words


@pytest.mark.parametrize(
    "text", [".", " . ", "...", "-", "\u200b", "\u200b.\u200d", "\u2060 ;", "— –", "_", "?!"]
)
def test_no_words(text):
    assert not has_words(text)
    with pytest.raises(DomainError, match="in words"):
        L.require_text(text, "the reasons", "reasons")


@pytest.mark.parametrize("text", ["No remedy is offered.", "Tŵr y Dŵr", "OK", "Repair 2"])
def test_words(text):
    assert has_words(text)
    assert L.require_text(f"  {text} ", "the reasons") == text


def test_same_words_ignores_case_punctuation_and_invisible_characters():
    assert same_words("Damp in the hall.", "damp, in the\u200b HALL")
    assert not same_words("Damp in the hall", "Damp in the kitchen")
    assert not same_words(".", ".")
    assert words("Mould\u200d!") == ["mould"]


def test_extension_records_agreement_telling_and_updates(db, setup):
    from smallhousing.services import complaints as C

    c = C.log_complaint(db, setup.resident, dt.date(2026, 2, 2), "Leak")
    C.acknowledge(db, c.id, "Leak from the roof", handler_id=setup.alice, on=dt.date(2026, 2, 3))
    e = C.extend(
        db,
        c.id,
        dt.date(2026, 2, 24),
        "Waiting for the roofer",
        on=dt.date(2026, 2, 10),
        update_plan="A phone call every Friday",
    )
    assert e.extended_on == dt.date(2026, 2, 10) and not e.resident_told and e.told_on is None
    assert e.update_plan == "A phone call every Friday"
    told = C.record_extension_told(db, e.id, dt.date(2026, 2, 11), "phone")
    assert told.resident_told and told.told_on == dt.date(2026, 2, 11) and told.told_how == "phone"
    with pytest.raises(DomainError, match="before the extension"):
        C.record_extension_told(db, e.id, dt.date(2026, 2, 9), "phone")
