"""The 整改台账 workbook's layout, in one place for the writer and the reader.

One sheet 整改台账: a title row, a 填报说明 row, the header, then one row per problem.
Columns A to F are filled by perfeval from the archive and locked; G to L are the unit's.
A hidden sheet holds what identifies the ledger (region, the problems' year, the unit) and,
per row, the archived problem it is (项目编号 and the problem's number in its workbook), so
a returned ledger is matched back whatever its file name.
"""

from __future__ import annotations

SHEET = "整改台账"
ID_SHEET = "_perfeval"
KIND = "整改台账"
STATUSES = ("已完成", "部分完成", "未完成")
NOT_RETURNED = "未报送"

#: column key -> header, in sheet order (A, B, …)
COLUMNS = {
    "no": "序号",
    "item_id": "项目编号",
    "name": "项目名称",
    "category": "问题分类",
    "description": "问题描述",
    "measure": "单位原改进措施",
    "action": "整改措施",
    "owner": "责任人",
    "deadline": "整改时限",
    "progress": "整改情况",
    "status": "是否完成",
    "evidence": "佐证材料",
}
PREFILLED = ("no", "item_id", "name", "category", "description", "measure")
HEADER_ROW = 3  # 1-based: title, 填报说明, header
FIRST_ROW = HEADER_ROW + 1


def column(key: str) -> int:
    """The 1-based column of ``key``."""
    return list(COLUMNS).index(key) + 1


def letter(key: str) -> str:
    return chr(64 + column(key))
