"""The Ombudsman's contact details in settings: no email route and no outdated address."""

from __future__ import annotations

import pytest
from test_screens_settings import SIZE, ScreenApp, open_settings, put, settle, text_of
from textual.widgets import Static

from smallhousing.domain.errors import DomainError
from smallhousing.screens.settings import SettingsScreen
from smallhousing.services import settings as S
from smallhousing.store.models import OMBUDSMAN_FORM, OMBUDSMAN_PHONE, OMBUDSMAN_POST


@pytest.mark.parametrize(
    "field, value",
    [
        ("ombudsman_form_url", "info@housing-ombudsman.org.uk"),
        ("ombudsman_form_url", "mailto:info@housing-ombudsman.org.uk"),
        ("ombudsman_form_url", "MAILTO:someone"),
        ("ombudsman_phone", "0300 111 3000 or email info@housing-ombudsman.org.uk"),
        (
            "ombudsman_post",
            "Housing Ombudsman Service, PO Box 1484, Unit D, Preston, PR2 0ET; Info@Housing-Ombudsman.Org.UK",
        ),
    ],
)
def test_an_email_address_is_refused_in_the_ombudsman_details(db, field, value):
    with pytest.raises(DomainError) as exc:
        S.update_settings(db, **{field: value})
    assert exc.value.field == field
    assert "email" in exc.value.message and "online form" in exc.value.message
    assert "13 January 2026" in exc.value.message
    s = S.get_settings(db)
    assert (s.ombudsman_form_url, s.ombudsman_phone, s.ombudsman_post) == (
        OMBUDSMAN_FORM,
        OMBUDSMAN_PHONE,
        OMBUDSMAN_POST,
    )


@pytest.mark.parametrize(
    "value",
    [
        "Housing Ombudsman Service, PO Box 152, Liverpool, L33 7WQ",
        "housing ombudsman, p.o. box 152, liverpool",
        "PO  BOX152 Liverpool",
        "P O Box 152",
        "POBox 152",
    ],
)
def test_the_old_po_box_152_address_is_refused(db, value):
    with pytest.raises(DomainError) as exc:
        S.update_settings(db, ombudsman_post=value)
    assert exc.value.field == "ombudsman_post"
    assert "152" in exc.value.message and "out of date" in exc.value.message
    assert "PO Box 1484" in exc.value.message and "PR2 0ET" in exc.value.message
    assert S.get_settings(db).ombudsman_post == OMBUDSMAN_POST


@pytest.mark.parametrize(
    "field, value",
    [
        ("ombudsman_post", "Housing Ombudsman Service, PO Box 1484, Unit D, Preston, PR2 0ET"),
        ("ombudsman_post", "PO Box 1520, Somewhere, AB1 2CD"),  # another box number is fine
        ("ombudsman_phone", "0300 111 3000 (Monday to Friday, 9am to 5pm)"),
        ("ombudsman_form_url", "https://www.housing-ombudsman.org.uk/residents/make-a-complaint/"),
    ],
)
def test_sound_ombudsman_details_are_kept(db, field, value):
    S.update_settings(db, **{field: value})
    assert getattr(S.get_settings(db), field) == value


def test_the_landlords_own_email_is_still_allowed(db):
    S.update_settings(db, email="complaints@ashbury.example")
    assert S.get_settings(db).email == "complaints@ashbury.example"


async def test_the_settings_screen_says_why_an_email_is_refused(db, setup):
    app = ScreenApp(lambda: SettingsScreen(db))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(pilot)
        await pilot.press("2")
        put(screen, "ombudsman_post", "Housing Ombudsman, PO Box 152, Liverpool")
        await pilot.press("ctrl+s")
        await settle(pilot)
        message = text_of(screen.query_one("#ombudsman-message", Static))
        assert "Not saved" in message and "152" in message
        assert "152" in text_of(screen.query_one("#e-ombudsman_post", Static))
        assert S.get_settings(db).ombudsman_post == OMBUDSMAN_POST
        put(screen, "ombudsman_post", OMBUDSMAN_POST)
        put(screen, "ombudsman_form_url", "mailto:info@housing-ombudsman.org.uk")
        await pilot.press("ctrl+s")
        await settle(pilot)
        message = text_of(screen.query_one("#ombudsman-message", Static))
        assert "Not saved" in message and "online form" in message
        assert "email" in text_of(screen.query_one("#e-ombudsman_form_url", Static))
        assert S.get_settings(db).ombudsman_form_url == OMBUDSMAN_FORM
