"""Dates with precision, and the strict parsing of user dates."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from guidancekg.graph.dates import (
    PartialDate,
    in_force_end,
    in_force_start,
    parse_day,
    parse_partial,
    recorded_from,
)
from guidancekg.graph.errors import InputError


@pytest.mark.parametrize(("text", "lo", "hi", "precision"), [
    ("2019-04-12", date(2019, 4, 12), date(2019, 4, 13), "day"),
    ("2014-05", date(2014, 5, 1), date(2014, 6, 1), "month"),
    ("2019-12", date(2019, 12, 1), date(2020, 1, 1), "month"),
    ("2014", date(2014, 1, 1), date(2015, 1, 1), "year"),
])
def test_partial_dates_are_periods(text, lo, hi, precision):
    d = parse_partial(text)
    assert (d.lo, d.hi, d.precision, d.isoformat()) == (lo, hi, precision, text)


@pytest.mark.parametrize("bad", ["2019-02-30", "yesterday", "2019-4-1", "19-04-01", "2019-13", "", "2019-04-12T00"])
def test_parse_partial_refuses_bad_dates_naming_the_parameter(bad):
    with pytest.raises(InputError) as info:
        parse_partial(bad, "valid_from")
    assert info.value.parameter == "valid_from"


@pytest.mark.parametrize("bad", ["2019-02-30", "yesterday", "2019-04", "2019", " ", "2019-04-12x"])
def test_parse_day_accepts_only_real_days(bad):
    with pytest.raises(InputError) as info:
        parse_day(bad, "on")
    assert "on" in str(info.value)


def test_parse_day_names_the_impossible_date():
    with pytest.raises(InputError, match="2019-02-30"):
        parse_day("2019-02-30", "on")


def test_in_force_bounds_widen_imprecise_dates():
    assert in_force_start(parse_partial("2014")) == date(2014, 1, 1)
    assert in_force_end(parse_partial("2020-01-16")) == date(2020, 1, 16)  # half-open: excluded
    assert in_force_end(parse_partial("2020-01")) == date(2020, 2, 1)
    assert recorded_from(parse_partial("2019-04-18")) == date(2019, 4, 18)
    assert recorded_from(parse_partial("2019-04")) == date(2019, 5, 1)


@given(st.dates(min_value=date(1000, 1, 1), max_value=date(9998, 12, 31)))
def test_day_roundtrip_and_period_contains_its_day(day):
    for precision in ("day", "month", "year"):
        text = {"day": day.isoformat(), "month": day.isoformat()[:7], "year": day.isoformat()[:4]}[precision]
        p = parse_partial(text)
        assert p.lo <= day < p.hi
        assert parse_partial(p.isoformat()) == p
    assert parse_day(day.isoformat()) == day
    assert PartialDate.of_day(day).last == day


@pytest.mark.parametrize("bad", ["2019-04-12 ", " 2019-04-12", "２０１９-04-12", "2019-04-1２"])
def test_parse_day_refuses_spaces_and_non_ascii_digits(bad):
    with pytest.raises(InputError):
        parse_day(bad, "on")
