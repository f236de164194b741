"""An evaluation folder: creating it (``perfeval init``) and opening it for every other command."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from perfeval.errors import ConfigError
from perfeval.framework import FrameworkRegistry, load_frameworks
from perfeval.resources import bundled_frameworks_dir, defaults_file
from perfeval.roster import Roster, load_roster, write_roster
from perfeval.settings import CONFIG_NAME, Settings, load_settings

#: the parsed roster, kept between commands (see load_roster); deleting it is always safe
ROSTER_MEMO = ".perfeval-roster.cache"


@dataclass
class Workspace:
    """Everything a command needs about one evaluation: settings, frameworks, roster."""

    settings: Settings
    frameworks: FrameworkRegistry
    roster: Roster

    @property
    def folder(self) -> Path:
        return self.settings.folder


def open_workspace(folder: Path) -> Workspace:
    settings = load_settings(Path(folder))
    registry = load_frameworks(bundled_frameworks_dir(), settings.path("frameworks"))
    if not len(registry):
        raise ConfigError("没有可用的指标体系。", path=settings.path("frameworks"))
    memo = Path(folder) / ROSTER_MEMO if settings.use_cache else None
    roster = load_roster(settings, registry, memo=memo)
    return Workspace(settings, registry, roster)


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_config(year: int, region: str, bureau: str) -> str:
    """The folder's perfeval.toml: the bundled defaults with this evaluation's facts filled in."""
    text = defaults_file().read_text(encoding="utf-8")
    head, sep, rest = text.partition("[paths]")
    head = re.sub(r"(?m)^year = \d+", f"year = {year}", head, count=1)
    head = re.sub(r'(?m)^region = ""', f"region = {_toml_string(region)}", head, count=1)
    head = re.sub(r'(?m)^bureau = ""', f"bureau = {_toml_string(bureau)}", head, count=1)
    head = head.replace("# perfeval 默认配置（随软件发布）。", "# perfeval 评价文件夹配置。", 1)
    return head + sep + rest


def init_folder(folder: Path, year: int, region: str, bureau: str = "") -> Workspace:
    """Create an evaluation folder with its config, an empty roster, frameworks and sub-folders."""
    folder = Path(folder)
    config = folder / CONFIG_NAME
    if config.exists():
        raise ConfigError(
            "该文件夹已经是评价文件夹。",
            path=config,
            hint="如需重新创建，请换一个文件夹，或先删除其中的 perfeval.toml。",
        )
    folder.mkdir(parents=True, exist_ok=True)
    config.write_text(render_config(year, region, bureau or f"{region}财政局"), encoding="utf-8")
    settings = load_settings(folder)
    for key in ("issued", "returned", "output", "frameworks"):
        settings.path(key).mkdir(parents=True, exist_ok=True)
    for source in sorted(bundled_frameworks_dir().glob("*.xlsx")):
        target = settings.path("frameworks") / source.name
        if not target.exists():
            shutil.copyfile(source, target)
    registry = load_frameworks(bundled_frameworks_dir(), settings.path("frameworks"))
    if not settings.path("roster").exists():
        write_roster(settings.path("roster"), [], settings, registry)
    return open_workspace(folder)
