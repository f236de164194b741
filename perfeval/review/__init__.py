"""Stage 0, before the budget year: reviewing each project's 绩效目标 (绩效目标审核).

Rules (:mod:`.rules`) find every weak target deterministically, each finding on its cell; a
grade on the 88号 scale follows from them (:mod:`.grade`); :mod:`.run` reads the 绩效目标/ folder
and writes 目标审核报告.xlsx and marked copies of the files with problems.
"""
