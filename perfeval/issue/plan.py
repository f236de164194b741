"""What one issued workbook holds, worked out before writing.

The plan fixes the order of the rows on the 指标 sheet (each second-level group: its fixed
indicators, then the rows it reserves for the department's own) and the values formulas show when
the workbook is first opened (cached values), so every viewer shows them without recalculating.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from perfeval import layout as L
from perfeval.config.framework import Framework, Indicator
from perfeval.config.roster import RosterItem
from perfeval.config.settings import Settings
from perfeval.issue.overlay import Overlay
from perfeval.numbers import q2


@dataclass(frozen=True)
class SheetRow:
    """One row of the 指标 sheet: a fixed indicator, or a reserved row (``leaf`` is None)."""

    code: str
    l1: str
    l2: str
    leaf: Indicator | None
    group: Indicator  # the second-level indicator the row belongs to

    @property
    def custom(self) -> bool:
        return self.leaf is None


def sheet_rows(fw: Framework) -> list[SheetRow]:
    """The 指标 sheet's rows in order (computed once per framework: frameworks are frozen)."""
    cached = fw.__dict__.get("_sheet_rows")
    if cached is None:
        cached = tuple(_sheet_rows(fw))
        object.__setattr__(fw, "_sheet_rows", cached)
    return list(cached)


def _sheet_rows(fw: Framework) -> list[SheetRow]:
    rows: list[SheetRow] = []
    for l2 in fw.level2:
        for leaf in fw.children(l2.code):
            rows.append(SheetRow(leaf.code, leaf.l1, leaf.l2, leaf, l2))
        for n in range(1, l2.reserved + 1):
            rows.append(SheetRow(L.custom_code(l2.code, n), l2.l1, l2.name, None, l2))
    return rows


@dataclass
class Plan:
    item: RosterItem
    framework: Framework
    settings: Settings
    rate: Decimal | None = None
    rows: list[SheetRow] = field(default_factory=list)
    overlay: Overlay = field(default_factory=Overlay)

    def __post_init__(self) -> None:
        if not self.rows:
            self.rows = sheet_rows(self.framework)

    @property
    def first_row(self) -> int:
        return L.IND_FIRST_ROW

    @property
    def last_row(self) -> int:
        return L.IND_FIRST_ROW + len(self.rows) - 1

    def row_of(self, code: str) -> int:
        return self.first_row + [r.code for r in self.rows].index(code)

    def computed_score(self, ind: Indicator) -> Decimal:
        if self.rate is None:
            return Decimal(0)
        return q2(min(self.rate, Decimal(1)) * ind.weight)

    def cached(self, *, l1: str | None = None, l2: str | None = None) -> Decimal:
        """A subtotal as first shown: only the scores perfeval computes are known at issue."""
        return sum(
            (
                self.computed_score(r.leaf)
                for r in self.rows
                if r.leaf is not None
                and r.leaf.computed
                and (l1 is None or r.l1 == l1)
                and (l2 is None or r.l2 == l2)
            ),
            Decimal(0),
        )


def locked_pairs(fw: Framework) -> list[tuple[str, object]]:
    """The 指标 sheet's part of the fingerprint: what each row shows locked, in row order."""
    pairs: list[tuple[str, object]] = []
    for row in sheet_rows(fw):
        pairs += [(f"{row.code}.l1", row.l1), (f"{row.code}.l2", row.l2)]
        if row.leaf is None:
            continue
        pairs += [(f"{row.code}.l3", row.leaf.name), (f"{row.code}.weight", row.leaf.weight)]
        for key in ("direction", "target", "unit"):
            if getattr(row.leaf, key):
                pairs.append((f"{row.code}.{key}", getattr(row.leaf, key)))
    return pairs


def info_facts(item: RosterItem, fw: Framework, settings: Settings) -> dict[str, str]:
    """The 基本信息 facts prefilled and locked, by key of :data:`layout.INFO_FIELDS`."""
    return {
        "item_id": item.item_id,
        "name": item.name,
        "department": item.department,
        "unit": item.unit,
        "kind": item.kind,
        "framework": fw.name,
        "year": str(settings.year),
    }


def info_locked_pairs(
    item: RosterItem, fw: Framework, settings: Settings
) -> list[tuple[str, object]]:
    """The 基本信息 part of the fingerprint, in the order the sheet shows it."""
    pairs: list[tuple[str, object]] = list(info_facts(item, fw, settings).items())
    pairs.append(("budget", item.budget))
    if item.executed is not None:
        pairs.append(("executed", item.executed))
    return pairs
