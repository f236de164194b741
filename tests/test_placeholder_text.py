"""Instruction or placeholder text left in a clerk's text cell (PE-CELL-007): the rule on a table
of texts, its words from the settings, and the cells of a returned workbook it is applied to."""

import openpyxl
import pytest

from perfeval import layout as L
from perfeval.check.placeholder_text import SHORT, left_text, make_vocabulary, vocabulary
from perfeval.config.settings import load_settings
from perfeval.config.workspace import init_folder
from perfeval.errors import ConfigError
from perfeval.layout import custom_code
from perfeval.validate import validate
from tests.conftest import full_fill, row_of

CODE = "PE-CELL-007"
IND, INFO, PROB = L.SHEET_INDICATORS, L.SHEET_INFO, L.SHEET_PROBLEMS


@pytest.fixture(scope="module")
def words():
    """The bundled defaults' words."""
    import tomllib

    from perfeval.machinery.resources import defaults_file

    rules = tomllib.loads(defaults_file().read_text(encoding="utf-8"))["rules"]
    return make_vocabulary(
        rules["instruction_openings"],
        rules["instruction_verbs"],
        rules["word_limit_words"],
        rules["placeholder_words"],
    )


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        # instruction text, quoted as written
        ("对照年度目标，说明……（100字以内）", "对照年度目标，说明……（100字以内）"),
        ("（不超过300字）", "（不超过300字）"),
        ("(限200字)", "(限200字)"),
        ("（字数控制在300字以内）", "（字数控制在300字以内）"),
        ("【100-200字】", "【100-200字】"),
        ("（ １００ 字以内 ）", "（ １００ 字以内 ）"),  # full width and blanks: quoted as typed
        ("项目按计划完成，资金全部到位。（100字以内）", "（100字以内）"),
        ("请填写……", "请填写……"),
        ("请填写项目的主要产出", "请填写项目的主要产出"),
        ("（请简要说明项目实施情况）", "（请简要说明项目实施情况）"),
        ("“请说明偏差原因”", "“请说明偏差原因”"),
        ("请说明：项目于2024年3月开工，当年完成道路硬化5公里。", "请说明："),
        ("说明...", "说明..."),
        ("分析。。。", "分析。。。"),
        ("本项目完成情况良好。对照年度目标，说明…", "对照年度目标，说明…"),
        # placeholders: the whole cell, apart from blanks and punctuation around it
        ("XX", "XX"),
        ("XXX", "XXX"),
        ("xx", "xx"),
        ("\uff38\uff38\uff38", "\uff38\uff38\uff38"),  # full-width X
        ("X X", "X X"),
        ("××", "××"),
        ("***", "***"),
        ("\uff0a\uff0a", "\uff0a\uff0a"),  # full-width *
        ("待定", "待定"),
        ("待定。", "待定。"),
        ("略", "略"),
        ("XX%", "XX%"),
        ("（待补充）", "（待补充）"),
        # real text passes
        ("情况说明已报送县财政局。", None),
        ("相关说明详见附件", None),
        ("XX县第一中学教学楼建成投用", None),
        ("XX县", None),
        ("本项目共完成XX个", None),  # a placeholder inside a sentence: not the whole cell
        ("具体时间待定", None),
        ("略有偏差，原因是材料涨价", None),
        ("请财政局加快拨付资金，确保项目按期完成。", None),
        ("十字路口改造（十字）", None),
        ("已报送评估报告（5000字）并附说明", None),  # a length, not a limit
        ("（5000字）", None),
        ("编写了（约5000字的）总结", None),
        ("达成", None),
        ("95%", None),
        ("……", None),  # punctuation only: no word
        ("", None),
        ("项目概述。", None),
    ],
)
def test_the_rule_on_a_table_of_texts(words, text, quoted):
    assert left_text(text, words) == quoted


def test_a_long_cell_is_no_placeholder_but_may_hold_instructions(words):
    assert left_text("X" * SHORT, words) == "X" * SHORT
    assert left_text("X" * (SHORT + 1), words) is None
    long = "项目按计划实施，" * 10
    assert left_text(long, words) is None
    assert left_text(long + "（100字以内）", words) == "（100字以内）"
    assert left_text("请填写" + long, words) == "请填写" + long[:20]  # quoted briefly


def test_the_words_come_from_the_settings(tmp_path):
    folder = tmp_path / "ev"
    init_folder(folder, 2024, "某县")
    config = folder / "perfeval.toml"
    text = config.read_text(encoding="utf-8")
    start = text.index("placeholder_words = [")
    end = text.index("]", start) + 1
    config.write_text(text[:start] + 'placeholder_words = ["无数据"]' + text[end:], "utf-8")
    mine = vocabulary(load_settings(folder))
    assert left_text("无数据", mine) == "无数据"
    assert left_text("略", mine) is None
    assert left_text("（100字以内）", mine) == "（100字以内）"  # the other lists as bundled


@pytest.mark.parametrize("value", ['"XX"', "[1, 2]", '["XX", ""]'])
def test_a_word_list_of_the_wrong_kind_is_refused(tmp_path, value):
    folder = tmp_path / "ev"
    init_folder(folder, 2024, "某县")
    config = folder / "perfeval.toml"
    text = config.read_text(encoding="utf-8")
    start = text.index("placeholder_words = [")
    end = text.index("]", start) + 1
    config.write_text(text[:start] + f"placeholder_words = {value}" + text[end:], "utf-8")
    with pytest.raises(ConfigError) as err:
        load_settings(folder)
    assert "[rules] placeholder_words" in err.value.message


def _info_row(path, label):
    """Row of a label in column A of 基本信息 of an issued workbook."""
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        labels = [v for (v,) in book[INFO].iter_rows(max_col=1, values_only=True)]
    finally:
        book.close()
    return 1 + [v.strip() if isinstance(v, str) else v for v in labels].index(label)


def _found(folder, name):
    return sorted((f for f in validate(folder.ws).findings if f.file == name), key=lambda f: f.key)


def test_every_text_cell_a_clerk_fills_is_checked(folder):
    fw = folder.framework("P1")
    rate = next(i for i in fw.leaves if i.computed)
    fill = full_fill(
        fw,
        **{
            "1.1.1": {"score": 2, "reason": "（不超过300字）"},  # below full marks
            "1.1.2": {"reason": "略"},  # full marks: a reason not needed, still no content
            "3.1.1": {"actual": "待定"},  # quantitative actual
            rate.code: {"reason": "对照年度目标，说明……"},
        },
    )
    fill.overview = "对照年度目标，说明……（１００字以内）"
    fill.outputs = "XXX"
    fill.adjustment = "（请说明预算调整原因）"
    fill.problems = [
        {"category": "C1", "description": "请填写问题描述……", "measure": "××"},
        {"category": "D2", "description": "项目进度滞后", "measure": "加强进度管理"},
    ]
    path = folder.fill("P1", fill)
    name = path.name
    found = _found(folder, name)
    src = folder.issued["P1"]
    reason, actual = "L", "J"
    assert [f.key for f in found] == sorted(
        [
            (name, IND, f"{reason}{row_of(fw, '1.1.1')}", CODE),
            (name, IND, f"{reason}{row_of(fw, '1.1.2')}", CODE),
            (name, IND, f"{actual}{row_of(fw, '3.1.1')}", CODE),
            (name, IND, f"{reason}{row_of(fw, rate.code)}", CODE),
            (name, INFO, f"B{_info_row(src, L.NARRATIVE_FIELDS['overview'])}", CODE),
            (name, INFO, f"B{_info_row(src, L.NARRATIVE_FIELDS['outputs'])}", CODE),
            (name, INFO, f"B{_info_row(src, L.ADJUSTMENT_LABEL)}", CODE),
            (name, PROB, f"C{L.PROB_FIRST_ROW}", CODE),
            (name, PROB, f"D{L.PROB_FIRST_ROW}", CODE),
        ]
    )
    assert all(f.is_error and f.item_id == "P1" for f in found)
    (overview,) = [f for f in found if f.sheet == INFO and f.message.startswith("“项目（部门）")]
    # the field named, the fragment quoted as the clerk typed it
    assert overview.message == (
        "“项目（部门）概述”中留有填报说明或占位文字“对照年度目标，说明……（１００字以内）”，"
        "不是实际填写的内容。"
    )
    assert "实际情况" in overview.hint
    (reason_found,) = [f for f in found if f.cell == f"{reason}{row_of(fw, '1.1.1')}"]
    assert "立项依据充分性的偏差原因分析及改进措施" in reason_found.message
    assert "（不超过300字）" in reason_found.message


def test_own_indicators_actual_values_are_checked(folder):
    fw = folder.framework("S1")
    first, second = custom_code("1.1", 1), custom_code("1.2", 1)
    fill = full_fill(
        fw,
        **{
            first: {"actual": "XX%"},
            second: {"direction": "定性", "target": "有效提升", "unit": "", "actual": "（请填写）"},
        },
    )
    name = folder.fill("S1", fill).name
    assert [f.key for f in _found(folder, name)] == sorted(
        [
            (name, IND, f"J{row_of(fw, first)}", CODE),
            (name, IND, f"J{row_of(fw, second)}", CODE),
        ]
    )


def test_a_dropdown_value_is_reported_once_as_not_in_the_list(folder):
    """A framework's 定性 row takes only its grades: text left there is not a grade (PE-VOCAB)."""
    fw = folder.framework("P1")
    name = folder.fill("P1", full_fill(fw, **{"1.1.1": {"actual": "（请选择）"}})).name
    codes = [f.code for f in _found(folder, name)]
    assert CODE not in codes
    assert len(codes) == 1


def test_real_sentences_pass(folder):
    fw = folder.framework("P1")
    fill = full_fill(
        fw,
        **{
            "1.1.1": {"score": 2, "reason": "情况说明已报送，论证材料不完整（缺少2份）。"},
            "1.1.2": {"reason": "详见附件说明"},
        },
    )
    fill.overview = "XX县第一中学教学楼建设项目，情况说明已报送县财政局。"
    fill.outputs = "完成教学楼1栋，具体交付时间待定。"
    fill.problems = [
        {"category": "D2", "description": "项目进度滞后，原因说明见附件", "measure": "加强管理"},
    ]
    name = folder.fill("P1", fill).name
    assert _found(folder, name) == []


def test_a_blank_or_placeholder_the_reader_knows_is_reported_as_before(folder):
    """'XX' alone is a placeholder the reader already treats as nothing (PE-CELL-004)."""
    fill = full_fill(folder.framework("P1"))
    fill.overview = "XX"
    name = folder.fill("P1", fill).name
    assert [f.code for f in _found(folder, name)] == ["PE-CELL-004"]
