"""Remedies worked out from the Ombudsman's compensation guidance (Code 7.2, 7.4): the sums, the
working out, the sums in Settings, the remedy saved with its rate, and the response letter's
breakdown."""

from __future__ import annotations

import datetime as dt

import pytest
from helpers import settle, text_of, typed, until
from sqlmodel import select
from textual.widgets import Select, Static

from smallhousing.app import build_app
from smallhousing.domain import compensation as K
from smallhousing.domain.errors import DomainError
from smallhousing.screens import forms as F
from smallhousing.services import compensation as CS
from smallhousing.services import complaints as C
from smallhousing.services import letters as LT
from smallhousing.store.models import AuditEntry, CompensationRate, Remedy

D = dt.date
SIZE = (80, 24)

pytestmark = pytest.mark.usefixtures("no_backup")


# the guidance's sums and the working out ---------------------------------------------------------


def test_the_published_sums_and_dates():
    by = {r.kind: (r.unit, r.pence) for r in K.GUIDANCE}
    assert by == {
        "heating-and-hot-water": ("day", 1500),
        "heating-or-hot-water": ("day", 800),
        "power": ("day", 1000),
        "lighting": ("week", 1000),
        "missed-appointment": ("appointment", 1500),
    }
    assert K.GUIDANCE_ON == D(2026, 2, 3) and K.GUIDANCE_STARTS == D(2026, 4, 1)
    assert all(r.guidance_on == K.GUIDANCE_ON for r in K.GUIDANCE)
    assert {k for k, _ in K.UNSET_KINDS} == {
        "distress-and-inconvenience",
        "time-and-trouble",
        "financial-loss",
    }


@pytest.mark.parametrize(
    "kind, n, pence, line",
    [
        # 12 x £15 = £180
        (
            "heating-and-hot-water",
            12,
            18000,
            "12 days without heating and hot water at £15.00 a day: £180.00",
        ),
        # 7 x £15 = £105
        ("heating-and-hot-water", 7, 10500, "7 days without heating and hot water at £15.00 a day: £105.00"),
        # 1 x £8 = £8
        ("heating-or-hot-water", 1, 800, "1 day without heating or without hot water at £8.00 a day: £8.00"),
        # 3 x £10 = £30
        ("lighting", 3, 3000, "3 weeks without lighting at £10.00 a week: £30.00"),
        # 2 x £15 = £30
        ("missed-appointment", 2, 3000, "2 missed appointments at £15.00 each: £30.00"),
        # 1 x £15
        ("missed-appointment", 1, 1500, "1 missed appointment at £15.00 each: £15.00"),
        # 100 x £10 = £1,000
        ("power", 100, 100000, "100 days without power at £10.00 a day: £1,000.00"),
    ],
)
def test_worked_out_by_hand(kind, n, pence, line):
    w = K.work_out(K.BY_KIND[kind], n)
    assert (w.quantity, w.rate_pence, w.amount_pence, w.line) == (n, K.BY_KIND[kind].pence, pence, line)


def test_days_from_two_dates_count_both_ends():
    rate = K.BY_KIND["heating-and-hot-water"]
    # lost Tue 3 March, restored Sat 14 March: 3..14 is 12 dates lived through -> 12 x £15 = £180
    w = K.work_out(rate, first=D(2026, 3, 3), last=D(2026, 3, 14))
    assert (w.quantity, w.amount_pence) == (12, 18000)
    # lost and restored the same day: 1 day
    assert K.work_out(rate, first=D(2026, 3, 3), last=D(2026, 3, 3)).quantity == 1
    # across the end of February 2028 (a leap year): 27 Feb .. 2 Mar = 27, 28, 29, 1, 2 -> 5 days
    assert K.days_between(D(2028, 2, 27), D(2028, 3, 2)) == 5
    # the number typed must agree with the dates
    assert K.work_out(rate, 12, first=D(2026, 3, 3), last=D(2026, 3, 14)).amount_pence == 18000
    with pytest.raises(DomainError, match="The dates give 12 days, not 11"):
        K.work_out(rate, 11, first=D(2026, 3, 3), last=D(2026, 3, 14))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"quantity": 0}, "1 or more"),
        ({"quantity": -3}, "1 or more"),
        ({"quantity": None}, "whole number"),
        ({"quantity": True}, "whole number"),
        ({"quantity": 10000}, "more than ten years"),
        ({"first": D(2026, 3, 14), "last": D(2026, 3, 3)}, "before the day it was lost"),
        ({"first": D(2026, 3, 3)}, "Give both dates"),
    ],
)
def test_bad_quantities_are_refused_plainly(kwargs, match):
    with pytest.raises(DomainError, match=match):
        K.work_out(K.BY_KIND["power"], **kwargs)


def test_a_weekly_or_per_appointment_loss_is_not_counted_from_dates():
    with pytest.raises(DomainError, match="counted in weeks"):
        K.work_out(K.BY_KIND["lighting"], first=D(2026, 3, 1), last=D(2026, 3, 20))
    with pytest.raises(DomainError, match="switched off"):
        K.work_out(K.rates_in_force({"power": (1000, False)})[2], 3)


def test_parse_quantity():
    assert K.parse_quantity(" 7 ") == 7
    assert K.parse_quantity("") is None
    with pytest.raises(DomainError, match="whole number"):
        K.parse_quantity("7.5")


# the sums in Settings ----------------------------------------------------------------------------


def test_no_rows_means_the_published_sums(db):
    assert [(r.kind, r.pence) for r in CS.rates(db)] == [(r.kind, r.pence) for r in K.GUIDANCE]
    assert CS.changed_kinds(db) == set()


def test_changing_a_sum_and_resetting_to_the_guidance_is_audited(db):
    r = CS.set_rate(db, "heating-or-hot-water", 900)
    assert r.pence == 900 and r.label == K.BY_KIND["heating-or-hot-water"].label
    CS.set_rate(db, "heating-or-hot-water", 950)
    CS.set_rate(db, "lighting", 1000, active=False)
    by = {x.kind: x for x in CS.rates(db)}
    assert by["heating-or-hot-water"].pence == 950 and not by["lighting"].active
    assert by["power"].pence == 1000  # untouched: the guidance's
    assert CS.changed_kinds(db) == {"heating-or-hot-water", "lighting"}
    with db.session() as s:
        row = s.exec(select(CompensationRate).where(CompensationRate.kind == "heating-or-hot-water")).one()
        assert (row.unit, row.guidance_on) == ("day", D(2026, 2, 3))
    assert CS.reset_to_guidance(db) == 2
    assert [(x.kind, x.pence, x.active) for x in CS.rates(db)] == [
        (x.kind, x.pence, True) for x in K.GUIDANCE
    ]
    with db.session() as s:
        actions = [a.action for a in s.exec(select(AuditEntry).order_by(AuditEntry.id)).all()]
    assert actions.count("compensation sum set") == 2
    assert actions.count("compensation sum changed") == 1
    assert actions.count("compensation sum reset to the guidance") == 2


@pytest.mark.parametrize(
    "pence, match", [(0, "more than nothing"), (-5, "more than nothing"), (10**9, "£100,000")]
)
def test_a_bad_sum_is_refused(db, pence, match):
    with pytest.raises(DomainError, match=match):
        CS.set_rate(db, "power", pence)
    with pytest.raises(DomainError, match="kinds of loss"):
        CS.set_rate(db, "distress-and-inconvenience", 5000)


# the remedy ---------------------------------------------------------------------------------------


def _acknowledged(db, setup):
    c = C.log_complaint(db, setup.resident, D(2026, 2, 2), "No heating for a week")
    C.acknowledge(
        db, c.id, "No heating or hot water, 18 to 24 February", handler_id=setup.bilal, on=D(2026, 2, 3)
    )
    return c


def test_a_remedy_from_the_guidance_stores_its_working_out(db, setup):
    c = _acknowledged(db, setup)
    C.respond(
        db,
        c.id,
        "upheld",
        "The boiler repair took a week.",
        remedies=[
            # the form's amount is not trusted: 7 x £15 = £105 is worked out again
            C.RemedyInput(
                "apology",
                "Pay for the days",
                1,
                guidance_kind="heating-and-hot-water",
                quantity=7,
                rate_pence=1500,
            ),
            C.RemedyInput(
                "financial remedy",
                "For the trouble of three visits to the office",
                5000,
                guidance_kind="time-and-trouble",
            ),
        ],
        on=D(2026, 2, 10),
    )
    with db.session() as s:
        rems = s.exec(select(Remedy).where(Remedy.complaint_id == c.id).order_by(Remedy.id)).all()
    a, b = rems
    assert (a.kind, a.guidance_kind, a.quantity, a.rate_pence, a.amount_pence) == (
        "financial remedy",
        "heating-and-hot-water",
        7,
        1500,
        10500,
    )
    assert (b.guidance_kind, b.quantity, b.rate_pence, b.amount_pence) == ("time-and-trouble", 0, 0, 5000)
    # the letter shows the working out under the remedy, at the rate as it was
    CS.set_rate(db, "heating-and-hot-water", 2000)
    content = LT.letter_content(db, c.id, "response", stage=1)
    body = "\n".join(text for _, text in content.sections)
    assert "Pay for the days: £105.00" in body
    assert "\n  7 days without heating and hot water at £15.00 a day: £105.00" in body
    assert "For the trouble of three visits to the office: £50.00" in body
    assert body.count(" at £") == 1  # only the remedy worked out from the guidance has a breakdown


def test_a_remedy_at_a_sum_changed_meanwhile_is_refused(db, setup):
    c = _acknowledged(db, setup)
    CS.set_rate(db, "missed-appointment", 2000)
    with pytest.raises(
        DomainError, match="changed in Settings .* now £20.00 a appointment|changed in Settings"
    ):
        C.add_remedy(
            db,
            c.id,
            C.RemedyInput(
                "financial remedy", "x", 0, guidance_kind="missed-appointment", quantity=1, rate_pence=1500
            ),
        )
    rem = C.add_remedy(
        db,
        c.id,
        C.RemedyInput(
            "financial remedy", "x", 0, guidance_kind="missed-appointment", quantity=2, rate_pence=2000
        ),
    )
    assert (rem.amount_pence, rem.rate_pence) == (4000, 2000)


@pytest.mark.parametrize(
    "remedy, match",
    [
        (C.RemedyInput("financial remedy", "x", 0, guidance_kind="time-and-trouble"), "no set sum"),
        (
            C.RemedyInput("financial remedy", "x", 0, guidance_kind="heating-and-hot-water", quantity=0),
            "1 or more",
        ),
        (
            C.RemedyInput("financial remedy", "x", 0, guidance_kind="gas-leak", quantity=2),
            "not one of the guidance",
        ),
    ],
)
def test_bad_guidance_remedies_are_refused(db, setup, remedy, match):
    c = _acknowledged(db, setup)
    with pytest.raises(DomainError, match=match):
        C.add_remedy(db, c.id, remedy)


def test_a_switched_off_kind_cannot_be_used(db, setup):
    c = _acknowledged(db, setup)
    CS.set_rate(db, "power", 1000, active=False)
    with pytest.raises(DomainError, match="switched off"):
        C.add_remedy(db, c.id, C.RemedyInput("financial remedy", "x", 0, guidance_kind="power", quantity=2))


# the form -----------------------------------------------------------------------------------------


async def test_the_remedy_form_works_out_the_amount_before_saving(db, setup):
    CS.set_rate(db, "heating-or-hot-water", 900)
    app = build_app(db)
    got = []
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: type(app.screen).__name__ == "DashboardScreen")
        await settle(pilot)
        form = F.RemedyForm(db)
        app.push_screen(form, got.append)
        await settle(pilot)
        loss = form.query_one("#loss", Select)
        labels = [p for p, _ in form.loss_options]
        assert "Loss of heating or of hot water (one of them): £9.00 a day" in labels
        assert "Time and trouble: amount typed" in labels
        assert not form.query_one("#quantity-field").display
        loss.value = "heating-and-hot-water"
        await settle(pilot)
        assert form.query_one("#kind", Select).value == "financial remedy"
        assert form.query_one("#quantity-field").display and form.query_one("#dates-field").display
        assert not form.query_one("#amount-field").display
        assert form.query_one("#dates-field").size.height >= 2  # both dates' labels and boxes show
        form.query_one("#quantity").focus()
        await typed(pilot, "7")
        await settle(pilot)
        assert (
            text_of(form.query_one("#worked", Static))
            == "Amount: £105.00. 7 days without heating and hot water at £15.00 a day: £105.00"
        )
        # from the dates instead (today is 2 March 2026): 10 to 21 February, both counted, is 12 days
        await pilot.press("backspace")
        form.query_one("#from_on").focus()
        await typed(pilot, "10/02/2026")
        form.query_one("#to_on").focus()
        await typed(pilot, "05/02/2026")
        await settle(pilot)
        assert "before the day it was lost" in text_of(form.query_one("#worked", Static))
        await pilot.press(*["backspace"] * 10)
        await typed(pilot, "21/02/2026")
        await settle(pilot)
        assert text_of(form.query_one("#worked", Static)).startswith("Amount: £180.00. 12 days without")
        await pilot.press("ctrl+s")
        await settle(pilot)
    (r,) = got
    assert (r.kind, r.guidance_kind, r.quantity, r.rate_pence, r.amount_pence) == (
        "financial remedy",
        "heating-and-hot-water",
        12,
        1500,
        18000,
    )
    assert r.description == "Compensation for complete loss of heating and hot water"


async def test_a_director_changes_a_sum_in_settings_and_resets_to_the_guidance(db, setup):
    from textual.app import App
    from textual.widgets import Input, ListView

    from smallhousing.screens.form_kit import ConfirmScreen
    from smallhousing.screens.settings import RateForm, SettingItem, SettingsScreen

    class ScreenApp(App):
        def on_mount(self) -> None:
            self.push_screen(SettingsScreen(db))

    def shown(screen) -> list[str]:
        lv = screen.query_one("#list-rates", ListView)
        return [" / ".join(i.lines) for i in lv.children if isinstance(i, SettingItem)]

    app = ScreenApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("7")
        await settle(pilot)
        assert shown(screen)[0] == "Complete loss of heating and hot water: £15.00 a day / the guidance's sum"
        screen.query_one("#list-rates", ListView).focus()
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RateForm)
        assert form.query_one("#f-sum", Input).value == "15.00"
        form.query_one("#f-sum", Input).value = "16.50"
        # Esc with a change asks before discarding it
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")  # no: back to the form
        await settle(pilot)
        assert app.screen is form
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert CS.rates(db)[0].pence == 1650
        assert shown(screen)[0] == (
            "Complete loss of heating and hot water: £16.50 a day / changed: the guidance sets £15.00"
        )
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert CS.rates(db)[0].pence == 1500 and CS.changed_kinds(db) == set()
        assert shown(screen)[0].endswith("the guidance's sum")
