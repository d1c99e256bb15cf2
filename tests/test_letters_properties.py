"""Property test: complaints built through the services in many shapes; every letter that can be
made is read for statements that contradict each other or the records."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smallhousing.domain import letter_rules as LR
from smallhousing.services import complaints as C
from smallhousing.services import letters as SL
from smallhousing.services import residents
from smallhousing.services import settings as S
from smallhousing.store.db import Database

D = dt.date
TODAY = D(2026, 3, 2)

remedy = st.tuples(st.sampled_from(["apology", "financial remedy"]), st.booleans())
action = st.tuples(st.booleans(), st.booleans(), st.integers(-10, 20))  # owner?, done?, due offset


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    stage2=st.booleans(),
    refuse=st.booleans(),
    extend=st.booleans(),
    remedies=st.lists(remedy, max_size=2),
    actions1=st.lists(action, max_size=2),
    actions2=st.lists(action, max_size=1),
    refuse_escalation=st.booleans(),
)
def test_no_letter_contradicts_itself(
    tmp_path_factory, stage2, refuse, extend, remedies, actions1, actions2, refuse_escalation
):
    path = tmp_path_factory.mktemp("p") / "p.db"
    db = Database(path, actor="t", today=TODAY).open()
    try:
        S.update_settings(
            db,
            name="Ashbury Homes",
            address="1 Mill Lane, Ashbury, AB1 2CD",
            phone="01632 960 000",
            setup_done=True,
        )
        a = S.add_staff(db, "Alice Adams", role="Housing Officer")
        b = S.add_staff(db, "Bilal Bashir", role="Housing Manager")
        r = residents.add_resident(db, "Ms Irene Edwards", address="3 Low Rd, Ashbury", postcode="ab1 9zz")
        c = C.log_complaint(db, r.id, D(2026, 1, 5), "Leak", outcome_sought="Fix it", handler_id=a.id)
        if refuse:
            C.refuse(
                db,
                c.id,
                "already considered",
                "Answered before in 2025-0001.",
                on=D(2026, 1, 6),
                decided_by=a.id,
            )
        else:
            C.acknowledge(db, c.id, "A leak in the roof.", responsible_for="The roof.", on=D(2026, 1, 6))
            if extend:
                C.extend(
                    db,
                    c.id,
                    D(2026, 1, 27),
                    "Waiting for a roofer.",
                    on=D(2026, 1, 12),
                    update_plan="A call every Friday.",
                )
            rem = [
                C.RemedyInput(
                    k,
                    f"Remedy {i}",
                    amount_pence=100 if k != "apology" else 0,
                    due_on=D(2026, 2, 20) if dated else None,
                )
                for i, (k, dated) in enumerate(remedies)
            ]
            acts = [
                C.ActionInput(
                    f"Action {i}",
                    owner="Imran" if own else "",
                    due_on=D(2026, 1, 19) + dt.timedelta(days=off),
                )
                for i, (own, _, off) in enumerate(actions1)
            ]
            C.respond(
                db,
                c.id,
                "upheld",
                "The roof was not fixed in time.",
                remedies=rem,
                actions=acts,
                remedy_statement="" if rem else "No remedy is offered.",
                on=D(2026, 1, 19),
            )
            for row, (_, done, _) in zip(C.complaint_view(db, c.id).actions, actions1):
                if done:
                    C.complete_action(db, row.id, on=D(2026, 1, 26))
            if stage2:
                C.request_stage2(db, c.id, on=D(2026, 1, 28), handler_id=b.id)
                if refuse_escalation:
                    pass
                C.acknowledge(db, c.id, "Still leaking.", handler_id=b.id, on=D(2026, 1, 29))
                acts2 = [
                    C.ActionInput(
                        "Stage 2 action", owner="Imran", due_on=D(2026, 3, 1) + dt.timedelta(days=off)
                    )
                    for _, _, off in actions2
                ]
                C.respond(
                    db,
                    c.id,
                    "upheld",
                    "Still not fixed.",
                    actions=acts2,
                    remedy_statement="No remedy is offered.",
                    on=D(2026, 2, 16),
                )
            elif refuse_escalation:
                C.refuse_escalation(
                    db, c.id, "legal proceedings", "A claim is at court.", on=D(2026, 1, 30), decided_by=b.id
                )
        for choice in SL.available_kinds(db, c.reference):
            if not choice.available:
                continue
            content = SL.letter_content(db, c.reference, choice.kind)
            body = content.body_text()
            problems = SL.check_letter(content)
            open_listed = [
                ln for ln in body.splitlines() if ln.startswith("• Action") and "done on" not in ln
            ] + [ln for ln in body.splitlines() if ln.startswith("• Stage 2 action")]
            actions_text = content.items.get("actions", "") + content.items.get("action_list", "")
            if open_listed and actions_text:
                assert not LR.says_nothing_outstanding(
                    actions_text.split("These are")[0] + actions_text.split("until")[-1]
                ), body
                assert "There are no outstanding actions" not in body
            if "Remedy 0" in content.items.get("remedy", ""):
                assert not LR.says_no_remedy(content.items["remedy"]), body
            # a date before the letter's date is never presented as still to come
            for what, day in content.promises:
                assert day >= content.date, (what, day, content.date)
            assert content.date <= TODAY
            # a letter the check refuses is never written
            before = len(SL.list_letters(db, c.reference))
            if problems:
                try:
                    SL.issue_letter(db, c.reference, choice.kind)
                except SL.LetterRefused:
                    pass
                else:
                    raise AssertionError("a refused letter was issued")
                assert len(SL.list_letters(db, c.reference)) == before
    finally:
        db.close()
