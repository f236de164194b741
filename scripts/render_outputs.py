"""Render perfeval's outputs to PNG pages, to look at them as they print.

    python scripts/render_outputs.py /tmp/pages                 # a fresh demo folder
    python scripts/render_outputs.py /tmp/pages --folder 2024-某某县 --dpi 80

Works on a scratch copy of the evaluation folder (``--folder``; by default a new ``perfeval demo``),
never on the folder itself. In the copy it issues the workbooks when 下发/ is empty, and when no
annotated copy would be made (every return passes) it makes one return wrong the way clerks do:
a score above its weight, a long reason (150 characters) on another row, and the same workbook
returned twice under another name. Then ``perfeval run`` and, for each of the issued workbook (the
first in 下发/), 校验报告, 汇总表, one annotated copy (退回修改/) and 工作总结报告.docx, LibreOffice
headless prints a PDF (``soffice --convert-to pdf``: every visible sheet, with the file's own page
setup) and pdftoppm turns each page into ``<output>/<name>-<page>.png``.

Needs LibreOffice (``soffice``), pdftoppm (poppler-utils) and a CJK font (fonts-noto-cjk); without
them it says what is missing and exits with 0 (nothing rendered), so it can sit in a checklist.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LONG_REASON = (
    "受项目实施地点分散、部分乡镇村级服务站点人员调整频繁等因素影响，年初制定的培训计划未能全部按期"
    "完成，实际完成培训人次低于年度指标值；同时部分资金拨付进度滞后，项目资金在第四季度集中支付，影响"
    "了年度执行进度。下一步将加强计划管理，按季度跟踪并通报进度，确保资金及时拨付、任务按期完成。"
)


def _tools() -> tuple[str, str] | str:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    pdftoppm = shutil.which("pdftoppm")
    missing = [n for n, p in (("LibreOffice (soffice)", soffice), ("pdftoppm", pdftoppm)) if not p]
    if missing:
        return (
            f"skipped: {' and '.join(missing)} not found; install them, e.g. "
            "apt-get install -y libreoffice-calc libreoffice-writer fonts-noto-cjk poppler-utils"
        )
    return soffice, pdftoppm  # type: ignore[return-value]


def _perfeval(*args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "perfeval", *args], check=False, cwd=ROOT, capture_output=True
    )


def _manual_rows(path: Path) -> list[str]:
    """Codes of indicator rows whose score the clerk types (not formulas), in sheet order."""
    import openpyxl

    from perfeval import layout as L

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(path)
    ws = wb[L.SHEET_INDICATORS]
    cols = {ws.cell(L.IND_HEADER_ROW, c).value: c for c in range(1, ws.max_column + 1)}
    score, code = cols[L.IND_COLUMNS["score"]], cols[L.IND_COLUMNS["code"]]
    out = []
    for row in range(L.IND_FIRST_ROW, ws.max_row + 1):
        value, name = ws.cell(row, score).value, ws.cell(row, code).value
        if isinstance(value, int | float) and isinstance(name, str) and "+" not in name:
            out.append(name)
    return out


def _make_returns_wrong(folder: Path) -> None:
    """One return with a score above its weight and a long reason, sent in twice."""
    from perfeval.fill import Fill, fill_workbook

    returned = sorted((folder / "回收").glob("*.xlsx"))
    if not returned:
        return
    source = returned[0]
    codes = _manual_rows(source)
    if len(codes) < 2:
        return
    fill = Fill(
        indicators={
            codes[0]: {"score": 999},
            codes[1]: {"score": 0, "reason": LONG_REASON[:150]},
        }
    )
    wrong = source.with_name("有误_" + source.name)
    fill_workbook(source, wrong, fill)
    source.unlink()
    shutil.copyfile(wrong, wrong.with_name("重复交回_" + source.name))


def prepare(scratch: Path, folder: Path | None) -> Path:
    work = scratch / "评价文件夹"
    if folder is None:
        _perfeval("demo", str(work))
    else:
        shutil.copytree(folder, work, ignore=shutil.ignore_patterns(".perfeval-*", "~$*"))
    if not any((work / "下发").glob("*.xlsx")):
        _perfeval("issue", str(work))
    if not any((work / "输出" / "退回修改").rglob("*.xlsx")):
        _make_returns_wrong(work)
    _perfeval("run", str(work))
    return work


def chosen(work: Path) -> list[tuple[str, Path]]:
    out = work / "输出"
    picks = [
        ("下发", next(iter(sorted((work / "下发").glob("*.xlsx"))), None)),
        ("校验报告", out / "校验报告.xlsx"),
        ("汇总表", out / "汇总表.xlsx"),
        ("退回修改", next(iter(sorted((out / "退回修改").rglob("*.xlsx"))), None)),
        ("工作总结报告", out / "工作总结报告.docx"),
    ]
    return [(name, path) for name, path in picks if path is not None and path.exists()]


def render(
    path: Path, name: str, target: Path, tools: tuple[str, str], dpi: int, keep_pdf: bool = False
) -> list[Path]:
    soffice, pdftoppm = tools
    with tempfile.TemporaryDirectory() as tmp:
        profile = Path(tmp) / "profile"
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                tmp,
                str(path),
            ],
            check=True,
            capture_output=True,
            timeout=600,
        )
        pdf = Path(tmp) / (path.stem + ".pdf")
        if keep_pdf:
            shutil.copyfile(pdf, target / f"{name}.pdf")
        for old in target.glob(f"{name}-*.png"):
            old.unlink()
        subprocess.run(
            [pdftoppm, "-r", str(dpi), "-png", str(pdf), str(target / name)],
            check=True,
            timeout=600,
        )
    return sorted(target.glob(f"{name}-*.png"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output", type=Path, help="folder for the PNG pages")
    parser.add_argument("--folder", type=Path, help="evaluation folder (default: a new demo)")
    parser.add_argument("--dpi", type=int, default=60, help="resolution of the pages (60)")
    parser.add_argument("--keep-pdf", action="store_true", help="keep the PDF files too")
    args = parser.parse_args(argv)
    tools = _tools()
    if isinstance(tools, str):
        print(tools)
        return 0
    args.output.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        work = prepare(Path(scratch), args.folder)
        for name, path in chosen(work):
            pages = render(path, name, args.output, tools, args.dpi, args.keep_pdf)
            print(f"{name}: {path.name} -> {len(pages)} pages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
