"""The targets review looks back at the archive: targets copied unchanged from the last archived
year (PE-TGR-016) and targets below what the project already achieved (PE-TGR-017); without an
archive neither rule exists."""

from __future__ import annotations

from pathlib import Path

import pytest

from perfeval import pipeline
from perfeval.archive.run import archive_folder
from perfeval.config.workspace import TARGETS_KEY, init_folder, open_workspace
from perfeval.review.run import review_folder
from tests.test_review import write_form

# 2024's approved targets of the example's 农村饮水安全 project (workbooks/example_data.toml);
# 2024's actuals: 管网 12.5公里, 受益 8200人, 保证率 96%, 满意度 91%
TARGETS_2024 = [
    ("产出指标", "数量指标", "维修供水管网长度", "≥12公里"),
    (None, "数量指标", "维修水源工程", "≥3处"),
    (None, "质量指标", "工程验收合格率", "\uff1d100%"),
    (None, "时效指标", "维修及时率", "≥95%"),
    (None, "成本指标", "工程成本", "≤60万元"),
    ("效益指标", "社会效益指标", "受益人口", "≥8000人"),
    (None, "可持续影响指标", "供水保证率", "≥95%"),
    ("满意度指标", "服务对象满意度指标", "受益群众满意度", "≥90%"),
]
HEADER = {
    "项目名称": "2025年农村饮水安全工程维修养护项目",
    "主管部门": "特克斯县水利局",
    "实施单位": "特克斯县水利局",
    "项目起止时间": "2025年1月-2025年12月",
}
FIRST = 9  # write_form's first indicator row
LOOKING_BACK = {"PE-TGR-016", "PE-TGR-017"}


@pytest.fixture
def next_year(tmp_path: Path, archive_url: str, monkeypatch) -> Path:
    monkeypatch.setenv("PERFEVAL_ARCHIVE_URL", archive_url)
    archive_folder(pipeline.prepare_demo(tmp_path / "2024"))
    init_folder(tmp_path / "2025", 2025, "特克斯县", region_code="654027")
    return tmp_path / "2025"


def looked_back(folder: Path, rows) -> set[tuple[str, str]]:
    write_form(folder / TARGETS_KEY / "申报表.xlsx", header=HEADER, rows=rows)
    result = review_folder(open_workspace(folder))
    return {(f.code, f.cell) for f in result.findings if f.code in LOOKING_BACK}


def test_targets_copied_from_last_year_and_below_its_actuals_are_found(next_year):
    found = looked_back(next_year, TARGETS_2024)
    below = {"维修供水管网长度": 0, "受益人口": 5, "供水保证率": 6, "受益群众满意度": 7}
    assert found == {("PE-TGR-016", "B2")} | {
        ("PE-TGR-017", f"D{FIRST + n}") for n in below.values()
    }


def test_raised_targets_are_neither_copied_nor_below(next_year):
    rows = [list(r) for r in TARGETS_2024]
    for n, value in ((0, "≥13公里"), (5, "≥8500人"), (6, "≥97%"), (7, "≥92%")):
        rows[n][3] = value
    assert looked_back(next_year, [tuple(r) for r in rows]) == set()


def test_without_an_archive_the_review_does_not_look_back(tmp_path, monkeypatch):
    monkeypatch.setenv("PERFEVAL_ARCHIVE_URL", f"sqlite:///{tmp_path / 'none.sqlite'}")
    init_folder(tmp_path / "2025", 2025, "特克斯县", region_code="654027")
    assert looked_back(tmp_path / "2025", TARGETS_2024) == set()
    assert not (tmp_path / "none.sqlite").exists()
