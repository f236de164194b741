"""Make the office-saved fixtures in tests/data/: filled workbooks re-saved by LibreOffice.

The tests check that a returned workbook saved by an office suite (shared strings, recalculated
formulas, its own styles, dropped protection details) still reads correctly. LibreOffice must be
installed (``soffice``). Re-run after a change of the issued template or a bundled framework:

    python scripts/make_office_fixtures.py
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import Folder, full_fill  # noqa: E402

TARGET = ROOT / "tests" / "data" / "libreoffice"


def main() -> int:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        print("LibreOffice (soffice) is not installed", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        folder = Folder(Path(tmp) / "eval")
        filled = []
        for iid in ("P2", "S1"):
            fill = full_fill(
                folder.framework(iid),
                **{"1.1.1": {"score": 0.5, "reason": "原因"}} if iid == "P2" else {},
            )
            filled.append(folder.fill(iid, fill, name=f"{iid}.xlsx"))
        out = Path(tmp) / "out"
        subprocess.run(
            [
                soffice,
                "--headless",
                "--convert-to",
                "xlsx",
                "--outdir",
                str(out),
                *map(str, filled),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
        TARGET.mkdir(parents=True, exist_ok=True)
        for path in sorted(out.glob("*.xlsx")):
            shutil.copyfile(path, TARGET / path.name)
            print(f"wrote {(TARGET / path.name).relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
