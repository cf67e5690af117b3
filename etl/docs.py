"""docs/DATA.md, the data contract in the project's own words, generated from the code's own tables:
`python -m etl.docs` writes it, `python -m etl.docs --check` exits 1 when the file differs (`make docs`).

What the loader accepts is read from where the loader reads it: header spellings and required columns
(etl.headers), field types and placing columns (etl.fields), code lists, yes/no spellings and the
poverty line (etl.codes), file suffixes (etl.readers), rule and error texts (labels), tables
(etl.schema), the command line (etl.cli.build_parser) and the exit-inspection lines
(etl.inspection_rules). The prose between the tables lives here, next to them; a test compares the
committed file with this output and checks every accepted spelling against the document both ways.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from etl import codes, fields, headers, inspection_rules, raw_file, readers, rules, schema
from labels import LABELS, t

OUT = Path(__file__).resolve().parents[1] / "docs" / "DATA.md"

# Field type -> (short name in the column tables, what a cell of that type may hold); etl.stage turns
# each type into one SQL expression.
TYPE_TEXT: dict[str, tuple[str, str]] = {
    "text": ("文本", "名称（地名、单位、人名等）：全角字母、数字和标点转半角，连续空白并为一个空格，去掉首尾空格，"
                   "使同一名称归为一类；叙述（措施内容、情况记录、问题描述、整改措施）：照原样保存，保留中文标点、"
                   "换行和制表符，只去掉首尾空白"),
    "person": ("人名", "姓名：同“文本”，并去掉汉字姓名中间的空格（为对齐而写的 `李  四` 即 `李四`）；外文姓名保留其中的空格"),
    "names": ("人名（可多人）", "帮扶责任人：同“文本”，并去掉逐字隔开的汉字姓名中的空格（`王  五` 即 `王五`）；几个人名之间的空格"
                           "保留（`王五 李四`）"),
    "phone": ("电话", "同“文本”；分段写的号码去掉其中的空格和短横（`138 0000 1111`、`0478-1234567` 即 `13800001111`、"
                     "`04781234567`），不同行写法不同也是同一号码；写了两个号码或附注的照原样保存"),
    "place": ("地名", "乡镇、行政村名称：同“文本”，并去掉名称中间的空格（`海 流 图 镇` 即 `海流图镇`）"),
    "hhid": ("编号", "按文本保存，不当数字（前导零保留；中间的空格去掉；Excel 写成 `123.0` 的去掉 `.0`；为防 Excel 改写而加的"
                   "前导 `'` 或 `=\"…\"` 去掉）"),
    "id": ("身份证号", "18 位，按 GB 11643 检查校验位与出生日期；前导 `'` 或 `=\"…\"` 去掉；被 Excel 写成科学计数法"
                    "（`1.50824E+17`）的无法恢复，照原样保存并记为问题"),
    "int": ("整数", "整数，可带单位（`3人`、`152户`）；不能为负（负数记为问题，按未填写计）"),
    "months": ("月数", "一年中的月数，0–12，可写 `6个月`；负数或超过 12 记为问题，按未填写计"),
    "number": ("数值", "可写 `4,300.50`、`3200元`；逗号只作千分位（每三位一个），`3,5`、`1,2,3` 不是数字；一万亿及以上记为问题，按未填写计"),
    "amount": ("金额", "以元计，可写 `4,300.50`、`3200元`、`3200元整`；逗号只作千分位（`3,5` 不是数字）；一万亿及以上记为问题，按未填写计；不能为负（负数记为问题，按未填写计，不计入合计）"),
    "income": ("收入", "人均纯收入，以元计，写法同“金额”；可为负（经营亏损）：负数照填写的数保存，低于任何贫困线，并记为问题请核实"),
    "year": ("年度", "`2019`、`2019年`、`2019年度`、`2019年12月` 或任一日期；不能晚于今年，也不能早于工作开始：脱贫年度不早于 "
                    "{exit_year} 年，其他年度不早于 {earliest_year} 年（`1900` 之类是系统的占位值），过早的记为问题，按未填写计"),
    "date": ("日期", "`2020-06-22`、`2020/6/22`、`2020.6.22`、`2020年6月22日`（或 `22号`）、`20200622`、Excel 日期；"
                    "不能晚于今天，也不能早于工作开始：识别时间不早于 {identified}（建档立卡始于 2014 年），其他日期不早于 "
                    "{earliest}（`1900-01-01`、`0001-01-01` 之类是系统的占位值），过早的记为问题，按未填写计；只有年月的"
                    "（`2016年3月`）或只有年的（`2014年`）不猜日子，记为问题，但保留其年份（帮扶措施未填实施年度的，作实施年度；"
                    "识别时间的，作识别年度）"),
    "deadline": ("期限", "日期，写法同上，可以晚于今天；早于 {earliest} 的同样记为问题"),
    "yn": ("是/否", "见第 3 节“是/否”"),
    "code": ("代码", "一个代码值，见第 3 节的代码表；代码中间的空格不计（`因 病` 即 `因病`）"),
    "codelist": ("代码（多值）", f"一个或多个代码值，以 `{codes.MULTI_SEPARATORS}` 中任一字符分隔；代码中间的空格不计，"
                             "整段不是代码的以空格或单元格内的换行分隔（`长期慢性病 残疾` 即两个值）"),
}

# normalize.PLACEHOLDER_RE in words
PLACEHOLDER_PROSE = ("只写 `-`、`—`、`/`、`无` 或 `暂无` 的单元格表示“没有”：在编号、身份证号、整数、数值、金额、年度、日期、"
                     "是/否和代码列中按未填写处理，不记为“值不规范”的问题（是/否列中的 `无` 仍是“否”），应填而未填的"
                     "（证件号码、主要致贫原因、脱贫年度等）照常记为未填写；在乡镇、行政村、户编号列中也按未填写处理"
                     "（户编号为 `/` 的整改问题是乡镇层面的问题）。文本列照原样保存。")

KIND_TABLE: dict[str, str] = {
    "registry": "`households`（每户一行）、`members`（每人一行）、`household_income`（每户每年收入）",
    **{k: f"`{v}`" for k, v in schema.LEDGER_TABLES.items()},
    "household_checks": "`household_checks`",
    "population_base": "`population_base`",
}

ENV_VARS: dict[str, str] = {
    "FUPIN_DB": "数据库路径（默认 `data/fupin.duckdb`）",
    "FUPIN_LANG": "命令行提示语言：`zh`（默认）或 `en`",
    "FUPIN_ETL_MEMORY": "导入时 DuckDB 可用内存（默认 `1400MB`，超出部分写入临时文件）",
    "FUPIN_BUSY_WAIT": "导入等待查看者关闭旧快照的秒数（默认 10，超时则改为复制）",
    "FUPIN_UPLOAD_MB": "网页上传单个文件的大小上限（MB，默认 100；命令行无上限）",
    "FUPIN_TZ": "“今天”所在的时区（IANA 名称，默认 `Asia/Shanghai`）：判断未来日期、出生日期与数据截至日，与服务器时钟的时区无关",
    "FUPIN_COUNTY_KIND": "旗县类别：`旗`（默认）、`县`、`区` 或 `市`；界面、简报和文件名中的“全旗”“旗级”随之改为“全县”“县级”等",
    "FUPIN_USERS": "用户文件路径（默认 `config/users.yaml`；没有此文件时不需登录）",
    "FUPIN_EXTRACT_LOG": "下载记录文件路径（默认数据库旁的 `extract_log.jsonl`）",
    "FUPIN_LOGIN_LOG": "登录记录文件路径（默认数据库旁的 `login_log.jsonl`）",
    "FUPIN_TRUSTED_PROXIES": "另一台机器上的反向代理地址（逗号分隔）：登录记录采信其 X-Forwarded-For（本机代理总是采信）",
    "FUPIN_RUN_SLOTS": "一个看板进程同时计算的页面数（默认为 CPU 数，至少 2；`0` 不限）：同一秒打开的页面按到达顺序分批计算",
    "FUPIN_CSV_FAST": "`0` 让 CSV 一律走分块读取（测试两条读取路径时用；默认 `1`）",
    "FUPIN_STRICT_LABELS": "`1` 时缺少的界面文字报错而不是显示其键（测试用）",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _ticks(values: list[str] | tuple[str, ...]) -> str:
    return " ".join(f"`{v}`" for v in values) if values else "—"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return out + [""]


def _label(key: str) -> str:
    return t(key) if key in LABELS else ""


def _kind_section(kind: str) -> list[str]:
    spellings = headers.spellings()[kind]
    required = headers.REQUIRED[kind]
    placing = fields.PLACING[kind]
    rows = []
    for column, spec in fields.FIELDS[kind].items():
        need = "必需列" if column in required else ""
        if column in placing:
            need = (need + "；" if need else "") + "为空则拒收该行"
        kind_text = TYPE_TEXT[spec.type][0]
        if spec.code_list:
            kind_text += f" `{spec.code_list}`"
        rows.append([f"`{column}`", _label(f"field.{column}"), _ticks(spellings[column]), kind_text, need])
    return [f"### {t(f'kind.{kind}')} `{kind}` → {KIND_TABLE[kind]}", "",
            *_table(["列", "名称", "可接受的表头", "内容", "必需"], rows)]


def _code_section() -> list[str]:
    out: list[str] = []
    users: dict[str, list[str]] = {}
    for k, cols in fields.FIELDS.items():
        for c, spec in cols.items():
            if spec.code_list:
                users.setdefault(spec.code_list, []).append(f"{t(f'kind.{k}')}·{_label(f'field.{c}')}")
    for name, values in codes.CODE_LISTS.items():
        out += [f"### `{name}`（{'、'.join(users.get(name, []))}）", ""]
        out += _table(["标准值", "也接受（同义词、数字代码）"], [[f"`{c}`", _ticks(s)] for c, s in values.items()])
    out += ["### 是/否", ""]
    out += _table(["标准值", "也接受"], [["是", _ticks(codes.YES)], ["否", _ticks(codes.NO)]])
    policy = [f"`{k}` → {'享受政策' if v else '不享受政策'}" for k, v in codes.ENJOYS_POLICY.items()]
    out += ["脱贫户是否仍享受政策，由脱贫状态的写法决定，另存为 `enjoys_policy`：" + "；".join(policy) + "。", ""]
    out += ["贫困户属性写作 " + _ticks(codes.EXITED_ATTRIBUTES) + " 的（2020年后的脱贫户属性）同时表示该户已脱贫："
            "脱贫状态为空时按 `已脱贫` 导入（是否享受政策未知）；填写了脱贫状态的，以脱贫状态为准。"
            "文件没有脱贫状态列时，库中原有的 `未脱贫` 也改为 `已脱贫`（原为 `返贫` 的不变）。", ""]
    out += ["### 贫困线（元/人·年，当年价；2017–2019 为近似值）", ""]
    out += _table(["年度", "贫困线"], [[str(y), str(v)] for y, v in rules.POVERTY_LINE.items()])
    last = rules.LAST_LINE_YEAR
    out += [f"{last} 年以后沿用 {last} 年的线，{min(rules.POVERTY_LINE)} 年以前没有线。监测线 = 贫困线 × "
            f"{rules.MONITORING_FACTOR}。老年人 = {rules.ELDERLY_AGE} 岁及以上；独居老人 = 一人户且 "
            f"{rules.ELDERLY_ALONE_AGE} 岁及以上。整改状态为 {'、'.join(rules.RECTIFICATION_CLOSED)} 的问题算作已整改，"
            "其余过了整改时限的算逾期。", ""]
    return out


def _rules_section() -> list[str]:
    rejects = set(fields.REJECT_RULE.values()) | set(fields.SHAPE_REJECTS) | {fields.HHID_MANGLED}
    rules = [k.removeprefix("rulename.") for k in LABELS if k.startswith("rulename.")]
    out = ["### 拒收行（`rejected_rows`）", ""]
    out += _table(["规则", "名称", "提示（示例）"],
                  [[f"`{r}`", t(f"rulename.{r}"), t(f"rule.{r}")] for r in rules if r in rejects])
    out += ["### 数据问题（`data_issues`，行照常入库）", ""]
    out += _table(["规则", "名称", "提示（示例）"],
                  [[f"`{r}`", t(f"rulename.{r}"), t(f"rule.{r}")] for r in rules if r not in rejects])
    out += ["### 整个文件无法读取（什么都不改变，退出码 1）", ""]
    out += _table(["代码", "提示"], [[f"`{k.removeprefix('read.')}`", LABELS[k][0]]
                                    for k in LABELS if k.startswith("read.")])
    return out


def _ddl_columns(ddl: str) -> list[tuple[str, str, str]]:
    """(column, type, comment) of a CREATE TABLE statement of etl.schema."""
    out = []
    for line in ddl.splitlines()[1:]:
        m = re.match(r"\s*([a-z_][a-z0-9_]*) ([A-Z]+(?:\[\])?)(?: NOT NULL)?,?\s*(?:--\s*(.*))?$", line)
        if m:
            out.append((m.group(1), m.group(2) + (" NOT NULL" if "NOT NULL" in line else ""), m.group(3) or ""))
        else:
            for name, typ in re.findall(r"([a-z_][a-z0-9_]*) ([A-Z]+)", line):  # several columns on one line
                out.append((name, typ, ""))
    return out


def _tables_section() -> list[str]:
    out: list[str] = []
    for table, ddl in schema.TABLES_DDL.items():
        out += [f"### `{table}`", ""]
        out += _table(["列", "类型", "说明"], [[f"`{c}`", typ, note] for c, typ, note in _ddl_columns(ddl)])
    return out


def _cli_section() -> list[str]:
    from etl.cli import build_parser

    parser = build_parser()
    out = ["```text", parser.format_usage().strip(), "```", ""]
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helps = {a.dest: a.help for a in sub._choices_actions}
    for name, p in sub.choices.items():
        out += [f"### `python -m etl {name}`", "", helps.get(name) or "", ""]
        rows = []
        for action in p._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            flag = ", ".join(action.option_strings) or action.metavar or action.dest.upper()
            rows.append([f"`{flag}`", _cell(action.help or "")])
        out += _table(["参数", "说明"], rows)
    out += ["全局参数 `--lang zh|en` 写在子命令之前；提示、`--help` 和用法错误都用这一语言（默认取 `FUPIN_LANG`，"
            "否则中文）。环境变量：", ""]
    out += _table(["变量", "作用"], [[f"`{k}`", v] for k, v in ENV_VARS.items()])
    return out


def generate() -> str:
    kinds = list(fields.FIELDS)
    suffixes = sorted(readers.ACCEPTED_SUFFIXES)
    lines = PROSE_HEAD.format(
        kinds="、".join(f"{t(f'kind.{k}')}（`{k}`）" for k in kinds),
        suffixes=" ".join(f"`{s}`" for s in suffixes),
        scan=raw_file.HEADER_SCAN_ROWS, min_known=headers.MIN_KNOWN_HEADERS,
        version=schema.SCHEMA_VERSION,
    ).splitlines() + [""]
    lines += ["## 2. 各类文件的列与表头", "", PROSE_COLUMNS, ""]
    used = {spec.type for specs in fields.FIELDS.values() for spec in specs.values()}
    bounds = {"identified": rules.earliest_date("identified_date").isoformat(), "earliest": rules.EARLIEST_DATE.isoformat(),
              "exit_year": rules.earliest_date("exit_year").year, "earliest_year": rules.EARLIEST_DATE.year}
    lines += _table(["内容", "可以写成"], [[short, long.format(**bounds) if kind in ("date", "deadline", "year") else long]
                                         for kind, (short, long) in TYPE_TEXT.items() if kind in used])
    lines += [PLACEHOLDER_PROSE, ""]
    for kind in kinds:
        lines += _kind_section(kind)
    lines += ["## 3. 代码表", "", PROSE_CODES, ""] + _code_section()
    lines += ["## 4. 入户核查与人口基数：三率一度", "", PROSE_INSPECTION.format(
        lines=inspection_rules.DEFAULT_LINES, min_sample=rules.MIN_SAMPLE), ""]
    lines += ["## 5. 校验：拒收行与数据问题", "", PROSE_RULES, ""] + _rules_section()
    lines += ["## 6. 数据库中的表", "", PROSE_TABLES, ""] + _tables_section()
    lines += ["## 7. 命令行", "", PROSE_CLI.format(json_shape=_json_shape()), ""] + _cli_section()
    lines += [PROSE_TAIL]
    return "\n".join(lines).rstrip() + "\n"


PROSE_HEAD = """# 数据约定 · Data contract

<!-- Generated by `python -m etl.docs` (make docs) from the code's own tables; edit etl/docs.py, not this
file. A test fails when it differs from the generator's output. -->

本文件说明看板能导入哪些文件、接受哪些表头和代码值、哪些行会被拒收、哪些问题会被记录，以及导入后
数据库中的表和命令行。表格部分由程序自身的表头表、代码表和表结构生成，与程序一致。

*English*: what files the dashboard loads, which headers and code values it accepts, which rows it
rejects and which defects it records, the tables it writes and the command line. The tables below are
generated from the loader's own header, code and schema tables (`python -m etl.docs`), so they cannot
drift from the code. Choices the contract leaves open are in `docs/DECISIONS.md`.

## 1. 文件

### 1.1 文件类型与编码

- 接受的文件：{suffixes}。`.csv.gz`/`.txt.gz` 是压缩的文本导出（全国规模的导出以文本计约 50 GB），
  导入结果与解压后的文本完全相同（同样的行、同样的文件哈希）。网页上传接受同样的文件
  （上传提示与 `etl load --help` 都由同一张后缀表写出），并有大小上限（`FUPIN_UPLOAD_MB`，默认 100 MB）；
  命令行没有上限。
- 编码：UTF-8（有无 BOM 均可）、GB18030/GBK（多数中文 Excel 另存的 CSV）；Excel 另存为“Unicode 文本”的文件
  （UTF-16，带字节顺序标记，制表符分隔，常命名为 `.txt` 或 `.xls`）也可导入。分隔符：逗号或制表符。
- 常见的不规范之处都能处理：表头上方的一行或多行标题（如“乌拉特中旗建档立卡贫困人口信息表”）、
  `序号` 列、末尾的 `合计`/`小计`/`总计`/`共计`/`累计` 行、空行、全角字符（`乡（镇）`）、必填表头上的 `*`、
  多余空格；数字写成文本（`4,300.50`、`3200元`）；多种日期写法；合并单元格（按左上角的值填充）；
  为让 Excel 按文本显示而加的包裹（`="01"`、`'2019`，整列乃至每个单元格都可能这样导出）按其中的值导入
  （公式如 `=D2*3` 不是包裹；措施内容、情况记录等长文本按原样保存）。
- 文件的**种类**只看表头，不看文件名：在前 {scan} 行中寻找表头行，至少 {min_known} 个单元格是本约定中的
  表头（或恰好是某种台账的全部必需列，如只有“户编号、走访日期”两列），并且含有该种类的标志列。共七种：{kinds}。
  入户核查表和人口基数表有自己的标志列（户类型/核查结论/是否认可；乡村人口/乡村户数），最先判断。
  同时符合几种时，能对上的列多者胜出；但表头含有帮扶措施、走访记录或医疗报销的全部必需列时（如措施类别、
  走访日期、总费用），即为该台账，即使它另带乡镇、村、姓名、证件号码、与户主关系等列。
- 本约定以外的列（`序号`、`县(市、区、旗)`、自然村等）不导入，在批次摘要中列为“未使用的列”。
  两列对应同一标准列时（如同时有“脱贫状态”和“脱贫属性”），第一列有效，另一列列为未使用。
- 缺少必需列的文件整个不能导入（退出码 1，数据库不变），提示会写出缺少哪些列。

### 1.2 导出格式（§1.3）

每一种文件都可能以下列任一形状出现：

- `.xlsx`/`.xlsm`；`.xls` 有三种：真正的 Excel 97-2003（BIFF）文件、实为制表符分隔文本的 `.xls`，以及
  网页系统“导出Excel”按钮常写出的 **HTML 表格 `.xls`**（常在 `<meta charset>` 中声明 GBK/GB2312，
  表头上方有跨列的标题行；命名为 `.xlsx` 的同样的网页也按网页读取，WPS 能打开它；网页中紧接着的几个表头相同的表格是分页导出的各页，
  读作一个表格，同一户的成员可以跨页）；`.csv`/`.txt`，可压缩为 `.csv.gz`。
- **多个工作表的工作簿**，例如先是一张填表说明，再每个乡镇一张：凡能识别表头的工作表都导入（隐藏的
  工作表也一样），批次摘要中按工作表计数；识别不出表头的工作表列为“已跳过”，不算错误。同一户的成员行
  分在两个贫困人口信息工作表中的，整个文件不导入；两个工作表中成员行相同的（如汇总表重复各乡镇表）照常导入。
  工作表写满（Excel 97-2003 的 65,536 行，xlsx 的 1,048,576 行）而下一张接着写（重复表头或没有表头）的，
  两张按一张表导入，行号接着前一张往下数（第二张的第 1 行为第 65,537 行）。
- **表头上方的分组标题行**（如“基本信息”“贫困情况”“收入情况”横跨其下若干列的合并单元格）。另存为
  CSV 或没有合并信息的 HTML 时，分组标题与其下的列名分在两行、乡(镇)/行政村/户编号只在上一行，两行
  合起来读作表头。分组标题是一个人时（如“帮扶责任人”横跨“姓名、单位、联系电话”），其下没有写明是谁的列名
  属于这个人：读作“帮扶责任人姓名”“帮扶责任人单位”（即帮扶责任人、帮扶单位），“帮扶责任人联系电话”不是户的
  联系电话，列为未使用的列。
- **个别无法解码的字节**：在本来正常的 UTF-8 或 GB18030 文件（含 HTML 表格 `.xls`，行号为表格的行序）
  中，无法解码的行以行号拒收，其余照常导入；
  无法解码的行超过数据行的一半时整个文件拒收，提示第一处无法解码的行。原始字节在拒收行的
  “原始值”中以 `\\xNN` 表示。
- 文本字段中的控制字符（NUL 等，单行字段中的制表符和换行）在导入时删除，每处记一条 `control_chars` 档案问题；
  多值代码列（健康状况、其他致贫原因）中的换行和制表符不是控制字符，而是代码之间的分隔。

以上形状由读取层（`etl/readers.py`）处理，导入结果与同一数据的 `.xlsx` 相同。上面“接受的文件”一行由
读取层自己的后缀表（`etl/file_types.py`）生成。

### 1.3 导入的规则

- 每个文件是一个原子批次：要么整个导入，要么什么都不变。同一文件（相同 sha256 和种类）再导入一次，
  什么都不变，连批次记录也不增加。
- 贫困人口信息表对它列出的户有权威：这些户按户编号更新，成员整体替换为文件中的成员（户内成员的键：
  身份证号，否则人编号，否则行序）；文件未列出的户不受影响。户信息取户主行（与户主关系为 `户主` 或
  `本人`），同户其他行不一致的记为问题。文件没有的列不改动已有的值：只有成员列的文件（如健康状况
  更新）不会清空户的脱贫状态、致贫原因、收入，再次列出的成员也保留文件没有的列（如劳动技能）。收入年度
  随人均纯收入：有人均纯收入而没有收入年度列的文件，收入年度为未填，不沿用已有的年度。
- 台账按编号（问题编号）更新；没有编号的，按整行内容识别，文件中完全相同的行算一条。无法读取的值（如只写到月的
  日期 `2020年6月`、`约3000` 元）存为空，但按文件所写的文字（`unread_text`）识别：只有这些文字不同的行是不同的记录。
- 文件再次送来、内容与库中完全相同且没有数据问题的行（台账的一条记录；贫困人口信息表的一户：户、成员、
  收入都相同）保持原样，仍记为最先送来它的文件和行号，也不重算该户的汇总；有数据问题的行总是重写，
  问题指向最新的文件和行号。
- 入户核查按（调查日期，户）更新，户 = 户编号，否则证件号码，否则乡镇+行政村+户主姓名；人口基数按
  （年度，乡镇，行政村）更新，后来的数替换先前的。户编号为空或不在贫困人口信息中、而证件号码是贫困人口信息中
  成员的，核查表与该成员的户对应；户编号与证件号码指向不同的户时记为“户编号与证件号码不符”。
- 行数：`读取 = 入库 + 拒收 + 跳过`，读取行包括表头上方的标题行；跳过行是标题行、空行和合计行
  （第一个非空单元格、序号、乡(镇)或行政村为 `合计`/`小计`/`总计`/`共计`/`累计` 的行，如乡镇小计行 `乌加河镇 | 小计`）；
  人口基数表中行政村写作乡镇合计的行（`全镇`、`全乡`、`全苏木`、`本镇`、以 `汇总` 结尾，或与乡(镇)同名）也是合计行，
  跳过，不作为一个村计入乡村人口；
  分页导出在每页上方重复的表头行也是标题行。同一文件中后一行更新前一行的（同一问题编号、同一调查日期和户、
  同一年度和村），两行都计入“入库”。
- 建档立卡户 = 有脱贫状态的户；监测户（边缘户）= 有监测对象类别的户；两者都没有的户照常导入并记为问题。
- 数据库结构的版本（当前为第 {version} 版）记录在每个快照的 `meta` 表和每份备份的清单中；旧版本的
  数据库在升级时由基础表重建汇总表，不丢失任何已导入的行（见第 7 节 `rebuild`、`backup`、`restore`）。"""

PROSE_COLUMNS = """表头先规范化再查表：全角转半角，去掉空白、换行和 `*`，`[]`、`【】` 视同 `()`，去掉末尾的冒号。
完全对不上的表头再去掉括号部分重试（`乡镇(苏木)` → `乡镇`，`户编号(必填)` → `户编号`），但括号中带“万”的
不去（`金额(万元)` 不是以元计的金额）。下表“可接受的表头”是规范化后的写法，第一个是提示中使用的名称。
“必需列”缺失时整个文件不能导入；“为空则拒收该行”的列在某一行为空时，该行进入拒收行。"""

PROSE_CODES = """代码值存为第一列的标准中文值；同义词和数字代码在导入时换成标准值。不在表中的值不存入该列
（该列留空，图表中计为“未填写”或“其他”），原值连同规则 `unknown_code` 记入数据问题，提示中列出可接受的值；
改正后重新导入即可。多值列（其他致贫原因、健康状况）中的每个值分别换算：认识的值照常保存，不认识的值
记为问题。脱贫状态不认识的户既不算建档立卡户也不算监测户，直到改正。"""

PROSE_INSPECTION = """贫困县退出评估、第三方评估和旗县自查以“三率一度”评判，每一项都是一票否决：综合贫困发生率、
脱贫人口错退率、贫困人口漏评率、群众认可度。需要两种文件：入户核查表（每个受访户一行，列见第 2 节）和
人口基数表（每村每年的乡村户数、乡村人口）。人口基数默认用每村最新年度，也可选定年度。

口径（按人计，另有说明的除外；“受访”= 所选期间内 `household_checks` 的行）：

- **错退率** = 受访脱贫户中核查结论为“错退”的人口 ÷ 受访脱贫户人口；
- **漏评率** = 受访非建档立卡户（一般农户、未建档的边缘户）中结论为“漏评”的人口 ÷ 这些受访户人口；
- **群众认可度** = 回答“认可”的受访户 ÷ 作答的受访户（户数）；
- **综合贫困发生率** = （未脱贫建档立卡人口 + 漏评率 × 非建档立卡乡村人口 + 错退率 × 已脱贫人口）÷ 乡村人口，
  其中非建档立卡乡村人口 = 乡村人口 − 建档立卡人口。

受访户属于哪一组：能与系统中的户对上的（户编号，否则成员身份证号），按系统的状态（已脱贫 → 脱贫户；
未脱贫/返贫 → 未脱贫户；只是监测户 → 边缘户）；对不上的按表中填写的户类型。系统的状态以调查时为准：首次识别时间
晚于调查日期的户调查时尚未建档立卡，按表中填写的户类型；脱贫年度不早于调查年度、表中填写未脱贫户的，按未脱贫户；返贫户脱贫年度早于调查年度、表中填写脱贫户的，按脱贫户（系统不记返贫日期）。“疑似错退/疑似漏评/疑似错评”
按错退/漏评/错评计。家庭人口缺失时用系统中的成员数；系统中也没有（不在贫困人口信息中的户）则按 1 人计，并记为问题。

否决线（可在页面上调整，默认为西部地区标准）：综合贫困发生率 ≤ {lines.incidence:.0%}，错退率 ≤
{lines.wrong_exit:.0%}，漏评率 ≤ {lines.missed:.0%}，群众认可度 ≥ {lines.approval:.0%}。样本少于 {min_sample}
（人；认可度为户）的比率标注“样本较少”，并给出 95% Wilson 区间。"""

PROSE_RULES = """只有无法归位的行才拒收：没有户编号、乡镇或行政村（入户核查表还有调查日期，人口基数表还有年度），
或行的字段比表头多且多出的字段有内容（都为空时不算：有的系统在每行末尾多写一个分隔符）；字段比表头少的行照常导入，
缺少的末尾字段按空值（Excel 另存 CSV 时，第 16 行之后末尾为空的单元格不写分隔符）。拒收行连同文件名、
行号、原始值和原因保存在 `rejected_rows`，在“数据管理”页可查看、下载。其他问题尽量照常导入，并在 `data_issues` 中记下记录、列、原始值和规则：这些就是督查要找的
“档案不规范”，在“档案规范性”页汇总。提示中的 `{file}`、`{line}`、`{column}`、`{value}` 在实际提示中
换成文件名、行号、列名和原始值；界面为英文时提示也是英文。"""

PROSE_TABLES = """看板读取下列基础表（导入写入，`python -m etl rebuild` 保留）。代码值存为标准中文值；每一行都带
来源批次 `batch_id` 和源文件行号 `source_line`。`hk`、`area`、`seq` 是程序分配并保留的整数键。
另有由基础表计算的汇总表（`hh_facts`、`agg_*`、`list_*` 等），随每次导入更新，可随时由基础表重建。"""

PROSE_CLI = """退出码：0 = 每个文件都读取了（即使有拒收行），1 = 有文件整个无法读取（它不改变任何数据，其他文件照常导入），
或备份、恢复、升级未能完成（数据不变），2 = 命令用法错误（提示用法和错误所在；加 `--json` 时与其他错误一样输出
`{{"error": "…"}}`）。`--json` 输出一个 JSON 对象：
{json_shape}。多工作表的文件另有 `sheets`（每个工作表一项，键同上，无 `path`、`error`）和
`skipped_sheets`（未导入的工作表及原因）。"""


def _json_shape() -> str:
    """The keys `python -m etl load --json` prints, read off the report itself so they cannot drift."""
    from etl.load import FileResult, LoadReport

    report = LoadReport(db=Path(), files=[FileResult(Path())]).to_json()
    inner = ", ".join(f'"{k}"' for k in report["files"][0])  # type: ignore[index]
    outer = ", ".join(f'"{k}"' for k in report if k != "files")
    return f'`{{"files": [{{{inner}}}], {outer}}}`'


PROSE_TAIL = """## 8. 下载

CSV 为带 BOM 的 UTF-8（Excel 能正确显示中文），表头为中文；以 `= + - @`、制表符或回车开头的文本前加 `'`
（防止公式注入）；文件名写明内容和日期（如 `致贫原因_乌加河镇_2026-11-28.csv`）。也可下载 Excel（`.xlsx`，
10 万行以内）。下载的内容与屏幕上筛选后的内容完全一致，个人信息按屏幕上的方式脱敏：身份证号
`150824********123X`，电话 `138****5678`，姓名 `张*春`。每次下载都记入下载记录。

## 9. 示范旗县

`python -m etl demo` 生成乌拉特中旗（150824）的示范导出文件（上述真实格式）并经同一路径导入：约 600 户
建档立卡户和约 5% 的监测户，乌加河镇 8 户、呼勒斯太苏木 7 户、德岭山镇 10 户（其中 4 户已脱贫）与调研报告
一致，并故意带有档案缺陷，以便“档案规范性”等页面有内容。姓名均为虚构。"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m etl.docs", description="write docs/DATA.md")
    parser.add_argument("--check", action="store_true", help="exit 1 when docs/DATA.md is out of date")
    args = parser.parse_args(argv)
    text = generate()
    if args.check:
        if not OUT.is_file() or OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT} is out of date: run `make docs`", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(OUT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
