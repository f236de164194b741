"""Golden snapshots of the issued workbook, one per bundled framework.

An intended change of the template shows as a diff here; update the golden files with
    PERFEVAL_UPDATE_GOLDEN=1 python -m pytest tests/test_workbook_golden.py
and bump layout.TEMPLATE_VERSION when the reader's expectations change.
"""

import json
import os
from pathlib import Path

import pytest

from tests.snapshot import differences, snapshot

GOLDEN = Path(__file__).parent / "golden"
UPDATE = "PERFEVAL_UPDATE_GOLDEN=1 python -m pytest tests/test_workbook_golden.py"


@pytest.mark.parametrize("iid", ["P1", "D1", "S1"])
def test_issued_workbook_matches_golden(folder, iid):
    fw = folder.framework(iid)
    got = snapshot(folder.issued[iid])
    golden = GOLDEN / f"issued_{fw.id}.json"
    if os.environ.get("PERFEVAL_UPDATE_GOLDEN") == "1":
        golden.write_text(json.dumps(got, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    want = json.loads(golden.read_text(encoding="utf-8"))
    diff = differences(want, got)
    if diff:
        shown = "\n".join(diff[:30])
        more = f"\n… and {len(diff) - 30} more" if len(diff) > 30 else ""
        pytest.fail(
            f"issued workbook differs from {golden.name}:\n{shown}{more}\n"
            f"If the change is intended, run: {UPDATE}"
        )
