"""The file as a whole: can it be opened, is it ours, is its layout intact."""

from perfeval.check.rule import E, I, Rule, W

RULES = {
    "FILE_UNREADABLE": Rule(
        "PE-FILE-001",
        E,
        "文件无法打开",
        "文件无法作为Excel工作簿打开（{detail}）。",
        "请用Excel或WPS打开确认文件完好，另存为.xlsx格式后重新交回。",
    ),
    "FILE_ENCRYPTED": Rule(
        "PE-FILE-002",
        E,
        "文件设有打开密码",
        "文件设有打开密码，无法读取。",
        "请取消文件的打开密码（文件→信息→保护工作簿）后重新交回。",
    ),
    "FILE_TOO_LARGE": Rule(
        "PE-FILE-003",
        E,
        "文件过大",
        "文件{what}为{size}MB，超过上限{limit}MB，为安全起见未读取。",
        "请删除表中多余的图片、空行和附件，或联系财政局。",
    ),
    "FILE_OLD_FORMAT": Rule(
        "PE-FILE-004",
        E,
        "文件格式不支持",
        "文件实际格式为{detail}，不是.xlsx工作簿。",
        "请在Excel或WPS中打开后“另存为”Excel工作簿(.xlsx)再交回。",
    ),
    "FILE_LOCK": Rule(
        "PE-FILE-005",
        I,
        "临时文件已跳过",
        "这是Excel或WPS打开文件时产生的临时文件，已跳过。",
        "无需处理；关闭Excel或WPS后它会自动消失。",
    ),
    "FILE_SKIPPED": Rule(
        "PE-FILE-011",
        I,
        "不是表格文件，已跳过",
        "文件类型为{suffix}，不是Excel或WPS表格，已跳过。",
        "如是误放的文件可忽略；如单位把填报表另存成了其他格式，请让其交回.xlsx工作簿。",
    ),
    "FILE_NAME_ENCODING": Rule(
        "PE-FILE-012",
        W,
        "文件名编码异常",
        "文件名不是UTF-8编码（常见于中文Windows上制作的压缩包），已按GBK识别为“{shown}”并照常校验。",
        "建议在Windows中解压或把文件改为正常的中文名称，以免其他程序无法打开。",
    ),
    "FILE_INACCESSIBLE": Rule(
        "PE-FILE-013",
        E,
        "无法访问",
        "回收文件夹中的“{file}”{why}，未能读取。",
        "请检查该文件或文件夹的权限、链接和路径长度，把交回的工作簿作为普通文件放入回收文件夹后重新校验。",
    ),
    "FILE_NOT_REGULAR": Rule(
        "PE-FILE-014",
        W,
        "不是普通文件，已跳过",
        "回收文件夹中的“{file}”是{what}，不是普通文件，已跳过。",
        "如其中应有交回的工作簿，请把工作簿本身复制到回收文件夹后重新校验。",
    ),
    "FILE_FOREIGN": Rule(
        "PE-FILE-006",
        E,
        "不是下发的填报表",
        "文件不是本次下发的绩效评价填报表（{detail}）。",
        "请使用财政局下发的工作簿填报，不要新建或复制其他表格。",
    ),
    "FILE_TEMPLATE_VERSION": Rule(
        "PE-FILE-007",
        E,
        "模板版本不符",
        "填报表模板版本为{found}，本次评价要求{expected}。",
        "请向财政局索取最新下发的填报表，将内容转填后交回。",
    ),
    "FILE_SHEET_MISSING": Rule(
        "PE-FILE-008",
        E,
        "工作表缺失或被改名",
        "找不到“{sheet}”工作表，可能被删除或改名。",
        "请使用下发的原表填报，不要删除或重命名工作表。",
    ),
    "FILE_LAYOUT_CHANGED": Rule(
        "PE-FILE-009",
        E,
        "表格结构被修改",
        "“{sheet}”工作表中找不到“{label}”，表格结构可能被修改。",
        "请使用下发的原表填报，不要删除或改动表头和项目名称列。",
    ),
    "FILE_MACROS": Rule(
        "PE-FILE-010",
        W,
        "文件含有宏",
        "文件含有宏代码，perfeval只读取数据，不会运行宏。",
        "建议另存为不含宏的.xlsx工作簿后交回。",
    ),
}
