from decimal import Decimal

import pytest

from perfeval.numbers import (
    cn_number,
    fmt_date,
    fmt_money,
    fmt_rate,
    heading_label,
    percent,
    q2,
    to_decimal,
)


def test_round_half_up_like_excel():
    assert q2(Decimal("2.675")) == Decimal("2.68")
    assert q2(Decimal("-2.675")) == Decimal("-2.68")
    assert q2(Decimal("2.665")) == Decimal("2.67")


def test_float_goes_through_its_shortest_repr():
    assert to_decimal(2.675) == Decimal("2.675")
    assert to_decimal(15.0) == Decimal(15)
    assert to_decimal(float("nan")) is None


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [("14", "15", "93.33"), ("22", "25", "88.00"), ("56.49", "60", "94.15"), ("1", "0", None)],
)
def test_percent_of_seed_figures(part, whole, expected):
    result = percent(Decimal(part), Decimal(whole))
    assert result == (Decimal(expected) if expected else None)


def test_formats():
    assert fmt_money(Decimal("8780.09")) == "8780.09"
    assert fmt_money(Decimal("1000")) == "1000.00"
    assert fmt_money(Decimal("1000"), trailing_zeros=False) == "1000"
    assert fmt_rate(Decimal("88")) == "88.00%"
    assert fmt_rate(Decimal("88"), trailing_zeros=False) == "88%"
    assert fmt_date(__import__("datetime").date(2025, 3, 6)) == "2025年3月6日"


def test_heading_numbers():
    assert [cn_number(n) for n in (1, 10, 11, 20, 23)] == ["一", "十", "十一", "二十", "二十三"]
    expected = {
        100: "一百",
        105: "一百零五",
        110: "一百一十",
        999: "九百九十九",
        1000: "一千",
        1010: "一千零一十",
        1200: "一千二百",
        2005: "二千零五",
        10_000: "一万",
        10_005: "一万零五",
        10_015: "一万零一十五",
        10_500: "一万零五百",
        12_345: "一万二千三百四十五",
        100_000: "十万",
        110_001: "十一万零一",
        99_999_999: "九千九百九十九万九千九百九十九",
    }
    assert {n: cn_number(n) for n in expected} == expected
    for bad in (0, 100_000_000):
        with pytest.raises(ValueError, match="out of range"):
            cn_number(bad)
    assert heading_label(1, 3) == "三、"
    assert heading_label(2, 1) == "（一）"
    assert heading_label(3, 2) == "2."
    assert heading_label(3, 2, "1、") == "2、"
    assert heading_label(4, 5) == "（5）"
