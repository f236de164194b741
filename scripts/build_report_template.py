"""Build the Word report template ``templates/report/工作总结报告.docx`` with python-docx.

The document mirrors ``工作总结报告.md.j2`` heading by heading and sentence by sentence, written in
docxtpl syntax: ``{%p ... %}`` paragraphs for loops and conditions, ``{%tr ... %}`` rows for table
loops and ``{{ ... }}`` inline. Layout follows GB/T 9704 (A4, 仿宋 三号 body on a 28 pt line,
黑体/楷体 headings, centred "— 1 —" page number). All formatting lives in styles, so staff can
change it in Word through the style gallery without touching the tags.

Run from the repository root:  python scripts/build_report_template.py
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor

TARGET = Path(__file__).resolve().parents[1] / "templates" / "report" / "工作总结报告.docx"

#: the comparison paragraphs (the same sentences as in 工作总结报告.md.j2)
SELF_REVIEW = (
    "{{ self_review.count }}个项目既开展了单位自评，又开展了{"
    "{ self_review.evaluators }}。对比两者，自评平均得分{"
    "{ self_review.own_mean }}分，复核平均得分{{ self"
    "_review.review_mean }}分，平均差值（自评减复核）{{ se"
    "lf_review.gap_mean }}分；评价等级一致的{{ self_re"
    "view.same_grade }}个{% if self_review.far"
    "_off %}，自评偏差较大的{{ self_review.far_off }}"
    "个（{{ self_review.far_off_reasons }}）{% e"
    "lse %}，没有自评偏差较大的项目{% endif %}。逐项和逐个指标的对比"
    "见汇总表“自评复核对比”“自评复核指标对比”工作表。"
)
LAST_YEAR = (
    "与{{ last_year.year }}年度相比，重点评价项目由{{ last"
    "_year.count_before }}个变为{{ last_year.cou"
    "nt_after }}个，评价金额由{{ last_year.amount_be"
    "fore }}万元变为{{ last_year.amount_after }}万"
    "元{% if last_year.grades %}；评价等级{{ last_y"
    "ear.grades }}{% endif %}。{% if last_year"
    ".compared %}纳入汇总的项目中，两个年度由同一评价主体评价的同一项目共"
    "{{ last_year.compared }}个{% if last_year"
    ".compared_own %}（含单位自评{{ last_year.compa"
    "red_own }}个）{% endif %}，得分上升的{{ last_yea"
    "r.up }}个、下降的{{ last_year.down }}个、持平的{{ "
    "last_year.same }}个。{% endif %}详见汇总表“与上年对"
    "比”“上年得分对比”工作表。"
)
RECTIFY = (
    "{{ rectify.year }}年度评价中各单位反映的问题共{{ recti"
    "fy.count }}条，涉及{{ rectify.units }}个单位。根据"
    "交回的整改台账，已完成整改{{ rectify.done }}条，部分完成{{ "
    "rectify.part }}条，未完成{{ rectify.not_done "
    "}}条，未报送整改情况{{ rectify.missing }}条，整改完成率{"
    "{ rectify.rate }}。按单位：{{ rectify.by_unit"
    " }}。按问题分类：{{ rectify.by_category }}。{% i"
    "f rectify.unfinished_count %}尚未完成整改的问题：{"
    "{ rectify.unfinished }}。{% endif %}逐条情况见"
    "汇总表“以前年度问题整改”“整改完成情况”工作表。"
)
RECURRING = (
    "{% if recurring.count %}{{ recurring.uni"
    "ts }}个单位的{{ recurring.count }}类问题在{{ rec"
    "urring.year }}年度评价中已经反映，本年度再次出现：{{ recur"
    "ring.list }}（详见汇总表“连续出现的问题”工作表）。{% else "
    "%}与{{ recurring.year }}年度相比，没有单位连续两年反映同一"
    "类问题。{% endif %}"
)

LATIN = "Times New Roman"
BLACK = RGBColor(0, 0, 0)
BODY_SIZE = Pt(16)  # 三号
LINE = Pt(28)  # fixed line pitch: 22 lines on the GB/T 9704 type area
INDENT = Pt(32)  # two characters of 三号
THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
CENTER, RIGHT, LEFT = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.LEFT
JUSTIFY = WD_ALIGN_PARAGRAPH.JUSTIFY


# ---------------------------------------------------------------- styles


def set_rfonts(rpr, east_asia: str) -> None:
    """Explicit Latin and East-Asian fonts on an rPr; theme fonts removed so they cannot win."""
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in THEME_ATTRS:
        rfonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        rfonts.set(qn(attr), LATIN)
    rfonts.set(qn("w:eastAsia"), east_asia)


def remove_children(parent, *tags: str) -> None:
    if parent is None:
        return
    for tag in tags:
        for child in parent.findall(qn(tag)):
            parent.remove(child)


def style_font(style, east_asia: str, size: Pt, *, bold: bool = False) -> None:
    font = style.font
    font.name = LATIN
    font.size = size
    font.bold = bold
    font.italic = False
    font.color.rgb = BLACK
    rpr = style.element.get_or_add_rPr()
    set_rfonts(rpr, east_asia)
    remove_children(rpr, "w:bCs", "w:szCs", "w:spacing", "w:kern")


def style_paragraph(style, align, *, indent, line, space: tuple[int, int]) -> None:
    fmt = style.paragraph_format
    fmt.alignment = align
    fmt.first_line_indent = indent
    fmt.left_indent = fmt.right_indent = Pt(0)
    fmt.line_spacing = line
    fmt.space_before, fmt.space_after = Pt(space[0]), Pt(space[1])
    remove_children(style.element.pPr, "w:pBdr", "w:contextualSpacing", "w:tabs")


def set_doc_defaults(doc) -> None:
    """docDefaults too, so Word and WPS agree even where a style says nothing."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_rfonts(rpr, "仿宋")
    for tag in ("w:sz", "w:szCs"):
        rpr.find(qn(tag)).set(qn("w:val"), "32")  # half-points: 三号
    rpr.find(qn("w:lang")).set(qn("w:eastAsia"), "zh-CN")
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "240")


# style: East-Asian font, size, bold, alignment, first-line indent, line spacing, space (pt)
# before/after. A Length line spacing means "exactly", 1.0 means single.
PARAGRAPH_STYLES = {
    "Normal": ("仿宋", BODY_SIZE, False, JUSTIFY, INDENT, LINE, (0, 0)),
    "Title": ("宋体", Pt(22), True, CENTER, Pt(0), Pt(36), (0, 28)),  # 二号
    "Subtitle": ("楷体", BODY_SIZE, False, CENTER, Pt(0), LINE, (0, 12)),  # （征求意见稿）
    "Heading 1": ("黑体", BODY_SIZE, False, JUSTIFY, INDENT, LINE, (0, 0)),  # 一、
    "Heading 2": ("楷体", BODY_SIZE, False, JUSTIFY, INDENT, LINE, (0, 0)),  # （一）
    "Heading 3": ("仿宋", BODY_SIZE, True, JUSTIFY, INDENT, LINE, (0, 0)),  # 1.
    "Footer": ("宋体", Pt(14), False, CENTER, Pt(0), 1.0, (0, 0)),  # 四号 page number
    "Table Text": ("仿宋", Pt(12), False, CENTER, Pt(0), 1.0, (2, 2)),  # 小四
    "Table Heading": ("仿宋", Pt(12), True, CENTER, Pt(0), 1.0, (2, 2)),
    "Signature Block": ("仿宋", BODY_SIZE, False, RIGHT, Pt(0), LINE, (0, 0)),
}
# Character and table styles that would otherwise keep the blue theme look of python-docx.
OTHER_STYLES = {
    "Title Char": ("宋体", Pt(22), True),
    "Subtitle Char": ("楷体", BODY_SIZE, False),
    "Heading 1 Char": ("黑体", BODY_SIZE, False),
    "Heading 2 Char": ("楷体", BODY_SIZE, False),
    "Heading 3 Char": ("仿宋", BODY_SIZE, True),
    "Table Grid": ("仿宋", Pt(12), False),
}


def build_styles(doc) -> None:
    set_doc_defaults(doc)
    styles = doc.styles
    for name, base in (
        ("Table Text", "Normal"),
        ("Table Heading", "Table Text"),
        ("Signature Block", "Normal"),
    ):
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles[base]
        style.quick_style = True
    for name, (east_asia, size, bold, align, indent, line, space) in PARAGRAPH_STYLES.items():
        style_font(styles[name], east_asia, size, bold=bold)
        style_paragraph(styles[name], align, indent=indent, line=line, space=space)
    for name, (east_asia, size, bold) in OTHER_STYLES.items():
        style_font(styles[name], east_asia, size, bold=bold)
    for name in ("Heading 1", "Heading 2", "Heading 3", "Table Heading"):
        styles[name].paragraph_format.keep_with_next = True
    styles["Normal"].paragraph_format.widow_control = True
    styles["Signature Block"].paragraph_format.right_indent = INDENT


# ---------------------------------------------------------------- page setup


def add_page_number(paragraph) -> None:
    """ "— 1 —" with a real PAGE field (complex field: Word, WPS and LibreOffice all update it)."""
    paragraph.add_run("— ")
    for inner in (
        '<w:fldChar w:fldCharType="begin"/>',
        '<w:instrText xml:space="preserve"> PAGE </w:instrText>',
        '<w:fldChar w:fldCharType="separate"/>',
        "<w:t>1</w:t>",
        '<w:fldChar w:fldCharType="end"/>',
    ):
        paragraph._p.append(parse_xml(f"<w:r {nsdecls('w')}>{inner}</w:r>"))
    paragraph.add_run(" —")


def setup_page(doc) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(24)
    footer = section.footer.paragraphs[0]
    footer.style = doc.styles["Footer"]
    add_page_number(footer)


# ---------------------------------------------------------------- content helpers


def para(doc, text: str = "", style: str = "Normal"):
    paragraph = doc.add_paragraph(style=style)
    if text:
        paragraph.add_run(text)  # one run per paragraph: tags never split across runs
    return paragraph


def tag(doc, statement: str) -> None:
    """A paragraph-level docxtpl tag; docxtpl removes the whole paragraph holding it."""
    para(doc, "{%p " + statement + " %}")


def cell_text(cell, text: str, style: str, align) -> None:
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    paragraph = cell.paragraphs[0]
    paragraph.style = cell.part.document.styles[style]
    paragraph.alignment = align
    if text:
        paragraph.add_run(text)


def loop_table(doc, columns: list[tuple[str, str, float, object]], loop: str) -> None:
    """Header row, then a row repeated by ``{%tr for ... %}`` ... ``{%tr endfor %}``.

    ``columns`` holds (header, cell template, width in mm, alignment) per column.
    """
    table = doc.add_table(rows=4, cols=len(columns))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    rows = table.rows
    for row in rows:  # a row never breaks across pages; the header row repeats on each page
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    rows[0]._tr.trPr.append(OxmlElement("w:tblHeader"))
    for n, (header, cell, width, align) in enumerate(columns):
        table.columns[n].width = Mm(width)
        for row in rows:
            row.cells[n].width = Mm(width)
        cell_text(rows[0].cells[n], header, "Table Heading", CENTER)
        cell_text(rows[2].cells[n], cell, "Table Text", align)
        for row, text in ((rows[1], "{%tr for " + loop + " %}"), (rows[3], "{%tr endfor %}")):
            cell_text(row.cells[n], text if n == 0 else "", "Table Text", LEFT)


# ---------------------------------------------------------------- the report


def build_body(doc) -> None:
    para(doc, "{{ title }}", "Title")
    tag(doc, "if status")
    para(doc, "（{{ status }}）", "Subtitle")
    tag(doc, "endif")
    para(
        doc,
        "{% if basis %}根据{{ basis }}等规定，{% endif %}{{ bureau }}组织开展了{{ year }}年度"
        "预算绩效评价工作。现将评价情况报告如下。",
    )

    para(doc, "一、基本情况", "Heading 1")
    para(doc, "（一）评价范围", "Heading 2")
    tag(doc, "if scope.selected_count")
    para(
        doc,
        "按照评价金额不低于单位年度项目预算总额{{ scope.coverage_min }}的要求，在各部门单位开展"
        "绩效自评的基础上，本年度选取{{ scope.selected_count }}个项目开展重点绩效评价。"
        "{% if scope.item_count %}已完成评价并纳入本报告的有{{ scope.kind_phrase }}"
        '{{ ("，共" ~ scope.item_count ~ "个项目") if scope.kind_count > 1 else "" }}'
        "，涉及{{ scope.unit_count }}个部门单位，评价金额合计{{ scope.amount }}万元。"
        "{% if scope.coverage_range %}各单位已完成评价的金额占其年度项目预算总额的比例为"
        "{{ scope.coverage_range }}。{% endif %}{% if scope.coverage_low %}"
        '其中{{ scope.coverage_low | join("、") }}的占比低于规定比例。{% endif %}{% else %}'
        "目前尚无完成评价的项目。{% endif %}",
    )
    tag(doc, "else")
    para(doc, "本年度未另行选取项目开展重点绩效评价。")
    tag(doc, "endif")
    tag(doc, "if not completeness.complete")
    para(
        doc,
        "{% if completeness.missing_count %}项目清单中有{{ completeness.missing_count }}个项目"
        "尚未纳入本报告：{{ completeness.missing_phrase }}。{% endif %}"
        "{% if completeness.unmatched_count %}另有{{ completeness.unmatched_count }}个交回文件"
        "无法对应到项目清单中的项目。{% endif %}本报告为{{ status }}，上述项目完成评价后将据实"
        "更新。",
    )
    tag(doc, "endif")
    tag(doc, "if scope.item_count")
    para(doc, "（二）评价结果", "Heading 2")
    para(doc, "从评价结果看，{{ grade_phrase }}。")
    loop_table(
        doc,
        [
            ("评价等级", "{{ g.name }}", 36, CENTER),
            ("分数段", "{{ g.band }}", 44, CENTER),
            ("项目个数", "{{ g.count }}", 34, CENTER),
            ("金额（万元）", "{{ g.amount }}", 42, CENTER),
        ],
        "g in grade_rows",
    )
    para(doc)  # breathing space between the table and what follows
    tag(doc, "endif")
    tag(doc, "if self_eval.count")
    para(doc, '（{{ "三" if scope.item_count else "二" }}）单位自评情况', "Heading 2")
    para(
        doc,
        "各部门单位对{{ self_eval.count }}个项目开展了绩效自评并通过校验，涉及"
        "{{ self_eval.unit_count }}个部门单位，金额合计{{ self_eval.amount }}万元。自评结果"
        "{{ self_eval.grade_phrase }}。各自评项目的得分列于汇总表，本报告不逐个列出。",
    )
    tag(doc, "endif")
    tag(doc, "if self_review.count")
    para(doc, "{{ self_review.no }}自评质量", "Heading 2")
    para(doc, SELF_REVIEW)
    tag(doc, "endif")
    tag(doc, "if last_year")
    para(doc, "{{ last_year.no }}与上年度对比", "Heading 2")
    para(doc, LAST_YEAR)
    tag(doc, "endif")

    para(doc, "二、各项目评价结果", "Heading 1")
    tag(doc, "if not items")
    para(doc, "本年度尚无完成重点绩效评价的项目。")
    tag(doc, "endif")
    tag(doc, "for i in items")
    para(doc, "{{ i.no }}{{ i.name }}", "Heading 2")
    para(
        doc,
        "{% if i.is_department %}{{ i.unit }}本年度部门预算{{ i.budget }}万元，实际执行"
        "{{ i.executed }}万元，预算执行率{{ i.rate }}。{% else %}该项目由{{ i.unit }}实施，全年预算"
        "{{ i.budget }}万元，实际执行{{ i.executed }}万元，预算执行率{{ i.rate }}。{% endif %}"
        '经评价，{{ "该部门整体支出" if i.is_department else "该项目" }}得分{{ i.score }}分'
        "{% if i.out_of %}（总分值{{ i.out_of }}分，得分率{{ i.score_rate }}，按得分率评定等级）"
        "{% endif %}，评价结果为“{{ i.grade }}”。共设置评价指标{{ i.indicator_count }}个，"
        "其中满分指标{{ i.full_marks }}个；{% for l in i.level1 %}"
        "{{ l.name }}指标分值{{ l.weight }}分，"
        '得分{{ l.score }}分，得分率{{ l.rate }}{{ "；" if not loop.last else "。" }}{% endfor %}',
    )
    tag(doc, "if i.overview")
    para(
        doc,
        '{{ i.overview_no }}{{ "部门概况" if i.is_department else "项目概况" }}。{{ i.overview }}',
    )
    tag(doc, "endif")
    tag(doc, "if i.outputs")
    para(doc, "{{ i.outputs_no }}主要产出。{{ i.outputs }}")
    tag(doc, "endif")
    tag(doc, "endfor")

    para(doc, "三、存在的主要问题", "Heading 1")
    tag(doc, "if problem_groups")
    para(
        doc,
        "在纳入汇总的{{ scope.passed_phrase }}中，各部门单位在填报表中反映的问题按类别归纳如下。",
    )
    tag(doc, "for g in problem_groups")
    para(doc, "{{ g.no }}{{ g.name }}方面", "Heading 2")
    para(
        doc,
        "{% for c in g.categories %}{{ c.count }}个项目反映{{ c.name }}，涉及{{ c.item_names }}。"
        "{% endfor %}",
    )
    tag(doc, "for d in g.details")
    para(doc, "{{ d.no }}{{ d.item }}：{{ d.text }}")
    tag(doc, "endfor")
    tag(doc, "if g.details_more")
    para(doc, "另有{{ g.details_more }}条具体问题，见各单位交回的填报表。")
    tag(doc, "endif")
    tag(doc, "endfor")
    tag(doc, "else")
    para(doc, "纳入汇总的填报表未反映需要归类的问题。")
    tag(doc, "endif")
    tag(doc, "if recurring")
    para(doc, RECURRING)
    tag(doc, "endif")

    para(doc, "四、改进措施", "Heading 1")
    tag(doc, "for m in measures")
    para(doc, "{{ m.no }}{{ m.group }}方面", "Heading 2")
    para(doc, "{{ m.text }}")
    tag(doc, "endfor")
    tag(doc, "if unit_measures")
    para(doc, "{{ unit_measures_no }}各部门单位提出的措施", "Heading 2")
    tag(doc, "for m in unit_measures")
    para(doc, "{{ m.no }}{{ m.item }}：{{ m.text }}")
    tag(doc, "endfor")
    tag(doc, "if unit_measures_more")
    para(doc, "另有{{ unit_measures_more }}条，见各单位交回的填报表。")
    tag(doc, "endif")
    tag(doc, "endif")
    tag(doc, "if not measures and not unit_measures")
    para(doc, "继续巩固绩效管理成果，将绩效目标、运行监控、评价和结果应用贯穿预算管理全过程。")
    tag(doc, "endif")

    para(doc, "五、评价结果应用", "Heading 1")
    tag(doc, "if applications")
    para(
        doc,
        "评价结果将作为下一年度预算安排的重要依据。{% for a in applications %}评价结果为"
        "“{{ a.name }}”的{{ a.count }}个项目（{{ a.item_names }}），{{ a.action }}"
        '{{ "；" if not loop.last else "。" }}{% endfor %}',
    )
    tag(doc, "else")
    para(doc, "本年度尚无可应用的评价结果。")
    tag(doc, "endif")
    tag(doc, "if rectify")
    para(doc, "六、以前年度问题整改情况", "Heading 1")
    para(doc, RECTIFY)
    tag(doc, "endif")

    para(doc)
    para(doc, "{{ bureau }}", "Signature Block")
    para(doc, "{{ date }}", "Signature Block")
    tag(doc, "if sources_appendix")
    para(doc)
    para(
        doc,
        "附件：{{ region }}{{ year }}年度绩效评价汇总表（各项数据的来源见其中的“数据来源”工作表）",
    )
    tag(doc, "endif")


def main() -> None:
    doc = Document()
    build_styles(doc)
    setup_page(doc)
    build_body(doc)
    doc.core_properties.title = "预算绩效评价工作总结报告模板"
    doc.core_properties.author = "perfeval"
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(TARGET))
    print(f"written {TARGET}")


if __name__ == "__main__":
    main()
