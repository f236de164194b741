"""Shared fixtures: small evaluation folders built in the test, issued and filled by perfeval."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from perfeval import layout
from perfeval.config.framework import Framework
from perfeval.config.roster import RosterItem, write_roster
from perfeval.config.workspace import Workspace, init_folder, open_workspace
from perfeval.fill import Fill, fill_workbook
from perfeval.issue import issue_all
from perfeval.layout import custom_code

ITEMS = [
    # item_id, name, unit, kind, framework, budget, executed, unit budget
    ("P1", "2024年测试项目甲", "测试县民政局", "重点项目", "项目支出绩效评价", "100", "90", "400"),
    (
        "P2",
        "2024年测试项目乙",
        "测试县教育局",
        "重点项目",
        "项目支出绩效评价",
        "50.5",
        "50.5",
        "100",
    ),
    (
        "D1",
        "2024年测试局部门整体支出",
        "测试县人社局",
        "部门整体",
        "部门整体支出绩效评价",
        "300",
        "300",
        "300",
    ),
    (
        "S1",
        "2024年测试自评项目",
        "测试县农业农村局",
        "单位自评",
        "项目支出绩效自评",
        "20",
        None,
        "80",
    ),
]


def roster_item(row: tuple, n: int, ws: Workspace) -> RosterItem:
    iid, name, unit, kind, fw, budget, executed, unit_budget = row
    return RosterItem(
        item_id=iid,
        name=name,
        department=unit,
        unit=unit,
        kind=kind,
        framework_id=ws.frameworks.get(fw).id,
        budget=Decimal(budget),
        executed=Decimal(executed) if executed else None,
        unit_budget=Decimal(unit_budget) if unit_budget else None,
        contact="张三",
        phone="0999-1234567",
        note="",
        row=n,
    )


def make_workspace(folder: Path, rows: list[tuple] = ITEMS) -> Workspace:
    ws = init_folder(folder, 2024, "测试县", "测试县财政局")
    items = [roster_item(r, n, ws) for n, r in enumerate(rows, start=2)]
    write_roster(ws.settings.path("roster"), items, ws.settings, ws.frameworks)
    return open_workspace(folder)


def full_fill(fw: Framework, **changes: dict) -> Fill:
    """A fill that validates clean: full marks everywhere, targets where the framework has none,
    and one own indicator in each group with reserved rows, taking up the group's remaining weight.
    An item without 执行数 in the roster gets it typed (equal to its budget)."""
    indicators = {}
    for ind in fw.leaves:
        if ind.computed:
            continue
        entry = {"actual": "达成", "score": float(ind.weight)}
        if not ind.direction:
            entry.update({"direction": "≥", "target": "10", "unit": "个"})
        indicators[ind.code] = entry
    for group in fw.level2:
        if group.reserved:
            rest = group.weight - sum(k.weight for k in fw.children(group.code))
            indicators[custom_code(group.code, 1)] = {
                "l3": f"{group.name}自设",
                "direction": "≥",
                "target": "10",
                "unit": "个",
                "weight": float(rest),
                "actual": "10",
                "score": float(rest),
            }
    for code, entry in changes.items():
        indicators.setdefault(code, {}).update(entry)
    return Fill(
        overview="项目概述。",
        outputs="完成10个。",
        indicators=indicators,
        executed=20 if fw.id == "xmzc-zp" else None,
    )


class Folder:
    """An evaluation folder with every roster item issued."""

    def __init__(self, path: Path, rows: list[tuple] = ITEMS) -> None:
        self.ws = make_workspace(path, rows)
        self.issued = {w.item_id: w.path for w in issue_all(self.ws)}

    @property
    def returned(self) -> Path:
        return self.ws.settings.path("returned")

    def framework(self, item_id: str) -> Framework:
        return self.ws.framework_for(self.ws.roster.get(item_id))

    def fill(
        self,
        item_id: str,
        fill: Fill | None = None,
        *,
        name: str | None = None,
        force: bool = False,
    ) -> Path:
        src = self.issued[item_id]
        fill = fill or full_fill(self.framework(item_id))
        return fill_workbook(src, self.returned / (name or src.name), fill, force=force)

    def reopen(self) -> Workspace:
        self.ws = open_workspace(self.ws.folder)
        return self.ws


@pytest.fixture
def folder(tmp_path: Path) -> Folder:
    return Folder(tmp_path / "eval")


def row_of(fw: Framework, code: str) -> int:
    """Excel row of an indicator on the 指标 sheet of a freshly issued workbook."""
    from perfeval.issue.plan import sheet_rows

    return layout.IND_FIRST_ROW + [r.code for r in sheet_rows(fw)].index(code)


@pytest.fixture(scope="session")
def postgres():
    """A PostgreSQL server for the session (see tests/pg_server.py): its URL without a database."""
    from tests.pg_server import postgres_server

    with postgres_server() as url:
        yield url


_DATABASES = iter(range(1, 1_000_000))


@pytest.fixture(params=["sqlite", "postgresql"])
def archive_url(request, tmp_path) -> str:
    """An empty archive: a SQLite file, or a new database on the session's PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / '档案.sqlite'}"
    from tests.pg_server import create_database

    return create_database(request.getfixturevalue("postgres"), f"archive_{next(_DATABASES)}")
