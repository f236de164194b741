"""The figures of the report's comparison paragraphs (自评质量, 与上年度对比, 连续出现的问题,
以前年度问题整改情况; see render/context_history.py), each with its source, for 数据来源."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from perfeval.aggregate.figure import Figure
from perfeval.numbers import fmt_money, fmt_score

if TYPE_CHECKING:
    from perfeval.aggregate.figures import Results


def comparison_figures(r: Results) -> list[Figure]:
    """The figures of the report's comparison paragraphs (see render/context_history.py)."""
    out = []
    pairs = r.review_pairs
    if pairs:
        sheet = "汇总表“自评复核对比”工作表"
        mean = "的平均数，四舍五入到两位小数"
        count = len(pairs)
        out += [
            Figure("自评复核对比 项目个数", str(count), f"{sheet}的行数"),
            Figure(
                "自评平均得分",
                fmt_score(_mean([p.own.total for p in pairs])),
                f"{sheet}“自评得分”列{mean}",
            ),
            Figure(
                "复核平均得分",
                fmt_score(_mean([p.review.total for p in pairs])),
                f"{sheet}“复核得分”列{mean}",
            ),
            Figure(
                "自评复核平均差值",
                fmt_score(_mean([p.gap for p in pairs])),
                f"{sheet}“差值”列{mean}",
            ),
            Figure(
                "自评复核等级一致的项目个数",
                str(sum(1 for p in pairs if p.same_grade)),
                f"{sheet}“等级一致”为“是”的行数",
            ),
            Figure(
                "自评偏差较大的项目个数",
                str(sum(1 for p in pairs if p.far_off)),
                f"{sheet}“自评偏差较大”为“是”的行数",
            ),
        ]
    rect = r.rectification
    if rect is not None and rect.follow_ups:
        total = rect.total
        sheet = "汇总表“以前年度问题整改”工作表"
        out += [
            Figure(f"{rect.year}年度问题 应整改条数", str(total["应整改"]), f"{sheet}的行数"),
            Figure(
                f"{rect.year}年度问题 已完成/部分完成/未完成/未报送条数",
                "/".join(str(total[k]) for k in ("已完成", "部分完成", "未完成", "未报送")),
                f"{sheet}按“整改状态”计数（状态取自交回的整改台账“是否完成”列）",
            ),
        ]
    history = r.history
    if history is not None:
        where = f"绩效档案（{history.source}）中{history.year}年度"
        if r.settings.raw["compare"]["year_over_year"]:
            bureau = [p for p in history.items if p.evaluator != "自评"]
            out += [
                Figure(
                    f"{history.year}年度重点评价项目个数",
                    str(len(bureau)),
                    f"{where}评价主体不是自评的记录数",
                ),
                Figure(
                    f"{history.year}年度评价金额（万元）",
                    fmt_money(sum((p.budget for p in bureau), Decimal(0))),
                    f"{where}评价主体不是自评的记录的预算数之和",
                ),
            ]
        found = r.recurrences
        out.append(
            Figure(
                "连续两年出现的问题（单位×问题分类）",
                str(len(found)),
                f"汇总表“连续出现的问题”工作表的行数（与{where}单位反映的问题按分类编码比较）",
            )
        )
    return out


def _mean(values: list[Decimal]) -> Decimal:
    return sum(values, Decimal(0)) / len(values)
