"""Two consecutive years of the bundled example, for the archive's follow-up tests: the second
year is made from the first (workbooks/example_data.toml) with some problems fixed, some
recurring, and one self-evaluated project evaluated by the bureau too."""

from __future__ import annotations

import copy
import importlib.util
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "workbooks" / "example_data.toml"

#: item (by its 2024 number) -> the problem categories it reports again in 2025
KEPT = {"01": {"A1"}, "02": {"D1"}, "03": set(), "04": {"D6"}, "05": {"A1"}}
REVIEWED = "Z1"  # the self-evaluated project the bureau evaluates in 2025 as well


def _builder():
    script = ROOT / "scripts" / "build_example.py"
    spec = importlib.util.spec_from_file_location("build_example", script)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module.build


def first_year() -> dict:
    return tomllib.loads(DATA.read_text(encoding="utf-8"))


def second_year(first: dict) -> dict:
    data = copy.deepcopy(first)
    ev = data["evaluation"]
    ev["year"] = 2025
    ev["report_date"] = "2026-03-31"
    ev["issued_at"] = "2026-01-06T09:00:00"
    ev["filled_on"] = "2026-02-20"
    items = []
    for it in data["items"]:
        number = it["item_id"].rsplit("-", 1)[1]
        it["item_id"] = f"TKS-2025-{number}"
        it["name"] = it["name"].replace("2024年", "2025年", 1)
        if number in KEPT:
            it["problems"] = [p for p in it.get("problems", []) if p["category"] in KEPT[number]]
        items.append(it)
    first_project = next(i for i in data["items"] if i["item_id"].endswith("-01"))
    reviewed = next(i for i in data["items"] if i["item_id"].endswith(f"-{REVIEWED}"))
    review = copy.deepcopy(first_project)
    review.update(
        item_id="TKS-2025-06",
        name=reviewed["name"],
        department=reviewed["department"],
        unit=reviewed["unit"],
        budget=reviewed["budget"],
        executed=reviewed["budget"],  # fully spent: the same total as item 01's
        unit_budget=reviewed["unit_budget"],
        problems=[],
    )
    items.append(review)
    data["items"] = items
    return data


#: a real warning of the second year: the bureau evaluated 40 of the 交通运输局's 260 万元
EXPECTED = ("PE-ROSTER-007",)


def build(data: dict, folder: Path) -> Path:
    wrong = [w for w in _builder()(data, folder) if not any(c in w for c in EXPECTED)]
    assert not wrong, wrong
    return folder
