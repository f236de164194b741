"""An evaluation folder: creating it (``perfeval init``) and opening it for every other command."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from perfeval.check.catalogue import Code, Finding, finding
from perfeval.config.framework import Framework, FrameworkRegistry
from perfeval.config.framework_file import load_frameworks
from perfeval.config.roster import Roster, RosterItem, load_roster, write_roster
from perfeval.config.settings import CONFIG_NAME, PATH_KEYS, Settings, load_settings
from perfeval.errors import ConfigError
from perfeval.machinery import own_files
from perfeval.machinery.atomic import make_folder, write_bytes, write_text
from perfeval.machinery.resources import bundled_frameworks_dir, defaults_file
from perfeval.targets.apply import apply_targets
from perfeval.targets.columns import configured_columns
from perfeval.targets.load import load_targets
from perfeval.targets.model import TargetBook

#: the parsed roster, kept between commands (see load_roster); deleting it is always safe
ROSTER_MEMO = own_files.ROSTER_MEMO


@dataclass
class Workspace:
    """Everything a command needs about one evaluation: settings, frameworks, roster, and (read
    when first needed) each project's approved targets."""

    settings: Settings
    frameworks: FrameworkRegistry
    roster: Roster
    _targets: TargetBook | None = field(default=None, repr=False)
    _own: dict[str, tuple[Framework | None, list[Finding]]] = field(
        default_factory=dict, repr=False
    )

    @property
    def folder(self) -> Path:
        return self.settings.folder

    @property
    def targets(self) -> TargetBook:
        """The 绩效目标/ folder, read once (empty when the folder has none)."""
        if self._targets is None:
            s = self.settings
            self._targets = load_targets(
                self.folder / TARGETS_KEY,
                self.roster.items,
                columns=configured_columns(s.raw),
                max_bytes=s.max_file_bytes,
                max_uncompressed=s.max_uncompressed_bytes,
                workers=max(s.workers, 0),
                timeout=s.file_timeout,
                memory_mb=s.worker_memory_mb,
            )
        return self._targets

    def framework_for(self, item: RosterItem) -> Framework | None:
        """The framework ``item`` is issued and checked with: its roster framework, made the
        project's own from its targets where the framework leaves indicators to them."""
        return self._own_framework(item)[0]

    def _own_framework(self, item: RosterItem) -> tuple[Framework | None, list[Finding]]:
        done = self._own.get(item.item_id)
        if done is None:
            fw = self.frameworks.get(item.framework_id)
            findings: list[Finding] = []
            if fw is not None and fw.target_driven:
                project = self.targets.get(item.item_id)
                if project is None:
                    ref = self.roster.ref(item, "item_id")
                    findings.append(
                        finding(
                            Code.TARGET_MISSING,
                            ref,
                            item_id=item.item_id,
                            framework=fw.name,
                            folder=TARGETS_KEY,
                        )
                    )
                else:
                    fw, findings, _ = apply_targets(fw, project)
            done = self._own[item.item_id] = (fw, findings)
        return done

    @property
    def uses_targets(self) -> bool:
        """A framework takes indicators from targets, or the folder holds targets."""
        return (self.folder / TARGETS_KEY).is_dir() or any(
            fw.target_driven for fw in self.frameworks
        )

    def target_findings(self) -> list[Finding]:
        """Findings about the targets: their files, and each roster item's own framework."""
        if not self.uses_targets:
            return []
        out = list(self.targets.findings)
        for item in self.roster.items:
            out += self._own_framework(item)[1]
        return out


#: folders of the evaluation folder; the key is how messages name them
TEMPLATES_KEY = "模板"  # the folder's own report templates (render.report.template_path)
TARGETS_KEY = "绩效目标"  # each project's approved targets (perfeval.targets)
RECTIFY_KEY = "整改"  # ledgers of last year's problems (perfeval.rectify)
#: [paths] keys that name folders
FOLDER_KEYS = ("issued", "returned", "output", "returns", "frameworks")
#: a path setting may lie inside another only as listed here (annotated copies among outputs)
NESTING_ALLOWED = {("returns", "output")}


def _inside(inner: PurePath, outer: PurePath) -> bool:
    """``inner`` is ``outer`` or lies below it. Compared without regard to case and to trailing
    dots and spaces: on Windows and macOS "Returned" and "returned." can be one folder."""
    a, b = _key(inner), _key(outer)
    return a == b or b in a.parents


def _key(path: PurePath) -> PurePath:
    return PurePath(*(part.casefold().rstrip(". ") or part for part in path.parts))


def _lexical(folder: Path, value: str) -> PurePath:
    """Where a path setting points, from the words alone (no link followed): ``..`` undone."""
    return PurePath(os.path.normpath(folder / value))


def check_paths(settings: Settings) -> None:
    """Refuse path settings that would make perfeval read, write or remove in the wrong place:
    one that is the evaluation folder itself or holds it, one outside the folder without the
    ``[paths] outside_folder`` opt-in, and two that are the same place or lie one inside the
    other (after links are followed, too). Raises :class:`ConfigError` naming the settings."""
    folder = Path(os.path.abspath(settings.folder))  # "." would be inside "../x" (its parent)
    source = settings.folder / CONFIG_NAME
    where = {key: f"[paths] {key}" for key in PATH_KEYS}
    where[TEMPLATES_KEY] = f"“{TEMPLATES_KEY}”文件夹"
    where[TARGETS_KEY] = f"“{TARGETS_KEY}”文件夹"
    where[RECTIFY_KEY] = f"“{RECTIFY_KEY}”文件夹"
    given = {key: settings.paths[key] for key in PATH_KEYS}
    problems = [
        f"{where[key]} 中含有控制字符（如换行、空字符），不能作为文件或文件夹名称。"
        for key, value in given.items()
        if any(ord(c) < 32 or ord(c) == 127 for c in value)
    ]
    if problems:
        _refuse_paths(problems, source)
    root = _lexical(folder, ".")
    lexical = {key: _lexical(folder, value) for key, value in given.items()}
    lexical[TEMPLATES_KEY] = _lexical(folder, TEMPLATES_KEY)
    lexical[TARGETS_KEY] = _lexical(folder, TARGETS_KEY)
    lexical[RECTIFY_KEY] = _lexical(folder, RECTIFY_KEY)
    for key, place in lexical.items():
        if key in (TEMPLATES_KEY, TARGETS_KEY, RECTIFY_KEY):
            continue
        if _inside(root, place):
            problems.append(f"{where[key]} = “{given[key]}” 指向评价文件夹本身或其上级文件夹。")
        elif not _inside(place, root) and not settings.outside_folder:
            problems.append(
                f"{where[key]} = “{given[key]}” 在评价文件夹之外；如确需如此，"
                "请在 [paths] 中设 outside_folder = true。"
            )
    for key in FOLDER_KEYS:
        place = settings.path(key)
        if os.path.lexists(place) and not place.is_dir():
            problems.append(f"{where[key]} = “{given[key]}” 不是文件夹（而是文件或失效的链接）。")
    if not problems:
        problems += _overlaps(lexical, where, given)
    if not problems:  # the same, with links followed: 回收 may be a link to 输出
        try:
            resolved = {key: Path(place).resolve() for key, place in lexical.items()}
            real_root = Path(root).resolve()
        except (OSError, RuntimeError, ValueError):  # a link loop: reading or writing fails later
            resolved, real_root = {}, Path(root)
        for key, place in resolved.items():
            if key not in (TEMPLATES_KEY, TARGETS_KEY) and _inside(real_root, place):
                problems.append(f"{where[key]} 经过链接后指向评价文件夹本身或其上级文件夹。")
        problems += _overlaps(resolved, where, given, linked=True)
    if problems:
        _refuse_paths(problems, source)


def _refuse_paths(problems: list[str], source: Path) -> None:
    lines = "\n".join(f"· {p}" for p in problems)
    raise ConfigError(
        f"配置文件中的路径设置有误，为避免读写或删除错误位置的文件，未执行：\n{lines}",
        path=source,
        hint="请按上面的说明修改 [paths]：每一项指向评价文件夹中一个不同的、互不包含的位置"
        "（退回修改可以在输出之中），需要是文件夹的不能是文件；默认值见配置文件中的注释。",
    )


def _overlaps(
    places: dict[str, PurePath], where: dict[str, str], given: dict[str, str], linked: bool = False
) -> list[str]:
    out = []
    keys = list(places)
    for n, a in enumerate(keys):
        for b in keys[n + 1 :]:
            pa, pb = places[a], places[b]
            if _key(pa) == _key(pb):
                how = "指向同一位置"
            elif _inside(pa, pb) and (a, b) not in NESTING_ALLOWED:
                how = "前者在后者之中"
            elif _inside(pb, pa) and (b, a) not in NESTING_ALLOWED:
                how = "后者在前者之中"
            else:
                continue
            shown = [f"{where[k]}（“{given[k]}”）" if k in given else where[k] for k in (a, b)]
            via = "经过链接后" if linked else ""
            out.append(f"{shown[0]}与{shown[1]}{via}{how}。")
    return out


def check_folder(folder: Path) -> None:
    """The evaluation folder given on the command line is a folder (not 项目清单.xlsx)."""
    if folder.exists() and not folder.is_dir():
        raise ConfigError(
            "这是一个文件，不是评价文件夹。",
            path=folder,
            hint="命令后面应写评价文件夹，例如 perfeval run 2024-某某县；不写时使用当前文件夹。",
        )


def open_workspace(folder: Path) -> Workspace:
    folder = Path(folder)
    check_folder(folder)
    settings = load_settings(folder)
    check_paths(settings)
    registry = load_frameworks(bundled_frameworks_dir(), settings.path("frameworks"))
    if not len(registry):
        raise ConfigError("没有可用的指标体系。", path=settings.path("frameworks"))
    memo = Path(folder) / ROSTER_MEMO if settings.use_cache else None
    roster = load_roster(settings, registry, memo=memo)
    return Workspace(settings, registry, roster)


def _toml_string(text: str) -> str:
    """A TOML basic string: backslash, quote and every control character escaped."""
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif ord(char) < 32 or ord(char) == 127:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def render_config(year: int, region: str, bureau: str, region_code: str = "") -> str:
    """The folder's perfeval.toml: the bundled defaults with this evaluation's facts filled in."""
    text = defaults_file().read_text(encoding="utf-8")
    head, sep, rest = text.partition("[paths]")
    head = re.sub(r"(?m)^year = \d+", f"year = {year}", head, count=1)
    region_line, bureau_line = (
        f"region = {_toml_string(region)}",
        f"bureau = {_toml_string(bureau)}",
    )
    head = re.sub(r'(?m)^region = ""', lambda _: region_line, head, count=1)
    head = re.sub(r'(?m)^bureau = ""', lambda _: bureau_line, head, count=1)
    if region_code:
        code_line = f"region_code = {_toml_string(region_code)}"
        head = re.sub(r'(?m)^region_code = ""', lambda _: code_line, head, count=1)
    head = head.replace("# perfeval 默认配置（随软件发布）。", "# perfeval 评价文件夹配置。", 1)
    return head + sep + rest


def init_folder(
    folder: Path, year: int, region: str, bureau: str = "", region_code: str = ""
) -> Workspace:
    """Create an evaluation folder with its config, an empty roster, frameworks and sub-folders."""
    folder = Path(folder)
    check_folder(folder)
    config = folder / CONFIG_NAME
    if config.exists():
        raise ConfigError(
            "该文件夹已经是评价文件夹。",
            path=config,
            hint="如需重新创建，请换一个文件夹，或先删除其中的 perfeval.toml。",
        )
    wrong = [
        f"{name}{why}"
        for name, value, why in (
            ("年度", year, "应为2000至2100之间的四位年份"),
            ("地区", region, "不能为空，也不能含有换行等控制字符"),
            ("财政局名称", bureau or "-", "不能含有换行等控制字符"),
        )
        if (name == "年度" and not 2000 <= value <= 2100)
        or (name != "年度" and (not value.strip() or any(ord(c) < 32 for c in value)))
    ]
    if wrong:
        raise ConfigError(
            "未创建评价文件夹：" + "；".join(wrong) + "。",
            hint="例如 perfeval init 2024-某某县 --year 2024 --region 某某县",
        )
    make_folder(folder)
    write_text(config, render_config(year, region, bureau or f"{region}财政局", region_code))
    try:
        settings = load_settings(folder)
        check_paths(settings)
    except ConfigError:  # only the file just written is taken back: init can be run again
        config.unlink(missing_ok=True)
        raise
    for key in ("issued", "returned", "output", "frameworks"):
        make_folder(settings.path(key))
    for source in sorted(bundled_frameworks_dir().glob("*.xlsx")):
        target = settings.path("frameworks") / source.name
        if not target.exists():
            write_bytes(target, source.read_bytes())
    registry = load_frameworks(bundled_frameworks_dir(), settings.path("frameworks"))
    if not settings.path("roster").exists():
        write_roster(settings.path("roster"), [], settings, registry)
    return open_workspace(folder)
