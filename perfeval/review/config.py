"""The review's settings (``[review]`` in perfeval.toml), read once into plain values."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from perfeval.check.placeholder_text import Vocabulary, make_vocabulary
from perfeval.numbers import to_decimal


@dataclass(frozen=True)
class ReviewGrade:
    name: str
    min: Decimal
    action: str


@dataclass(frozen=True)
class ReviewConfig:
    required_fields: tuple[str, ...]  # header fields a 申报表 must fill (keys of FORM_LABELS)
    money_tolerance: Decimal  # 万元 between the total and its parts
    satisfaction_required: bool
    output_required: tuple[str, ...]  # 二级 names 产出 must cover
    quantitative_l2: tuple[str, ...]  # 二级 whose indicators should be numbers
    vague_words: tuple[str, ...]
    min_quantitative_share: Decimal  # 0: the rule is off
    weights_total: Decimal  # what a project's indicator weights add up to, when it gives any
    levels: dict[str, str]  # rule code -> "error" | "warning" | "off", overriding the catalogue
    deductions: dict[str, Decimal]  # points a finding of each level costs the project's score
    grades: tuple[ReviewGrade, ...]
    vocabulary: Vocabulary  # instruction and placeholder text ([rules], as for returned workbooks)

    @staticmethod
    def from_raw(raw: dict[str, Any]) -> ReviewConfig:
        r, rules = raw["review"], raw.get("rules", {})
        return ReviewConfig(
            required_fields=tuple(r["required_fields"]),
            money_tolerance=to_decimal(r["money_tolerance"]),
            satisfaction_required=bool(r["satisfaction_required"]),
            output_required=tuple(r["output_required"]),
            quantitative_l2=tuple(r["quantitative_l2"]),
            vague_words=tuple(r["vague_words"]),
            min_quantitative_share=to_decimal(r["min_quantitative_share"]),
            weights_total=to_decimal(r["weights_total"]),
            levels={
                **dict.fromkeys(r["as_error"], "error"),
                **dict.fromkeys(r["as_warning"], "warning"),
                **dict.fromkeys(r["off"], "off"),
            },
            deductions={
                "error": to_decimal(r["deduct_error"]),
                "warning": to_decimal(r["deduct_warning"]),
            },
            grades=tuple(
                ReviewGrade(str(g["name"]), to_decimal(g["min"]), str(g.get("action", "")))
                for g in raw["review_grades"]
            ),
            vocabulary=make_vocabulary(
                rules.get("instruction_openings", ()),
                rules.get("instruction_verbs", ()),
                rules.get("word_limit_words", ()),
                rules.get("placeholder_words", ()),
            ),
        )
