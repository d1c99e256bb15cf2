"""The bank-holiday cache gives exactly what the holidays package gives, and heals itself."""

import datetime as dt
import json

import pytest

from smallhousing.domain import calendar
from smallhousing.services import holiday_cache


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    from smallhousing import paths

    monkeypatch.setattr(paths, "cache_dir", lambda: tmp_path / "cache")
    monkeypatch.setattr(holiday_cache, "_loaded", False)
    yield tmp_path / "cache"
    calendar.use_known_bank_holidays({}, 1, 0)  # back to asking the package
    monkeypatch.setattr(holiday_cache, "_loaded", False)


def _from_package(year):
    table = calendar._bank_holiday_table()
    start = dt.date(year, 1, 1)
    return {
        start + dt.timedelta(days=i): table.get(start + dt.timedelta(days=i))
        for i in range(366)
        if (start + dt.timedelta(days=i)).year == year and table.get(start + dt.timedelta(days=i))
    }


def test_cache_is_made_and_matches_the_package(fresh_cache):
    holiday_cache.ensure_loaded()
    files = list(fresh_cache.glob("bank-holidays-*.json"))
    assert len(files) == 1
    for year in (2024, 2025, 2026, 2027, 2050):
        assert calendar.bank_holidays(year) == _from_package(year)
    assert calendar.bank_holiday_name(dt.date(2026, 12, 28)) == "Boxing Day (observed)"


def test_damaged_cache_is_made_again(fresh_cache):
    fresh_cache.mkdir(parents=True)
    path = holiday_cache.cache_file()
    path.write_text("{not json", encoding="utf-8")
    holiday_cache.ensure_loaded()
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["years"] == [2000, 2050] and "2025-12-25" in data["days"]
    assert calendar.WorkingCalendar().add(dt.date(2025, 12, 24), 10).due == dt.date(2026, 1, 12)


def test_a_cache_that_lies_is_not_trusted_outside_its_years(fresh_cache):
    fresh_cache.mkdir(parents=True)
    holiday_cache.cache_file().write_text(json.dumps({"years": [1999, 2001], "days": {}}))
    holiday_cache.ensure_loaded()  # wrong span: worked out again from the package
    assert calendar.bank_holiday_name(dt.date(2025, 12, 25)) == "Christmas Day"


def test_the_cache_is_named_for_the_installed_version_of_holidays():
    from importlib.metadata import version

    assert holiday_cache.cache_file().name == f"bank-holidays-{version('holidays')}.json"
