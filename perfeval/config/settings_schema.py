"""What perfeval.toml may hold: every section, key, type and range, checked in one place.

:func:`check_config` walks the merged settings (the folder's perfeval.toml over the bundled
defaults) once and collects every problem: a value of the wrong type (``workers = "many"``,
``cache = "false"``), out of range (``coverage_min = 5``, ``file_timeout_seconds = 0``) or not
one of the allowed words is refused, all of them in one message; a key or section perfeval does
not know (a typo such as ``wokers``) is a warning naming the key and the closest known one.
The ranges are sanity limits on what a setting can mean, not domain rules: the domain numbers
themselves live in templates/config/defaults.toml.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from perfeval.numbers import to_decimal


@dataclass(frozen=True)
class Spec:
    """One setting. ``kind``: int, number, bool, text, date, words (a list of texts)."""

    kind: str
    what: str  # Chinese: what the value means, shown when it is refused
    low: Decimal | None = None
    high: Decimal | None = None
    above: bool = False  # the value must be greater than ``low``, not equal to it
    choices: tuple[str, ...] = ()
    required: bool = False  # text that may not be empty; a list that may not be empty


def _n(text: str) -> Decimal:
    return Decimal(text)


_TEXT = Spec("text", "文字")
_PATH = Spec("text", "文件或文件夹名称", required=True)

SECTIONS: dict[str, dict[str, Spec]] = {
    "evaluation": {
        "year": Spec("int", "四位年份", _n("2000"), _n("2100")),
        "region": _TEXT,
        "region_code": Spec("text", '行政区划代码（6位数字，如 "654027"），或留空'),
        "bureau": _TEXT,
        "report_title": _TEXT,
        "report_date": Spec("date", '日期，写成 "2025-03-16"，或留空'),
        "deadline": _TEXT,
        "contact": _TEXT,
        "phone": Spec("text", '文字（电话号码请加引号，如 "0999-1234567"）'),
    },
    "rectify": {
        "deadline": Spec("date", '日期，写成 "2025-12-31"，或留空'),
    },
    "compare": {
        "gap_points": Spec("number", "0到100之间的分数", _n("0"), _n("100")),
        "deviation_rate": Spec("number", "0到1之间的小数（0.10表示10%）", _n("0"), _n("1")),
        "year_over_year": Spec("bool", "true 或 false"),
    },
    "archive": {
        "url": _TEXT,
        "database": _PATH,
        "wait_seconds": Spec("number", "1到600之间的秒数", _n("1"), _n("600")),
    },
    "paths": {
        "roster": _PATH,
        "issued": _PATH,
        "returned": _PATH,
        "output": _PATH,
        "returns": _PATH,
        "frameworks": _PATH,
        "outside_folder": Spec("bool", "true 或 false"),
    },
    "rules": {
        "coverage_min": Spec("number", "0到1之间的小数（0.20表示20%）", _n("0"), _n("1")),
        "execution_reason_below": Spec("number", "0到1之间的小数（0.90表示90%）", _n("0"), _n("1")),
        "score_tolerance": Spec("number", "0到10之间的分数", _n("0"), _n("10")),
        "reference_tolerance": Spec("number", "0到100之间的分数", _n("0"), _n("100")),
        "percent_capped": Spec("words", "文字列表"),
        "unfinished_words": Spec("words", "文字列表"),
        # instruction or placeholder text left in a text cell (check/placeholder_text.py)
        "instruction_openings": Spec("words", "文字列表"),
        "instruction_verbs": Spec("words", "文字列表"),
        "word_limit_words": Spec("words", "文字列表"),
        "placeholder_words": Spec("words", "文字列表"),
        "max_file_mb": Spec("number", "大于0的兆字节数", _n("0"), _n("10240"), above=True),
        "max_uncompressed_mb": Spec("number", "大于0的兆字节数", _n("0"), _n("102400"), above=True),
    },
    "run": {
        "workers": Spec("int", "整数，0表示按处理器核数自动决定", _n("-1"), _n("64")),
        "file_timeout_seconds": Spec("number", "大于0的秒数", _n("0"), _n("86400"), above=True),
        "worker_memory_mb": Spec("int", "不小于0的兆字节数，0表示不限", _n("0"), _n("1048576")),
        "annotated_copies": Spec("bool", "true 或 false"),
        "annotated_copy": Spec("text", '"mark" 或 "reissue"', choices=("mark", "reissue")),
        "detail_sheet_max_rows": Spec("int", "1到1048575之间的行数", _n("1"), _n("1048575")),
        "cache": Spec("bool", "true 或 false"),
    },
    "format": {
        "trailing_zeros_in_text": Spec("bool", "true 或 false"),
        "arabic_heading": Spec("text", '"1." 或 "1、"', choices=("1.", "1、")),
        "report_names": Spec("int", "正整数", _n("1"), _n("100000")),
        "report_quotes": Spec("int", "正整数", _n("1"), _n("100000")),
    },
    "report": {
        "draft_mark": Spec("text", "标注在未完成报告标题下的文字", required=True),
        "basis": Spec("words", "文字列表"),
        "sources_appendix": Spec("bool", "true 或 false"),
    },
    "money": {
        "parts": Spec("words", "非空的文字列表", required=True),
        "adjustment_reason_above": Spec(
            "number", "0到1之间的小数（0.10表示10%）", _n("0"), _n("1")
        ),
    },
    "targets": {
        key: Spec("words", "非空的列名列表", required=True)
        for key in (
            "item_id",
            "name",
            "l1",
            "l2",
            "l3",
            "direction",
            "value",
            "unit",
            "weight",
            "standard",
            "department",
            "implementer",
            "goal",
            "budget",
        )
    },
    "review": {
        "required_fields": Spec("words", "文字列表（name、department、unit、goal）"),
        "money_tolerance": Spec("number", "0到1000之间的万元数", _n("0"), _n("1000")),
        "satisfaction_required": Spec("bool", "true 或 false"),
        "output_required": Spec("words", "文字列表"),
        "quantitative_l2": Spec("words", "文字列表"),
        "vague_words": Spec("words", "文字列表"),
        "min_quantitative_share": Spec("number", "0到1之间的小数（0表示不检查）", _n("0"), _n("1")),
        "weights_total": Spec("number", "大于0的分数", _n("0"), _n("1000"), above=True),
        "deduct_error": Spec("number", "0到100之间的分数", _n("0"), _n("100")),
        "deduct_warning": Spec("number", "0到100之间的分数", _n("0"), _n("100")),
        "off": Spec("words", "规则代码列表，如 PE-TGR-014"),
        "as_warning": Spec("words", "规则代码列表"),
        "as_error": Spec("words", "规则代码列表"),
    },
    "lists": {
        "qualitative": Spec("words", "非空的文字列表", required=True),
        "qualitative_shares": Spec("numbers", "0到100之间的数字列表", _n("0"), _n("100")),
    },
}

#: lists of tables ([[grades]] ...): each entry's keys; (spec, whether the key must be present)
TABLES: dict[str, dict[str, tuple[Spec, bool]]] = {
    "grades": {
        "name": (Spec("text", "等级名称", required=True), True),
        "min": (Spec("number", "0到100之间的分数", _n("0"), _n("100")), True),
        "action": (_TEXT, False),
    },
    "review_grades": {
        "name": (Spec("text", "等级名称", required=True), True),
        "min": (Spec("number", "0到100之间的分数", _n("0"), _n("100")), True),
        "action": (_TEXT, False),
    },
    "kinds": {
        "name": (Spec("text", "评价类型名称", required=True), True),
        "noun": (_TEXT, False),
        "department": (Spec("bool", "true 或 false"), False),
        "self_evaluation": (Spec("bool", "true 或 false"), False),
        "evaluation": (
            Spec("text", "评价主体", choices=("", "自评", "部门评价", "财政评价")),
            False,
        ),
    },
    "problem_groups": {
        "code": (Spec("text", "编码", required=True), True),
        "name": (Spec("text", "名称", required=True), True),
        "measure": (_TEXT, False),
    },
    "problem_categories": {
        "code": (Spec("text", "编码", required=True), True),
        "name": (Spec("text", "名称", required=True), True),
    },
}


@dataclass(frozen=True)
class ConfigProblem:
    """A refused value (``fatal``) or an unknown key (a warning). ``where`` names the setting as
    the user wrote it: ``[run] workers``, ``[[grades]] 第2项 min``."""

    where: str
    message: str
    fatal: bool = True


def check_config(raw: Any) -> list[ConfigProblem]:
    """Every problem in the merged settings, refused values first."""
    problems: list[ConfigProblem] = []
    if not isinstance(raw, dict):
        return [ConfigProblem("", "配置文件的内容不是一组设置。")]
    known = set(SECTIONS) | set(TABLES)
    for section, value in raw.items():
        if section in SECTIONS:
            _check_section(section, value, problems)
        elif section in TABLES:
            _check_tables(section, value, problems)
        else:
            problems.append(_unknown(f"[{section}]", section, known))
    return sorted(problems, key=lambda p: not p.fatal)


def _unknown(where: str, key: str, known: set[str]) -> ConfigProblem:
    close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.6)
    guess = f"（是否想写“{close[0]}”？）" if close else ""
    return ConfigProblem(where, f"“{where}”不是perfeval的设置，已忽略{guess}。", fatal=False)


def _check_section(section: str, value: Any, problems: list[ConfigProblem]) -> None:
    specs = SECTIONS[section]
    if not isinstance(value, dict):
        problems.append(
            ConfigProblem(
                f"[{section}]",
                f"{section} 应为一节设置（以 [{section}] 开头的若干行），现为 {_shown(value)}。",
            )
        )
        return
    for key, item in value.items():
        where = f"[{section}] {key}"
        if key not in specs:
            problems.append(_unknown(where, key, set(specs)))
            continue
        message = check_value(specs[key], item)
        if message:
            problems.append(ConfigProblem(where, _refused(where, message, item)))


def _check_tables(name: str, value: Any, problems: list[ConfigProblem]) -> None:
    fields = TABLES[name]
    if not isinstance(value, list) or not value or not all(isinstance(e, dict) for e in value):
        problems.append(
            ConfigProblem(
                f"[[{name}]]",
                f"{name} 应写成一个或多个 [[{name}]] 表，每个表写若干“键 = 值”，"
                f"现为 {_shown(value)}。",
            )
        )
        return
    for n, entry in enumerate(value, start=1):
        for key, (_, needed) in fields.items():
            if needed and key not in entry:
                problems.append(ConfigProblem(f"[[{name}]]", f"[[{name}]] 第{n}项缺少 {key}。"))
        for key, item in entry.items():
            where = f"[[{name}]] 第{n}项 {key}"
            if key not in fields:
                problems.append(_unknown(where, key, set(fields)))
                continue
            message = check_value(fields[key][0], item)
            if message:
                problems.append(ConfigProblem(where, _refused(where, message, item)))


def _refused(where: str, should: str, value: Any) -> str:
    gap = " " if should[:1].isascii() else ""  # 应为 true 或 false, 应为四位年份
    return f"{where} 应为{gap}{should}，现为 {_shown(value)}。"


def check_value(spec: Spec, value: Any) -> str:
    """'' when ``value`` fits ``spec``; otherwise what it should be (Chinese)."""
    if spec.kind == "bool":
        return "" if isinstance(value, bool) else f"{spec.what}（不加引号）"
    if spec.kind in ("int", "number"):
        number = _number(value, whole=spec.kind == "int")
        if number is None or not _in_range(spec, number):
            return spec.what
        return ""
    if spec.kind == "date":
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return ""
        if isinstance(value, str):
            try:
                if value.strip():
                    dt.date.fromisoformat(value.strip())
                return ""
            except ValueError:
                return spec.what
        return spec.what
    if spec.kind == "numbers":
        if not isinstance(value, list) or not value:
            return spec.what
        numbers = [_number(v, whole=False) for v in value]
        if any(n is None or not _in_range(spec, n) for n in numbers):
            return spec.what
        return ""
    if spec.kind == "words":
        if not isinstance(value, list) or not all(isinstance(w, str) and w.strip() for w in value):
            return spec.what
        if spec.required and not value:
            return spec.what
        return ""
    if not isinstance(value, str):  # text
        return spec.what
    if spec.required and not value.strip():
        return f"不为空的{spec.what}"
    if spec.choices and value not in spec.choices:
        return spec.what
    return ""


def _number(value: Any, *, whole: bool) -> Decimal | None:
    """A number written as one, or quoted ("0.2"); never a boolean, NaN or infinity."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
    number = to_decimal(value) if isinstance(value, int | float | str) else None
    if number is None or not number.is_finite():
        return None
    if whole and number != number.to_integral_value():
        return None
    return number


def _in_range(spec: Spec, number: Decimal) -> bool:
    if spec.low is not None and (number < spec.low or (spec.above and number == spec.low)):
        return False
    return spec.high is None or number <= spec.high


def number_value(value: Any) -> Decimal:
    """The Decimal of a value :func:`check_value` accepted as a number."""
    number = _number(value, whole=False)
    assert number is not None
    return number


def _shown(value: Any) -> str:
    """The value as the user wrote it, briefly."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"“{value[:40]}”" if len(value) <= 40 else f"“{value[:40]}…”"
    if isinstance(value, dict):
        return "一节设置"
    text = repr(value)
    return text if len(text) <= 60 else text[:60] + "…"
