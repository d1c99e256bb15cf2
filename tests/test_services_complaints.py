"""Complaint use cases: dates checked, rule sets kept, extensions, responses, 6.8, 6.13, 1.5, closure days."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from smallhousing.domain import lifecycle as L
from smallhousing.domain.errors import DomainError
from smallhousing.services import complaints as C
from smallhousing.services import queries as Q
from smallhousing.services import settings
from smallhousing.services.base import NotFound, transaction
from smallhousing.store.models import ServiceRequest

D = dt.date
TODAY = D(2026, 3, 2)  # conftest's fixed today, a Monday


def _log(db, setup, received=D(2026, 2, 2), **kw):
    return C.log_complaint(
        db, setup.resident, received, "The kitchen tap has leaked for weeks.", channel="phone", **kw
    )


def _to_s1_responded(db, setup, received=D(2026, 2, 2), ack=D(2026, 2, 3), resp=D(2026, 2, 10)):
    c = _log(db, setup, received)
    C.acknowledge(db, c.id, "Leaking tap not repaired.", handler_id=setup.alice, on=ack)
    C.respond(db, c.id, "upheld", "The repair was late.", remedy_statement="An apology.", on=resp)
    return c


# logging -----------------------------------------------------------------------------------------


def test_log_complaint_sets_first_deadline_and_reference(db, setup):
    c = _log(db, setup, D(2026, 2, 23))
    assert c.reference == "2026-0001" and c.state == L.RECEIVED and c.stage == 1
    assert c.rule_set == "2024"
    # Mon 23 Feb + 5 WD = Mon 2 Mar
    assert c.next_due_on == D(2026, 3, 2) and c.next_step == "acknowledge stage 1"
    assert _log(db, setup, D(2026, 2, 24)).reference == "2026-0002"
    assert _log(db, setup, D(2025, 11, 3)).reference == "2025-0001"


@pytest.mark.parametrize(
    "received, match",
    [
        (D(2026, 3, 3), "future"),
        (None, "Give the date"),
    ],
)
def test_log_complaint_bad_date(db, setup, received, match):
    with pytest.raises(DomainError, match=match):
        _log(db, setup, received)
    assert Q.count_complaints(db) == 0  # nothing logged


def test_log_complaint_needs_words_and_a_resident(db, setup):
    with pytest.raises(DomainError):
        C.log_complaint(db, setup.resident, D(2026, 2, 2), "   ")
    with pytest.raises(NotFound):
        C.log_complaint(db, 9999, D(2026, 2, 2), "Something")


def test_duplicate_reference_refused(db, setup):
    _log(db, setup, reference="ABC-1")
    with pytest.raises(DomainError, match="already exists"):
        _log(db, setup, reference="ABC-1")


def test_unknown_reference(db, setup):
    with pytest.raises(NotFound, match="2099-0001"):
        C.complaint_view(db, "2099-0001")
    with pytest.raises(DomainError):
        C.close(db, "NO-SUCH-REF")
    with pytest.raises(DomainError):
        C.acknowledge(db, 424242, "definition", handler_id=setup.alice)


# every step's date -------------------------------------------------------------------------------


def test_acknowledge_date_checks(db, setup):
    c = _log(db, setup, D(2026, 2, 16))
    with pytest.raises(DomainError, match="future"):
        C.acknowledge(db, c.id, "def", handler_id=setup.alice, on=D(2026, 3, 3))
    with pytest.raises(DomainError, match="before"):
        C.acknowledge(db, c.id, "def", handler_id=setup.alice, on=D(2026, 2, 13))
    with pytest.raises(DomainError, match="handle"):
        C.acknowledge(db, c.id, "def", on=D(2026, 2, 17))
    with pytest.raises(DomainError):
        C.acknowledge(db, c.id, "  ", handler_id=setup.alice, on=D(2026, 2, 17))
    assert C.complaint_view(db, c.id).complaint.state == L.RECEIVED
    C.acknowledge(db, c.id, "def", handler_id=setup.alice, on=D(2026, 2, 16))  # same day is fine
    v = C.complaint_view(db, c.id)
    assert v.complaint.state == L.S1_ACKNOWLEDGED and v.complaint.acceptance == "accepted"
    assert v.complaint.handler_id == setup.alice
    # acknowledged Mon 16 Feb -> respond by Mon 2 Mar (10 WD)
    assert v.next_due == D(2026, 3, 2) and v.status == "due soon"


@pytest.mark.parametrize("step", ["respond", "request_stage2", "close", "refuse_escalation", "withdraw"])
def test_later_steps_cannot_be_future_or_before_the_step_they_follow(db, setup, step):
    c = _log(db, setup, D(2026, 2, 2))
    C.acknowledge(db, c.id, "def", handler_id=setup.alice, on=D(2026, 2, 10))
    if step != "respond" and step != "withdraw":
        C.respond(db, c.id, "upheld", "why", remedy_statement="apology", on=D(2026, 2, 17))
    previous = D(2026, 2, 10) if step in ("respond", "withdraw") else D(2026, 2, 17)

    def act(on):
        if step == "respond":
            C.respond(db, c.id, "upheld", "why", remedy_statement="apology", on=on)
        elif step == "request_stage2":
            C.request_stage2(db, c.id, on=on)
        elif step == "close":
            C.close(db, c.id, on=on)
        elif step == "refuse_escalation":
            C.refuse_escalation(db, c.id, "already considered", "why", on=on, decided_by=setup.bilal)
        else:
            C.withdraw(db, c.id, "why", on=on)

    state = C.complaint_view(db, c.id).complaint.state
    with pytest.raises(DomainError, match="future"):
        act(TODAY + dt.timedelta(days=1))
    with pytest.raises(DomainError, match="before"):
        act(previous - dt.timedelta(days=1))
    assert C.complaint_view(db, c.id).complaint.state == state
    act(previous)
    assert C.complaint_view(db, c.id).complaint.state != state


def test_refusal_needs_a_section_2_ground_and_reasons(db, setup):
    c = _log(db, setup)
    old = dict(
        decided_by=setup.bilal,
        issue_arose_on=D(2023, 5, 1),
        discretion_note="Nothing kept the resident from raising it sooner.",
    )
    with pytest.raises(DomainError, match="ground"):
        C.refuse(db, c.id, "too trivial", "why", **old)
    with pytest.raises(DomainError):
        C.refuse(db, c.id, "older than 12 months", "", **old)
    with pytest.raises(DomainError, match="before"):
        C.refuse(db, c.id, "older than 12 months", "why", on=D(2026, 1, 30), **old)
    c = C.refuse(db, c.id, "Older than 12 months", "The leak was in 2023.", on=D(2026, 2, 3), **old)
    assert c.state == L.REFUSED and c.acceptance == "refused" and c.refused_on == D(2026, 2, 3)
    assert c.exclusion_ground == "older than 12 months" and c.next_due_on is None


# responses ---------------------------------------------------------------------------------------


def test_response_needs_decision_reasons_and_remedy_statement(db, setup):
    c = _log(db, setup)
    C.acknowledge(db, c.id, "def", handler_id=setup.alice, on=D(2026, 2, 3))
    with pytest.raises(DomainError, match="decision"):
        C.respond(db, c.id, "", "why", remedy_statement="apology")
    with pytest.raises(DomainError, match="decision"):
        C.respond(db, c.id, "resolved", "why", remedy_statement="apology")
    with pytest.raises(DomainError, match="reasons"):
        C.respond(db, c.id, "upheld", "  ", remedy_statement="apology")
    with pytest.raises(DomainError, match="put things right"):
        C.respond(db, c.id, "upheld", "why")
    assert C.complaint_view(db, c.id).complaint.state == L.S1_ACKNOWLEDGED


def test_response_with_remedies_and_actions(db, setup):
    c = _log(db, setup)
    C.acknowledge(db, c.id, "def", handler_id=setup.alice, on=D(2026, 2, 3))
    with pytest.raises(DomainError, match="amount"):
        C.respond(db, c.id, "upheld", "late", remedies=[C.RemedyInput("financial remedy", "pay", 0)])
    assert C.complaint_view(db, c.id).remedies == []  # refused response wrote nothing
    C.respond(
        db,
        c.id,
        "partly upheld",
        "The repair was late; the cost claim is not ours.",
        remedies=[
            C.RemedyInput("apology", "Written apology"),
            C.RemedyInput("financial remedy", "Time and trouble", 5000, D(2026, 2, 24)),
        ],
        actions=[C.ActionInput("Replace the tap", "Repairs team", D(2026, 2, 27))],
        on=D(2026, 2, 13),
    )
    v = C.complaint_view(db, c.id)
    st = v.stage(1).stage
    assert st.decision == "partly upheld" and st.responded_on == D(2026, 2, 13)
    assert [r.amount_pence for r in v.remedies] == [0, 5000]
    assert all(r.offered_on == D(2026, 2, 13) for r in v.remedies)
    assert [a.description for a in v.actions] == ["Replace the tap"]
    assert v.complaint.state == L.S1_RESPONDED and v.complaint.next_due_on is None


# stage 2 -----------------------------------------------------------------------------------------


def test_stage2_needs_no_reason_and_a_different_handler(db, setup):
    c = _to_s1_responded(db, setup)
    with pytest.raises(DomainError, match="6.13") as e:
        C.request_stage2(db, c.id, handler_id=setup.alice, on=D(2026, 2, 12))
    assert "Alice Adams" in str(e.value)
    c = C.request_stage2(db, c.id, on=D(2026, 2, 12))  # no reason given: allowed (6.12)
    assert c.state == L.S2_REQUESTED and c.stage == 2
    # 12 Feb + 5 WD = Thu 19 Feb
    assert c.next_due_on == D(2026, 2, 19) and c.next_step == "acknowledge stage 2"
    with pytest.raises(DomainError, match="6.13"):
        C.acknowledge(db, c.id, "Stage 2 definition", handler_id=setup.alice, on=D(2026, 2, 13))
    with pytest.raises(DomainError, match="handle"):
        C.acknowledge(db, c.id, "Stage 2 definition", on=D(2026, 2, 13))
    c = C.acknowledge(db, c.id, "Stage 2 definition", handler_id=setup.bilal, on=D(2026, 2, 13))
    assert c.state == L.S2_ACKNOWLEDGED and c.handler_id == setup.bilal


def test_stage2_handler_chosen_at_request_is_used(db, setup):
    c = _to_s1_responded(db, setup)
    C.request_stage2(
        db, c.id, handler_id=setup.cerys, on=D(2026, 2, 12), resident_reason="I do not accept the apology."
    )
    v = C.complaint_view(db, c.id)
    assert v.stage(2).stage.handler_id == setup.cerys
    assert any("I do not accept the apology." in x.summary for x in v.correspondence)
    c = C.acknowledge(db, c.id, "Stage 2 definition", on=D(2026, 2, 13))
    assert c.handler_id == setup.cerys


def test_inactive_staff_cannot_handle(db, setup):
    settings.update_staff(db, setup.cerys, active=False)
    c = _log(db, setup)
    with pytest.raises(DomainError, match="no longer active"):
        C.acknowledge(db, c.id, "def", handler_id=setup.cerys, on=D(2026, 2, 3))


def test_escalation_after_closure_then_no_second_stage2(db, setup):
    c = _to_s1_responded(db, setup)
    C.close(db, c.id, on=D(2026, 2, 11))
    c = C.request_stage2(db, c.id, on=D(2026, 2, 16))
    assert c.state == L.S2_REQUESTED and c.closed_on is None
    with pytest.raises(DomainError):
        C.request_stage2(db, c.id)


def test_full_life_to_closure(db, setup):
    c = _to_s1_responded(db, setup)
    C.request_stage2(db, c.id, on=D(2026, 2, 12))
    C.acknowledge(db, c.id, "Stage 2", handler_id=setup.bilal, on=D(2026, 2, 13))
    C.respond(
        db,
        c.id,
        "not upheld",
        "The stage 1 answer stands.",
        remedy_statement="None offered.",
        on=D(2026, 2, 20),
    )
    c = C.close(db, c.id, on=D(2026, 2, 23))
    assert c.state == L.CLOSED and c.closed_on == D(2026, 2, 23) and c.next_due_on is None
    v = C.complaint_view(db, c.id)
    assert [s.stage.decision for s in v.stages] == ["upheld", "not upheld"]
    assert v.allowed == []


# rule sets ---------------------------------------------------------------------------------------


def _through_stage2_ack(db, setup, received):
    # the same dates for both complaints: acknowledged Thu 4 Apr 2024, stage 1 answered Mon 15 Apr,
    # escalation requested Mon 22 Apr, stage 2 acknowledged Fri 26 Apr
    c = _log(db, setup, received)
    C.acknowledge(db, c.id, "def", handler_id=setup.alice, on=D(2024, 4, 4))
    C.respond(db, c.id, "upheld", "why", remedy_statement="apology", on=D(2024, 4, 15))
    C.request_stage2(db, c.id, on=D(2024, 4, 22))
    return C.acknowledge(db, c.id, "stage 2", handler_id=setup.bilal, on=D(2024, 4, 26))


def test_2022_rules_for_complaint_received_before_april_2024(db, setup):
    c = _log(db, setup, D(2024, 3, 28))
    assert c.rule_set == "2022"
    # Thu 28 Mar 2024 + 5 WD skips Good Friday (29 Mar) and Easter Monday (1 Apr): Mon 8 Apr
    assert c.next_due_on == D(2024, 4, 8)
    C.acknowledge(db, c.id, "def", handler_id=setup.alice, on=D(2024, 4, 4))
    # 2022 stage 1: 10 WD from logging (Thu 4 Apr): 5, 8-12, 15-18 Apr -> Thu 18 Apr
    assert C.complaint_view(db, c.id).next_due == D(2024, 4, 18)
    C.respond(db, c.id, "upheld", "why", remedy_statement="apology", on=D(2024, 4, 15))
    c = C.request_stage2(db, c.id, on=D(2024, 4, 22))
    # 2022 stage 2: 20 WD from the request (Mon 22 Apr), known before acknowledgement:
    # 23-26 Apr (1-4), 29 Apr - 3 May (5-9), Mon 6 May bank holiday, 7-10 May (10-13),
    # 13-17 May (14-18), Mon 20 (19), Tue 21 May (20)
    v = C.complaint_view(db, c.id)
    assert v.stage(2).deadlines.respond_by.due == D(2024, 5, 21)
    c = C.acknowledge(db, c.id, "stage 2", handler_id=setup.bilal, on=D(2024, 4, 26))
    assert c.rule_set == "2022"
    assert c.next_due_on == D(2024, 5, 21)


def test_2024_rules_for_complaint_received_from_april_2024(db, setup):
    c = _through_stage2_ack(db, setup, D(2024, 4, 2))
    assert c.rule_set == "2024"
    # 2024 stage 2: 20 WD from acknowledgement (Fri 26 Apr): 29 Apr - 3 May (1-5), Mon 6 May
    # bank holiday, 7-10 (6-9), 13-17 (10-14), 20-24 (15-19), Mon 27 May Spring bank holiday,
    # Tue 28 May (20)
    assert c.next_due_on == D(2024, 5, 28)
    assert "Spring Bank Holiday" in C.complaint_view(db, c.id).next_deadline.explain()


def test_complaint_keeps_its_rule_set(db, setup):
    c = _log(db, setup, D(2024, 3, 28))
    C.acknowledge(db, c.id, "def", handler_id=setup.alice, on=D(2024, 4, 4))
    assert C.complaint_view(db, c.id).complaint.rule_set == "2022"
    forced = _log(db, setup, D(2024, 3, 28), rule_set_code="2024")
    assert forced.rule_set == "2024"
    with pytest.raises(DomainError):
        _log(db, setup, D(2024, 3, 28), rule_set_code="2021")


def test_2022_stage2_extension_cap_is_10(db, setup):
    old = _through_stage2_ack(db, setup, D(2024, 3, 28))  # respond by Tue 21 May 2024
    new = _through_stage2_ack(db, setup, D(2024, 4, 2))  # respond by Tue 28 May 2024
    # 2022: cap 10 WD after Tue 21 May = Wed 5 Jun (22-24, 28-31 May, 3-5 Jun; 27 May skipped)
    with pytest.raises(DomainError, match="10 extra working days"):
        C.extend(db, old.id, D(2024, 6, 6), "survey needed")
    C.extend(db, old.id, D(2024, 6, 5), "survey needed")
    # 2024: 20 WD after Tue 28 May = Tue 25 Jun, so 6 Jun needs no good reason
    e = C.extend(db, new.id, D(2024, 6, 6), "survey needed")
    assert not e.beyond_cap


# extensions --------------------------------------------------------------------------------------


def test_extension_moves_deadline_and_cap_needs_good_reason(db, setup):
    c = _log(db, setup, D(2026, 2, 16))
    C.acknowledge(db, c.id, "def", handler_id=setup.alice, on=D(2026, 2, 17))
    # respond by Tue 3 Mar (10 WD after Tue 17 Feb); cap Tue 17 Mar
    assert C.complaint_view(db, c.id).next_due == D(2026, 3, 3)
    e = C.extend(db, c.id, D(2026, 3, 10), "Awaiting a contractor's report.", resident_told=True)
    assert e.extended_on == TODAY and not e.beyond_cap
    assert C.complaint_view(db, c.id).complaint.next_due_on == D(2026, 3, 10)
    with pytest.raises(DomainError, match="good reason"):
        C.extend(db, c.id, D(2026, 3, 18), "More time")
    assert len(C.complaint_view(db, c.id).stage(1).extensions) == 1
    e = C.extend(db, c.id, D(2026, 3, 18), "More time", good_reason="The surveyor is ill.")
    assert e.beyond_cap and e.good_reason == "The surveyor is ill."
    # not yet told to the resident: it does not count under the Code, so the date stays 10 Mar
    v = C.complaint_view(db, c.id)
    assert v.next_due == D(2026, 3, 10) and v.complaint.next_due_on == D(2026, 3, 10)
    C.record_extension_told(db, e.id, how="phone")
    v = C.complaint_view(db, c.id)
    assert v.next_due == D(2026, 3, 18) and v.complaint.next_due_on == D(2026, 3, 18)


def test_extension_refused_before_acknowledgement(db, setup):
    c = _log(db, setup)
    with pytest.raises(DomainError):
        C.extend(db, c.id, D(2026, 3, 10), "why")


# additional complaints (6.8) ---------------------------------------------------------------------


def test_additional_complaint_folded_into_open_stage1(db, setup):
    c = _log(db, setup, D(2026, 2, 16))
    C.acknowledge(db, c.id, "The leaking tap.", handler_id=setup.alice, on=D(2026, 2, 17))
    C.fold_additional_complaint(db, c.id, "The bathroom fan is broken too.", D(2026, 2, 20))
    v = C.complaint_view(db, c.id)
    definition = v.stage(1).stage.definition
    assert definition.startswith("The leaking tap.") and "The bathroom fan is broken too." in definition
    assert any("bathroom fan" in x.summary for x in v.correspondence)
    with pytest.raises(DomainError, match="future"):
        C.fold_additional_complaint(db, c.id, "More", D(2026, 3, 3))
    with pytest.raises(DomainError, match="before"):
        C.fold_additional_complaint(db, c.id, "More", D(2026, 2, 13))


def test_additional_complaint_after_stage1_response_must_be_new(db, setup):
    c = _to_s1_responded(db, setup)
    with pytest.raises(DomainError, match="new complaint"):
        C.fold_additional_complaint(db, c.id, "The fence is down.")
    new = C.fold_additional_complaint(db, c.id, "The fence is down.", D(2026, 2, 20), log_as_new=True)
    assert new.id != c.id and new.related_to_id == c.id and new.state == L.RECEIVED
    assert new.received_on == D(2026, 2, 20) and new.resident_id == setup.resident


def test_additional_complaint_can_be_logged_as_new_during_stage1(db, setup):
    c = _log(db, setup)
    new = C.fold_additional_complaint(db, c.id, "Unrelated: noisy neighbours.", log_as_new=True)
    assert new.related_to_id == c.id and new.received_on == TODAY
    assert C.complaint_view(db, c.id).stage(1).stage.definition == ""


# service requests (1.4, 1.5) ---------------------------------------------------------------------


def test_complaint_raised_from_service_request_leaves_it_open(db, setup):
    sr = C.log_service_request(db, setup.resident, D(2026, 2, 2), "Fix the gutter", category="repairs")
    assert sr.reference == "SR-2026-0001" and sr.status == "open"
    with pytest.raises(DomainError, match="before the service request"):
        C.raise_from_service_request(db, sr.id, D(2026, 1, 30), "Still not fixed")
    c = C.raise_from_service_request(db, sr.id, D(2026, 2, 20), "The gutter is still not fixed.")
    assert c.service_request_id == sr.id and c.categories == "repairs" and c.state == L.RECEIVED
    with db.reading() as s:
        again = s.get(ServiceRequest, sr.id)
        assert again.status == "open" and again.completed_on is None
    done = C.complete_service_request(db, sr.id, "Gutter cleared.", D(2026, 2, 25))
    assert done.status == "completed"
    with pytest.raises(DomainError, match="already completed"):
        C.complete_service_request(db, sr.id, "Again.")
    assert C.complaint_view(db, c.id).complaint.state == L.RECEIVED


# closure days ------------------------------------------------------------------------------------


def test_closure_day_moves_open_deadlines(db, setup):
    waiting = _log(db, setup, D(2026, 2, 25))  # acknowledge by Wed 4 Mar
    acked = _log(db, setup, D(2026, 2, 23))
    C.acknowledge(db, acked.id, "def", handler_id=setup.alice, on=D(2026, 2, 24))  # respond by Tue 10 Mar
    finished = _to_s1_responded(db, setup)
    settings.add_closure_day(db, D(2026, 3, 3), "office move")
    assert C.complaint_view(db, waiting.id).complaint.next_due_on == D(2026, 3, 5)
    v = C.complaint_view(db, acked.id)
    assert v.complaint.next_due_on == D(2026, 3, 11) and v.next_due == D(2026, 3, 11)
    assert "office move (3 Mar)" in v.next_deadline.explain()
    assert C.complaint_view(db, finished.id).complaint.next_due_on is None
    settings.remove_closure_day(db, D(2026, 3, 3))
    assert C.complaint_view(db, waiting.id).complaint.next_due_on == D(2026, 3, 4)
    assert C.complaint_view(db, acked.id).complaint.next_due_on == D(2026, 3, 10)


def test_closure_day_in_the_same_unit_moves_later_deadlines_too(db, setup):
    # deadlines are worked out once per Unit for the same rule set and dates: a closure day added
    # inside the Unit (a new calendar) must not leave the old answers in use
    with transaction(db) as u:
        before = _log(u, setup, D(2026, 2, 25))
        assert before.next_due_on == D(2026, 3, 4)
        settings.add_closure_day(u, D(2026, 3, 3), "office move")
        after = _log(u, setup, D(2026, 2, 25))
        assert before.next_due_on == after.next_due_on == D(2026, 3, 5)
    assert C.complaint_view(db, after.id).complaint.next_due_on == D(2026, 3, 5)


def test_a_use_case_inside_a_unit_joins_it_and_its_failure_undoes_the_unit(db, setup):
    with pytest.raises(DomainError, match="future"):
        with transaction(db) as u:
            with transaction(u) as inner:
                assert inner is u
            _log(u, setup, D(2026, 2, 25))
            _log(u, setup, D(2026, 3, 3))  # in the future: fails, and so does the whole Unit
    assert Q.count_complaints(db) == 0


def test_closure_day_checks(db, setup):
    with pytest.raises(DomainError, match="weekend"):
        settings.add_closure_day(db, D(2026, 3, 7))
    settings.add_closure_day(db, D(2026, 3, 9), "training")
    with pytest.raises(DomainError, match="already"):
        settings.add_closure_day(db, D(2026, 3, 9))
    with pytest.raises(DomainError, match="not a closure day"):
        settings.remove_closure_day(db, D(2026, 3, 10))
    assert [d.day for d in settings.list_closure_days(db)] == [D(2026, 3, 9)]


# remedies and actions after the response ---------------------------------------------------------


def test_complete_remedy_and_action(db, setup):
    c = _log(db, setup)
    C.acknowledge(db, c.id, "def", handler_id=setup.alice, on=D(2026, 2, 3))
    C.respond(
        db,
        c.id,
        "upheld",
        "late",
        remedies=[C.RemedyInput("apology", "Apologise", 0, D(2026, 2, 20))],
        actions=[C.ActionInput("Fit new tap", "Repairs", D(2026, 2, 20))],
        on=D(2026, 2, 10),
    )
    v = C.complaint_view(db, c.id)
    rid, aid = v.remedies[0].id, v.actions[0].id
    with pytest.raises(DomainError, match="before"):
        C.complete_remedy(db, rid, D(2026, 2, 9))
    with pytest.raises(DomainError, match="future"):
        C.complete_action(db, aid, D(2026, 3, 3))
    C.update_action(db, aid, "Tap ordered; fitting next week.", D(2026, 2, 18))
    assert C.complete_remedy(db, rid, D(2026, 2, 12)).completed_on == D(2026, 2, 12)
    assert C.complete_action(db, aid).completed_on == TODAY
    with pytest.raises(DomainError, match="already"):
        C.complete_remedy(db, rid)
    with pytest.raises(DomainError, match="already"):
        C.complete_action(db, aid)


def test_save_adds_only_what_the_session_does_not_hold_already(db, setup):
    from smallhousing.services.base import transaction
    from smallhousing.store import models as M

    c = C.log_complaint(db, setup.resident, dt.date(2026, 1, 5), "Leak")
    with transaction(db) as u:
        row = u.session.get(M.Complaint, c.id)
        C._save(u, row)  # held already: nothing changes
        assert row in u.session and not u.session.new
        u.session.delete(row)
        C._save(u, row)  # marked for deletion: added again, which takes the mark off, as add does
        assert row not in u.session.deleted
        stray = M.Complaint(reference="STRAY", resident_id=setup.resident, received_on=dt.date(2026, 1, 6))
        C._save(u, stray)  # not in the session: added
        assert stray in u.session.new
        u.session.expunge(stray)


def test_set_is_setting_the_fields_one_by_one(db, setup):
    from sqlalchemy.orm.attributes import instance_state

    from smallhousing.services.base import transaction
    from smallhousing.store import models as M

    c = C.log_complaint(db, setup.resident, D(2026, 1, 5), "Leak")
    C.log_complaint(db, setup.resident, D(2026, 1, 6), "Damp")

    class Undo(Exception):
        pass

    with pytest.raises(Undo):
        with transaction(db) as u:
            one, two = u.session.exec(select(M.Complaint).order_by(M.Complaint.id)).all()
            values = dict(
                state="closed", closed_on=D(2026, 2, 1), next_step="", handler_id=None, channel=one.channel
            )  # the last is the value it has already
            for k, v in values.items():
                setattr(one, k, v)
            C._set(two, **values)
            new_one, new_two = (
                M.Stage(complaint_id=c.id, number=2, requested_on=D(2026, 1, 7)) for _ in range(2)
            )
            new_one.decision, new_one.reasons = "upheld", "Late"
            C._set(new_two, decision="upheld", reasons="Late")
            for a, b, same in ((one, two, set(values)), (new_one, new_two, set(M.Stage.model_fields))):
                sa, sb = instance_state(a), instance_state(b)
                assert [k for k in a.__dict__ if k != "_sa_instance_state"] == [
                    k for k in b.__dict__ if k != "_sa_instance_state"
                ]
                assert {k: v for k, v in b.__dict__.items() if k in same} == {
                    k: v for k, v in a.__dict__.items() if k in same
                }
                assert a.__pydantic_fields_set__ == b.__pydantic_fields_set__
                assert list(sa.committed_state) == list(sb.committed_state)
                assert sa.modified == sb.modified
            assert one in u.session.dirty and two in u.session.dirty
            raise Undo


def test_a_team_viewer_cannot_handle_a_complaint(db, setup):
    import datetime as dt

    from smallhousing.domain.errors import DomainError
    from smallhousing.services import settings as S

    vic = S.add_staff(db, "Vic Viewer", role="Viewer", login="vic_viewer")
    assert vic.id not in {s.id for s in S.list_handlers(db)}
    assert setup.alice in {s.id for s in S.list_handlers(db)}
    c = C.log_complaint(db, setup.resident, dt.date(2026, 2, 2), "Gutter", channel="phone")
    with pytest.raises(DomainError, match="viewer"):
        C.acknowledge(db, c.id, "Gutter leaks", handler_id=vic.id, on=dt.date(2026, 2, 3))
