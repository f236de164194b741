"""Opening the archive: where it is, bringing its tables up to date, and every way that can fail
told in Chinese (exit 2), with nothing archived lost.

The archive is a SQLite file beside the year folders unless ``[archive] url`` or the environment
variable ``PERFEVAL_ARCHIVE_URL`` names a database server (any SQLAlchemy URL; PostgreSQL and
compatible servers are tested). Its tables are created and upgraded by the Alembic migrations in
``migrations/``; an archive that a newer perfeval upgraded is refused, never downgraded.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import exc
from sqlalchemy.pool import NullPool  # a command opens the archive a few times: nothing to keep

from perfeval.config.settings import Settings
from perfeval.errors import PerfevalError

ENV_URL = "PERFEVAL_ARCHIVE_URL"
MIGRATIONS = Path(__file__).parent / "migrations"
_MIGRATION_LOCK = 725_310_001  # a PostgreSQL advisory lock: one process migrates at a time


class ArchiveError(PerfevalError):
    """The archive cannot be opened, read or written; nothing in it was changed."""


class NoArchive(ArchiveError):
    """There is no archive yet (a reader asked for a SQLite file that does not exist)."""


@dataclass(frozen=True)
class Archive:
    engine: sa.Engine
    shown: str  # where it is, for messages: a file path, or the URL without its password

    @property
    def server(self) -> bool:
        return self.engine.dialect.name != "sqlite"

    @contextmanager
    def writing(self):
        """One transaction that holds the write lock for its whole length (SQLite: BEGIN
        IMMEDIATE, so two writers queue instead of failing half-way)."""
        with translated(self.shown), self.engine.begin() as conn:
            yield conn

    @contextmanager
    def reading(self):
        with translated(self.shown), self.engine.connect() as conn:
            yield conn


def archive_url(settings: Settings) -> str:
    """The archive's SQLAlchemy URL: the environment's, the folder's ``[archive] url``, or the
    SQLite file ``[archive] database`` relative to the evaluation folder."""
    given = os.environ.get(ENV_URL, "").strip() or settings.raw["archive"]["url"].strip()
    if given:
        return given
    path = (settings.folder / settings.raw["archive"]["database"]).resolve()
    return f"sqlite:///{path}"


def open_archive(url: str, *, wait: float = 30, create: bool = True) -> Archive:
    """The archive at ``url``, its tables brought to this perfeval's version. ``create``: make a
    new SQLite file when there is none (reading commands pass False)."""
    try:
        parsed = sa.make_url(url)
    except exc.ArgumentError as e:
        raise ArchiveError(
            "档案数据库地址的格式不对。",
            hint='SQLite 文件写成 "sqlite:///D:/绩效档案/档案.sqlite"，服务器写成 '
            '"postgresql+psycopg://用户@服务器:5432/数据库"。',
        ) from e
    shown = parsed.render_as_string(hide_password=True)
    if parsed.get_backend_name() == "sqlite":
        shown = parsed.database or ":memory:"
        _check_sqlite_file(Path(shown), create)
    archive = Archive(_engine(parsed, wait), shown)
    migrate(archive)
    return archive


def _check_sqlite_file(path: Path, create: bool) -> None:
    if path.is_file():
        return
    if path.exists():
        raise ArchiveError("档案位置上不是文件。", path=path)
    if not create:
        raise NoArchive(
            "还没有绩效档案。", path=path, hint="先在评价文件夹中运行 perfeval archive 归档。"
        )
    if not path.parent.is_dir():
        raise ArchiveError(
            "档案所在的文件夹不存在。",
            path=path.parent,
            hint="请先建立该文件夹，或在 perfeval.toml 的 [archive] database 中改写位置。",
        )


def _engine(url: sa.URL, wait: float) -> sa.Engine:
    try:
        if url.get_backend_name() != "sqlite":
            return sa.create_engine(url, poolclass=NullPool)
        engine = sa.create_engine(url, poolclass=NullPool, connect_args={"timeout": wait})
    except exc.NoSuchModuleError as e:
        raise ArchiveError(
            f"本机没有连接“{url.get_backend_name()}”数据库的驱动。",
            hint='连接 PostgreSQL 请安装：python -m pip install "perfeval[postgres]"',
        ) from e
    except ImportError as e:
        raise ArchiveError(
            f"本机没有连接数据库所需的程序包（{e.name}）。",
            hint='连接 PostgreSQL 请安装：python -m pip install "perfeval[postgres]"',
        ) from e

    @sa.event.listens_for(engine, "connect")
    def _manual_transactions(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # SQLAlchemy, not sqlite3, begins them

    @sa.event.listens_for(engine, "begin")
    def _immediate(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _scripts() -> ScriptDirectory:
    return ScriptDirectory(str(MIGRATIONS))


def head_revision() -> str:
    return _scripts().get_current_head() or ""


def migrate(archive: Archive) -> None:
    """Create or upgrade the archive's tables, in one transaction; refuse an archive a newer
    perfeval made, or a database that holds other tables and is not an archive."""
    scripts = _scripts()
    known = {s.revision for s in scripts.walk_revisions()}
    with archive.writing() as conn:
        if archive.server and conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
        current = MigrationContext.configure(conn).get_current_revision()
        if current is None and sa.inspect(conn).get_table_names():
            raise ArchiveError(
                "该数据库中已有其他数据，不是 perfeval 的绩效档案。",
                path=archive.shown,
                hint="请为绩效档案单独建一个数据库（或换一个档案文件）。",
            )
        if current is not None and current not in known:
            raise ArchiveError(
                "绩效档案由更新版本的 perfeval 建立或升级过，本机的 perfeval 无法使用。",
                path=archive.shown,
                hint="请把本机的 perfeval 升级到与其他使用该档案的电脑相同的版本。",
            )
        if current != scripts.get_current_head():
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS))
            config.attributes["connection"] = conn
            command.upgrade(config, "head")


@contextmanager
def translated(shown: str):
    """Database errors as :class:`ArchiveError` with what to do, in Chinese."""
    try:
        yield
    except exc.DBAPIError as e:
        detail = str(e.orig or e).splitlines()[0][:200] if str(e.orig or e) else ""
        message, hint = _explained(detail.lower(), isinstance(e, exc.OperationalError))
        raise ArchiveError(f"{message}（{detail}）", path=shown, hint=hint) from e


def _explained(text: str, operational: bool) -> tuple[str, str]:
    if "locked" in text or "busy" in text:
        return "绩效档案正被另一个程序使用，等待后仍未释放。", "请稍后再试。"
    if "not a database" in text or "malformed" in text:
        return "档案文件已损坏或不是数据库文件。", "请从备份恢复档案文件。"
    if "unable to open" in text or "readonly" in text or "read-only" in text:
        return "无法打开或写入档案文件。", "请检查该文件和所在文件夹的权限。"
    if operational:
        return (
            "无法连接绩效档案数据库。",
            "请检查服务器地址、端口、用户名和密码，以及服务器是否已启动、允许本机连接。",
        )
    return "绩效档案数据库报错，本次没有写入。", "请把这条信息发给系统管理员。"
