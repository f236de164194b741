"""The evaluation folder, its settings and what perfeval writes there."""

from perfeval.check.rule import Rule, W

RULES = {
    "CONFIG_UNKNOWN_KEY": Rule(
        "PE-CONF-001",
        W,
        "未识别的设置",
        "{message}",
        "请核对拼写；设置的名称见 perfeval init 生成的配置文件及其注释。",
    ),
    "OUTPUT_COPIES_MISSING": Rule(
        "PE-OUT-001",
        W,
        "批注副本未能生成",
        "有{count}个有错误的工作簿未能生成批注副本（如“{first}”），无法直接退回。",
        "请检查“{folder}”文件夹是否只读、磁盘空间是否已满、其中是否有指向别处的链接，处理后重新校验。",
    ),
    "OUTPUT_COPIES_FOREIGN": Rule(
        "PE-OUT-002",
        W,
        "同名文件不是perfeval所写，未覆盖",
        "“{folder}”中已有{count}个与批注副本同名、但不是perfeval写入或已被改动的文件（如“{first}”），"
        "为免覆盖他人的文件，未生成这些批注副本。",
        "如是以前版本生成的批注副本或不再需要的文件，请删除或移走后重新校验。",
    ),
}
