"""The roster (项目清单.xlsx): one row per item to evaluate, kept by finance staff.

Reading finds the header row by its labels (columns may be in any order), checks each row, and
reports bad rows as findings so the other items still go ahead. A roster without its key columns
cannot be used at all and raises :class:`ConfigError`.

Text is kept as written (surrounding blanks trimmed): issued workbooks, 汇总表 and the report show
names as the roster has them. What is compared is compared normalized
(:func:`~perfeval.read.parse.normalize_text`): the header labels, 评价类型 and 指标体系 (which
become the settings' and the framework's own names), and 项目编号, a key kept in its normalized
form. A unit or department spelled in two widths ("（" and "(") is one unit, shown as the roster
first spells it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from dataclasses import dataclass, field, fields
from decimal import Decimal
from pathlib import Path

import xlsxwriter

from perfeval import __version__
from perfeval.check.catalogue import Code, Finding, finding
from perfeval.config.framework import FrameworkRegistry
from perfeval.config.roster_lists import LIST_SHEET, NAMES, expected_range, wanted_lists
from perfeval.config.settings import Settings
from perfeval.errors import ConfigError, OutputError
from perfeval.machinery import plain as P
from perfeval.machinery.atomic import atomic_path, write_bytes
from perfeval.machinery.own_files import file_kind, occupied
from perfeval.model import CellRef
from perfeval.read.cells import Book, Grid, a1
from perfeval.read.parse import as_written, normalize_text, parse_number

SHEET = "项目清单"
MAX_ROSTER_ROWS = 1_048_576
MEMO_FORMAT = 3  # bump when the memo's layout (or the form of its texts) changes
MEMO_LIMIT = 512 * 1024 * 1024  # a memo larger than this is not read (1,000,000 rows: ~200 MB)

#: key -> (header label, other labels accepted when reading, required)
COLUMNS: dict[str, tuple[str, tuple[str, ...], bool]] = {
    "item_id": ("项目编号", ("编号", "序号"), True),
    "name": ("项目名称", ("名称",), True),
    "department": ("主管部门", (), True),
    "unit": ("实施单位", ("单位名称",), True),
    "kind": ("评价类型", ("类型",), True),
    "framework": ("指标体系", (), True),
    "budget": ("预算数（万元）", ("预算数", "全年预算数（万元）", "预算（万元）"), True),
    "executed": ("执行数（万元）", ("执行数", "全年执行数（万元）", "执行（万元）"), False),
    "unit_budget": ("单位项目预算总额（万元）", ("单位项目预算总额",), False),
    "contact": ("联系人", (), False),
    "phone": ("联系电话", (), False),
    "note": ("备注", (), False),
}


@dataclass(frozen=True, slots=True)  # 100,000 of them in a province
class RosterItem:
    item_id: str
    name: str
    department: str
    unit: str
    kind: str
    framework_id: str
    budget: Decimal
    executed: Decimal | None
    unit_budget: Decimal | None
    contact: str
    phone: str
    note: str
    row: int


@dataclass
class Roster:
    path: Path
    items: list[RosterItem]
    findings: list[Finding]
    sheet: str = SHEET
    columns: dict[str, int] = field(default_factory=dict)
    #: SHA-256 of the roster file's bytes ('' when the roster was not read from a file): with
    #: the settings and frameworks, what the cache's context needs to know of the roster
    digest: str = field(default="", compare=False)
    _by_id: dict[str, RosterItem] = field(default_factory=dict, repr=False, compare=False)

    def ref(self, item: RosterItem, key: str) -> CellRef:
        """The roster cell holding ``key`` (a COLUMNS key) for ``item``."""
        col = self.columns.get(key, self.columns.get("item_id", 1))
        return CellRef(self.path.name, self.sheet, a1(item.row, col))

    def get(self, item_id: str) -> RosterItem | None:
        if len(self._by_id) != len(self.items):
            self._by_id = {i.item_id: i for i in self.items}
        return self._by_id.get(item_id)

    def remember(
        self, data: bytes, settings: Settings, registry: FrameworkRegistry, memo: Path | None
    ) -> None:
        """The roster file now holds ``data``, which reads as this roster (only its dropdowns
        were refreshed, see roster_lists): the digest and the memo follow the new bytes, so
        that neither is thrown away for a change that changed nothing read."""
        key, self.digest = _memo_key(self.path, settings, registry, data)
        if memo is not None and not _foreign(memo):
            with contextlib.suppress(OSError, OutputError):
                write_bytes(memo, _memo(self, key))


def _find_header(grid: Grid) -> tuple[int, dict[str, int]]:
    for row in range(1, min(grid.height, 10) + 1):
        labels = {normalize_text(grid.get(row, c)): c for c in range(1, 40)}
        cols: dict[str, int] = {}
        for key, (label, aliases, _) in COLUMNS.items():
            for candidate in (label, *aliases):
                if normalize_text(candidate) in labels:
                    cols[key] = labels[normalize_text(candidate)]
                    break
        if "item_id" in cols and "name" in cols:
            return row, cols
    return 0, {}


def load_roster(
    settings: Settings, registry: FrameworkRegistry, memo: Path | None = None
) -> Roster:
    """Read the roster. With ``memo`` (a file in the evaluation folder), the result is kept
    there keyed by the roster's bytes and everything reading depends on, so the next command
    does not parse 100,000 rows again; a changed roster is always read afresh."""
    path = settings.path("roster")
    kind = file_kind(path)
    if kind == "不存在":
        raise ConfigError(
            "找不到项目清单。", path=path, hint="请先用 perfeval init 创建评价文件夹。"
        )
    if kind:
        raise ConfigError(
            f"项目清单的位置上是{kind}，不是Excel文件。",
            path=path,
            hint="请把它改名或移走，放入项目清单工作簿（或修改 [paths] roster）。",
        )
    try:
        key, content = _memo_key(path, settings, registry)
    except OSError:
        return _load_roster(path, settings, registry)
    roster = _read_memo(memo, key, path, settings, registry) if memo is not None else None
    if roster is None:
        roster = _load_roster(path, settings, registry)
        if memo is not None and not _foreign(memo):
            with contextlib.suppress(OSError, OutputError):
                write_bytes(memo, _memo(roster, key))
    roster.digest = content
    return roster


# The memo is JSON, never a pickle: it lives in the evaluation folder, which travels between
# offices, and a planted pickle would run code when read. It holds plain values, never our
# classes, column by column, with the field names: a changed RosterItem is never filled from an
# old memo by position. Reading it back checks every value's type; anything unexpected means
# the roster is read afresh.
_NAMES = [f.name for f in fields(RosterItem)]
_MONEY = ("budget", "executed", "unit_budget")


def _memo(roster: Roster, key: str) -> bytes:
    columns = []
    for name in _NAMES:
        column = [getattr(i, name) for i in roster.items]
        if name in _MONEY:
            column = [None if v is None else str(v) for v in column]
        columns.append(column)
    found = P.findings_out(roster.findings, files=True)
    return P.dumps([MEMO_FORMAT, key, _NAMES, roster.sheet, roster.columns, found, columns])


def _foreign(memo: Path) -> bool:
    """Something other than a file is where the memo goes (a folder, a link, a pipe): it is
    neither read nor replaced."""
    return occupied(memo)


def _read_memo(
    memo: Path, key: str, path: Path, settings: Settings, registry: FrameworkRegistry
) -> Roster | None:
    """The roster kept in ``memo`` under ``key``; None when there is none, or it is of another
    key, or it is not exactly what :func:`_memo` writes (a damaged or planted file)."""
    try:
        if _foreign(memo) or os.stat(memo).st_size > MEMO_LIMIT:
            return None
        value = P.loads(memo.read_bytes(), MEMO_LIMIT)
        if type(value) is not list or len(value) != 7 or value[:3] != [MEMO_FORMAT, key, _NAMES]:
            return None
        return _from_memo(value[3:], path, settings, registry)
    except Exception:  # a damaged or foreign memo is only a slower start
        return None


def _from_memo(value: list, path: Path, settings: Settings, registry: FrameworkRegistry) -> Roster:
    sheet, columns, found, items = value
    P.text(sheet)
    if type(columns) is not dict or not columns.keys() <= COLUMNS.keys():
        raise P.Malformed("roster columns expected")
    for col in columns.values():
        if P.whole(col, 16_384) < 1:
            raise P.Malformed("column number expected")
    findings = P.findings_in(found)
    if type(items) is not list or len(items) != len(_NAMES):
        raise P.Malformed("roster items expected")
    count = len(items[0]) if type(items[0]) is list else -1
    values = dict(zip(_NAMES, items, strict=True))
    for name, column in values.items():
        if name == "row":
            if type(column) is not list or len(column) != count:
                raise P.Malformed("roster rows expected")
            if column and not min(map(P.whole, column)) >= 1:
                raise P.Malformed("roster rows expected")
        elif name in _MONEY:
            if type(column) is not list or len(column) != count:
                raise P.Malformed("amounts expected")
            none = name != "budget"
            values[name] = [None if v is None and none else P.number(v) for v in column]
        else:
            P.texts(column, count)
    known_ids = {f.id for f in registry}
    kinds = {k.name for k in settings.kinds}
    if not set(values["framework_id"]) <= known_ids or not set(values["kind"]) <= kinds:
        raise P.Malformed("item of an unknown framework or kind")
    if len(set(values["item_id"])) != count:
        raise P.Malformed("item numbers repeat")
    made = list(map(RosterItem, *values.values()))
    return Roster(path, made, findings, sheet, columns)


def _memo_key(
    path: Path, settings: Settings, registry: FrameworkRegistry, data: bytes | None = None
) -> tuple[str, str]:
    """The memo's key, and the hash of the roster's bytes alone (the cache's context holds the
    rest: perfeval's version, the settings and the frameworks). ``data``: the file's bytes,
    when known."""
    data = path.read_bytes() if data is None else data
    digest = hashlib.sha256(data)
    content = digest.hexdigest()
    digest.update(f"{__version__}|{path.resolve()}|{[k.name for k in settings.kinds]}".encode())
    digest.update(repr(sorted((f.id, f.name, f.content_hash) for f in registry)).encode())
    return digest.hexdigest(), content


def _load_roster(path: Path, settings: Settings, registry: FrameworkRegistry) -> Roster:
    try:
        with Book(path) as book:
            sheet = SHEET if SHEET in book.sheet_names else book.sheet_names[0]
            grid = book.grid(sheet, max_rows=MAX_ROSTER_ROWS)
    except Exception as exc:
        raise ConfigError(f"无法读取项目清单（{exc}）。", path=path) from exc
    header_row, cols = _find_header(grid)
    missing = [COLUMNS[k][0] for k, (_, _, req) in COLUMNS.items() if req and k not in cols]
    if not header_row or missing:
        raise ConfigError(
            f"项目清单缺少列：{'、'.join(missing or ['项目编号', '项目名称'])}。",
            path=path,
            hint="表头应在前10行内，列名与 perfeval init 生成的清单一致。",
        )
    items: list[RosterItem] = []
    seen: set[str] = set()
    findings: list[Finding] = []
    kinds: dict[str, str] = {}  # as compared -> the settings' name (the first of equal ones)
    for kind in settings.kinds:
        kinds.setdefault(normalize_text(kind.name), kind.name)
    spellings: dict[str, str] = {}  # a unit or department as compared -> its first spelling
    for row in range(header_row + 1, grid.height + 1):
        item, problems = _read_row(grid, row, cols, path.name, kinds, registry, spellings)
        findings += problems
        if item is None:
            continue
        if item.item_id in seen:
            ref = CellRef(path.name, grid.sheet, a1(row, cols["item_id"]))
            findings.append(finding(Code.ROSTER_DUPLICATE, ref, item_id=item.item_id, row=row))
            continue
        items.append(item)
        seen.add(item.item_id)
    return Roster(path, items, findings, grid.sheet, cols)


def _read_row(
    grid: Grid,
    row: int,
    cols: dict[str, int],
    file: str,
    kinds: dict[str, str],
    registry: FrameworkRegistry,
    spellings: dict[str, str],
) -> tuple[RosterItem | None, list[Finding]]:
    line = grid.rows[row - 1]
    width = len(line)
    text = {k: as_written(line[c - 1] if c <= width else "") for k, c in cols.items()}
    if not any(text.values()):
        return None, []

    def ref(key: str) -> CellRef:
        return CellRef(file, grid.sheet, a1(row, cols[key]))

    problems: list[Finding] = []
    for key, (label, _, required) in COLUMNS.items():
        if required and not text.get(key):
            problems.append(finding(Code.ROSTER_REQUIRED, ref(key), row=row, field=label))
    if problems:
        return None, problems
    kind = kinds.get(normalize_text(text["kind"]))
    if kind is None:
        known = "、".join(kinds.values())
        return None, [
            finding(Code.ROSTER_KIND, ref("kind"), row=row, value=text["kind"], known=known)
        ]
    fw = registry.get(text["framework"])
    if fw is None:
        known = "、".join(f.name for f in registry)
        return None, [
            finding(
                Code.ROSTER_FRAMEWORK,
                ref("framework"),
                row=row,
                value=text["framework"],
                known=known,
            )
        ]
    money: dict[str, Decimal | None] = {}
    for key in ("budget", "executed", "unit_budget"):
        if key not in cols or not text.get(key):
            money[key] = None
            continue
        number = parse_number(grid.get(row, cols[key]), units=("万元",)).value
        if not isinstance(number, Decimal):
            label = COLUMNS[key][0]
            return None, [
                finding(Code.ROSTER_NUMBER, ref(key), row=row, field=label, value=text[key])
            ]
        money[key] = number
    item = RosterItem(
        item_id=normalize_text(text["item_id"]),
        name=text["name"],
        department=spellings.setdefault(normalize_text(text["department"]), text["department"]),
        unit=spellings.setdefault(normalize_text(text["unit"]), text["unit"]),
        kind=kind,
        framework_id=fw.id,
        budget=money["budget"] or Decimal(0),
        executed=money["executed"],
        unit_budget=money["unit_budget"],
        contact=text.get("contact", ""),
        phone=text.get("phone", ""),
        note=text.get("note", ""),
        row=row,
    )
    return item, []


def write_roster(
    path: Path, items: list[RosterItem], settings: Settings, registry: FrameworkRegistry
) -> None:
    """Write a roster workbook (header, widths, dropdowns for 评价类型 and 指标体系)."""
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(
            str(tmp),
            {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False},
        )
        head = wb.add_format(
            {
                "bold": True,
                "bg_color": "#D9E1F2",
                "border": 1,
                "text_wrap": True,
                "align": "center",
                "valign": "vcenter",
            }
        )
        text_fmt = wb.add_format({"border": 1, "num_format": "@"})
        money_fmt = wb.add_format({"border": 1, "num_format": "0.00"})
        ws = wb.add_worksheet(SHEET)
        lists = wb.add_worksheet(LIST_SHEET)
        lists.hide()
        want = wanted_lists(settings, registry)  # as perfeval issue and validate keep them
        for name, col in NAMES.items():
            lists.write_column(0, ord(col) - ord("A"), want.of(name))
            wb.define_name(name, "=" + expected_range(name, want))
        widths = [10, 40, 20, 24, 10, 22, 14, 14, 18, 10, 14, 20]
        for col, ((label, _, _), width) in enumerate(zip(COLUMNS.values(), widths, strict=True)):
            ws.write_string(0, col, label, head)
            ws.set_column(col, col, width)
        ws.set_row(0, 32)
        ws.freeze_panes(1, 2)
        last = max(len(items), 200)
        ws.data_validation(1, 4, last, 4, {"validate": "list", "source": "=评价类型列表"})
        ws.data_validation(1, 5, last, 5, {"validate": "list", "source": "=指标体系列表"})
        for r, item in enumerate(items, start=1):
            fw = registry.get(item.framework_id)
            values = [
                item.item_id,
                item.name,
                item.department,
                item.unit,
                item.kind,
                fw.name if fw else item.framework_id,
            ]
            for c, v in enumerate(values):
                ws.write_string(r, c, v, text_fmt)
            for c, v in ((6, item.budget), (7, item.executed), (8, item.unit_budget)):
                if v is None:
                    ws.write_blank(r, c, None, money_fmt)
                else:
                    ws.write_number(r, c, float(v), money_fmt)
            for c, v in ((9, item.contact), (10, item.phone), (11, item.note)):
                ws.write_string(r, c, v, text_fmt)
        wb.close()
