"""Reading one targets file, in either shape bureaus have.

* a long table, one row per indicator with 项目编号 (or 项目名称) on each row, as the 预算管理
  一体化 platform exports it: any number of projects per file;
* a 项目支出绩效目标申报表 per project in the national layout: header labels (项目名称, 主管部门,
  实施单位, …) with their values to the right, the money rows, 年度目标, then the 绩效指标 table.

A file whose sheets hold neither is one finding. Files are inspected as returned workbooks are
(size, zip bombs, encryption, old formats) before they are parsed.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from perfeval.check.catalogue import Code, Finding, finding
from perfeval.model import CellRef
from perfeval.read.cells import Book, Grid, a1
from perfeval.read.container import inspect_file
from perfeval.read.parse import as_written, normalize_text, parse_number
from perfeval.targets.columns import header_row
from perfeval.targets.model import ProjectTargets
from perfeval.targets.rows import read_rows

#: 申报表 header labels (compared normalized, a trailing colon ignored) -> field
FORM_LABELS = {
    "项目名称": "name",
    "项目编号": "item_id",
    "项目编码": "item_id",
    "项目代码": "item_id",
    "主管部门": "department",
    "主管预算部门": "department",
    "实施单位": "unit",
    "项目单位": "unit",
    "项目实施单位": "unit",
    "年度目标": "goal",
    "年度绩效目标": "goal",
    "本年度绩效目标": "goal",
    "项目支出名称": "name",
    "预算部门": "department",
    "项目支出实施期": "period",
    "年度资金总额": "total",
    "项目资金总额": "total",
    "资金总额": "total",
    "财政拨款": "fiscal",
    "财政资金": "fiscal",
    "本级财政资金": "fiscal",
    "其他资金": "other",
    "自有资金": "other",
    "项目起止时间": "period",
    "项目实施期限": "period",
    "实施期限": "period",
    "项目期限": "period",
    "项目属性": "nature",
}
MONEY_FIELDS = ("total", "fiscal", "other")
_LABEL_ROWS = 60


def read_targets_file(
    path: Path,
    name: str,
    columns: dict[str, tuple[str, ...]],
    max_bytes: int,
    max_uncompressed: int,
) -> tuple[list[ProjectTargets], list[Finding]]:
    """The projects' targets in one file, and the findings about it."""
    inspected = inspect_file(path, name, max_bytes, max_uncompressed)
    if inspected.data is None:
        return [], [inspected.finding] if inspected.finding else []
    findings: list[Finding] = []
    try:
        with Book(inspected.data) as book:
            grids = [book.grid(s) for s in book.sheet_names if book.visibility.get(s) == "Visible"]
    except Exception as exc:  # calamine's own error types
        detail = f"文件内部结构损坏；技术信息：{str(exc).splitlines()[0][:100] if str(exc) else ''}"
        return [], [finding(Code.FILE_UNREADABLE, CellRef(name), detail=detail)]
    projects: list[ProjectTargets] = []
    for grid in grids:
        found = header_row(grid, columns)
        if found is None:
            continue
        row, cols = found
        if "item_id" in cols or "name" in cols:
            projects += _long_table(grid, name, row, cols, findings)
        else:
            projects.append(_form(grid, name, row, cols, findings))
    if not projects:
        detail = f"共{len(grids)}张工作表"
        findings.append(finding(Code.TARGET_LAYOUT, CellRef(name), detail=detail))
    return projects, findings


def _long_table(
    grid: Grid, file: str, header: int, cols: dict[str, int], findings: list[Finding]
) -> list[ProjectTargets]:
    by_key: dict[str, ProjectTargets] = {}
    key_col = cols.get("item_id") or cols["name"]
    per_wan = _amount_unit(grid, header)
    current = ""
    for row, target in read_rows(grid, file, header, cols, findings):
        key = as_written(grid.get(row, key_col)) or current
        current = key
        if not key:
            continue
        project = by_key.get(normalize_text(key))
        if project is None:
            item_id = as_written(grid.get(row, cols["item_id"])) if "item_id" in cols else ""
            name = as_written(grid.get(row, cols["name"])) if "name" in cols else ""
            ref = CellRef(file, grid.sheet, a1(row, key_col))
            project = ProjectTargets(normalize_text(item_id), name, file, ref)
            _project_columns(project, grid, row, cols, per_wan)
            by_key[normalize_text(key)] = project
        project.indicators.append(target)
    return list(by_key.values())


#: a long table's project columns -> the field a 申报表 label gives
_PROJECT_COLUMNS = {"department": "department", "implementer": "unit", "goal": "goal"}


def _project_columns(
    project: ProjectTargets, grid: Grid, row: int, cols: dict[str, int], per_wan: Decimal | None
) -> None:
    """主管部门, 实施单位, 年度目标 and 预算数 from a project's first row, where the table has
    them."""
    for column, key in _PROJECT_COLUMNS.items():
        if column in cols:
            project.fields[key] = as_written(grid.get(row, cols[column]))
            project.cells[key] = CellRef(project.source, grid.sheet, a1(row, cols[column]))
    project.goal = project.fields.get("goal", "")
    project.header = {k: v for k, v in project.fields.items() if k in ("department", "unit")}
    if "budget" in cols and per_wan is not None:
        number = parse_number(grid.get(row, cols["budget"])).value
        if isinstance(number, Decimal):
            project.money["total"] = number / per_wan
            project.cells["total"] = CellRef(project.source, grid.sheet, a1(row, cols["budget"]))


def _amount_unit(grid: Grid, header: int) -> Decimal | None:
    """How many of the table's money units make one 万元, from a caption above the header
    ("金额单位：元" or "单位：万元"); None when no caption says."""
    for row in range(1, header):
        for raw in grid.rows[row - 1]:
            text = normalize_text(raw).replace(" ", "")
            if "单位:" not in text:
                continue
            unit = text.split("单位:", 1)[1]
            if unit.startswith("万元"):
                return Decimal(1)
            if unit.startswith("元"):
                return Decimal(10000)
    return None


def _form(
    grid: Grid, file: str, header: int, cols: dict[str, int], findings: list[Finding]
) -> ProjectTargets:
    fields: dict[str, tuple[str, CellRef]] = {}
    money: dict[str, Decimal] = {}
    for row in range(1, min(header, _LABEL_ROWS) + 1):
        line = grid.rows[row - 1]
        for col in range(1, len(line) + 1):
            key = FORM_LABELS.get(_label(grid.get(row, col)))
            if key is None or key in fields:
                continue
            value, where = _right_of(grid, row, col)
            if key in MONEY_FIELDS:
                number = parse_number(value, units=("万元",)).value
                if isinstance(number, Decimal):
                    money[key] = number
            fields[key] = (value, CellRef(file, grid.sheet, a1(row, where)))
    name, name_ref = fields.get("name", ("", CellRef(file, grid.sheet)))
    item_id, id_ref = fields.get("item_id", ("", name_ref))
    project = ProjectTargets(normalize_text(item_id), name, file, id_ref if item_id else name_ref)
    project.goal = fields.get("goal", ("", name_ref))[0]
    project.header = {k: v for k, (v, _) in fields.items() if k in ("department", "unit")}
    project.money = money
    project.fields = {k: v for k, (v, _) in fields.items()}
    project.cells = {k: ref for k, (_, ref) in fields.items()}
    rows = read_rows(grid, file, header, cols, findings, stop_at_end_words=True)
    project.indicators = [t for _, t in rows]
    return project


def _label(raw: object) -> str:
    """A header label as compared: normalized, without 其中： before it or a colon after it."""
    return normalize_text(raw).removeprefix("其中:").rstrip(":").strip()


def _right_of(grid: Grid, row: int, col: int) -> tuple[str, int]:
    """The first non-empty cell right of a label (merged label cells read empty), as written."""
    line = grid.rows[row - 1]
    for right in range(col + 1, min(len(line), col + 8) + 1):
        value = as_written(grid.get(row, right))
        if _label(value) in FORM_LABELS:
            break  # the next label: this one was left empty
        if value:
            return value, right
    return "", col + 1
