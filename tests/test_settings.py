from decimal import Decimal

import pytest

from perfeval.config.settings import load_settings
from perfeval.config.workspace import init_folder
from perfeval.errors import ConfigError


def test_init_writes_a_complete_config(tmp_path):
    ws = init_folder(tmp_path / "ev", 2023, "某某县")
    s = ws.settings
    assert (s.year, s.region, s.bureau) == (2023, "某某县", "某某县财政局")
    assert s.coverage_min == Decimal("0.2")
    assert [g.name for g in s.grades] == ["优", "良", "中", "差"]
    assert len(s.problem_categories) >= 20
    for key in ("issued", "returned", "output", "frameworks"):
        assert s.path(key).is_dir()
    assert s.path("roster").is_file()
    assert len(list(s.path("frameworks").glob("*.xlsx"))) == 6


@pytest.mark.parametrize(
    ("total", "grade"),
    [
        ("100", "优"),
        ("90.00", "优"),
        ("89.99", "良"),
        ("80", "良"),
        ("79.99", "中"),
        ("60", "中"),
        ("59.99", "差"),
        ("0", "差"),
    ],
)
def test_grade_bands_lower_bound_inclusive(tmp_path, total, grade):
    s = init_folder(tmp_path / "ev", 2024, "某县").settings
    assert s.grade_for(Decimal(total)).name == grade


def test_folder_config_overrides_defaults(tmp_path):
    folder = tmp_path / "ev"
    init_folder(folder, 2024, "某县")
    config = folder / "perfeval.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("coverage_min = 0.20", "coverage_min = 0.3"),
        encoding="utf-8",
    )
    assert load_settings(folder).coverage_min == Decimal("0.3")


def test_bad_config_is_reported_with_the_file(tmp_path):
    folder = tmp_path / "ev"
    init_folder(folder, 2024, "某县")
    config = folder / "perfeval.toml"
    text = config.read_text(encoding="utf-8").replace("min = 80", "min = 95")
    config.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match="从高到低") as err:
        load_settings(folder)
    assert "perfeval.toml" in err.value.render()


def test_missing_config(tmp_path):
    with pytest.raises(ConfigError, match="找不到配置文件"):
        load_settings(tmp_path)


def test_init_refuses_an_existing_folder(tmp_path):
    init_folder(tmp_path / "ev", 2024, "某县")
    with pytest.raises(ConfigError, match="已经是评价文件夹"):
        init_folder(tmp_path / "ev", 2024, "某县")


def test_a_folder_made_before_self_evaluations_were_marked_gets_the_mark(tmp_path):
    """Older folders list [[kinds]] without self_evaluation: the defaults complete a kind of the
    same name, and a folder can still say false (or name kinds of its own)."""
    folder = tmp_path / "ev"
    init_folder(folder, 2024, "某县")
    config = folder / "perfeval.toml"
    text = config.read_text(encoding="utf-8")
    assert "self_evaluation = true" in text
    config.write_text(text.replace("self_evaluation = true\n", ""), encoding="utf-8")
    settings = load_settings(folder)
    assert settings.is_self_evaluation("单位自评")
    assert not settings.is_self_evaluation("重点项目")
    assert [k.noun for k in settings.kinds] == ["重点项目", "部门整体支出", "单位自评项目"]
    config.write_text(
        text.replace("self_evaluation = true", "self_evaluation = false"), encoding="utf-8"
    )
    assert not load_settings(folder).is_self_evaluation("单位自评")


# --- the schema: every setting checked in one place (issue 21) ---------------------------------


def _config_with(folder, old: str, new: str) -> None:
    config = folder / "perfeval.toml"
    text = config.read_text(encoding="utf-8")
    assert old in text, old
    config.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "named"),
    [
        ("workers = 0", 'workers = "many"', "[run] workers"),
        ("file_timeout_seconds = 60", 'file_timeout_seconds = "abc"', "[run] file_timeout_seconds"),
        ("file_timeout_seconds = 60", "file_timeout_seconds = 0", "[run] file_timeout_seconds"),
        (
            "detail_sheet_max_rows = 50000",
            'detail_sheet_max_rows = "x"',
            "[run] detail_sheet_max_rows",
        ),
        ("cache = true", 'cache = "false"', "[run] cache"),
        ("coverage_min = 0.20", "coverage_min = -1", "[rules] coverage_min"),
        ("coverage_min = 0.20", "coverage_min = 5", "[rules] coverage_min"),
        ("score_tolerance = 0.01", "score_tolerance = -0.5", "[rules] score_tolerance"),
        ("max_file_mb = 50", "max_file_mb = -5", "[rules] max_file_mb"),
        ("max_file_mb = 50", "max_file_mb = nan", "[rules] max_file_mb"),
        ("min = 90", "min = 200", "[[grades]] 第1项 min"),
        ("workers = 0", "workers = 2.5", "[run] workers"),
        ("workers = 0", "workers = true", "[run] workers"),
        ('annotated_copy = "mark"', 'annotated_copy = "copy"', "[run] annotated_copy"),
        ("report_names = 20", "report_names = 0", "[format] report_names"),
        ('report_date = ""', 'report_date = "2025-13-01"', "[evaluation] report_date"),
    ],
)
def test_a_nonsense_setting_is_refused_by_name(tmp_path, old, new, named):
    folder = tmp_path / "ev"
    init_folder(folder, 2024, "某县")
    _config_with(folder, old, new)
    with pytest.raises(ConfigError) as err:
        load_settings(folder)
    assert named in err.value.message
    assert err.value.exit_code == 2
    assert err.value.path.endswith("perfeval.toml")


@pytest.mark.parametrize(
    ("key", "header"), [("evaluation", "[evaluation]"), ("grades", "[[grades]]")]
)
def test_a_section_of_the_wrong_shape_is_refused(tmp_path, key, header):
    """``evaluation = 5`` or ``grades = [1, 2]`` written instead of the section itself."""
    folder = tmp_path / "ev"
    init_folder(folder, 2024, "某县")
    config = folder / "perfeval.toml"
    text = config.read_text(encoding="utf-8").replace(header, header.replace(key, f"old_{key}"))
    wrong = "5" if key == "evaluation" else "[1, 2]"
    config.write_text(f"{key} = {wrong}\n" + text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_settings(folder)
    assert f"{key} 应" in err.value.message


def test_every_refused_value_is_listed_at_once(tmp_path):
    folder = tmp_path / "ev"
    init_folder(folder, 2024, "某县")
    _config_with(folder, "workers = 0", 'workers = "many"')
    _config_with(folder, "cache = true", 'cache = "false"')
    _config_with(folder, "coverage_min = 0.20", "coverage_min = 5")
    with pytest.raises(ConfigError) as err:
        load_settings(folder)
    for named in ("[run] workers", "[run] cache", "[rules] coverage_min"):
        assert named in err.value.message


def test_an_unknown_key_is_a_warning_naming_it_and_the_likely_one(tmp_path):
    folder = tmp_path / "ev"
    init_folder(folder, 2024, "某县")
    _config_with(folder, "workers = 0", "wokers = 4")
    _config_with(folder, "[lists]", "[list_s]\nx = 1\n[lists]")
    settings = load_settings(folder)
    assert settings.workers == 0  # the typo changed nothing
    cells = {(f.code, f.file, f.cell) for f in settings.notes}
    assert cells == {
        ("PE-CONF-001", "perfeval.toml", "[run] wokers"),
        ("PE-CONF-001", "perfeval.toml", "[list_s]"),
    }
    assert "workers" in next(f.message for f in settings.notes if f.cell == "[run] wokers")


def test_quoted_numbers_and_toml_dates_are_understood(tmp_path):
    folder = tmp_path / "ev"
    init_folder(folder, 2024, "某县")
    _config_with(folder, "coverage_min = 0.20", 'coverage_min = "0.25"')
    _config_with(folder, 'report_date = ""', "report_date = 2025-03-16")
    settings = load_settings(folder)
    assert settings.coverage_min == Decimal("0.25")
    assert str(settings.report_date) == "2025-03-16"


def test_every_default_setting_is_in_the_schema_and_the_other_way_round():
    import tomllib

    from perfeval.config.settings_schema import SECTIONS, TABLES, check_config
    from perfeval.machinery.resources import defaults_file

    raw = tomllib.loads(defaults_file().read_text(encoding="utf-8"))
    assert check_config(raw) == []
    for section, specs in SECTIONS.items():
        assert set(raw[section]) == set(specs), section
    for name, fields in TABLES.items():
        assert {k for e in raw[name] for k in e} <= set(fields), name


def test_config_with_a_byte_order_mark_is_read(tmp_path):
    """Old Windows Notepad saves UTF-8 with a BOM: unambiguous, so it is simply accepted."""
    folder = tmp_path / "ev"
    init_folder(folder, 2024, "某县")
    config = folder / "perfeval.toml"
    config.write_bytes(b"\xef\xbb\xbf" + config.read_bytes())
    assert load_settings(folder).region == "某县"


def test_config_in_gbk_is_refused_with_what_to_do(tmp_path):
    folder = tmp_path / "ev"
    init_folder(folder, 2024, "某县")
    config = folder / "perfeval.toml"
    config.write_bytes(config.read_text(encoding="utf-8").encode("gbk", "replace"))
    with pytest.raises(ConfigError, match="UTF-8") as err:
        load_settings(folder)
    assert err.value.path == str(config)
    assert err.value.hint


def test_config_that_is_a_folder_or_unreadable_is_refused(tmp_path, monkeypatch):
    folder = tmp_path / "ev"
    (folder / "perfeval.toml").mkdir(parents=True)
    with pytest.raises(ConfigError, match="文件夹") as err:
        load_settings(folder)
    assert err.value.path == str(folder / "perfeval.toml")

    other = tmp_path / "ev2"
    init_folder(other, 2024, "某县")
    real = type(other).read_bytes

    def refuse(path):  # root reads any file: a refusal is simulated
        if path.name == "perfeval.toml" and path.parent == other:
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(type(other), "read_bytes", refuse)
    with pytest.raises(ConfigError, match="无法读取配置文件"):
        load_settings(other)


@pytest.mark.parametrize(("year", "region"), [(99999, "某县"), (2024, "某\n县"), (2024, "  ")])
def test_init_refuses_bad_facts_and_leaves_nothing_that_blocks_a_retry(tmp_path, year, region):
    folder = tmp_path / "ev"
    with pytest.raises(ConfigError):
        init_folder(folder, year, region)
    assert not (folder / "perfeval.toml").exists()
    assert init_folder(folder, 2024, "某县").settings.region == "某县"


def test_init_writes_quotes_and_backslashes_safely(tmp_path):
    ws = init_folder(tmp_path / "ev", 2024, '某"县\\', bureau="某\\县财政局")
    assert (ws.settings.region, ws.settings.bureau) == ('某"县\\', "某\\县财政局")
