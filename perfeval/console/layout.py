"""Where things are on the control workbook: one place for the builder and the entry points."""

from __future__ import annotations

CONTROL_SHEET = "控制台"
SETTINGS_SHEET = "设置"
CONF_SHEET = "xlwings.conf"
FILE_NAME = "perfeval_console.xlsm"  # ASCII: RunPython passes the name through cmd.exe

FOLDER_CELL = "B3"
YEAR_CELL = "B4"
REGION_CELL = "B5"
STATUS_CELL = "B9"
RESULT_LABELS = {  # label row -> key of the last run's figures (values in column B)
    12: ("运行时间", "time"),
    13: ("操作", "action"),
    14: ("文件数", "files"),
    15: ("错误", "errors"),
    16: ("警告", "warnings"),
    17: ("提示", "infos"),
    18: ("纳入汇总的项目", "scored"),
}
GRADE_ROW = 20  # header "评价等级"; one row per grade below it
MAX_GRADES = 6
OUTPUT_ROW = 28  # header "输出文件"; one row per output below it
MAX_OUTPUTS = 8

#: (VBA macro, caption, Python entry point in perfeval.xl, cell the button sits on)
BUTTONS = (
    ("Validate", "校验", "validate", "B7"),
    ("Aggregate", "汇总", "aggregate", "C7"),
    ("MakeReport", "生成报告", "make_report", "D7"),
    ("RunAll", "一键运行", "run_all", "E7"),
    ("ReviewTargets", "审核绩效目标", "review_targets", "F7"),
    ("ArchiveYear", "归档", "archive_year", "B8"),
    ("IssueRectify", "下发整改台账", "issue_rectify", "C8"),
    ("CheckRectify", "审核整改台账", "check_rectify", "D8"),
)


def run_python(entry: str) -> str:
    """The exact statement a button passes to xlwings' RunPython."""
    return f"import perfeval.xl; perfeval.xl.{entry}()"
