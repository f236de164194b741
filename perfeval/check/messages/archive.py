"""The archive as other commands read it (perfeval aggregate, report): findings about it."""

from perfeval.check.rule import Rule, W

RULES = {
    "ARCHIVE_UNREADABLE": Rule(
        "PE-ARC-001",
        W,
        "无法读取绩效档案",
        "无法读取绩效档案（{why}），本次不含与以前年度的对比。",
        "处理好档案的问题后重新运行；与以前年度的对比不影响本年度的结果。",
    ),
}
