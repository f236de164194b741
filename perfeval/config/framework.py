"""Indicator frameworks (指标体系): what a framework is, how its content is hashed, and the
registry an evaluation folder looks frameworks up in. Reading and checking a framework file:
:mod:`perfeval.config.framework_file`.

Text (names, targets, units, standards) is kept as written, only surrounding blanks trimmed: it is
shown as the bureau wrote it. Codes, labels, 评分方法 and 指标性质 are compared normalized
(:func:`~perfeval.read.parse.normalize_text`), and so are names that must be unique.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from perfeval.read.parse import normalize_text


@dataclass(frozen=True)
class Indicator:
    code: str
    level: int
    name: str
    weight: Decimal
    row: int
    parent: str | None = None
    l1: str = ""
    l2: str = ""
    direction: str = ""
    target: str = ""
    unit: str = ""
    method: str = "manual"
    standard: str = ""
    reserved: int = 0
    custom: bool = False  # a department's own indicator, read from a reserved row
    #: on a 一级 row: the 二级 names a project's targets may use under it (the row then takes
    #: its 二级 and 三级 from each project's targets, see perfeval.targets.apply), and those
    #: they must use
    allowed: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    #: a project's approved target (perfeval.targets.apply): scored against its 参考得分
    approved: bool = False

    @property
    def computed(self) -> bool:
        """Scored by perfeval from the workbook's money figures, not typed by the clerk."""
        return self.method == "execution_rate"


@dataclass(frozen=True)
class Framework:
    id: str
    name: str
    kinds: tuple[str, ...]
    version: str
    total: Decimal
    description: str
    indicators: tuple[Indicator, ...]
    source: Path
    content_hash: str = field(default="")  # of the content as written (the cache's key)
    #: of the content as compared, recorded by issued workbooks (see :func:`_content_hashes`)
    issue_hash: str = field(default="")
    #: 一级 weights are each project's (the sum of its targets), not the framework's
    level1_from_targets: bool = False
    #: for a project's own framework (perfeval.targets.apply): the targets file it comes from
    targets_source: str = ""
    #: 设置 资金来源: the funding rows of the money table ('' : the settings' [money] parts)
    funding: tuple[str, ...] = ()
    #: 设置 绩效目标折算分值: the points a project's targets are worth in all, whatever basis
    #: their own weights are written on (a district form's 80-point block with weights on 100)
    targets_scale: Decimal | None = None

    @property
    def target_driven(self) -> bool:
        """Some 一级 rows take their indicators from each project's targets."""
        return any(i.allowed for i in self.indicators if i.level == 1)

    @property
    def level1(self) -> list[Indicator]:
        return [i for i in self.indicators if i.level == 1]

    @property
    def level2(self) -> list[Indicator]:
        return [i for i in self.indicators if i.level == 2]

    @property
    def leaves(self) -> list[Indicator]:
        """The fixed 三级 indicators (without the rows reserved for departments)."""
        return [i for i in self.indicators if i.level == 3]

    def children(self, code: str) -> list[Indicator]:
        index = self.__dict__.get("_children")
        if index is None:  # cached outside the fields, as by_code
            index = {}
            for i in self.indicators:
                index.setdefault(i.parent, []).append(i)
            object.__setattr__(self, "_children", index)
        return list(index.get(code, ()))

    def by_code(self, code: str) -> Indicator | None:
        return self.code_index.get(code)

    @property
    def code_index(self) -> dict[str, Indicator]:
        """Indicators by code (for loops over millions of rows: one lookup, no call)."""
        index = self.__dict__.get("_by_code")
        if index is None:  # frozen dataclass: the index is cached outside the fields
            index = {i.code: i for i in self.indicators}
            object.__setattr__(self, "_by_code", index)
        return index


def _canonical_hash(fw_fields: dict, indicators: Iterable[Indicator], form=normalize_text) -> str:
    payload = {
        "framework": {key: form(value) for key, value in fw_fields.items()},
        "indicators": [
            [
                i.code,
                i.level,
                form(i.name),
                str(i.weight),
                i.parent,
                i.direction,
                form(i.target),
                form(i.unit),
                i.method,
                form(i.standard),
                i.reserved,
                *([list(i.allowed), list(i.required)] if i.allowed or i.required else []),
            ]
            for i in indicators
        ],
    }
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _content_hashes(fw_fields: dict, indicators: list[Indicator]) -> tuple[str, str]:
    """(content_hash, issue_hash): the content as written, and as compared (NFKC, single
    blanks). A workbook is "issued from another version" only for a change that matters when
    it is read back; and issue_hash is the content hash perfeval 0.1.0 recorded in the workbooks
    it issued (it kept text normalized), so they stay valid."""
    written = _canonical_hash({**fw_fields, "text": "as written"}, indicators, str)
    return written, _canonical_hash(fw_fields, indicators)


class FrameworkRegistry:
    """All frameworks available to an evaluation folder, looked up by 编号 or 名称."""

    def __init__(self, frameworks: Iterable[Framework]) -> None:
        self._by_id: dict[str, Framework] = {fw.id: fw for fw in frameworks}
        # 编号 or 名称 as compared (the roster names a framework in any width); 编号 first
        self._by_key: dict[str, Framework] = {}
        for fw in reversed(self._by_id.values()):  # the first of equal names wins
            self._by_key[normalize_text(fw.name)] = fw
        self._by_key.update({fw.id: fw for fw in self._by_id.values()})

    def get(self, key: str) -> Framework | None:
        found = self._by_id.get(key)
        return found if found is not None else self._by_key.get(normalize_text(key))

    def __iter__(self):
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)
