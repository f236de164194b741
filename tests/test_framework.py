from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from perfeval.config.framework_file import load_framework, load_frameworks
from perfeval.errors import ConfigError
from perfeval.machinery.resources import bundled_frameworks_dir

HEADER = [
    "编码",
    "一级指标",
    "二级指标",
    "三级指标",
    "分值",
    "指标性质",
    "年度指标值",
    "计量单位",
    "评分方法",
    "评分标准",
]


def write_framework(path: Path, rows: list[list], total: object = 100) -> Path:
    wb = openpyxl.Workbook()
    settings = wb.active
    settings.title = "设置"
    for row in (["项目", "值"], ["编号", "t-1"], ["名称", "测试体系"], ["总分值", total]):
        settings.append(row)
    sheet = wb.create_sheet("指标")
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    wb.save(path)
    return path


GOOD = [
    ["1", "决策", "", "", 40],
    ["1.1", "", "立项", "", 40],
    ["1.1.1", "", "", "依据", 40],
    ["2", "效益", "", "", 60],
    ["2.1", "", "满意度", "", 60],
    ["2.1.1", "", "", "满意度", 30, "≥", "90", "%"],
    ["2.1.2", "", "", "执行率", 30, "", "", "", "执行率计分"],
]


def test_bundled_frameworks_have_the_required_shape():
    reg = load_frameworks(bundled_frameworks_dir())
    shapes = {fw.name: (len(fw.leaves), [(i.name, i.weight) for i in fw.level1]) for fw in reg}
    assert shapes["部门整体支出绩效评价"] == (
        31,
        [("部门决策", 15), ("部门管理", 25), ("部门绩效", 60)],
    )
    assert shapes["项目支出绩效自评"][1] == [
        ("产出指标", 50),
        ("效益指标", 30),
        ("满意度指标", 10),
        ("预算执行率", 10),
    ]
    assert [n for n, _ in shapes["项目支出绩效评价"][1]] == ["决策", "过程", "产出", "效益"]
    for fw in reg:
        assert sum(i.weight for i in fw.level1) == fw.total == 100


def test_good_framework_loads_with_tree(tmp_path):
    fw = load_framework(write_framework(tmp_path / "f.xlsx", GOOD))
    assert [i.code for i in fw.leaves] == ["1.1.1", "2.1.1", "2.1.2"]
    leaf = fw.by_code("2.1.1")
    assert (leaf.l1, leaf.l2, leaf.direction, leaf.target, leaf.unit) == (
        "效益",
        "满意度",
        "≥",
        "90",
        "%",
    )
    assert fw.by_code("2.1.2").computed
    assert fw.by_code("2.1.2").row == 8


def test_children_not_summing_to_parent_names_the_row(tmp_path):
    rows = [list(r) for r in GOOD]
    rows[5][4] = 25  # 2.1.1 now 25: 满意度 (row 6) children sum to 55, not 60
    with pytest.raises(ConfigError) as err:
        load_framework(write_framework(tmp_path / "bad.xlsx", rows))
    assert "bad.xlsx" in err.value.render()
    assert "第6行" in err.value.message
    assert "55" in err.value.message


def test_every_problem_is_listed_at_once(tmp_path):
    rows = [list(r) for r in GOOD]
    rows[2][4] = "三分"  # not a number
    rows[6][0] = "2.1.1"  # duplicate code
    rows[6][8] = "随便打分"  # unknown method
    with pytest.raises(ConfigError) as err:
        load_framework(write_framework(tmp_path / "bad.xlsx", rows, total=90))
    msg = err.value.message
    for expected in ("第4行", "三分", "第8行", "重复", "随便打分", "总分值90"):
        assert expected in msg


def test_missing_sheet_is_a_config_error(tmp_path):
    path = tmp_path / "x.xlsx"
    openpyxl.Workbook().save(path)
    with pytest.raises(ConfigError, match="缺少工作表"):
        load_framework(path)


def test_content_hash_follows_content_not_bytes(tmp_path):
    a = load_framework(write_framework(tmp_path / "a.xlsx", GOOD))
    b = load_framework(write_framework(tmp_path / "b.xlsx", GOOD))
    rows = [list(r) for r in GOOD]
    rows[5][6] = "95"
    c = load_framework(write_framework(tmp_path / "c.xlsx", rows))
    assert a.content_hash == b.content_hash != c.content_hash


def test_local_framework_overrides_bundled_by_id(tmp_path):
    write_framework(tmp_path / "mine.xlsx", GOOD)
    reg = load_frameworks(bundled_frameworks_dir(), tmp_path)
    assert reg.get("t-1").name == "测试体系"
    assert reg.get("测试体系").total == Decimal(100)
    assert len(reg) == 7
