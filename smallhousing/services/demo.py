"""Realistic demo data, so a newcomer can look around at once. Every record goes through the same
use cases as typed ones, so demo complaints obey the same rules."""

from __future__ import annotations

import datetime as dt
import random
from typing import Callable

from ..domain import lifecycle as L
from ..domain.errors import DomainError
from ..domain.years import year_of
from sqlmodel import select

from ..store.models import LearningPoint, OmbudsmanCase, OmbudsmanOrder, OutstandingAction, Remedy
from . import complaints as C
from . import residents as R
from . import settings as S
from .base import audit, transaction

FIRST = ["Margaret", "David", "Aisha", "Gareth", "Siân", "Rhys", "Zoë", "Chloé", "Tomasz", "Grace",
         "Mohammed", "Eleri", "Patrick", "Nia", "José", "Fatima", "Oliver", "Bethan", "Kwame", "Ioan",
         "Dorothy", "Amélie", "Stanley", "Priya", "Callum", "Ffion", "Irene", "Dafydd", "Agnieszka", "Leon"]
FEMALE = {"Margaret", "Aisha", "Siân", "Zoë", "Chloé", "Grace", "Eleri", "Nia", "Fatima", "Bethan",
          "Dorothy", "Amélie", "Priya", "Ffion", "Irene", "Agnieszka"}
LAST = ["Jones", "Williams", "Hughes", "O'Brien", "Patel", "Evans", "Nowak", "Thomas", "Davies",
        "Ahmed", "Roberts", "Ó Súilleabháin", "Lloyd", "Okafor", "Pryce", "Smith", "Brown", "Morgan",
        "Khan", "Griffiths", "Clarke", "Begum", "Price", "Walker", "Wright", "Edwards", "Hall", "Lewis"]
STREETS = ["Mill Lane", "Church Road", "Station Street", "Orchard Close", "Heol y Parc", "Vicarage Walk",
           "Meadow View", "Brook Court", "The Crescent", "Albion Terrace", "Chapel Row", "Willow Gardens"]
STAFF = [("Helen Carter", "Housing Director"), ("Sam Okoye", "Complaints Officer"),
         ("Ruth Ellis", "Scheme Manager"), ("Imran Shah", "Repairs Manager"),
         ("Megan Price", "Housing Officer"), ("Tom Baxter", "Income Officer")]

ISSUES = {
    "repairs": [("The boiler has failed {n} times since {month} and we have had no heating for days.",
                 "The heating to be fixed properly and compensation for the days without it."),
                ("A leak from the bathroom ceiling was reported {n} times and nobody has come out.",
                 "The leak repaired and the ceiling made good."),
                ("The repair appointment was missed twice and I took unpaid leave to wait in.",
                 "An apology and a repair on a date that suits me.")],
    "damp and mould": [("Black mould has come back in the bedroom after it was painted over in {month}.",
                        "A proper survey and a lasting fix, with the bedroom made safe for my child."),
                       ("Condensation streams down the windows and the extractor fan has not worked for months.",
                        "The fan replaced and the damp treated.")],
    "anti-social behaviour": [("Noise from the flat above goes on after midnight and my reports are ignored.",
                               "Action taken and to be kept updated on what is being done.")],
    "staff conduct": [("The officer who visited was rude and would not listen to my concerns.",
                       "An apology and a different officer for future visits.")],
    "communication": [("I have phoned {n} times about my transfer request and nobody calls back.",
                       "A named contact and a clear answer about my request.")],
    "rent and service charges": [("My service charge went up without any explanation of the new costs.",
                                  "A breakdown of the charges and a correction if they are wrong.")],
    "estate services": [("The communal areas have not been cleaned for weeks and the bins overflow.",
                         "The cleaning done as the service charge promises, and a refund for missed visits.")],
    "adaptations": [("I was promised a level-access shower in {month} and nothing has happened.",
                     "The adaptation fitted and a date I can rely on.")],
    "allocations and lettings": [("My bidding position was changed without anyone telling me why.",
                                  "An explanation and my correct position restored.")],
}
CHANNEL_WEIGHTS = [("phone", 35), ("email", 25), ("online form", 15), ("letter", 8), ("in person", 10),
                   ("via representative", 4), ("via councillor or MP", 3)]
REASONS = {
    L.UPHELD: "We should have completed the work within our target time and did not. The records show "
              "the job was passed between teams without anyone owning it.",
    L.PARTLY_UPHELD: "Part of the work was done on time, but we did not keep you informed, and one "
                     "appointment was missed without notice.",
    L.NOT_UPHELD: "Our records show the work was done within our published timescales and the "
                  "contractor's report confirms the fault was fixed on the first visit.",
}
LEARNING = [("repairs", "Jobs passed between teams lose an owner.",
             "Every repair now has a named owner until it is closed."),
            ("damp and mould", "Painting over mould hid the cause and it returned.",
             "Damp reports now get a survey before any cosmetic work."),
            ("communication", "Call-backs were promised but not logged.",
             "Call-backs are logged with a due time and checked daily."),
            ("staff conduct", "Staff were unsure how to handle distressed callers.",
             "Training on difficult conversations for front-line staff.")]


def _weighted(rng: random.Random, pairs):
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def _next_wd(cal, day: dt.date, lo: int, hi: int, rng: random.Random) -> dt.date:
    return cal.add(day, rng.randint(lo, hi)).due


def generate(db, complaints: int = 300, seed: int = 1,
             progress: Callable[[int, int], None] | None = None) -> dict:
    """Fill the database with varied records over several reporting years. Returns counts."""
    if complaints < 0 or complaints > 1_000_000:
        raise DomainError("The number of demo complaints must be between 0 and 1,000,000.")
    rng = random.Random(seed)
    today = db.today() if hasattr(db, "today") else dt.date.today()
    first_year = year_of(today) - 3
    start = dt.date(first_year, 4, 1)
    span = (today - start).days
    made = {"complaints": 0, "residents": 0, "service_requests": 0}
    with transaction(db) as u:
        st = S.get_settings(u)
        demo_details = {"name": "Demo Homes Housing Association",
                        "address": "Unit 4, Riverside Works, Mill Lane, Ashbury, AB1 2CD",
                        "phone": "01632 960 100", "email": "complaints@demohomes.example",
                        "website": "www.demohomes.example", "complaints_officer": "Sam Okoye",
                        "member_responsible": "Cllr Ann Rees (board member)"}
        missing = {k: v for k, v in demo_details.items() if not getattr(st, k)}
        if missing or not st.setup_done:
            S.update_settings(u, **missing, setup_done=True)  # only what is still blank
        staff_ids = [s.id for s in S.list_staff(u)]
        if len(staff_ids) < 2:
            staff_ids = [S.add_staff(u, n, role=r).id for n, r in STAFF if n not in
                         {s.name for s in S.list_staff(u)}] + staff_ids
        homes = max(200, complaints * 2)
        for y in range(first_year, year_of(today) + 1):
            if S.homes_for(u, y) is None:
                S.set_homes(u, y, homes + 10 * (y - first_year))
        closure = dt.date(today.year, 12, 24)
        if closure.weekday() < 5 and closure <= today + dt.timedelta(days=60):
            try:
                S.add_closure_day(u, closure, "office closed for Christmas Eve")
            except DomainError:
                pass
        cal = u.cal
        n_res = max(10, complaints // 2)
        resident_ids = []
        reps_of: dict[int, list[int]] = {}
        for i in range(n_res):
            first = rng.choice(FIRST)
            titles = ["Mrs", "Ms", "Miss", ""] if first in FEMALE else ["Mr", ""]
            name = f"{rng.choice(titles)} {first} {rng.choice(LAST)}".strip()
            addr = f"{rng.randint(1, 140)} {rng.choice(STREETS)}, Ashbury"
            fmt = _weighted(rng, [("standard", 90), ("large print", 6), ("easy read", 2), ("email", 2)])
            dis = rng.random() < 0.12
            r = R.add_resident(u, name, address=addr, postcode=f"AB{rng.randint(1, 9)} {rng.randint(1, 9)}"
                               f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}",
                               phone=f"07700 9{rng.randint(10000, 99999)}", preferred_format=fmt,
                               disabilities="Sight loss: needs large print" if fmt == "large print"
                               else ("Mobility impairment" if dis else ""),
                               vulnerabilities="Lives alone, over 80" if rng.random() < 0.05 else "")
            resident_ids.append(r.id)
            if fmt == "large print" or dis:
                R.add_adjustment(u, r.id, "Letters in 16 pt large print" if fmt == "large print"
                                 else "Home visits instead of office appointments",
                                 review_on=today + dt.timedelta(days=rng.randint(-40, 300)),
                                 agreed_on=today - dt.timedelta(days=rng.randint(60, 700)))
            if rng.random() < 0.05:
                reps_of[r.id] = [R.add_representative(u, r.id, f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                                     relationship=rng.choice(["daughter", "son", "advocate", "support worker"]),
                                     address=f"{rng.randint(1, 90)} {rng.choice(STREETS)}, Ashbury",
                                     authority="Signed consent form on file",
                                     authority_on=today - dt.timedelta(days=rng.randint(10, 500))).id]
            if rng.random() < 0.01:
                R.add_restriction(u, r.id, "Contact by email to the complaints officer only",
                                  "Repeated abusive phone calls to staff, evidenced in call notes",
                                  review_on=today + dt.timedelta(days=rng.randint(-20, 120)),
                                  imposed_on=today - dt.timedelta(days=rng.randint(30, 200)))
        made["residents"] = n_res

        # many small flushes are most of the cost; rows that need ids are flushed when made
        u.s.autoflush = False
        for i in range(complaints):
            if i >= complaints * 0.93:  # a recent batch, so every open state is on show today
                received = today - dt.timedelta(days=int(30 * rng.random() ** 2))
            else:
                received = start + dt.timedelta(days=int(span * (rng.random() ** 0.8)))
            if received > today:
                received = today
            cat = rng.choice(list(ISSUES))
            words, outcome = rng.choice(ISSUES[cat])
            words = words.format(n=rng.randint(2, 5), month=received.strftime("%B"))
            rid = rng.choice(resident_ids)
            reps = reps_of.get(rid, [])
            channel = _weighted(rng, CHANNEL_WEIGHTS)
            sr_id = None
            if rng.random() < 0.15:
                sr_day = received - dt.timedelta(days=rng.randint(5, 40))
                if sr_day >= start:
                    sr = C.log_service_request(u, rid, sr_day, f"Request: {words}", channel=channel,
                                               category=cat)
                    sr_id = sr.id
                    made["service_requests"] += 1
            cats = [cat] + ([rng.choice(["communication", "staff conduct"])] if rng.random() < 0.25 else [])
            c = C.log_complaint(u, rid, received, words, channel=channel, outcome_sought=outcome,
                                categories=cats, representative_id=reps[0] if reps and rng.random() < 0.7 else None,
                                service_request_id=sr_id)
            made["complaints"] += 1
            if progress and i % 100 == 0:
                progress(i, complaints)
            _advance(u, c, rng, cal, today, staff_ids, cat)
            if i % 200 == 199:
                u.flush()
        u.s.autoflush = True
        for theme, learning, improvement in LEARNING:
            lp = LearningPoint(recorded_on=today - dt.timedelta(days=rng.randint(20, 300)), theme=theme,
                               learning=learning, improvement=improvement, owner=rng.choice(STAFF)[0],
                               status=rng.choice(["done", "in progress", "planned"]))
            if lp.status == "done":
                lp.made_on = lp.recorded_on + dt.timedelta(days=30)
                if lp.made_on > today:
                    lp.made_on = today
            u.add(lp)
            audit(u, "learning recorded", lp)
        if complaints:
            for k, finding in enumerate(["service failure", "no maladministration", "maladministration"]):
                referred = today - dt.timedelta(days=120 + 150 * k)
                case = OmbudsmanCase(referred_on=referred, case_number=f"2025{rng.randint(10000, 99999)}",
                                     finding=finding, determined_on=referred + dt.timedelta(days=90),
                                     summary="Handling of repairs and complaint delays")
                u.add(case)
                audit(u, "ombudsman case recorded", case)
                if finding != "no maladministration":
                    o = OmbudsmanOrder(case_id=case.id, description="Pay £150 for time and trouble",
                                       due_on=case.determined_on + dt.timedelta(days=28),
                                       complied_on=case.determined_on + dt.timedelta(days=20))
                    u.add(o)
                    audit(u, "ombudsman order recorded", o)
        if progress:
            progress(complaints, complaints)
    return made


def _advance(u, c, rng: random.Random, cal, today: dt.date, staff_ids: list[int], cat: str) -> None:
    """Take a logged complaint along a plausible path, stopping where 'today' would be."""
    def step(day: dt.date) -> bool:
        return day <= today

    roll = rng.random()
    if (today - c.received_on).days < 45 and rng.random() < 0.12:
        return  # not yet acknowledged: it shows as due soon or overdue
    if roll < 0.05:
        day = _next_wd(cal, c.received_on, 1, 5, rng)
        if step(day):
            ground = rng.choice(["older than 12 months", "legal proceedings", "already considered"])
            C.refuse(u, c.id, ground, {
                "older than 12 months": "The events described took place in 2021 and were not raised "
                                        "until now; we considered whether to use our discretion and decided not to.",
                "legal proceedings": "A disrepair claim about the same issues has been filed at court.",
                "already considered": "The same points were answered in full in an earlier complaint."}[ground],
                # no draw from rng here: the demo's other records stay as they were
                on=day, decided_by=staff_ids[0],
                issue_arose_on=dt.date(2021, 6, 1) if ground == "older than 12 months" else None,
                discretion_note="We asked why it was not raised sooner; nothing kept the resident from "
                                "doing so, so we did not use our discretion to accept it."
                if ground == "older than 12 months" else "")
        return
    handler1 = rng.choice(staff_ids)
    ack = _next_wd(cal, c.received_on, 1, 6 if rng.random() < 0.1 else 4, rng)
    if not step(ack):
        return
    C.acknowledge(u, c.id, f"You are unhappy that {c.description[0].lower()}{c.description[1:]} "
                  f"You would like: {c.outcome_sought}", responsible_for="The repair and how we handled it.",
                  not_responsible_for="Damage to contents, which is a matter for your home insurance."
                  if rng.random() < 0.3 else "", handler_id=handler1, on=ack)
    if rng.random() < 0.02:
        wd = _next_wd(cal, ack, 1, 3, rng)
        if step(wd):
            C.withdraw(u, c.id, "The resident said the problem was sorted and asked us to stop.", on=wd)
        return
    due = cal.add(ack, 10).due
    if (today - ack).days < 60 and rng.random() < 0.12:
        return  # the response is late or nearly due
    if rng.random() < 0.15:
        ext_on = _next_wd(cal, ack, 5, 9, rng)
        if not step(ext_on):
            return
        beyond = rng.random() < 0.1
        new_due = cal.add(due, rng.randint(11, 15) if beyond else rng.randint(3, 10)).due
        C.extend(u, c.id, new_due, "We need a specialist survey before we can answer fully.",
                 good_reason="The surveyor's earliest slot is after the usual limit." if beyond else "",
                 resident_told=True, on=ext_on)
        due = new_due
    resp = cal.add(ack, rng.randint(5, 10)).due if rng.random() < 0.9 else cal.add(due, rng.randint(1, 4)).due
    if resp > due and rng.random() < 0.5:
        resp = due
    if not step(resp):
        return
    decision = _weighted(rng, [(L.UPHELD, 35), (L.PARTLY_UPHELD, 30), (L.NOT_UPHELD, 35)])
    remedies, actions, statement = [], [], ""
    if decision != L.NOT_UPHELD:
        remedies.append(C.RemedyInput("apology", "We apologise for the delay and for not keeping you informed.",
                                      agreed=True))
        if rng.random() < 0.5:
            pence = rng.choice([2500, 5000, 7500, 10000, 15000, 25000])
            remedies.append(C.RemedyInput("financial remedy", "Payment for time, trouble and inconvenience",
                                          amount_pence=pence, due_on=cal.add(resp, 10).due, agreed=True))
        if rng.random() < 0.6:
            actions.append(C.ActionInput(f"Complete the outstanding {cat} work", owner=rng.choice(STAFF)[0],
                                         due_on=cal.add(resp, rng.randint(5, 30)).due))
    else:
        statement = "No remedy is offered because we did not find a failing in our service."
    C.respond(u, c.id, decision, REASONS[decision], remedies=remedies, actions=actions,
              remedy_statement=statement, on=resp)
    u.flush()  # autoflush is off while demo data is made: write the remedies and actions first
    for r in u.s.exec(select(Remedy).where(Remedy.complaint_id == c.id)).all():
        if r.due_on is None and r.kind == "apology":
            C.complete_remedy(u, r.id, on=resp)  # the apology is given in the response itself
        elif r.due_on and r.due_on <= today and rng.random() < 0.9:
            C.complete_remedy(u, r.id, on=r.due_on)
    for a in u.s.exec(select(OutstandingAction).where(OutstandingAction.complaint_id == c.id)).all():
        if a.due_on and a.due_on <= today and rng.random() < 0.8:
            C.complete_action(u, a.id, on=a.due_on)
    esc = rng.random()
    req = _next_wd(cal, resp, 3, 15, rng)
    if esc < 0.18 and step(req):
        if rng.random() < 0.1:
            C.request_stage2(u, c.id, on=req)
            refuse_day = _next_wd(cal, req, 1, 4, rng)
            if step(refuse_day):
                C.refuse_escalation(u, c.id, "legal proceedings",
                                    "A claim about the same repairs is now before the county court.",
                                    on=refuse_day, decided_by=staff_ids[-1])
            return
        handler2 = rng.choice([s for s in staff_ids if s != handler1])
        C.request_stage2(u, c.id, on=req, handler_id=handler2)
        ack2 = _next_wd(cal, req, 1, 5, rng)
        if not step(ack2):
            return
        C.acknowledge(u, c.id, "You remain unhappy with our stage 1 answer, in particular how long the "
                      "work is taking.", handler_id=handler2, on=ack2)
        resp2 = cal.add(ack2, rng.randint(10, 21)).due
        if not step(resp2):
            return
        d2 = _weighted(rng, [(L.UPHELD, 25), (L.PARTLY_UPHELD, 35), (L.NOT_UPHELD, 40)])
        C.respond(u, c.id, d2, REASONS[d2],
                  remedies=[C.RemedyInput("financial remedy", "Further payment for the distress caused",
                                          amount_pence=rng.choice([5000, 10000, 20000]), agreed=True,
                                          due_on=cal.add(resp2, 10).due)] if d2 != L.NOT_UPHELD else [],
                  remedy_statement="" if d2 != L.NOT_UPHELD else
                  "No further remedy is offered: the stage 1 remedy was fair.", on=resp2)
        close_day = _next_wd(cal, resp2, 0, 3, rng)
        if step(close_day):
            C.close(u, c.id, on=close_day)
        return
    close_day = _next_wd(cal, resp, 10, 25, rng)
    if step(close_day):
        C.close(u, c.id, on=close_day)
