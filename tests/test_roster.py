import openpyxl
import pytest

from perfeval.config.roster import load_roster
from perfeval.config.workspace import init_folder
from perfeval.errors import ConfigError

HEADER = [
    "项目编号",
    "项目名称",
    "主管部门",
    "实施单位",
    "评价类型",
    "指标体系",
    "预算数（万元）",
    "执行数（万元）",
    "单位项目预算总额（万元）",
]


def write(ws, rows, header=HEADER):
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "项目清单"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    wb.save(ws.settings.path("roster"))


@pytest.fixture
def ws(tmp_path):
    return init_folder(tmp_path / "ev", 2024, "某县")


def test_good_rows_load_and_bad_rows_become_findings(ws):
    write(
        ws,
        [
            ["A1", "项目一", "某局", "某局", "重点项目", "项目支出绩效评价", 100, 90, 400],
            ["A2", "项目二", "某局", "某局", "重点项目", "不存在的体系", 10, 10, 10],
            ["A3", "项目三", "某局", "某局", "随便", "项目支出绩效评价", 10, 10, 10],
            ["A4", "项目四", "某局", "某局", "重点项目", "xmzc-pj", "一百", 10, 10],
            ["A1", "重复", "某局", "某局", "重点项目", "项目支出绩效评价", 10, 10, 10],
            ["A6", "", "某局", "某局", "重点项目", "项目支出绩效评价", 10, 10, 10],
            [None] * 9,
            [
                "A7",
                "项目七",
                "某局",
                "某局",
                "部门整体",
                "部门整体支出绩效评价",
                "1,234.5",
                None,
                None,
            ],
        ],
    )
    roster = load_roster(ws.settings, ws.frameworks)
    assert [i.item_id for i in roster.items] == ["A1", "A7"]
    assert str(roster.items[1].budget) == "1234.5"
    assert roster.items[1].executed is None
    assert [(f.sheet, f.cell, f.code) for f in roster.findings] == [
        ("项目清单", "F3", "PE-ROSTER-003"),
        ("项目清单", "E4", "PE-ROSTER-004"),
        ("项目清单", "G5", "PE-ROSTER-005"),
        ("项目清单", "A6", "PE-ROSTER-002"),
        ("项目清单", "B7", "PE-ROSTER-001"),
    ]


def test_missing_column_is_unusable(ws):
    write(ws, [["A1", "项目一"]], header=["项目编号", "项目名称"])
    with pytest.raises(ConfigError, match="预算数"):
        load_roster(ws.settings, ws.frameworks)


def test_negative_amounts_and_a_unit_total_of_zero_are_findings(ws):
    """A negative 单位项目预算总额 used to blank the unit's coverage without a word."""
    from perfeval.check.roster_rules import roster_rules
    from perfeval.config.workspace import open_workspace

    write(
        ws,
        [
            ["A1", "项目一", "某局", "甲局", "重点项目", "项目支出绩效评价", 100, 90, -400],
            ["A2", "项目二", "某局", "乙局", "重点项目", "项目支出绩效评价", 10, -1, 0],
            ["A3", "项目三", "某局", "丙局", "重点项目", "项目支出绩效评价", 10, 10, 50],
        ],
    )
    ws = open_workspace(ws.folder)
    found = [f for f in roster_rules(ws, {"A1", "A2", "A3"}) if f.code == "PE-ROSTER-008"]
    assert [(f.cell, f.item_id) for f in found] == [("I2", "A1"), ("H3", "A2"), ("I3", "A2")]
