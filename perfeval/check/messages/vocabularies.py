"""Answers that must come from a list."""

from perfeval.check.rule import E, Rule

RULES = {
    "VOCAB_CATEGORY": Rule(
        "PE-VOCAB-001",
        E,
        "问题分类不在列表中",
        "问题分类“{value}”不在规定的分类中。",
        "请从下拉列表中选择问题分类。",
    ),
    "VOCAB_LIST": Rule(
        "PE-VOCAB-002",
        E,
        "不是下拉选项中的值",
        "“{field}”填写的“{value}”不在可选范围内（{choices}）。",
        "请从下拉列表中选择。",
    ),
}
