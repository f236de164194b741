from decimal import Decimal

import pytest

from perfeval.errors import ConfigError
from perfeval.settings import load_settings
from perfeval.workspace import init_folder


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
    assert len(list(s.path("frameworks").glob("*.xlsx"))) == 3


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
