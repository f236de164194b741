"""Published 绩效目标申报表 (tests/data/forms/declaration_*.toml, see docs/real-forms.md) reviewed
as a bureau would review them: perfeval must read every project and raise exactly the findings
the fixture lists, each with the reason a reviewer would give."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from perfeval.config.workspace import TARGETS_KEY, init_folder, open_workspace
from perfeval.review.run import review_folder

FORMS = Path(__file__).parent / "data" / "forms"
DECLARATIONS = sorted(FORMS.glob("declaration_*.toml"))


def load(path: Path) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def reviewed(path: Path, tmp_path: Path):
    data = load(path)
    root = tmp_path / "eval"
    init_folder(root, data["form"]["year"], "测试县", "测试县财政局")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = data["form"]["sheet"]
    for row in data["form"]["rows"]:
        ws.append([None if cell == "" else cell for cell in row])
    target = root / TARGETS_KEY / f"{path.stem}.xlsx"
    target.parent.mkdir(parents=True, exist_ok=True)
    wb.save(target)
    return data, review_folder(open_workspace(root))


def test_there_are_published_declarations():
    assert len(DECLARATIONS) >= 2


@pytest.mark.parametrize("path", DECLARATIONS, ids=lambda p: p.stem)
def test_a_published_declaration_is_read_whole(path, tmp_path):
    data, result = reviewed(path, tmp_path)
    reading = data["reading"]
    assert len(result.projects) == reading["projects"]
    project = result.projects[0].project
    assert project.name == reading["name"]
    assert len(project.indicators) == reading["indicators"]
    assert project.cells["goal"].cell == reading["goal_cell"]
    if "budget" in reading:
        assert project.money["total"] == Decimal(reading["budget"])
    if "weights" in reading:
        assert sum(t.weight for t in project.indicators) == Decimal(reading["weights"])


@pytest.mark.parametrize("path", DECLARATIONS, ids=lambda p: p.stem)
def test_a_published_declaration_raises_exactly_its_defensible_findings(path, tmp_path):
    data, result = reviewed(path, tmp_path)
    expected = data.get("expected", [])
    assert all(e["why"].strip() for e in expected), "every expected finding says why"
    found = {(f.code, f.cell) for f in result.findings}
    assert found == {(e["code"], e["cell"]) for e in expected}
    grade = result.projects[0].graded
    assert (grade.errors, grade.warnings) == (
        sum(1 for f in result.findings if f.severity.name == "ERROR"),
        sum(1 for f in result.findings if f.severity.name == "WARNING"),
    )
