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

from perfeval.check.catalogue import Code, Finding, finding
from perfeval.config.settings_schema import ConfigProblem, check_config, number_value
from perfeval.errors import ConfigError
from perfeval.machinery.own_files import file_kind
from perfeval.machinery.resources import defaults_file
from perfeval.model import CellRef
from perfeval.numbers import HUNDRED, percent

CONFIG_NAME = "perfeval.toml"
#: [paths] keys that name a file or folder (the others say how paths are treated)
PATH_KEYS = ("roster", "issued", "returned", "output", "returns", "frameworks")


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
    #: who evaluated, as the archive records it: 自评, 部门评价 or 财政评价 (a self-evaluation
    #: is 自评 and any other kind 财政评价 unless the kind says)
    evaluation: str = ""

    @property
    def evaluator(self) -> str:
        return self.evaluation or ("自评" if self.self_evaluation else "财政评价")


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
    outside_folder: bool  # paths may lie outside the evaluation folder (an explicit opt-in)
    coverage_min: Decimal
    execution_reason_below: Decimal
    score_tolerance: Decimal
    reference_tolerance: Decimal  # a score may exceed its 参考得分 by this much unremarked
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
    draft_mark: str  # under the report's title while any roster item is not in it
    basis: tuple[str, ...]  # the documents the report cites as its basis
    sources_appendix: bool  # the report names 汇总表's 数据来源 as an attachment
    qualitative: tuple[str, ...]
    qualitative_shares: tuple[Decimal, ...]  # each grade's share of the weight, in percent
    money_parts: tuple[str, ...]  # funding sources under 年度资金总额 (a framework may differ)
    adjustment_reason_above: Decimal  # 全年 vs 年初预算数: a larger change needs a reason
    grades: tuple[Grade, ...]
    kinds: tuple[Kind, ...]
    problem_groups: tuple[ProblemGroup, ...]
    problem_categories: tuple[ProblemCategory, ...]
    notes: tuple[Finding, ...]  # warnings about the settings (keys perfeval does not know)
    raw: dict[str, Any]

    def path(self, key: str) -> Path:
        return self.folder / self.paths[key]

    @property
    def title(self) -> str:
        return self.report_title or f"{self.region}{self.year}年度重点项目绩效评价工作总结报告"

    def grade_for(self, total: Decimal, out_of: Decimal = HUNDRED) -> Grade:
        """The band whose lower bound (inclusive) the two-decimal total reaches first. The
        bands are on a 100-point scale: out of another total, on the 得分率 (total ÷ out_of, in
        percent, rounded to two decimals, as the issued workbook computes it)."""
        basis = total if out_of == HUNDRED else (percent(total, out_of) or Decimal(0))
        for grade in self.grades:
            if basis >= grade.min:
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
            known = {
                e.get("name"): e
                for e in merged.get(key, [])
                if isinstance(e, dict) and isinstance(e.get("name"), str)
            }
            merged[key] = [
                {**known.get(e.get("name"), {}), **e}  # type: ignore[arg-type]
                if isinstance(e, dict) and isinstance(e.get("name"), str)
                else e
                for e in value
            ]
        else:
            merged[key] = value
    return merged


def _read_toml(path: Path) -> dict[str, Any]:
    """A TOML file as UTF-8 (a leading byte-order mark, as old Notepad writes, is accepted)."""
    kind = file_kind(path)
    if kind not in ("", "不存在", "文件夹", "无法访问的位置"):  # a pipe: reading would block
        raise ConfigError(
            f"配置文件的位置上是{kind}，不是文本文件。",
            path=path,
            hint=f"请把它改名或移走，评价文件夹中的 {CONFIG_NAME} 应是一个文本文件。",
        )
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise ConfigError(
            "找不到配置文件。",
            path=path,
            hint="请在评价文件夹中运行，或先用 perfeval init 创建评价文件夹。",
        ) from exc
    except IsADirectoryError as exc:
        raise ConfigError(
            "配置文件的位置上是一个文件夹，不是文件。",
            path=path,
            hint=f"请把这个文件夹改名或移走，评价文件夹中的 {CONFIG_NAME} 应是一个文本文件。",
        ) from exc
    except OSError as exc:
        raise ConfigError(
            f"无法读取配置文件（{exc.strerror or exc}）。",
            path=path,
            hint="请检查该文件的读取权限，或它是否正被其他程序独占打开。",
        ) from exc
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            "配置文件不是UTF-8编码（可能是用记事本按ANSI/GBK保存的）。",
            path=path,
            hint="请用记事本打开该文件，“另存为”时在“编码”中选择UTF-8，保存后重新运行。",
        ) from exc
    try:
        return tomllib.loads(text)
    except RecursionError as exc:  # lists nested thousands deep
        raise ConfigError(
            "配置文件格式有误：嵌套层数过多。", path=path, hint="检查方括号是否成对。"
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"配置文件格式有误：{exc}", path=path, hint="检查引号、等号和方括号是否成对。"
        ) from exc


def _refuse(problems: list[ConfigProblem], source: Path) -> None:
    if problems:
        lines = "\n".join(f"· {p.message}" for p in problems)
        raise ConfigError(
            f"配置文件中有{len(problems)}项设置需要修改：\n{lines}",
            path=source,
            hint="按上面的说明修改配置文件后重新运行；各项设置的含义见文件中的注释。",
        )


def _cross_checks(raw: dict[str, Any]) -> list[ConfigProblem]:
    """What holds between settings: grade bands in order, names and codes unique and grouped."""
    out: list[ConfigProblem] = []
    mins = [number_value(g["min"]) for g in raw["grades"]]
    if mins != sorted(mins, reverse=True):
        out.append(ConfigProblem("[[grades]]", "[[grades]] 应按下限从高到低排列。"))
    if len(set(mins)) != len(mins):
        out.append(ConfigProblem("[[grades]]", "[[grades]] 中有两个等级的下限相同。"))
    for table, key in (
        ("grades", "name"),
        ("kinds", "name"),
        ("problem_groups", "code"),
        ("problem_categories", "code"),
    ):
        names = [str(e[key]).strip() for e in raw[table]]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            out.append(
                ConfigProblem(f"[[{table}]]", f"[[{table}]] 中 {key} 重复：{'、'.join(twice)}。")
            )
    groups = {str(g["code"]) for g in raw["problem_groups"]}
    orphan = [str(c["code"]) for c in raw["problem_categories"] if str(c["code"])[:1] not in groups]
    if orphan:
        out.append(
            ConfigProblem(
                "[[problem_categories]]",
                f"问题分类 {'、'.join(orphan)} 的首字母没有对应的 [[problem_groups]]。",
            )
        )
    return out


def build_settings(raw: dict[str, Any], folder: Path, source: Path) -> Settings:
    """Check a merged settings dict against the schema and turn it into :class:`Settings`.
    Every refused value is listed in one :class:`ConfigError`; unknown keys become ``notes``."""
    problems = check_config(raw)
    _refuse([p for p in problems if p.fatal], source)
    _refuse(_cross_checks(raw), source)
    notes = tuple(
        finding(Code.CONFIG_UNKNOWN_KEY, CellRef(source.name, "", p.where), message=p.message)
        for p in problems
        if not p.fatal
    )
    ev, rules, run, fmt = raw["evaluation"], raw["rules"], raw["run"], raw["format"]
    report_date = ev.get("report_date") or None
    if isinstance(report_date, str):
        report_date = dt.date.fromisoformat(report_date.strip())
    paths = {k: str(v).replace("\\", "/") for k, v in raw["paths"].items() if k in PATH_KEYS}
    mb = 1024 * 1024
    return Settings(
        folder=folder,
        year=int(number_value(ev["year"])),
        region=ev["region"],
        bureau=ev["bureau"],
        report_title=ev["report_title"],
        report_date=report_date,
        deadline=ev["deadline"],
        contact=ev["contact"],
        phone=ev["phone"],
        paths=paths,
        outside_folder=raw["paths"]["outside_folder"],
        coverage_min=number_value(rules["coverage_min"]),
        execution_reason_below=number_value(rules["execution_reason_below"]),
        score_tolerance=number_value(rules["score_tolerance"]),
        reference_tolerance=number_value(rules["reference_tolerance"]),
        percent_capped=tuple(w.strip() for w in rules["percent_capped"]),
        unfinished_words=tuple(w.strip() for w in rules["unfinished_words"]),
        workers=int(number_value(run["workers"])),
        file_timeout=float(number_value(run["file_timeout_seconds"])),
        worker_memory_mb=int(number_value(run["worker_memory_mb"])),
        use_cache=run["cache"],
        annotated_copies=run["annotated_copies"],
        annotated_copy=run["annotated_copy"],
        detail_sheet_max_rows=int(number_value(run["detail_sheet_max_rows"])),
        max_file_bytes=int(number_value(rules["max_file_mb"]) * mb),
        max_uncompressed_bytes=int(number_value(rules["max_uncompressed_mb"]) * mb),
        trailing_zeros_in_text=fmt["trailing_zeros_in_text"],
        arabic_heading=fmt["arabic_heading"],
        report_names=int(number_value(fmt["report_names"])),
        report_quotes=int(number_value(fmt["report_quotes"])),
        draft_mark=raw["report"]["draft_mark"].strip(),
        basis=tuple(b.strip() for b in raw["report"]["basis"]),
        sources_appendix=raw["report"]["sources_appendix"],
        qualitative=tuple(q.strip() for q in raw["lists"]["qualitative"]),
        qualitative_shares=tuple(number_value(n) for n in raw["lists"]["qualitative_shares"]),
        money_parts=tuple(p.strip() for p in raw["money"]["parts"]),
        adjustment_reason_above=number_value(raw["money"]["adjustment_reason_above"]),
        grades=tuple(
            Grade(str(g["name"]).strip(), number_value(g["min"]), str(g.get("action", "")))
            for g in raw["grades"]
        ),
        kinds=tuple(
            Kind(
                str(k["name"]).strip(),
                str(k.get("noun") or k["name"]).strip(),
                k.get("department", False),
                k.get("self_evaluation", False),
                str(k.get("evaluation", "")).strip(),
            )
            for k in raw["kinds"]
        ),
        problem_groups=tuple(
            ProblemGroup(str(g["code"]).strip(), str(g["name"]), str(g.get("measure", "")))
            for g in raw["problem_groups"]
        ),
        problem_categories=tuple(
            ProblemCategory(str(c["code"]).strip(), str(c["name"]))
            for c in raw["problem_categories"]
        ),
        notes=notes,
        raw=raw,
    )


def default_settings(folder: Path) -> Settings:
    """The bundled defaults alone, for commands that work outside an evaluation folder."""
    return build_settings(_read_toml(defaults_file()), Path(folder), defaults_file())


def load_settings(folder: Path) -> Settings:
    """Read ``folder/perfeval.toml`` over the bundled defaults."""
    folder = Path(folder)
    source = folder / CONFIG_NAME
    raw = _merge(_read_toml(defaults_file()), _read_toml(source))
    return build_settings(raw, folder, source)
