import datetime as dt
from decimal import Decimal

import pytest

from perfeval.read import parse


@pytest.mark.parametrize(
    ("raw", "value", "issue"),
    [
        (95.0, Decimal(95), None),
        (2.5, Decimal("2.5"), None),
        ("95", Decimal(95), parse.TEXT_NUMBER),
        ("９５．５", Decimal("95.5"), parse.TEXT_NUMBER),
        ("95分", Decimal(95), parse.TEXT_NUMBER),
        (" 1,234.5 ", Decimal("1234.5"), parse.TEXT_NUMBER),
        ("95%", Decimal(95), parse.PERCENT),
        ("", None, parse.EMPTY),
        ("   ", None, parse.EMPTY),
        ("—", None, parse.PLACEHOLDER),
        ("*", None, parse.PLACEHOLDER),
        ("九十五", None, parse.NOT_NUMBER),
        ("nan", None, parse.NOT_NUMBER),
        ("1e3", None, parse.NOT_NUMBER),
        ("12,34", None, parse.NOT_NUMBER),
    ],
)
def test_parse_number(raw, value, issue):
    result = parse.parse_number(raw, units=("分",))
    assert (result.value, result.issue) == (value, issue)


@pytest.mark.parametrize(
    "raw",
    ["2025-03-16", "2025/3/16", "2025年3月16日", "２０２５年３月１６日", dt.date(2025, 3, 16)],
)
def test_parse_date(raw):
    assert parse.parse_date(raw).value == dt.date(2025, 3, 16)


def test_parse_text_keeps_lines_and_drops_placeholders():
    assert parse.parse_text("  第一行 \r\n\n第二行 ").value == "第一行\n第二行"
    assert parse.parse_text("/").issue == parse.PLACEHOLDER


@pytest.mark.parametrize("raw", [1e30, "1e27", "1000000000000000", float("inf")])
def test_numbers_beyond_excels_precision_are_not_numbers(raw):
    """An ID typed into an amount, or "1e30", used to crash the aggregation when rounded."""
    assert parse.parse_number(raw).issue == parse.NOT_NUMBER


@pytest.mark.parametrize("raw", [5.551115123125783e-17, 1e-300, -2e-16])
def test_what_binary_sums_leave_below_excels_precision_is_zero(raw):
    """=0.1+0.2-0.3 in a score cell gives 5.55e-17: zero, as Excel shows it, not an error."""
    assert parse.parse_number(raw).value == 0


def test_the_largest_sane_numbers_are_numbers():
    assert parse.parse_number(999999999999999).value == Decimal("999999999999999")
    assert parse.parse_number("0.000001").value == Decimal("0.000001")
    assert parse.parse_number(0).value == 0
