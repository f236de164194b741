"""Build the bundled frameworks that take indicators from each project's targets.

Their content is data: ``templates/frameworks/src/*.toml`` (one per framework: 设置 and the
指标 rows). This script writes each as the workbook perfeval reads (``templates/frameworks/``),
with XlsxWriter, in the same two-sheet form finance staff edit by hand. Run it after changing a
TOML file; tests check that the workbooks match their sources.

    python scripts/build_frameworks.py
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import xlsxwriter

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "templates" / "frameworks" / "src"
TARGET = ROOT / "templates" / "frameworks"
sys.path.insert(0, str(ROOT))

from perfeval.config.framework_file import COLUMNS  # noqa: E402
from perfeval.machinery.atomic import atomic_path  # noqa: E402

SETTINGS = (
    "编号",
    "名称",
    "适用评价类型",
    "版本",
    "总分值",
    "一级分值",
    "资金来源",
    "绩效目标折算分值",
)
SETTINGS += ("说明",)
ROW_KEYS = ("code", "l1", "l2", "l3", "weight", "direction", "target", "unit", "method")
ROW_KEYS += ("standard", "reserved", "allowed", "required")


def build(source: Path) -> Path:
    data = tomllib.loads(source.read_text(encoding="utf-8"))
    out = TARGET / f"{data['settings']['名称']}.xlsx"
    with atomic_path(out) as tmp:
        book = xlsxwriter.Workbook(str(tmp))
        head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        wrap = book.add_format({"text_wrap": True, "valign": "top"})
        sheet = book.add_worksheet("设置")
        sheet.write_row(0, 0, ("项目", "值"), head)
        row = 1
        for key in SETTINGS:
            if key in data["settings"]:
                value = data["settings"][key]
                if isinstance(value, int | float):
                    sheet.write_number(row, 1, value)
                else:
                    sheet.write_string(row, 1, str(value), wrap)
                sheet.write_string(row, 0, key)
                row += 1
        sheet.set_column(0, 0, 14)
        sheet.set_column(1, 1, 80)
        sheet = book.add_worksheet("指标")
        sheet.write_row(0, 0, [COLUMNS[k] for k in ROW_KEYS], head)
        for n, line in enumerate(data["rows"], start=1):
            for col, key in enumerate(ROW_KEYS):
                value = line.get(key, "")
                if isinstance(value, int | float) and not isinstance(value, bool):
                    sheet.write_number(n, col, value)
                elif value != "":
                    sheet.write_string(n, col, str(value), wrap)
        for col, width in enumerate((7, 12, 16, 22, 6, 8, 10, 8, 10, 40, 7, 36, 24)):
            sheet.set_column(col, col, width)
        sheet.freeze_panes(1, 0)
        book.close()
    return out


def main() -> None:
    for source in sorted(SOURCES.glob("*.toml")):
        print(f"{source.name} -> {build(source).relative_to(ROOT)}")


if __name__ == "__main__":
    main()
