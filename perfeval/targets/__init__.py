"""Stage 0: each project's approved 绩效目标 (targets), read from the 绩效目标/ folder.

A self-evaluation scores a project against its own approved indicators and weights. This package
reads them in the two shapes bureaus have (a platform's long table, one 申报表 workbook per
project), keeps every value with its cell, and builds each project's own framework from its
framework's fixed parts and its targets (:mod:`.apply`).
"""
