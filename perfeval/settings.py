"""perfeval.toml: the evaluation folder's settings, merged over the bundled defaults, and checked.

Every domain number (grade bands, thresholds, the coverage minimum) and every vocabulary (problem
categories, evaluation kinds, budget actions) comes from here, never from code.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from perfeval.errors import ConfigError
from perfeval.numbers import to_decimal
from perfeval.resources import defaults_file

CONFIG_NAME = "perfeval.toml"


@dataclass(frozen=True)
class Grade:
    name: str
    min: Decimal
    action: str


@dataclass(frozen=True)
class Kind:
    name: str
    noun: str
    department: bool = False  # a 部门整体 evaluation: reported with its indicator counts
    # a unit's own evaluation: the report sums these up; only the bureau's evaluations of
    # projects and departments are reported one by one
    self_evaluation: bool = False


@dataclass(frozen=True)
class ProblemGroup:
    code: str
    name: str
    measure: str


@dataclass(frozen=True)
class ProblemCategory:
    code: str
    name: str

    @property
    def group(self) -> str:
        return self.code[:1]

    @property
    def label(self) -> str:
        """What the dropdown shows and the clerk picks."""
        return f"{self.code} {self.name}"


@dataclass(frozen=True)
class Settings:
    folder: Path
    year: int
    region: str
    bureau: str
    report_title: str
    report_date: dt.date | None
    deadline: str
    contact: str
    phone: str
    paths: dict[str, str]
    coverage_min: Decimal
    execution_reason_below: Decimal
    score_tolerance: Decimal
    percent_capped: tuple[str, ...]
    unfinished_words: tuple[str, ...]
    workers: int  # 0: one per processor; -1: in the calling process (debugging only)
    file_timeout: float
    worker_memory_mb: int
    use_cache: bool
    annotated_copies: bool
    annotated_copy: str  # mark: the department's own file, marked; reissue: a clean re-issue
    detail_sheet_max_rows: int
    max_file_bytes: int
    max_uncompressed_bytes: int
    trailing_zeros_in_text: bool
    arabic_heading: str
    report_names: int  # the most item names one sentence of the report lists
    report_quotes: int  # the most problems or measures the report quotes per heading
    qualitative: tuple[str, ...]
    grades: tuple[Grade, ...]
    kinds: tuple[Kind, ...]
    problem_groups: tuple[ProblemGroup, ...]
    problem_categories: tuple[ProblemCategory, ...]
    raw: dict[str, Any]

    def path(self, key: str) -> Path:
        return self.folder / self.paths[key]

    @property
    def title(self) -> str:
        return self.report_title or f"{self.region}{self.year}年度重点项目绩效评价工作总结报告"

    def grade_for(self, total: Decimal) -> Grade:
        """The band whose lower bound (inclusive) the two-decimal total reaches first."""
        for grade in self.grades:
            if total >= grade.min:
                return grade
        return self.grades[-1]

    def category(self, text: str) -> ProblemCategory | None:
        """Match a dropdown label, a bare code ('C3') or a bare name to a category."""
        index = self.__dict__.get("_categories")
        if index is None:  # frozen dataclass: the index is cached outside the fields
            index = {}
            for cat in reversed(self.problem_categories):
                index.update({cat.name: cat, cat.code: cat, cat.label: cat})
            object.__setattr__(self, "_categories", index)
        return index.get(text.strip())

    def group(self, code: str) -> ProblemGroup | None:
        return next((g for g in self.problem_groups if g.code == code), None)

    def kind(self, name: str) -> Kind | None:
        index = self.__dict__.get("_kinds")
        if index is None:  # frozen dataclass: the index is cached outside the fields
            index = {}
            for k in reversed(self.kinds):  # the first of equal names wins, as a scan would
                index[k.name] = k
            object.__setattr__(self, "_kinds", index)
        return index.get(name)

    def is_department(self, kind_name: str) -> bool:
        kind = self.kind(kind_name)
        return kind is not None and kind.department

    def is_self_evaluation(self, kind_name: str) -> bool:
        kind = self.kind(kind_name)
        return kind is not None and kind.self_evaluation


#: lists of tables whose entries the defaults complete by name: a folder made by an older
#: perfeval lists its [[kinds]] without the keys added since (self_evaluation), and gets the
#: defaults' value for a kind of the same name unless it sets the key itself
_COMPLETED_BY_NAME = ("kinds",)


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        elif key in _COMPLETED_BY_NAME and isinstance(value, list):
            known = {e.get("name"): e for e in merged.get(key, []) if isinstance(e, dict)}
            merged[key] = [
                {**known.get(e.get("name"), {}), **e} if isinstance(e, dict) else e for e in value
            ]
        else:
            merged[key] = value
    return merged


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise ConfigError(
            "找不到配置文件。",
            path=path,
            hint="请在评价文件夹中运行，或先用 perfeval init 创建评价文件夹。",
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"配置文件格式有误：{exc}", path=path, hint="检查引号、等号和方括号是否成对。"
        ) from exc


def _decimal(raw: dict[str, Any], section: str, key: str, path: Path) -> Decimal:
    value = raw.get(section, {}).get(key)
    number = to_decimal(str(value)) if isinstance(value, int | float | str) else None
    if number is None:
        raise ConfigError(f"[{section}] {key} 应为数字，现为 {value!r}。", path=path)
    return number


def _words(raw: dict[str, Any], key: str, path: Path) -> tuple[str, ...]:
    words = raw.get("rules", {}).get(key, [])
    if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
        raise ConfigError(f"[rules] {key} 应为文字列表。", path=path)
    return tuple(w.strip() for w in words)


def _table_list(raw: dict[str, Any], key: str, fields: tuple[str, ...], path: Path) -> list[dict]:
    items = raw.get(key)
    if not isinstance(items, list) or not items:
        raise ConfigError(f"缺少 [[{key}]] 设置。", path=path)
    for n, item in enumerate(items, start=1):
        missing = [f for f in fields if f not in item or item[f] in ("", None)]
        if missing:
            raise ConfigError(f"[[{key}]] 第 {n} 项缺少 {'、'.join(missing)}。", path=path)
    return items


def build_settings(raw: dict[str, Any], folder: Path, source: Path) -> Settings:
    """Check a merged settings dict and turn it into :class:`Settings`."""
    ev = raw.get("evaluation", {})
    year = ev.get("year")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ConfigError(f"[evaluation] year 应为四位年份，现为 {year!r}。", path=source)
    report_date = None
    if ev.get("report_date"):
        try:
            report_date = dt.date.fromisoformat(str(ev["report_date"]))
        except ValueError as exc:
            raise ConfigError(
                f"[evaluation] report_date 应写成 2025-03-16 的形式，现为 {ev['report_date']!r}。",
                path=source,
            ) from exc
    grades = tuple(
        Grade(str(g["name"]), to_decimal(str(g["min"])) or Decimal(0), str(g.get("action", "")))
        for g in _table_list(raw, "grades", ("name", "min"), source)
    )
    if [g.min for g in grades] != sorted((g.min for g in grades), reverse=True):
        raise ConfigError("[[grades]] 应按下限从高到低排列。", path=source)
    if len({g.min for g in grades}) != len(grades):
        raise ConfigError("[[grades]] 中有两个等级的下限相同。", path=source)
    kinds = tuple(
        Kind(
            str(k["name"]),
            str(k.get("noun") or k["name"]),
            bool(k.get("department", False)),
            bool(k.get("self_evaluation", False)),
        )
        for k in _table_list(raw, "kinds", ("name",), source)
    )
    groups = tuple(
        ProblemGroup(str(g["code"]), str(g["name"]), str(g.get("measure", "")))
        for g in _table_list(raw, "problem_groups", ("code", "name"), source)
    )
    cats = tuple(
        ProblemCategory(str(c["code"]), str(c["name"]))
        for c in _table_list(raw, "problem_categories", ("code", "name"), source)
    )
    codes = [c.code for c in cats]
    if len(set(codes)) != len(codes):
        raise ConfigError("[[problem_categories]] 中有重复的编码。", path=source)
    group_codes = {g.code for g in groups}
    orphan = [c.code for c in cats if c.group not in group_codes]
    if orphan:
        raise ConfigError(
            f"问题分类 {'、'.join(orphan)} 的首字母没有对应的 [[problem_groups]]。", path=source
        )
    fmt = raw.get("format", {})
    arabic = str(fmt.get("arabic_heading", "1."))
    if arabic not in ("1.", "1、"):
        raise ConfigError('[format] arabic_heading 只能是 "1." 或 "1、"。', path=source)
    limits = {}
    for key in ("report_names", "report_quotes"):  # defaults in templates/config/defaults.toml
        value = fmt.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ConfigError(f"[format] {key} 应为正整数，现为 {value!r}。", path=source)
        limits[key] = value
    qualitative = raw.get("lists", {}).get("qualitative", [])
    if (
        not isinstance(qualitative, list)
        or not qualitative
        or not all(isinstance(q, str) and q.strip() for q in qualitative)
    ):
        raise ConfigError("[lists] qualitative 应为非空的文字列表。", path=source)
    annotated_copy = str(raw.get("run", {}).get("annotated_copy", "mark"))
    if annotated_copy not in ("mark", "reissue"):
        raise ConfigError('[run] annotated_copy 只能是 "mark" 或 "reissue"。', path=source)
    paths = {k: str(v) for k, v in raw.get("paths", {}).items()}
    for key in ("roster", "issued", "returned", "output", "returns", "frameworks"):
        if not paths.get(key):
            raise ConfigError(f"[paths] 缺少 {key}。", path=source)
    mb = 1024 * 1024
    return Settings(
        folder=folder,
        year=year,
        region=str(ev.get("region", "")),
        bureau=str(ev.get("bureau", "")),
        report_title=str(ev.get("report_title", "")),
        report_date=report_date,
        deadline=str(ev.get("deadline", "")),
        contact=str(ev.get("contact", "")),
        phone=str(ev.get("phone", "")),
        paths=paths,
        coverage_min=_decimal(raw, "rules", "coverage_min", source),
        execution_reason_below=_decimal(raw, "rules", "execution_reason_below", source),
        score_tolerance=_decimal(raw, "rules", "score_tolerance", source),
        percent_capped=_words(raw, "percent_capped", source),
        unfinished_words=_words(raw, "unfinished_words", source),
        workers=int(raw.get("run", {}).get("workers", 0)),
        file_timeout=float(raw.get("run", {}).get("file_timeout_seconds", 60)),
        worker_memory_mb=int(raw.get("run", {}).get("worker_memory_mb", 1024)),
        use_cache=bool(raw.get("run", {}).get("cache", True)),
        annotated_copies=bool(raw.get("run", {}).get("annotated_copies", True)),
        annotated_copy=annotated_copy,
        detail_sheet_max_rows=int(raw.get("run", {}).get("detail_sheet_max_rows", 50000)),
        max_file_bytes=int(_decimal(raw, "rules", "max_file_mb", source) * mb),
        max_uncompressed_bytes=int(_decimal(raw, "rules", "max_uncompressed_mb", source) * mb),
        trailing_zeros_in_text=bool(fmt.get("trailing_zeros_in_text", True)),
        arabic_heading=arabic,
        **limits,
        qualitative=tuple(q.strip() for q in qualitative),
        grades=grades,
        kinds=kinds,
        problem_groups=groups,
        problem_categories=cats,
        raw=raw,
    )


def load_settings(folder: Path) -> Settings:
    """Read ``folder/perfeval.toml`` over the bundled defaults."""
    folder = Path(folder)
    source = folder / CONFIG_NAME
    raw = _merge(_read_toml(defaults_file()), _read_toml(source))
    return build_settings(raw, folder, source)
