"""The provisions of the Housing Ombudsman's Complaint Handling Code (2024), sections 1 to 9.

Each provision has its number and a one-line summary in our own words, for the self-assessment.
The summaries are paraphrases written for this app; they are not the Code's text. The provision
numbers follow the Ombudsman's self-assessment form (section 1 starts at 1.2).
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import DomainError


@dataclass(frozen=True)
class Provision:
    number: str  # "6.13"
    section: int  # 6
    summary: str  # one line, our own words
    part: str = ""  # a sub-heading within a section ("Stage 1", "Stage 2")


SECTIONS: dict[int, str] = {
    1: "What counts as a complaint",
    2: "Exclusions",
    3: "Accessibility and awareness",
    4: "Complaint handling staff",
    5: "The complaint handling process",
    6: "Complaint stages",
    7: "Putting things right",
    8: "Self-assessment, reporting and compliance",
    9: "Scrutiny, oversight and learning",
}

_RAW: list[tuple[str, str]] = [
    # section 1
    (
        "1.2",
        "Our definition of a complaint is the Ombudsman's: dissatisfaction, however it is "
        "expressed, with our service, our actions or inaction, or those of anyone acting for us, "
        "affecting one or more residents.",
    ),
    (
        "1.3",
        "Residents need not use the word 'complaint'; we offer the choice to complain whenever "
        "someone is unhappy, and complaints made through a representative follow the same policy.",
    ),
    (
        "1.4",
        "Our policy separates service requests from complaints; service requests are still "
        "logged, monitored and reviewed.",
    ),
    (
        "1.5",
        "If a resident is unhappy with how we dealt with a service request we log a complaint, "
        "and work on the request carries on.",
    ),
    (
        "1.6",
        "Survey feedback is not treated as a complaint, but anyone giving feedback is told how "
        "they can complain.",
    ),
    # section 2
    (
        "2.1",
        "We take on every complaint unless we have a sound reason not to, judge each on its own "
        "facts and keep a record of why.",
    ),
    (
        "2.2",
        "Our policy sets out fair exclusions, such as issues more than 12 months old, court "
        "claims already filed and matters we have already dealt with.",
    ),
    (
        "2.3",
        "Complaints raised within 12 months of the issue (or of the resident learning of it) are "
        "accepted, and we consider using discretion for older ones.",
    ),
    (
        "2.4",
        "When we do not accept a complaint we explain why in writing and tell the resident they "
        "can ask the Ombudsman to look at that decision.",
    ),
    ("2.5", "We never rule out complaints by a blanket rule; each person's circumstances are considered."),
    # section 3
    (
        "3.1",
        "Residents can complain through several routes, and we plan ahead for reasonable "
        "adjustments under the Equality Act 2010.",
    ),
    (
        "3.2",
        "A complaint can be made in any way and to anyone who works for us, and all our staff "
        "know how to pass it on.",
    ),
    (
        "3.3",
        "We do not see a high number of complaints as a bad sign; very few may mean residents "
        "find it hard to complain.",
    ),
    (
        "3.4",
        "Our policy is clear, accessible and on our website, and explains both stages, what "
        "happens at each and how long each takes.",
    ),
    ("3.5", "Our policy says how we make it known, together with the Ombudsman and the Code."),
    (
        "3.6",
        "A resident may have a representative act for them and may bring someone to any meeting with us.",
    ),
    ("3.7", "We tell residents that they can go to the Ombudsman and how to do so."),
    # section 4
    (
        "4.1",
        "A named person or team (our complaints officer) is responsible for handling complaints, "
        "dealing with the Ombudsman and reporting to the governing body.",
    ),
    (
        "4.2",
        "The complaints officer can reach staff at every level and has the authority to settle "
        "complaints quickly and fairly.",
    ),
    (
        "4.3",
        "Complaint handling is treated as a core, properly resourced service, and the staff "
        "involved are trained for it.",
    ),
    # section 5
    (
        "5.1",
        "One policy covers every complaint under the Code, and nobody is treated worse for "
        "having complained.",
    ),
    (
        "5.2",
        "There is no 'stage 0' or informal stage; we try to settle things early within the formal process.",
    ),
    ("5.3", "Our process never has more than two stages."),
    (
        "5.4",
        "Where a third party answers complaints for us, it does so inside our two stages; "
        "residents never face a second process.",
    ),
    ("5.5", "We make sure any third party handling complaints for us follows the Code."),
    (
        "5.6",
        "At each stage we write down what we understand the complaint to be and what the "
        "resident wants to happen (the complaint definition), and ask when anything is unclear.",
    ),
    ("5.7", "Our acknowledgements say which parts of the complaint we are, and are not, responsible for."),
    (
        "5.8",
        "Handlers keep an open mind and act independently, let the resident put their side, "
        "deal with conflicts of interest and weigh all the evidence.",
    ),
    (
        "5.9",
        "If an answer is going to take longer than the Code allows, we agree with the resident "
        "how often we will update them.",
    ),
    (
        "5.10",
        "We make reasonable adjustments under the Equality Act 2010, record the adjustments "
        "agreed and any disability disclosed, and keep them under review.",
    ),
    ("5.11", "We refuse to escalate only for valid reasons consistent with section 2, and we explain them."),
    (
        "5.12",
        "Each complaint has a full record: what was raised and when, all correspondence, "
        "supporting documents and the outcome of each stage.",
    ),
    ("5.13", "A complaint can be put right at any stage, without the resident having to escalate."),
    (
        "5.14",
        "We have a policy on unacceptable behaviour, can show why any restriction was imposed "
        "and review restrictions regularly.",
    ),
    ("5.15", "Any restriction on contact is proportionate and takes account of the Equality Act 2010."),
    # section 6, stage 1
    (
        "6.1",
        "We decide early which complaints can be answered quickly and which need investigating, "
        "taking account of complexity and of any vulnerability or risk.",
    ),
    ("6.2", "Stage 1 complaints are acknowledged, defined and logged within 5 working days of arriving."),
    ("6.3", "The full stage 1 response goes out within 10 working days of the acknowledgement."),
    (
        "6.4",
        "A stage 1 extension is decided with the complaint's complexity in mind; it may add up "
        "to 10 working days, or longer only for a good reason, and the resident is told why.",
    ),
    ("6.5", "Whenever we tell a resident about an extension we give them the Ombudsman's contact details."),
    (
        "6.6",
        "We respond once we know the answer rather than waiting for the follow-up work, and we "
        "track that work and keep the resident updated.",
    ),
    (
        "6.7",
        "Our response deals with every point of the complaint definition and gives clear "
        "reasons, citing policy, law and good practice where they apply.",
    ),
    (
        "6.8",
        "New points raised before the stage 1 response are answered in it if related; "
        "otherwise they are logged as a new complaint.",
    ),
    (
        "6.9",
        "The stage 1 response sets out in plain language the stage, the definition, the "
        "decision and reasons, any remedy, outstanding actions and how to go to stage 2.",
    ),
    # section 6, stage 2
    (
        "6.10",
        "Anything the resident is still unhappy with after stage 1 moves to stage 2, which is "
        "our final response.",
    ),
    (
        "6.11",
        "Requests for stage 2 are acknowledged, defined and logged within 5 working days of the request.",
    ),
    (
        "6.12",
        "Residents do not have to explain why they want stage 2; we make a reasonable effort "
        "to understand why they are still unhappy.",
    ),
    ("6.13", "Stage 2 is looked at by a different person from the one who dealt with stage 1."),
    ("6.14", "The stage 2 final response goes out within 20 working days of the acknowledgement."),
    (
        "6.15",
        "A stage 2 extension may add up to 20 working days, or longer only for a good reason, "
        "and the resident is told why.",
    ),
    (
        "6.16",
        "Whenever we tell a resident about a stage 2 extension we give them the Ombudsman's contact details.",
    ),
    (
        "6.17",
        "At stage 2 too we respond once the answer is known, and track outstanding work with "
        "updates to the resident.",
    ),
    (
        "6.18",
        "The stage 2 response deals with every point of the definition with clear reasons, "
        "citing policy, law and good practice where they apply.",
    ),
    (
        "6.19",
        "The stage 2 response sets out in plain language the stage, the definition, the "
        "decision and reasons, any remedy, outstanding actions and how to go to the Ombudsman.",
    ),
    ("6.20", "Everyone needed to give a final answer takes part in stage 2."),
    # section 7
    (
        "7.1",
        "When we get something wrong we say so and set out how we are putting it right, for "
        "example an apology, an explanation, a changed decision, a corrected record, a payment "
        "or a change of practice.",
    ),
    ("7.2", "The remedy matches the effect our failing had on the resident."),
    (
        "7.3",
        "Each remedy says what will happen and by when, is agreed with the resident where "
        "appropriate, and is seen through to the end.",
    ),
    ("7.4", "We follow the Ombudsman's guidance on remedies when deciding what to offer."),
    # section 8
    (
        "8.1",
        "Each year we produce a complaints performance and service improvement report with "
        "everything listed in 8.1 a to f.",
    ),
    (
        "8.2",
        "The annual report goes to our governing body and is published on our website together "
        "with the governing body's response.",
    ),
    (
        "8.3",
        "We carry out a fresh self-assessment after a major restructure, a merger or a change "
        "to our procedures.",
    ),
    ("8.4", "We review our self-assessment if the Ombudsman asks us to after an investigation."),
    (
        "8.5",
        "If exceptional events stop us following the Code we tell the Ombudsman and affected "
        "residents, publish the fact and say when we expect to comply again.",
    ),
    # section 9
    ("9.1", "We look past the individual complaint for ways to improve our services."),
    (
        "9.2",
        "We treat complaints as intelligence that helps us find problems and change how we deliver services.",
    ),
    ("9.3", "We report what we have learned and changed to residents, staff and committees."),
    (
        "9.4",
        "A suitably senior person is accountable for complaint handling and looks at themes and "
        "trends for systemic problems, serious risks and policies needing review.",
    ),
    ("9.5", "A member of our governing body is our Member Responsible for Complaints (MRC)."),
    (
        "9.6",
        "The MRC makes sure the governing body regularly gets insight into our complaint "
        "handling, and has the access to information and staff that this needs.",
    ),
    (
        "9.7",
        "The MRC and governing body receive regular updates on volumes, categories, outcomes "
        "and performance, on trends, on Ombudsman outcomes and orders, and the annual report.",
    ),
    (
        "9.8",
        "Relevant staff and contractors have a standard objective to work together on "
        "complaints, share responsibility for shortfalls and meet professional standards.",
    ),
]


def _part(number: str) -> str:
    sec, item = (int(x) for x in number.split("."))
    if sec == 6:
        return "Stage 1" if item <= 9 else "Stage 2"
    return ""


PROVISIONS: tuple[Provision, ...] = tuple(Provision(n, int(n.split(".")[0]), s, _part(n)) for n, s in _RAW)
BY_NUMBER: dict[str, Provision] = {p.number: p for p in PROVISIONS}


def sort_key(number: str) -> tuple[int, int]:
    a, b = number.split(".")
    return int(a), int(b)


def provision(number: str) -> Provision:
    """The provision with this number, or DomainError naming the mistake."""
    key = str(number).strip()
    if key not in BY_NUMBER:
        raise DomainError(
            f"{key!r} is not a provision of the 2024 Code: use a number such as 6.2.", field="provision"
        )
    return BY_NUMBER[key]


def in_section(section: int) -> list[Provision]:
    return [p for p in PROVISIONS if p.section == section]
