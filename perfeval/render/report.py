"""Render the annual report from the user-editable templates: Markdown (Jinja2) and Word (docxtpl).

Both use StrictUndefined, so a template that asks for a figure perfeval does not provide fails
loudly instead of printing a blank. Every printed value passes :func:`perfeval.render.text.
visible_text` first (the one rule for characters XML cannot carry; a carriage return becomes a line
break, :func:`~perfeval.render.text.line_breaks`), then is escaped for its format: Markdown syntax
here, XML by Jinja's autoescape for Word (both in the environment's ``finalize``, which runs before
autoescape). So a Word soft line break pasted into a department's text cannot make the Word report
lose the rest of the document's <, > and &, and no \a or \f from data reaches docxtpl, which would
read them as paragraph and page breaks.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta
from lxml.etree import XMLSyntaxError
from markupsafe import Markup

from perfeval.errors import ConfigError
from perfeval.machinery.atomic import atomic_path, write_text
from perfeval.machinery.resources import report_templates_dir
from perfeval.render.text import line_breaks, visible_text

MD_TEMPLATE = "工作总结报告.md.j2"
DOCX_TEMPLATE = "工作总结报告.docx"
# Markdown syntax anywhere in a line (~ strikes text through in GFM), and & where it would start
# an entity reference (&lt; &#60;): R&D stays as written
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")
_MD_ENTITY = re.compile(r"&(?=#?\w+;)")


#: list, heading and rule markers at the start of a line *inside* a value (text from a workbook)
_MD_LINE_START = re.compile(r"(?<=\n)([ \t]*)([+\-=]|\d+[.)])")


def md_escape(value: Any) -> Any:
    """Escape Markdown syntax in every printed value (department text must print literally):
    special characters anywhere, and list, heading and rule markers at the start of a line."""
    if isinstance(value, str):
        value = _MD_SPECIAL.sub(r"\\\1", line_breaks(visible_text(value)))
        if "&" in value:
            value = _MD_ENTITY.sub(r"\\&", value)
        return _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), value)
    return value


def template_path(settings_folder: Path | None, name: str) -> Path:
    """A template in the evaluation folder's ``模板/`` wins over the bundled one."""
    if settings_folder is not None:
        local = settings_folder / "模板" / name
        if local.is_file():
            return local
    return report_templates_dir() / name


def _md_env(folder: Path) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        undefined=jinja2.StrictUndefined,
        finalize=md_escape,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )


def _bundled(template: Path) -> bool:
    try:
        return template.resolve().is_relative_to(report_templates_dir().resolve())
    except (OSError, RuntimeError, ValueError):
        return False


def _unusable(template: Path, exc: BaseException) -> ConfigError:
    """A template of the folder's own (模板/) that failed: its failure, told plainly. A bundled
    template that fails is perfeval's bug and is raised as it is."""
    if _bundled(template):
        raise exc
    if isinstance(exc, UnicodeDecodeError):
        what = "文件不是UTF-8编码"
    else:
        what = f"{type(exc).__name__}：{exc}"[:300]
    return ConfigError(
        f"报告模板无法使用（{what}）。",
        path=template,
        hint="请检查最近对模板的修改；删除评价文件夹“模板”中的这个文件即可改用内置模板。",
    )


def render_markdown(context: dict[str, Any], template: Path) -> str:
    env = _md_env(template.parent)
    try:
        return env.get_template(template.name).render(context)
    except jinja2.UndefinedError as exc:
        raise ConfigError(f"报告模板使用了系统不提供的变量：{exc.message}", path=template) from exc
    except jinja2.TemplateSyntaxError as exc:
        raise ConfigError(
            f"报告模板第{exc.lineno}行语法有误：{exc.message}", path=template
        ) from exc
    except Exception as exc:  # {{ 1/0 }}, an include not found, GBK bytes, a folder
        raise _unusable(template, exc) from exc


def write_markdown(context: dict[str, Any], template: Path, target: Path) -> Path:
    write_text(target, render_markdown(context, template))
    return target


#: docx_template.PROPERTIES as Word names them
_PROPERTY_NAMES = {
    "author": "作者",
    "comments": "备注",
    "identifier": "标识符",
    "language": "语言",
    "subject": "主题",
    "title": "标题",
}


def word_value(value: Any) -> Any:
    """Every printed value before Word's XML escaping: the one rule for characters XML cannot
    carry (docxtpl would also read \\a and \\f in data as paragraph and page breaks), carriage
    returns as line breaks. Text a filter has escaped already (Markup, e.g. from ``|e`` in a
    template) stays Markup, so it is not escaped twice."""
    if not isinstance(value, str):
        return value
    text = line_breaks(visible_text(value))
    if text is value:
        return value
    return Markup(text) if isinstance(value, Markup) else text


def write_docx(context: dict[str, Any], template: Path, target: Path) -> Path:
    from perfeval.render.docx_template import (  # imports docxtpl: only when used
        PROPERTY_LIMIT,
        BrokenTemplate,
        PropertyTooLong,
        ReportTemplate,
    )

    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True, finalize=word_value)
    try:
        doc = ReportTemplate(str(template))
        doc.render(context, jinja_env=env, autoescape=True)
    except jinja2.UndefinedError as exc:
        raise ConfigError(f"报告模板使用了系统不提供的变量：{exc.message}", path=template) from exc
    except jinja2.TemplateSyntaxError as exc:
        raise ConfigError(f"报告模板语法有误：{exc.message}", path=template) from exc
    except (BrokenTemplate, XMLSyntaxError) as exc:  # the body, or a header or footer
        reason = exc.reason if isinstance(exc, BrokenTemplate) else str(exc)
        raise ConfigError(
            f"按报告模板生成的文档结构不完整，未生成报告（{reason}）。",
            path=template,
            hint="模板中的 {% %} 标记可能截断了段落或表格，请检查最近修改的地方。",
        ) from exc
    except PropertyTooLong as exc:
        raise ConfigError(
            f"报告模板的文档属性“{_PROPERTY_NAMES.get(exc.name, exc.name)}”生成后有{exc.length}"
            f"个字，超过 Word 允许的{PROPERTY_LIMIT}个字，未生成报告。",
            path=template,
            hint="请在 Word 的“文件 → 信息 → 属性”中缩短该属性，或不在其中使用单位填写的文字。",
        ) from exc
    except Exception as exc:  # not a Word file, {{ 1/0 }}, ...
        raise _unusable(template, exc) from exc
    with atomic_path(target) as tmp:
        doc.save(str(tmp))
    return target


def undeclared_variables(template: Path, context: dict[str, Any]) -> list[str]:
    """Top-level variables a template uses that the context does not provide; a template that
    cannot be read or parsed is a ConfigError."""
    if not template.is_file():
        raise ConfigError("找不到要检查的模板文件。", path=template)
    try:
        if template.suffix == ".docx":
            from docxtpl import DocxTemplate

            doc = DocxTemplate(str(template))
            return sorted(doc.get_undeclared_template_variables(jinja2.Environment(), context))
        env = _md_env(template.parent)
        source = template.read_text(encoding="utf-8")
        used = meta.find_undeclared_variables(env.parse(source))
    except jinja2.TemplateSyntaxError as exc:
        raise ConfigError(
            f"报告模板第{exc.lineno}行语法有误：{exc.message}", path=template
        ) from exc
    except Exception as exc:
        raise ConfigError(
            f"报告模板无法读取（{type(exc).__name__}）。",
            path=template,
            hint="Word 模板应为 .docx 文件，Markdown 模板应为 UTF-8 编码的文本文件。",
        ) from exc
    return sorted(v for v in used if v not in context)
