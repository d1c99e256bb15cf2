"""Realistic demo data, so a newcomer can look around at once. Every record goes through the same
use cases as typed ones, so demo complaints obey the same rules."""

from __future__ import annotations

import datetime as dt
import random
from typing import Callable, TypedDict

from sqlmodel import col, select

from ..domain import letter_rules as LR
from ..domain import lifecycle as L
from ..domain.errors import DomainError
from ..domain.rules import rule_set
from ..domain.years import year_of
from ..store.models import Complaint, LearningPoint, OmbudsmanCase, OmbudsmanOrder, OutstandingAction, Remedy
from . import complaints as C
from . import letters as LS
from . import residents as R
from . import settings as S
from . import step_letters
from .base import Records, audit, ident, transaction

FIRST = [
    "Margaret",
    "David",
    "Aisha",
    "Gareth",
    "Siân",
    "Rhys",
    "Zoë",
    "Chloé",
    "Tomasz",
    "Grace",
    "Mohammed",
    "Eleri",
    "Patrick",
    "Nia",
    "José",
    "Fatima",
    "Oliver",
    "Bethan",
    "Kwame",
    "Ioan",
    "Dorothy",
    "Amélie",
    "Stanley",
    "Priya",
    "Callum",
    "Ffion",
    "Irene",
    "Dafydd",
    "Agnieszka",
    "Leon",
]
FEMALE = {
    "Margaret",
    "Aisha",
    "Siân",
    "Zoë",
    "Chloé",
    "Grace",
    "Eleri",
    "Nia",
    "Fatima",
    "Bethan",
    "Dorothy",
    "Amélie",
    "Priya",
    "Ffion",
    "Irene",
    "Agnieszka",
}
LAST = [
    "Jones",
    "Williams",
    "Hughes",
    "O'Brien",
    "Patel",
    "Evans",
    "Nowak",
    "Thomas",
    "Davies",
    "Ahmed",
    "Roberts",
    "Ó Súilleabháin",
    "Lloyd",
    "Okafor",
    "Pryce",
    "Smith",
    "Brown",
    "Morgan",
    "Khan",
    "Griffiths",
    "Clarke",
    "Begum",
    "Price",
    "Walker",
    "Wright",
    "Edwards",
    "Hall",
    "Lewis",
]
STREETS = [
    "Mill Lane",
    "Church Road",
    "Station Street",
    "Orchard Close",
    "Heol y Parc",
    "Vicarage Walk",
    "Meadow View",
    "Brook Court",
    "The Crescent",
    "Albion Terrace",
    "Chapel Row",
    "Willow Gardens",
]
STAFF = [
    ("Helen Carter", "Housing Director"),
    ("Sam Okoye", "Complaints Officer"),
    ("Ruth Ellis", "Scheme Manager"),
    ("Imran Shah", "Repairs Manager"),
    ("Megan Price", "Housing Officer"),
    ("Tom Baxter", "Income Officer"),
]

# per category: the resident's own words (the complaint as made), then how we restate it in the
# complaint definition (5.6), then what the resident wants, after "You would like us to"
ISSUES = {
    "repairs": [
        (
            "The boiler has failed {n} since {month} and we have had no heating for days.",
            "your boiler has broken down {n} since {month}, leaving your home without heating "
            "for days at a time",
            "repair the heating so that it keeps working, and pay you for the days without it",
        ),
        (
            "A leak from the bathroom ceiling was reported {n} and nobody has come out.",
            "you reported water coming through the bathroom ceiling {n} and no one came to look at it",
            "stop the leak and make good the ceiling",
        ),
        (
            "The repair appointment was missed twice and I took unpaid leave to wait in.",
            "our contractor missed two repair appointments and you lost pay each time by waiting in",
            "apologise, and book the repair on a day that suits you",
        ),
    ],
    "damp and mould": [
        (
            "Black mould has come back in the bedroom after it was painted over in {month}.",
            "black mould came back in your bedroom after it was painted over in {month}",
            "find out what is causing it, fix it for good and make the bedroom safe for your child",
        ),
        (
            "Condensation streams down the windows and the extractor fan has not worked for months.",
            "condensation runs down your windows and the extractor fan has been broken for months",
            "replace the fan and treat the damp",
        ),
    ],
    "anti-social behaviour": [
        (
            "Noise from the flat above goes on after midnight and my reports are ignored.",
            "loud noise from the flat above goes on after midnight and you feel your "
            "reports have been ignored",
            "act on the noise and tell you regularly what is being done",
        ),
        (
            "My neighbour's visitors block the stairwell and shout at my children.",
            "visitors to a neighbouring flat gather in the stairwell and have shouted at your children",
            "deal with the behaviour and tell you what steps we are taking",
        ),
    ],
    "staff conduct": [
        (
            "The officer who visited was rude and would not listen to my concerns.",
            "the officer who visited you was rude and did not listen to your concerns",
            "apologise and send a different officer on future visits",
        ),
        (
            "A member of staff discussed my rent arrears in front of my neighbour.",
            "a member of our staff talked about your rent account where your neighbour could hear",
            "apologise and make sure your affairs are kept private",
        ),
    ],
    "communication": [
        (
            "I have phoned {n} about my transfer request and nobody calls back.",
            "you phoned us {n} about your transfer request and no one called you back",
            "give you a named contact and a clear answer about your request",
        ),
        (
            "I sent three emails about a repair and never got a reply.",
            "you emailed us three times about a repair and did not get a reply",
            "answer your messages and tell you how to reach the right person",
        ),
    ],
    "rent and service charges": [
        (
            "My service charge went up without any explanation of the new costs.",
            "your service charge went up and we did not explain the new costs",
            "send you a breakdown of the charges and correct any that are wrong",
        ),
        (
            "My rent account shows arrears even though I pay by direct debit every month.",
            "your rent account shows arrears although you pay by direct debit every month",
            "correct your rent account and stop the arrears letters",
        ),
    ],
    "estate services": [
        (
            "The communal areas have not been cleaned for weeks and the bins overflow.",
            "the communal areas of your block have not been cleaned for weeks and the bins are overflowing",
            "clean the block as your service charge pays for, and refund the missed visits",
        ),
        (
            "The grass and hedges on the estate have not been cut since {month}.",
            "the grass and hedges on your estate have not been cut since {month}",
            "restart the grounds visits and tell you when they will happen",
        ),
    ],
    "adaptations": [
        (
            "I was promised a level-access shower in {month} and nothing has happened.",
            "you were promised a level-access shower in {month} and the work has not started",
            "fit the shower and give you a date you can rely on",
        ),
        (
            "The grab rails the occupational therapist asked for were never fitted.",
            "the grab rails your occupational therapist recommended have not been fitted",
            "fit the rails without further delay",
        ),
    ],
    "allocations and lettings": [
        (
            "My bidding position was changed without anyone telling me why.",
            "your position for bidding on homes changed and no one told you why",
            "explain the change and put your position right",
        ),
        (
            "I was refused a flat because of a mistake on my application.",
            "an offer of a flat was withdrawn because of a mistake on your housing application",
            "correct your application and look again at the offer",
        ),
    ],
}
# what we are responsible for, and (sometimes) what we are not, per category (5.6)
RESPONSIBLE = {
    "repairs": "The repair to your home and how we handled your reports.",
    "damp and mould": "Finding and treating the cause of the damp and mould, and how we responded.",
    "anti-social behaviour": "How we handled your reports of anti-social behaviour.",
    "staff conduct": "How our staff behaved towards you.",
    "communication": "How we answered your calls and messages.",
    "rent and service charges": "The charges on your account and how we explained them.",
    "estate services": "The estate services your service charge pays for.",
    "adaptations": "The adaptation to your home and how long it is taking.",
    "allocations and lettings": "How we assessed your housing application.",
}
NOT_RESPONSIBLE = {
    "repairs": "Damage to your belongings, which is a matter for your home contents insurance.",
    "damp and mould": "Damage to your belongings, which is a matter for your home contents insurance.",
    "anti-social behaviour": "Any crime committed, which is a matter for the police.",
    "allocations and lettings": "Decisions the council makes on its own housing register.",
}
CHANNEL_WEIGHTS = [
    ("phone", 35),
    ("email", 25),
    ("online form", 15),
    ("letter", 8),
    ("in person", 10),
    ("via representative", 4),
    ("via councillor or MP", 3),
]
# the reasons for each decision (6.9 d), written about the complaint's category
REASONS = {
    "repairs": {
        L.UPHELD: "Our repair records show the job was passed between the repairs team and the contractor "
        "without anyone owning it, so the repair was not finished within our target time. "
        "That was our failing.",
        L.PARTLY_UPHELD: "Once the engineer attended, the repair was done within our target time, but a "
        "repair appointment was missed without telling you and we did not keep you informed.",
        L.NOT_UPHELD: "Our repair records and the contractor's report show every appointment was kept and "
        "the fault was fixed within our published repair timescales.",
    },
    "damp and mould": {
        L.UPHELD: "Painting over the mould without finding its cause did not follow our damp and mould "
        "policy. A survey should have come first; without one, the mould returned.",
        L.PARTLY_UPHELD: "We inspected for damp promptly, but we did not send you a written summary of the "
        "survey in time, and the ventilation work took longer than it should have.",
        L.NOT_UPHELD: "Our surveyor's report shows the damp and mould work was done as our policy requires; "
        "the follow-up inspection found the walls dry and the extractor fan working.",
    },
    "anti-social behaviour": {
        L.UPHELD: "We did not act on your reports of anti-social behaviour as our policy requires: the "
        "reports were logged, but no one contacted the household involved or opened a case.",
        L.PARTLY_UPHELD: "We opened an anti-social behaviour case and spoke to your neighbour, but we did "
        "not tell you what we were doing or agree how often we would update you.",
        L.NOT_UPHELD: "Our anti-social behaviour case records show each report was followed up within our "
        "target times, the neighbour was warned, and you were updated after each step.",
    },
    "staff conduct": {
        L.UPHELD: "Having spoken to the member of staff and read their notes, we agree they did not act "
        "as our staff code of conduct expects, and did not treat you with the respect and care "
        "you should have had.",
        L.PARTLY_UPHELD: "The notes show the member of staff gave you the right advice, but we accept the way "
        "they went about it fell short of what our staff code of conduct expects.",
        L.NOT_UPHELD: "We spoke to the member of staff and to a colleague who was there, and found nothing "
        "to show they acted against our staff code of conduct.",
    },
    "communication": {
        L.UPHELD: "Our records show you contacted us several times and the replies we promised were never "
        "sent. We did not respond as our customer service standards require.",
        L.PARTLY_UPHELD: "We replied to your first contact on time, but later messages were not passed to the "
        "right officer and you were left without an update.",
        L.NOT_UPHELD: "Our records show each of your calls and messages was answered within our customer "
        "service standards, and each reply explained where things stood.",
    },
    "rent and service charges": {
        L.UPHELD: "We checked the charges on your account and found a mistake: costs were included that do "
        "not apply to your home. We have corrected the account.",
        L.PARTLY_UPHELD: "The charges on your account were worked out correctly, but we should have explained "
        "the new costs to you before they started.",
        L.NOT_UPHELD: "We checked your account against the charges for your home and the payments received. "
        "The figures are right and match the cost breakdown we sent.",
    },
    "estate services": {
        L.UPHELD: "The estate contractor's logs show visits to the communal areas and grounds were missed "
        "for several weeks and we did not notice. Your service charge pays for those visits, so "
        "we will refund them.",
        L.PARTLY_UPHELD: "Most estate visits took place as planned, but the bin store and grounds were missed "
        "twice and we did not check the contractor's work as we should.",
        L.NOT_UPHELD: "The contractor's logs and our estate inspections show the communal cleaning and "
        "grounds visits took place as planned.",
    },
    "adaptations": {
        L.UPHELD: "The adaptation was approved after the occupational therapist's assessment, but we did not "
        "order the work, so it was not fitted within our adaptations timescale.",
        L.PARTLY_UPHELD: "The adaptation work was ordered on time, but the start date slipped and we did not "
        "tell you why.",
        L.NOT_UPHELD: "The adaptation could not start until the occupational therapist's assessment came "
        "back; once it did, the work was booked within our adaptations timescale.",
    },
    "allocations and lettings": {
        L.UPHELD: "Your housing register application was assessed wrongly, which affected your priority "
        "banding and the offers made to you. We have corrected it and backdated it.",
        L.PARTLY_UPHELD: "The change to your banding followed our allocations policy, but we should have "
        "written to explain it and tell you how to ask for a review.",
        L.NOT_UPHELD: "We reviewed your application against our allocations policy: the banding and the "
        "decision about the offer were both correct.",
    },
}
# why more time is needed (6.4, 6.15), per category
EXTENSION_REASONS = {
    "repairs": [
        "We are waiting for the heating engineer's report on why the fault keeps coming back, "
        "and need it to answer you fully.",
        "The contractor who did the first repair has not yet sent us their job records, which we "
        "need to see.",
    ],
    "damp and mould": [
        "A damp and mould surveyor is booked to inspect your home and we need their "
        "findings to answer you properly.",
        "We are waiting for the results of humidity readings taken in your home over two "
        "weeks, to find the cause of the damp.",
    ],
    "anti-social behaviour": [
        "We are still gathering evidence about the noise, including your diary "
        "sheets and what other neighbours have reported.",
        "We need to speak to the police about the reports of anti-social behaviour before we can answer.",
    ],
    "staff conduct": [
        "The officer involved is on leave and we need to hear their account before we can answer fairly.",
        "We are reviewing the visit notes and speaking to a manager who was also there.",
    ],
    "communication": [
        "We need to go through our phone records and your messages to find where your contact was lost.",
        "The call recordings we need are held by our out-of-hours provider and have not yet reached us.",
    ],
    "rent and service charges": [
        "Our finance team is checking every payment on your account since April, "
        "which takes longer than usual.",
        "The managing agent has not yet sent us the invoices behind the service charge costs.",
    ],
    "estate services": [
        "We have asked the cleaning contractor for their visit logs and will inspect the "
        "estate with them next week.",
        "We need the grounds contractor's records to check which visits took place.",
    ],
    "adaptations": [
        "We are waiting for the occupational therapist to confirm the adaptation you need "
        "before we can give a full answer.",
        "The adaptation needs a building control check and the inspector's first free date is next week.",
    ],
    "allocations and lettings": [
        "Your application has to be reviewed by our lettings panel, which next "
        "meets after your response date.",
        "We need to check your housing register history with the council, which holds some of the records.",
    ],
}
GOOD_REASON = (
    "The information we need comes from outside our organisation and cannot be had sooner; "
    "answering without it would leave part of your complaint unanswered."
)
# how the resident is kept informed while the response is late (5.9)
UPDATE_PLANS = [
    "We will phone you every Friday until we send our response.",
    "Your complaint handler will email you an update each week, and at once if anything changes.",
    "We will write to you every five working days to say what has happened since.",
    "We will text you after each visit or report, and phone you at least once a week.",
]
# what is still to do after the response (6.6), per category
ACTIONS = {
    "repairs": "Finish the repair and check with the resident that it has worked",
    "damp and mould": "Complete the damp treatment and inspect again in three months",
    "anti-social behaviour": "Review the anti-social behaviour case with the resident",
    "staff conduct": "Arrange a different officer for future visits",
    "communication": "Give the resident a named contact and call them back",
    "rent and service charges": "Correct the account and send a new statement",
    "estate services": "Check the cleaning contractor's visits for three months",
    "adaptations": "Fit the adaptation",
    "allocations and lettings": "Correct the housing application",
}
TIMES = ["twice", "three times", "four times", "five times"]
STAGE2_POINTS = [
    "the problem is still not put right",
    "the remedy we offered does not reflect the trouble it caused you",
    "our answer did not cover every part of your complaint",
]
# contractors (Code 5.4, 5.5): name, trade, contact, phone, email, and the category of complaint
# about their work
CONTRACTORS = [
    (
        "Ashbury Building Services",
        "repairs",
        "Dev Patel",
        "01632 960 210",
        "jobs@ashburybuild.example",
        "repairs",
    ),
    ("Clearview Damp Solutions", "damp and mould", "Lena Hart", "01632 960 311", "", "damp and mould"),
    ("GreenEdge Grounds", "grounds and cleaning", "", "01632 960 412", "", "estate services"),
]
CONTRACTOR_COMPLAINTS = 30  # at most this many demo complaints are put down to a contractor
CONTRACTOR_QUESTIONS = (
    "Your account of the visit, and the date the work will be finished.",
    "Why the appointment was missed, and when you can return.",
    "Photos of the work done and the date it was signed off.",
)

LEARNING = [
    (
        "repairs",
        "Jobs passed between teams lose an owner.",
        "Every repair now has a named owner until it is closed.",
    ),
    (
        "damp and mould",
        "Painting over mould hid the cause and it returned.",
        "Damp reports now get a survey before any cosmetic work.",
    ),
    (
        "communication",
        "Call-backs were promised but not logged.",
        "Call-backs are logged with a due time and checked daily.",
    ),
    (
        "staff conduct",
        "Staff were unsure how to handle distressed callers.",
        "Training on difficult conversations for front-line staff.",
    ),
]


class _Tally(TypedDict):
    """What generate counts as it goes, and the day from which extensions get a real letter."""

    extensions: int
    letters: int
    letters_from: dt.date


def _demo_hazards(u, today: dt.date) -> int:
    """Two hazards under Awaab's Law: damp and mould in progress (investigated, summary sent, safety
    work to begin) and an emergency made safe the next morning. No random numbers: the complaints
    made from the seed stay as they were."""
    from sqlmodel import col, select

    from ..domain.hazard_rules import hazard_calendar
    from ..store.models import Resident
    from . import hazards as HZ

    ids = u.session.exec(select(Resident.id).order_by(col(Resident.id)).limit(2)).all()
    if len(ids) < 2:
        return 0
    cal = hazard_calendar()
    aware = today - dt.timedelta(days=8)
    h = HZ.log_hazard(
        u,
        kind="damp-mould",
        aware_on=aware,
        resident_id=ids[0],
        description="Black mould on the bedroom wall and round the window; the children sleep there",
        priority_reason="two children under five in the home",
    )
    investigated = cal.add(aware, 2).due
    if investigated <= today:
        HZ.record_investigation(
            u,
            h.reference,
            investigated,
            "Mould on the north wall of the back bedroom, from condensation; the extractor fan in "
            "the bathroom does not work",
            significant=True,
            works_planned="Repair the extractor fan, treat the mould and check the wall insulation",
            works_due_on=investigated + dt.timedelta(days=21),
        )
        sent = cal.add(investigated, 1).due
        if sent <= today:
            HZ.record_summary_sent(u, h.reference, sent, "email, then a phone call")
    aware = today - dt.timedelta(days=20)
    e = HZ.log_hazard(
        u,
        kind="emergency",
        aware_on=aware,
        aware_time=dt.time(21, 15),
        resident_id=ids[1],
        description="Water coming through the ceiling onto the light fitting",
    )
    HZ.record_investigation(
        u, e.reference, aware, "Leak from the flat above onto the wiring", time=dt.time(22, 30)
    )
    HZ.record_made_safe(u, e.reference, aware + dt.timedelta(days=1), dt.time(8, 0))
    return 2


COMPLIMENTS = [
    ("Repairs", "email", "Thank you for sending someone so quickly when the boiler broke."),
    ("Repairs", "phone", "The plumber was polite and cleaned up after himself."),
    ("Housing", "letter", "My housing officer really listened and sorted out my transfer."),
    ("Caretaking", "in person", "The stairs and bin store have never been so clean."),
    ("Customer services", "phone", "The lady on the phone was patient and kind."),
    ("Housing", "email", "Thank you for helping my mum with her benefit forms."),
    ("Repairs", "online form", "The damp was treated properly this time and it has not come back."),
    ("Caretaking", "email", "Thanks to the caretaker for clearing the path in the snow."),
]
SURVEY_COMMENTS = [
    ("TSM perception survey", "I reported the leak three times and nobody came back to me."),
    ("Repairs survey", "The repair was left half done and the contractor never returned."),
    ("TSM perception survey", "Nobody tells us when the lift will be fixed."),
]


def _residents_views(u, rng: random.Random, today: dt.date, first_year: int, resident_ids, own: bool) -> None:
    """TP09 counts for the finished years (a new demo file only), compliments, satisfaction answers
    on some closed complaints, and survey comments (the newest still owing how to complain)."""
    from ..domain import satisfaction as SAT
    from . import satisfaction as SV

    if not own:
        for y in range(first_year, year_of(today)):
            answered = rng.randint(180, 240)
            satisfied = int(answered * rng.uniform(0.55, 0.75))
            neither = int((answered - satisfied) * rng.uniform(0.3, 0.5))
            SV.enter_tp09(
                u,
                y,
                satisfied,
                neither,
                answered - satisfied - neither,
                rng.randint(5, 30),
                method="postal and phone survey of all tenants",
            )
    for team, channel, words in COMPLIMENTS * 2:
        received = today - dt.timedelta(days=rng.randint(1, 900))
        SV.log_compliment(
            u,
            received,
            words,
            channel=channel,
            team=team,
            resident_id=rng.choice(resident_ids) if rng.random() < 0.7 else None,
        )
    closed = u.session.exec(
        select(Complaint).where(Complaint.state == "closed").order_by(col(Complaint.id))
    ).all()
    answers = [(a, w) for a, w in zip(SAT.ANSWERS, (25, 30, 15, 10, 10, 10))]
    for c in closed:
        if rng.random() < 0.4 and c.closed_on is not None:
            asked = min(today, c.closed_on + dt.timedelta(days=rng.randint(2, 20)))
            SV.record_satisfaction_answer(
                u, ident(c), _weighted(rng, answers), asked_on=asked, channel=rng.choice(["phone", "email"])
            )
    for k, (survey, words) in enumerate(SURVEY_COMMENTS):
        received = today - dt.timedelta(days=[90, 40, 1][k])
        sc = SV.log_survey_comment(u, received, words, survey=survey, resident_id=rng.choice(resident_ids))
        if k < 2:
            SV.record_how_to_complain_sent(
                u, ident(sc), received + dt.timedelta(days=2), "letter with our complaints policy"
            )


def _weighted(rng: random.Random, pairs):
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def _next_wd(cal, day: dt.date, lo: int, hi: int, rng: random.Random) -> dt.date:
    return cal.add(day, rng.randint(lo, hi)).due


def generate(
    db: Records, complaints: int = 300, seed: int = 1, progress: Callable[[int, int], None] | None = None
) -> dict:
    """Fill the database with varied records over several reporting years. Returns counts."""
    if complaints < 0 or complaints > 1_000_000:
        raise DomainError("The number of demo complaints must be between 0 and 1,000,000.")
    rng = random.Random(seed)
    today = db.today
    first_year = year_of(today) - 3
    start = dt.date(first_year, 4, 1)
    span = (today - start).days
    made = {"complaints": 0, "residents": 0, "service_requests": 0}
    with transaction(db) as u:
        st = S.get_settings(u)
        # a landlord that has set up already keeps its own details: demo records change none of its
        # settings, homes per year or closure days (a closure day would move real deadlines)
        own = st.setup_done
        if not own:
            demo_details = {
                "name": "Demo Homes Housing Association",
                "address": "Unit 4, Riverside Works, Mill Lane, Ashbury, AB1 2CD",
                "phone": "01632 960 100",
                "email": "complaints@demohomes.example",
                "website": "www.demohomes.example",
                "complaints_officer": "Sam Okoye",
                "member_responsible": "Cllr Ann Rees (board member)",
            }
            missing = {k: v for k, v in demo_details.items() if not getattr(st, k)}
            S.update_settings(u, **missing, setup_done=True)  # only what is still blank
        staff_ids = [ident(s) for s in S.list_staff(u)]
        if len(staff_ids) < 2:  # two handlers at least: stage 2 needs someone new (6.13)
            staff_ids = [
                ident(S.add_staff(u, n, role=r))
                for n, r in STAFF
                if n not in {s.name for s in S.list_staff(u)}
            ] + staff_ids
        if not own:
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
        resident_ids: list[int] = []
        reps_of: dict[int, list[int]] = {}
        for _ in range(n_res):
            first = rng.choice(FIRST)
            titles = ["Mrs", "Ms", "Miss", ""] if first in FEMALE else ["Mr", ""]
            name = f"{rng.choice(titles)} {first} {rng.choice(LAST)}".strip()
            addr = f"{rng.randint(1, 140)} {rng.choice(STREETS)}, Ashbury"
            fmt = _weighted(rng, [("standard", 90), ("large print", 6), ("easy read", 2), ("email", 2)])
            dis = rng.random() < 0.12
            r = R.add_resident(
                u,
                name,
                address=addr,
                postcode=f"AB{rng.randint(1, 9)} {rng.randint(1, 9)}"
                f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}",
                phone=f"07700 9{rng.randint(10000, 99999)}",
                preferred_format=fmt,
                disabilities="Sight loss: needs large print"
                if fmt == "large print"
                else ("Mobility impairment" if dis else ""),
                vulnerabilities="Lives alone, over 80" if rng.random() < 0.05 else "",
            )
            res_id = ident(r)
            resident_ids.append(res_id)
            if fmt == "large print" or dis:
                R.add_adjustment(
                    u,
                    res_id,
                    "Letters in 16 pt large print"
                    if fmt == "large print"
                    else "Home visits instead of office appointments",
                    review_on=today + dt.timedelta(days=rng.randint(-40, 300)),
                    agreed_on=today - dt.timedelta(days=rng.randint(60, 700)),
                )
            if rng.random() < 0.05:
                reps_of[res_id] = [
                    ident(
                        R.add_representative(
                            u,
                            res_id,
                            f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                            relationship=rng.choice(["daughter", "son", "advocate", "support worker"]),
                            address=f"{rng.randint(1, 90)} {rng.choice(STREETS)}, Ashbury",
                            authority="Signed consent form on file",
                            authority_on=today - dt.timedelta(days=rng.randint(10, 500)),
                        )
                    )
                ]
            if rng.random() < 0.01:
                R.add_restriction(
                    u,
                    res_id,
                    "Contact by email to the complaints officer only",
                    "Repeated abusive phone calls to staff, evidenced in call notes",
                    review_on=today + dt.timedelta(days=rng.randint(-20, 120)),
                    imposed_on=today - dt.timedelta(days=rng.randint(30, 200)),
                )
        made["residents"] = n_res

        # Extension letters are real PDFs made by services.letters (about 20-30 ms each), so they are
        # issued only for recent extensions: those agreed in the current reporting year, and in the
        # last complete one too when the demo has at most 2,000 complaints (10,000 would take some 20 s
        # more). Older demo extensions were told to the resident by phone, so no letter is recorded
        # for them and reports on those years show it.
        letters_from = dt.date(year_of(today) - (1 if complaints <= 2000 else 0), 4, 1)
        tally: _Tally = {"extensions": 0, "letters": 0, "letters_from": letters_from}
        logged: list[tuple[int, str, dt.date]] = []  # (complaint id, category, received)
        for i in range(complaints):
            if i >= complaints * 0.93:  # a recent batch, so every open state is on show today
                received = today - dt.timedelta(days=int(30 * rng.random() ** 2))
            else:
                received = start + dt.timedelta(days=int(span * (rng.random() ** 0.8)))
            if received > today:
                received = today
            cat = rng.choice(list(ISSUES))
            words, told, wants = rng.choice(ISSUES[cat])
            n_times, month = rng.choice(TIMES), received.strftime("%B")
            words = words.format(n=n_times, month=month)
            told = told.format(n=n_times, month=month)
            outcome = wants[0].upper() + wants[1:] + "."
            rid = rng.choice(resident_ids)
            reps = reps_of.get(rid, [])
            channel = _weighted(rng, CHANNEL_WEIGHTS)
            sr_id = None
            if rng.random() < 0.15:
                sr_day = received - dt.timedelta(days=rng.randint(5, 40))
                if sr_day >= start:
                    sr = C.log_service_request(
                        u, rid, sr_day, f"Request: {words}", channel=channel, category=cat
                    )
                    sr_id = sr.id
                    made["service_requests"] += 1
            cats = [cat] + ([rng.choice(["communication", "staff conduct"])] if rng.random() < 0.25 else [])
            c = C.log_complaint(
                u,
                rid,
                received,
                words,
                channel=channel,
                outcome_sought=outcome,
                categories=cats,
                representative_id=reps[0] if reps and rng.random() < 0.7 else None,
                service_request_id=sr_id,
            )
            made["complaints"] += 1
            if progress and i % 100 == 0:
                progress(i, complaints)
            _advance(u, c, rng, cal, today, staff_ids, cat, told, wants, tally)
            if sr_id is not None and (today - received).days > 60:
                # the work asked for was done in the end: only the newer requests are still open
                done_on = min(received + dt.timedelta(days=14), today)  # no draw: the same demo
                C.complete_service_request(u, sr_id, "The work asked for was done.", done_on)
            logged.append((ident(c), cat, received))
        if complaints:
            _contractors(u, random.Random(seed + 17), today, logged)
        for theme, learning, improvement in LEARNING:
            lp = LearningPoint(
                recorded_on=today - dt.timedelta(days=rng.randint(20, 300)),
                theme=theme,
                learning=learning,
                improvement=improvement,
                owner=rng.choice(STAFF)[0],
                status=rng.choice(["done", "in progress", "planned"]),
            )
            if lp.status == "done":
                lp.made_on = lp.recorded_on + dt.timedelta(days=30)
                if lp.made_on > today:
                    lp.made_on = today
            u.session.add(lp)
            audit(u, "learning recorded", lp)
        if complaints:
            for k, finding in enumerate(["service failure", "no maladministration", "maladministration"]):
                referred = today - dt.timedelta(days=120 + 150 * k)
                determined = referred + dt.timedelta(days=90)
                case = OmbudsmanCase(
                    referred_on=referred,
                    case_number=f"2025{rng.randint(10000, 99999)}",
                    finding=finding,
                    determined_on=determined,
                    summary="Handling of repairs and complaint delays",
                )
                u.session.add(case)
                u.session.flush()  # its id, from the database, for its orders
                audit(u, "ombudsman case recorded", case)
                if finding != "no maladministration":
                    o = OmbudsmanOrder(
                        case_id=ident(case),
                        description="Pay £150 for time and trouble",
                        made_on=determined,
                        due_on=determined + dt.timedelta(days=28),
                        complied_on=determined + dt.timedelta(days=20),
                    )
                    u.session.add(o)
                    audit(u, "ombudsman order recorded", o)
        _residents_views(u, rng, today, first_year, resident_ids, own)
        # the letters of past steps went out by post; the last few days' are still to send
        step_letters.settle_history(u, today - dt.timedelta(days=4), "post")
        if complaints:
            made["hazards"] = _demo_hazards(u, today)
        if progress:
            progress(complaints, complaints)
    made["extensions"], made["extension_letters"] = tally["extensions"], tally["letters"]
    return made


def _contractors(u, rng: random.Random, today: dt.date, logged: list[tuple[int, str, dt.date]]) -> None:
    """A few contractors, some complaints about their work put down to them, and responses asked
    of them: the newest still awaited (on the worklist), the others answered. Its own ``rng``: the
    rest of the demo records are the same with or without it."""
    from . import contractors as K

    by_category = {}
    for name, trade, contact, phone, email, category in CONTRACTORS:
        k = K.add_contractor(u, name, trade=trade, contact=contact, phone=phone, email=email)
        by_category[category] = ident(k)
    candidates = [x for x in logged if x[1] in by_category]
    chosen = sorted(rng.sample(candidates, min(CONTRACTOR_COMPLAINTS, len(candidates))), key=lambda x: x[2])
    for n, (cid, cat, received) in enumerate(chosen):
        K.put_complaint_down_to(u, cid, by_category[cat])
        if n < len(chosen) - 4 and n % 3:
            continue  # most older ones were settled without asking in writing
        asked = min(u.cal.add(received, rng.randint(1, 3)).due, today)
        r = K.ask(u, by_category[cat], rng.choice(CONTRACTOR_QUESTIONS), complaint=cid, asked_on=asked)
        answered = r.asked_on + dt.timedelta(days=rng.randint(2, 6))
        if n < len(chosen) - 2 and answered <= today:  # the newest two are still awaited
            K.answer(u, ident(r), "Attended, work completed and photos sent.", on=answered)


def _extend(
    u, c, rng: random.Random, cal, today: dt.date, due: dt.date, after: dt.date, cat: str, tally: _Tally
) -> tuple[dt.date, dt.date] | None:
    """Extend the response deadline ``due`` of the complaint's current stage, agreed some days after
    ``after``; returns (the day agreed, the new deadline), or None if that day is still to come.

    Most extensions are agreed before the deadline and told to the resident the same or the next
    working day (by a real extension letter for recent ones, see ``generate``), with a plan for
    keeping them updated (5.9). On purpose, about one in sixteen is agreed after the deadline it
    extends and another one in sixteen is never told to the resident, so that reports show
    extensions that do not count as well as those that do."""
    k = tally["extensions"]
    late, untold = k % 16 == 7, k % 16 == 12
    if late:
        agreed = cal.add(due, rng.randint(1, 2)).due
    else:
        agreed = min(_next_wd(cal, after, 2, 7, rng), due)
    if agreed > today:
        return None
    stage = c.stage
    cap = rule_set(c.rule_set).extension_cap[stage]
    beyond = not late and rng.random() < 0.1
    extra = rng.randint(cap + 1, cap + 5) if beyond else rng.randint(4 if late else 3, cap)
    new_due = cal.add(due, extra).due
    told_on = None
    by_letter = agreed >= tally["letters_from"]
    if not untold:
        told_on = agreed if rng.random() < 0.6 else _next_wd(cal, agreed, 1, 1, rng)
        if told_on > today:
            told_on = agreed
    C.extend(
        u,
        c.id,
        new_due,
        rng.choice(EXTENSION_REASONS[cat]),
        good_reason=GOOD_REASON if beyond else "",
        on=agreed,
        told_on=told_on,
        told_how=("letter" if by_letter else "phone") if told_on else "",
        update_plan=rng.choice(UPDATE_PLANS),
    )
    tally["extensions"] += 1
    if told_on is not None and by_letter:
        # the letter is dated the day it was sent: issue it as on that day
        real_today = u.today
        u.today = told_on
        try:
            LS.issue_letter(u, c.id, LR.EXTENSION, stage)
        finally:
            u.today = real_today
        tally["letters"] += 1
    return agreed, new_due


def _advance(
    u,
    c,
    rng: random.Random,
    cal,
    today: dt.date,
    staff_ids: list[int],
    cat: str,
    told: str,
    wants: str,
    tally: _Tally,
) -> None:
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
            C.refuse(
                u,
                c.id,
                ground,
                {
                    "older than 12 months": "The events described took place in 2021 and were not raised "
                    "until now; we considered whether to use our discretion and decided not to.",
                    "legal proceedings": "A disrepair claim about the same issues has been filed at court.",
                    "already considered": "The same points were answered in full in an earlier complaint.",
                }[ground],
                # no draw from rng here: the demo's other records stay as they were
                on=day,
                decided_by=staff_ids[0],
                issue_arose_on=dt.date(2021, 6, 1) if ground == "older than 12 months" else None,
                discretion_note="We asked why it was not raised sooner; nothing kept the resident from "
                "doing so, so we did not use our discretion to accept it."
                if ground == "older than 12 months"
                else "",
            )
        return
    handler1 = rng.choice(staff_ids)
    ack = _next_wd(cal, c.received_on, 1, 6 if rng.random() < 0.1 else 4, rng)
    if not step(ack):
        return
    C.acknowledge(
        u,
        c.id,
        f"You told us that {told}. You would like us to {wants}.",
        responsible_for=RESPONSIBLE[cat],
        not_responsible_for=NOT_RESPONSIBLE[cat] if cat in NOT_RESPONSIBLE and rng.random() < 0.3 else "",
        handler_id=handler1,
        on=ack,
    )
    if rng.random() < 0.02:
        wd = _next_wd(cal, ack, 1, 3, rng)
        if step(wd):
            C.withdraw(u, c.id, "The resident said the problem was sorted and asked us to stop.", on=wd)
        return
    due = c.next_due_on  # the Code's date: a late acknowledgement buys no time
    if (today - ack).days < 60 and rng.random() < 0.12:
        return  # the response is late or nearly due
    resp = cal.add(ack, rng.randint(5, 10)).due if rng.random() < 0.9 else cal.add(due, rng.randint(1, 4)).due
    if rng.random() < 0.15:
        ext = _extend(u, c, rng, cal, today, due, ack, cat, tally)
        if ext is None:
            return
        agreed, due = ext
        resp = _next_wd(cal, agreed, 1, 8, rng) if rng.random() < 0.9 else cal.add(due, rng.randint(1, 4)).due
    if resp > due and rng.random() < 0.5:
        resp = due
    if not step(resp):
        return
    decision = _weighted(rng, [(L.UPHELD, 35), (L.PARTLY_UPHELD, 30), (L.NOT_UPHELD, 35)])
    remedies, actions, statement = [], [], ""
    if decision != L.NOT_UPHELD:
        remedies.append(
            C.RemedyInput(
                "apology", "We apologise for what went wrong and for not keeping you informed.", agreed=True
            )
        )
        if rng.random() < 0.5:
            pence = rng.choice([2500, 5000, 7500, 10000, 15000, 25000])
            remedies.append(
                C.RemedyInput(
                    "financial remedy",
                    "Payment for time, trouble and inconvenience",
                    amount_pence=pence,
                    due_on=cal.add(resp, 10).due,
                    agreed=True,
                )
            )
        if rng.random() < 0.6:
            actions.append(
                C.ActionInput(
                    ACTIONS[cat], owner=rng.choice(STAFF)[0], due_on=cal.add(resp, rng.randint(5, 30)).due
                )
            )
    else:
        statement = "No remedy is offered because we did not find a failing in our service."
    C.respond(
        u,
        c.id,
        decision,
        REASONS[cat][decision],
        remedies=remedies,
        actions=actions,
        remedy_statement=statement,
        on=resp,
    )
    for r in u.session.exec(select(Remedy).where(Remedy.complaint_id == c.id)).all():
        if r.due_on is None and r.kind == "apology":
            C.complete_remedy(u, r.id, on=resp)  # the apology is given in the response itself
        elif r.due_on and r.due_on <= today and rng.random() < 0.9:
            C.complete_remedy(u, r.id, on=r.due_on)
    for a in u.session.exec(select(OutstandingAction).where(OutstandingAction.complaint_id == c.id)).all():
        if a.due_on and a.due_on <= today and rng.random() < 0.8:
            C.complete_action(u, a.id, on=a.due_on)
    esc = rng.random()
    req = _next_wd(cal, resp, 3, 15, rng)
    if esc < 0.18 and step(req):
        if rng.random() < 0.1:
            C.request_stage2(u, c.id, on=req)
            refuse_day = _next_wd(cal, req, 1, 4, rng)
            if step(refuse_day):
                C.refuse_escalation(
                    u,
                    c.id,
                    "legal proceedings",
                    "A claim about the same matter is now before the county court.",
                    on=refuse_day,
                    decided_by=staff_ids[-1],
                )
            return
        handler2 = rng.choice([s for s in staff_ids if s != handler1])
        C.request_stage2(u, c.id, on=req, handler_id=handler2)
        ack2 = _next_wd(cal, req, 1, 5, rng)
        if not step(ack2):
            return
        C.acknowledge(
            u,
            c.id,
            f"You told us that you are still unhappy after our stage 1 answer, because "
            f"{rng.choice(STAGE2_POINTS)}. Your complaint was that {told}. You would like us to "
            f"look at it again and put right what is still wrong.",
            handler_id=handler2,
            on=ack2,
        )
        due2 = c.next_due_on
        resp2 = cal.add(ack2, rng.randint(10, 21)).due
        if rng.random() < 0.2:
            ext = _extend(u, c, rng, cal, today, due2, ack2, cat, tally)
            if ext is None:
                return
            agreed, due2 = ext
            resp2 = _next_wd(cal, agreed, 1, 10, rng)
            if resp2 > due2:
                resp2 = due2
        if not step(resp2):
            return
        d2 = _weighted(rng, [(L.UPHELD, 25), (L.PARTLY_UPHELD, 35), (L.NOT_UPHELD, 40)])
        C.respond(
            u,
            c.id,
            d2,
            "We have looked at your complaint again, and at our stage 1 answer. " + REASONS[cat][d2],
            remedies=[
                C.RemedyInput(
                    "financial remedy",
                    "Further payment for the distress caused",
                    amount_pence=rng.choice([5000, 10000, 20000]),
                    agreed=True,
                    due_on=cal.add(resp2, 10).due,
                )
            ]
            if d2 != L.NOT_UPHELD
            else [],
            remedy_statement=""
            if d2 != L.NOT_UPHELD
            else "No further remedy is offered: the stage 1 remedy was fair.",
            on=resp2,
        )
        close_day = _next_wd(cal, resp2, 0, 3, rng)
        if step(close_day):
            C.close(u, c.id, on=close_day)
        return
    close_day = _next_wd(cal, resp, 10, 25, rng)
    if step(close_day):
        C.close(u, c.id, on=close_day)
