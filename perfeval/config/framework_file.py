"""Reading and checking a framework file (指标体系); the model: :mod:`perfeval.config.framework`.

A framework file is a small workbook a finance clerk can edit, in the XLSForm manner:

* sheet ``设置``: two columns (项目, 值) with 编号, 名称, 适用评价类型, 版本, 总分值, 说明;
* sheet ``指标``: one row per indicator. The filled name column gives the level: a row with only
  一级指标 declares a first-level indicator and its weight, a row with 二级指标 a second-level one
  under the latest first-level row, a row with 三级指标 a scored leaf under the latest second-level
  row. Parents carry their own weight, and the loader checks that children add up to it.
* a second-level row may reserve rows (可增行) for the department's own 三级 indicators; its
  fixed children may then add up to less than its weight, and the department's rows make up the
  rest (checked when a returned workbook is validated).

Every problem found on load is reported at once, with the file and the row.

Text (names, targets, units, standards) is kept as written, only surrounding blanks trimmed: it is
shown as the bureau wrote it. Codes, labels, 评分方法 and 指标性质 are compared normalized
(:func:`~perfeval.read.parse.normalize_text`), and so are names that must be unique.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from perfeval.config.framework import (
    Framework,
    FrameworkRegistry,
    Indicator,
    _content_hashes,
)
from perfeval.errors import ConfigError
from perfeval.machinery.own_files import file_kind
from perfeval.read.cells import Book, Grid
from perfeval.read.parse import as_written, normalize_text, parse_number

SETTINGS_SHEET = "设置"
INDICATOR_SHEET = "指标"

COLUMNS = {
    "code": "编码",
    "l1": "一级指标",
    "l2": "二级指标",
    "l3": "三级指标",
    "weight": "分值",
    "direction": "指标性质",
    "target": "年度指标值",
    "unit": "计量单位",
    "method": "评分方法",
    "standard": "评分标准",
    "reserved": "可增行",
    "allowed": "可用二级指标",
    "required": "必备二级指标",
}
#: 设置: how a framework whose 一级 rows name 可用二级指标 takes each project's targets
LEVEL1_WEIGHTS = {"": False, "固定": False, "按绩效目标": True}
REQUIRED_COLUMNS = ("code", "l1", "l2", "l3", "weight")

#: 评分方法 labels in the file -> method codes understood by :mod:`perfeval.score`.
METHODS = {"": "manual", "人工评分": "manual", "执行率计分": "execution_rate"}
DIRECTIONS = {
    "": "",
    "≥": "≥",
    ">=": "≥",
    ">": ">",
    "≤": "≤",
    "<=": "≤",
    "<": "<",
    "=": "=",
    "定性": "定性",
}


def _cell_text(grid: Grid, row: int, col: int | None) -> str:
    """A cell's text as written (see :func:`~perfeval.read.parse.as_written`)."""
    return "" if col is None else as_written(grid.get(row, col))


def _read_settings(grid: Grid) -> dict[str, str]:
    """设置: values as written, by their label (compared normalized)."""
    values: dict[str, str] = {}
    for row in range(1, grid.height + 1):
        key = normalize_text(grid.get(row, 1))
        if key and key != "项目":
            values[key] = as_written(grid.get(row, 2))
    return values


def _header(grid: Grid) -> dict[str, int]:
    labels = {normalize_text(grid.get(1, c)): c for c in range(1, 40)}
    wanted = {key: normalize_text(label) for key, label in COLUMNS.items()}
    return {key: labels[label] for key, label in wanted.items() if label in labels}


def load_framework(path: Path) -> Framework:
    """Read and check one framework file; raise ConfigError listing every problem with its row."""
    try:
        with Book(path) as book:
            missing = [s for s in (SETTINGS_SHEET, INDICATOR_SHEET) if s not in book.sheet_names]
            if missing:
                raise ConfigError(
                    f"指标体系文件缺少工作表：{'、'.join(missing)}。",
                    path=path,
                    hint="指标体系文件应有“设置”和“指标”两张工作表。",
                )
            settings = _read_settings(book.grid(SETTINGS_SHEET))
            grid = book.grid(INDICATOR_SHEET)
    except ConfigError:
        raise
    except Exception as exc:  # calamine raises its own error types for unreadable files
        raise ConfigError(f"无法读取指标体系文件（{exc}）。", path=path) from exc

    problems: list[str] = []
    for key in ("编号", "名称", "总分值"):
        if not settings.get(key):
            problems.append(f"“设置”工作表缺少“{key}”。")
    total = parse_number(settings.get("总分值", "")).value
    if settings.get("总分值") and not isinstance(total, Decimal):
        problems.append(f"“设置”工作表的总分值“{settings['总分值']}”不是数字。")
    cols = _header(grid)
    missing_cols = [COLUMNS[k] for k in REQUIRED_COLUMNS if k not in cols]
    if missing_cols:
        problems.append(f"“指标”工作表第1行缺少列：{'、'.join(missing_cols)}。")
    if problems:
        raise ConfigError("指标体系文件有误：\n" + "\n".join(problems), path=path)

    indicators, problems = _read_indicators(grid, cols)
    problems += _check_tree(indicators, total)
    if problems:
        raise ConfigError(
            "指标体系文件有误：\n" + "\n".join(problems),
            path=path,
            hint="请按提示修改“指标”工作表对应行后重试。",
        )
    scale = parse_number(settings.get("绩效目标折算分值", "")).value
    if settings.get("绩效目标折算分值") and (not isinstance(scale, Decimal) or scale <= 0):
        problems.append(f"“设置”工作表的绩效目标折算分值“{settings['绩效目标折算分值']}”应为正数。")
    by_targets = normalize_text(settings.get("一级分值", ""))
    if by_targets not in LEVEL1_WEIGHTS:
        problems.append(f"“设置”工作表的一级分值“{settings['一级分值']}”应为“固定”或“按绩效目标”。")
    if problems:
        raise ConfigError("指标体系文件有误：\n" + "\n".join(problems), path=path)
    fw_id = normalize_text(settings["编号"])  # a code: compared (roster, identity sheet)
    kinds = settings.get("适用评价类型", "")
    fw_fields = {
        "id": fw_id,
        "name": settings["名称"],
        "kinds": kinds,
        "version": settings.get("版本", ""),
        "total": str(total),
        **({"level1": by_targets} if LEVEL1_WEIGHTS[by_targets] else {}),
        **({"funding": settings["资金来源"]} if settings.get("资金来源") else {}),
        **({"scale": str(scale)} if isinstance(scale, Decimal) else {}),
    }
    content_hash, issue_hash = _content_hashes(fw_fields, indicators)
    return Framework(
        id=fw_id,
        name=settings["名称"],
        kinds=tuple(k.strip() for k in kinds.replace("，", ",").split(",") if k.strip()),
        version=settings.get("版本", ""),
        total=total,
        description=settings.get("说明", ""),
        indicators=tuple(indicators),
        source=path,
        content_hash=content_hash,
        issue_hash=issue_hash,
        level1_from_targets=LEVEL1_WEIGHTS[by_targets],
        funding=_split_names(settings.get("资金来源", "")),
        targets_scale=scale if isinstance(scale, Decimal) else None,
    )


def _read_indicators(grid: Grid, cols: dict[str, int]) -> tuple[list[Indicator], list[str]]:
    problems: list[str] = []
    indicators: list[Indicator] = []
    current: dict[int, Indicator] = {}
    seen: set[str] = set()
    for row in range(2, grid.height + 1):
        names = {lvl: _cell_text(grid, row, cols.get(f"l{lvl}")) for lvl in (1, 2, 3)}
        shown_code = _cell_text(grid, row, cols["code"])
        code = normalize_text(shown_code)  # a code: written to and compared in workbooks
        raw_weight = grid.get(row, cols["weight"])
        if not any(names.values()) and not code:
            continue
        level = max((lvl for lvl, name in names.items() if name), default=0)
        where = f"第{row}行"
        if level == 0:
            problems.append(f"{where}：有编码“{shown_code}”但没有指标名称。")
            continue
        if not code:
            problems.append(f"{where}：缺少编码。")
            continue
        if code in seen:
            problems.append(f"{where}：编码“{shown_code}”重复。")
        seen.add(code)
        weight = parse_number(raw_weight).value
        if not isinstance(weight, Decimal) or weight <= 0:
            problems.append(f"{where}：分值“{as_written(raw_weight)}”应为大于0的数字。")
            weight = Decimal(0)
        parent = current.get(level - 1) if level > 1 else None
        if level > 1 and parent is None:
            problems.append(f"{where}：“{names[level]}”前面没有上一级指标。")
            continue
        method_shown = _cell_text(grid, row, cols.get("method"))
        direction_shown = _cell_text(grid, row, cols.get("direction"))
        method_label = normalize_text(method_shown)  # labels and symbols: compared
        direction_label = normalize_text(direction_shown)
        if method_label not in METHODS:
            known = "、".join(k for k in METHODS if k)
            problems.append(f"{where}：评分方法“{method_shown}”无法识别，可用：{known}。")
        if direction_label not in DIRECTIONS:
            problems.append(f"{where}：指标性质“{direction_shown}”无法识别，可用：≥、≤、=、定性。")
        if level < 3 and method_label not in ("", "人工评分"):
            problems.append(f"{where}：只有三级指标可以设置评分方法。")
        reserved = _reserved(grid, row, cols, level, where, problems)
        l1 = current[1].name if level > 1 else names[1]
        l2 = current[2].name if level > 2 else (names[2] if level == 2 else "")
        ind = Indicator(
            code=code,
            level=level,
            name=names[level],
            weight=weight,
            row=row,
            parent=parent.code if parent else None,
            l1=l1,
            l2=l2,
            direction=DIRECTIONS.get(direction_label, ""),
            target=_cell_text(grid, row, cols.get("target")),
            unit=_cell_text(grid, row, cols.get("unit")),
            method=METHODS.get(method_label, "manual"),
            standard=_cell_text(grid, row, cols.get("standard")),
            reserved=reserved,
            allowed=_names(grid, row, cols.get("allowed")),
            required=_names(grid, row, cols.get("required")),
        )
        if (ind.allowed or ind.required) and level != 1:
            problems.append(f"{where}：只有一级指标可以设置可用二级指标和必备二级指标。")
        elif ind.required and not ind.allowed:
            problems.append(f"{where}：设置了必备二级指标，也要设置可用二级指标。")
        indicators.append(ind)
        current[level] = ind
        for deeper in range(level + 1, 4):
            current.pop(deeper, None)
    return indicators, problems


def _names(grid: Grid, row: int, col: int | None) -> tuple[str, ...]:
    """A list of names in one cell (see :func:`_split_names`)."""
    return _split_names(_cell_text(grid, row, col))


def _split_names(text: str) -> tuple[str, ...]:
    """Names separated by 、，, ; or line breaks, as written."""
    for sep in "，,；;\n":
        text = text.replace(sep, "、")
    return tuple(n.strip() for n in text.split("、") if n.strip())


def _reserved(
    grid: Grid, row: int, cols: dict[str, int], level: int, where: str, problems: list[str]
) -> int:
    """可增行: how many rows a second-level indicator reserves for the department's own."""
    text = _cell_text(grid, row, cols.get("reserved"))
    if not text:
        return 0
    number = parse_number(grid.get(row, cols["reserved"])).value
    if not isinstance(number, Decimal) or number < 0 or number != int(number) or number > 20:
        problems.append(f"{where}：可增行“{text}”应为0至20的整数。")
        return 0
    if number and level != 2:
        problems.append(f"{where}：只有二级指标可以设置可增行。")
        return 0
    return int(number)


def _check_tree(indicators: list[Indicator], total: Decimal | None) -> list[str]:
    problems: list[str] = []
    if not indicators:
        return ["“指标”工作表没有指标。"]
    for ind in indicators:
        kids = [i for i in indicators if i.parent == ind.code]
        if ind.level < 3 and not kids and not ind.reserved:
            problems.append(f"第{ind.row}行：“{ind.name}”下面没有下一级指标。")
        elif ind.reserved:
            subtotal = sum((k.weight for k in kids), Decimal(0))
            if subtotal >= ind.weight:
                problems.append(
                    f"第{ind.row}行：“{ind.name}”设置了可增行，但固定的下级指标分值合计"
                    f"{subtotal}已达到分值{ind.weight}，单位增加的指标将没有分值。"
                )
        elif kids:
            subtotal = sum((k.weight for k in kids), Decimal(0))
            if subtotal != ind.weight:
                problems.append(
                    f"第{ind.row}行：“{ind.name}”分值为{ind.weight}，"
                    f"但下级指标分值合计为{subtotal}。"
                )
    seen: dict[tuple[str | None, str], int] = {}
    for ind in indicators:
        if ind.level == 3:
            continue
        # 一级 names unique; 二级 names unique under their 一级 (as compared: the issued workbook's
        # SUMIFS and the roll-up of scores must never meet two names a reader takes for one)
        key = (ind.parent, normalize_text(ind.name))
        if key in seen:
            problems.append(f"第{ind.row}行：指标名称“{ind.name}”与第{seen[key]}行重复。")
        seen.setdefault(key, ind.row)
    level1_total = sum((i.weight for i in indicators if i.level == 1), Decimal(0))
    if isinstance(total, Decimal) and level1_total != total:
        problems.append(f"一级指标分值合计为{level1_total}，与总分值{total}不一致。")
    return problems


def load_frameworks(*folders: Path) -> FrameworkRegistry:
    """Every ``*.xlsx`` framework in the folders; a later folder overrides an earlier one's 编号."""
    found: list[Framework] = []
    for folder in folders:
        if folder.is_dir():
            for path in sorted(folder.glob("*.xlsx")):
                if path.name.startswith(("~$", ".~")):
                    continue
                kind = file_kind(path)
                if kind:  # a pipe would block the read for ever
                    raise ConfigError(
                        f"指标体系文件的位置上是{kind}。",
                        path=path,
                        hint="请把它移出指标体系文件夹。",
                    )
                found.append(load_framework(path))
    return FrameworkRegistry(found)
