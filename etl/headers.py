"""Header synonyms per file kind (data-spec §1.1, §1.2, §1.4) and kind recognition from a header row.

The kind of a file is decided from its header cells only, never from its file name. Header text is
cleaned first (NFKC: full-width → half-width, whitespace and newlines removed, `*` required marks
removed), then looked up in the kind's synonym table; a header that does not match exactly is tried
again without its parenthesised parts (`乡镇(苏木)` → `乡镇`, `户编号(必填)` → `户编号`).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Sequence
from typing import Any, NamedTuple

# kind -> canonical column -> header spellings (cleaned form: half-width, no spaces, no `*`).
# The first spelling is the one shown in messages.
_SYNONYMS: dict[str, dict[str, list[str]]] = {
    "registry": {
        "township": ["乡(镇)", "乡镇", "苏木(镇)", "苏木镇", "乡", "镇", "乡镇(苏木)", "苏木(乡镇)", "乡镇名称",
                     "所属乡镇", "乡(镇、苏木)", "乡镇街道"],
        "village": ["行政村", "村", "嘎查村", "行政村(嘎查)", "嘎查", "村(嘎查)", "嘎查(村)", "村名称", "所属村",
                    "行政村名称", "村(社区)"],
        "household_id": ["户编号", "户编码", "家庭编号", "户号"],
        "member_id": ["人编号", "人员编号", "成员编号"],
        "name": ["姓名", "成员姓名", "人员姓名"],
        "id_number": ["证件号码", "身份证号", "身份证号码", "公民身份号码", "身份证件号码", "证件号"],
        "relation": ["与户主关系", "与户主的关系"],
        "household_size": ["人数", "家庭人口数", "家庭人数", "户人数"],
        "sex": ["性别"],
        "ethnicity": ["民族"],
        "education": ["文化程度"],
        "school_status": ["在校生状况", "在校生情况"],
        "health": ["健康状况"],
        "labor_skill": ["劳动技能"],
        "work_months": ["务工时间(月)", "务工时间", "务工时长(月)"],
        "medical_insurance": ["是否参加城乡居民基本医疗保险", "是否参加基本医疗保险", "参加基本医疗保险",
                              "是否参加城乡居民医疗保险", "参加城乡居民基本医疗保险"],
        "critical_illness_insurance": ["是否参加大病保险", "参加大病保险", "是否参加城乡居民大病保险"],
        "family_doctor_signed": ["是否签约家庭医生", "家庭医生签约", "是否家庭医生签约", "家庭医生签约情况"],
        "household_attribute": ["贫困户属性", "户属性"],
        "identification_standard": ["识别标准"],
        "main_cause": ["主要致贫原因", "致贫原因1", "致贫原因"],
        "other_causes": ["其他致贫原因", "次要致贫原因", "致贫原因2"],
        "exit_status": ["脱贫属性", "脱贫状态", "贫困户状态"],
        "exit_year": ["脱贫年度", "脱贫年份", "脱贫时间"],
        "identified_date": ["首次识别时间", "识别时间", "纳入时间"],
        "income_per_capita": ["人均纯收入", "家庭年人均纯收入(元)", "人均纯收入(元)", "家庭人均纯收入"],
        "income_year": ["收入年度"],
        "unsafe_housing": ["危房户", "是否危房户"],
        "safe_water": ["是否解决安全饮用水", "饮水安全", "是否饮水安全", "饮水是否安全"],
        "monitoring_type": ["监测对象类别", "易返贫致贫户(监测对象)类型", "监测对象类型"],
        "risk_eliminated": ["风险是否消除", "是否风险消除"],
        "helper_name": ["帮扶责任人", "帮扶责任人姓名"],
        "helper_unit": ["帮扶单位", "帮扶责任人单位", "帮扶责任人工作单位"],
        "phone": ["联系电话", "户联系电话", "电话", "手机号码"],
    },
    "interventions": {
        "household_id": ["户编号", "户编码", "家庭编号", "户号"],
        "category": ["措施类别", "帮扶措施类别", "措施类型", "帮扶类别"],
        "content": ["措施内容", "帮扶措施内容", "帮扶内容"],
        "project": ["项目名称"],
        "year": ["实施年度", "年度", "帮扶年度"],
        "start_date": ["开始日期", "实施日期", "开始时间"],
        # 帮扶资金 and 补助金额/补助资金: how measure lists head their money (a probe's list lost every amount)
        "amount_yuan": ["金额(元)", "资金(元)", "帮扶金额(元)", "投入资金(元)", "帮扶资金(元)", "补助金额(元)",
                        "补助资金(元)"],
        "status": ["实施状态", "状态"],
        # 帮扶单位: the unit that gives a measure (a registry's 帮扶单位 is its helper_unit; a measure list
        # without 措施类别 is no measure list, so no header of either kind changes kind). It yields to
        # 责任单位 in the same header (`_YIELDING`): there it is the household's paired unit.
        "responsible_unit": ["责任单位", "实施单位", "帮扶单位"],
    },
    "visits": {
        "household_id": ["户编号", "户编码", "家庭编号", "户号"],
        "visit_date": ["走访日期", "走访时间", "随访日期"],
        "visit_type": ["走访类型", "走访方式", "随访类型", "走访形式"],
        "visitor": ["走访人", "走访人员", "走访人姓名"],
        "notes": ["情况记录", "走访情况", "走访记录", "走访内容"],
    },
    "medical_claims": {
        "household_id": ["户编号", "户编码", "家庭编号", "户号"],
        "id_number": ["证件号码", "身份证号", "身份证号码", "公民身份号码", "身份证件号码", "证件号"],
        "admission_date": ["入院日期", "入院时间", "就诊日期", "住院日期"],
        "institution": ["医疗机构", "就诊医院", "医疗机构名称", "就诊机构"],
        "total_cost": ["总费用", "医疗总费用", "总费用(元)", "医疗总费用(元)"],
        "basic_insurance": ["基本医保报销", "基本医疗保险报销", "基本医保报销(元)"],
        "critical_illness_insurance": ["大病保险报销", "大病保险报销(元)"],
        # the amounts headed 金额 (医疗救助金额, 个人自付金额: a probe's claims list lost them, its share with them)
        "medical_assistance": ["医疗救助", "医疗救助(元)", "医疗救助金额", "医疗救助金额(元)"],
        "other_support": ["其他保障", "其他保障(元)"],
        "out_of_pocket": ["个人自付", "个人自付(元)", "个人支付", "个人自付金额", "个人自付金额(元)", "自付金额"],
    },
    "rectifications": {
        "issue_id": ["问题编号", "问题序号"],
        "source": ["问题来源"],
        "found_date": ["发现日期", "发现时间"],
        "township": ["乡(镇)", "乡镇", "苏木(镇)", "苏木镇", "乡", "镇", "乡镇(苏木)", "苏木(乡镇)", "乡镇名称",
                     "所属乡镇", "乡(镇、苏木)", "乡镇街道"],
        "village": ["行政村", "村", "嘎查村", "行政村(嘎查)", "嘎查", "村(嘎查)", "嘎查(村)", "村名称", "所属村",
                    "行政村名称", "村(社区)"],
        "household_id": ["户编号", "户编码", "家庭编号", "户号"],
        "category": ["问题类别", "问题类型"],
        "description": ["问题描述", "问题表现", "存在问题", "问题内容"],
        "responsible_unit": ["责任单位"],
        "responsible_person": ["责任人", "责任人姓名"],
        "measures": ["整改措施"],
        "deadline": ["整改时限", "整改期限", "完成时限"],
        "status": ["整改状态", "整改情况", "整改进度"],
        "completed_date": ["完成日期", "完成时间", "整改完成日期", "整改完成时间"],
    },
    # data-spec §1.4: household checks of an exit inspection (入户核查/评估调查表) and the rural
    # population base (人口基数表)
    "household_checks": {
        "check_date": ["调查日期", "核查日期", "调查时间", "核查时间", "入户日期", "入户时间"],
        "township": ["乡(镇)", "乡镇", "苏木(镇)", "苏木镇", "乡", "镇", "乡镇(苏木)", "苏木(乡镇)", "乡镇名称",
                     "所属乡镇", "乡(镇、苏木)", "乡镇街道"],
        "village": ["行政村", "村", "嘎查村", "行政村(嘎查)", "嘎查", "村(嘎查)", "嘎查(村)", "村名称", "所属村",
                    "行政村名称", "村(社区)"],
        "household_id": ["户编号", "户编码", "家庭编号", "户号"],
        "head_name": ["户主姓名", "户主", "受访户主姓名"],
        "id_number": ["证件号码", "身份证号", "身份证号码", "公民身份号码", "身份证件号码", "证件号",
                      "户主身份证号", "户主身份证号码"],
        "household_type": ["户类型", "农户类型", "调查户类型", "户别"],
        "household_size": ["家庭人口", "家庭人口数", "家庭人数", "人口数"],
        "income_per_capita": ["人均纯收入", "人均纯收入(元)", "家庭人均纯收入", "家庭年人均纯收入(元)"],
        "food_ok": ["不愁吃"],
        "clothing_ok": ["不愁穿"],
        "education_ok": ["义务教育保障", "义务教育有保障"],
        "medical_ok": ["基本医疗保障", "基本医疗有保障"],
        "housing_ok": ["住房安全保障", "住房安全有保障"],
        "water_ok": ["饮水安全保障", "饮水安全有保障", "饮水安全", "饮水是否安全"],
        "finding": ["核查结论", "调查结论", "评估结论"],
        "approval": ["是否认可", "认可情况", "群众认可", "是否认可脱贫结果"],
        "surveyor": ["调查人", "核查人", "调查员", "调查人姓名", "核查人姓名"],
        "notes": ["备注", "说明"],
    },
    "population_base": {
        "year": ["年度", "统计年度", "年份"],
        "township": ["乡(镇)", "乡镇", "苏木(镇)", "苏木镇", "乡", "镇", "乡镇(苏木)", "苏木(乡镇)", "乡镇名称",
                     "所属乡镇", "乡(镇、苏木)", "乡镇街道"],
        "village": ["行政村", "村", "嘎查村", "行政村(嘎查)", "嘎查", "村(嘎查)", "嘎查(村)", "村名称", "所属村",
                    "行政村名称", "村(社区)"],
        "rural_households": ["乡村户数", "农村户数", "乡村总户数"],
        "rural_population": ["乡村人口", "农村人口", "乡村人口数", "农村人口数", "乡村总人口"],
    },
}

# Spellings that name their column only when no other cell of the header does (`map_columns`): a measure
# list with both 帮扶单位 and 责任单位 has its responsible unit under 责任单位, whichever comes first.
_YIELDING: dict[str, frozenset[str]] = {"interventions": frozenset({"帮扶单位"})}

# Columns a file of the kind must have (data-spec §1.1; for ledgers: what places a row).
REQUIRED: dict[str, tuple[str, ...]] = {
    "registry": ("township", "village", "household_id", "name", "id_number", "relation"),
    "interventions": ("household_id", "category"),
    "visits": ("household_id", "visit_date"),
    "medical_claims": ("household_id", "total_cost"),
    "rectifications": ("township", "description"),
    "household_checks": ("check_date", "township", "village"),  # 户类型: the registry's when linked
    "population_base": ("year", "township", "village", "rural_population"),
}

# When several kinds fit, the one with more mapped columns wins; ties go to the earlier kind here
# (ledgers before the registry: a ledger may carry 户编号 + 乡镇 + 证件号码 too; a household check carries
# much of a registry row's household fields, and its marker columns are its own).
_KIND_ORDER = ("household_checks", "population_base", "rectifications", "medical_claims", "visits", "interventions",
               "registry")

MIN_KNOWN_HEADERS = 3


def _enough(kind: str, cols: dict[str, int]) -> bool:
    """MIN_KNOWN_HEADERS mapped cells, or every required column of the kind: a visit log of 户编号 and
    走访日期 alone is all the contract asks of one (it was refused as having no header, in a message
    that named those two columns as what a visit log needs: a probe with unseen exports)."""
    return len(cols) >= MIN_KNOWN_HEADERS or (len(cols) >= 2 and not missing_required(kind, cols))

# Ledgers of a household's events. Their exports often repeat the registry's place and person columns
# (乡镇, 村, 姓名, 证件号码, even 与户主关系), so a short visit log or claims list can map more registry
# columns than its own; but a registry never carries a visit's date, a claim's total or a measure's
# category. A header that holds such a ledger's required columns is that ledger, whatever the count:
# read as a registry, a claims list replaced each household's members by its patients and left its
# costs unused, and a visit log was refused for lacking 与户主关系 (a probe with unseen exports).
_EVENT_LEDGERS = ("medical_claims", "visits", "interventions")

_SPACE_RE = re.compile(r"\s+")
_PAREN_RE = re.compile(r"\([^()]*\)")
_TRAIL_RE = re.compile(r"[:：]+$")


def spellings() -> dict[str, dict[str, list[str]]]:
    """kind -> canonical column -> accepted header spellings (cleaned form), for docs/DATA.md."""
    return {kind: {c: list(v) for c, v in columns.items()} for kind, columns in _SYNONYMS.items()}


def clean_header(value: object) -> str:
    """Normalise a header cell for lookup: `乡（镇）* ` → `乡(镇)`, `户编号\\n(必填)` → `户编号(必填)`."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))  # full-width (（）＊, U+3000) → half-width
    text = _SPACE_RE.sub("", text).replace("*", "")
    text = text.replace("[", "(").replace("]", ")").replace("【", "(").replace("】", ")")
    return _TRAIL_RE.sub("", text)


def _in_wan(text: str) -> bool:
    """A header whose brackets say 万 (`金额(万元)`): ten thousand of the unit its column is read in."""
    return "万" in "".join(_PAREN_RE.findall(text))


def _strip_parens(text: str) -> str:
    # `金额(万元)` must not fall back to a yuan column: a unit in the brackets changes the meaning.
    if _in_wan(text):
        return text
    return _PAREN_RE.sub("", text)


def in_wan_yuan(kind: str, cells: Sequence[object], missing: Sequence[str]) -> list[str]:
    """The header cells that would name one of the `missing` columns but in 万元 (`总费用（万元）`): the loader
    reads yuan and does not multiply on a guess, so the message names the cell and asks for yuan."""
    found = []
    for cell in cells:
        text = clean_header(cell)
        if _in_wan(text) and _LOOKUP[kind].get(_PAREN_RE.sub("", text)) in missing:
            found.append(str(cell).strip())
    return found


def _build_lookup() -> dict[str, dict[str, str]]:
    lookup: dict[str, dict[str, str]] = {}
    for kind, columns in _SYNONYMS.items():
        table: dict[str, str] = {}
        for canonical, spellings in columns.items():
            for spelling in spellings:
                table.setdefault(clean_header(spelling), canonical)
        # Second pass: bracket-free forms, never overriding an exact spelling.
        for canonical, spellings in columns.items():
            for spelling in spellings:
                table.setdefault(_strip_parens(clean_header(spelling)), canonical)
        lookup[kind] = table
    return lookup


_LOOKUP = _build_lookup()
_ANY_KIND = {h for table in _LOOKUP.values() for h in table}

# canonical column -> header shown in messages, per kind
COLUMN_LABELS: dict[str, dict[str, str]] = {
    kind: {canonical: spellings[0] for canonical, spellings in columns.items()}
    for kind, columns in _SYNONYMS.items()
}


def canonical_for(kind: str, header: object) -> str | None:
    """The canonical column a header cell names in a file of `kind`, or None."""
    text = clean_header(header)
    if not text:
        return None
    table = _LOOKUP[kind]
    found = table.get(text)
    if found is None:
        found = table.get(_strip_parens(text))
    return found


def is_known_header(header: object) -> bool:
    """True when the cell is a contract header of any kind."""
    text = clean_header(header)
    return bool(text) and (text in _ANY_KIND or _strip_parens(text) in _ANY_KIND)


def _has_marker(kind: str, cols: dict[str, int]) -> bool:
    if kind == "registry":
        return ("household_id" in cols and ("name" in cols or "id_number" in cols)
                and ("relation" in cols or "township" in cols))
    if kind == "interventions":
        return "category" in cols
    if kind == "visits":
        return "visit_date" in cols
    if kind == "medical_claims":
        return "total_cost" in cols or "admission_date" in cols
    if kind == "rectifications":
        return "issue_id" in cols or "deadline" in cols or "description" in cols
    if kind == "household_checks":
        # 调查日期 is the form's own (a visit has 走访日期): a form of its required columns alone is one too
        return "household_type" in cols or "finding" in cols or "approval" in cols or "check_date" in cols
    if kind == "population_base":
        return "rural_population" in cols or "rural_households" in cols
    raise ValueError(kind)


class HeaderMatch(NamedTuple):
    kind: str
    columns: dict[str, int]  # canonical -> 0-based column index
    ignored: list[str]  # non-empty headers outside the contract, as written (stripped)


def map_columns(kind: str, cells: Sequence[object]) -> dict[str, int]:
    """canonical -> index of the first cell naming it (a repeated header is left to `ignored`); a cell of a
    yielding spelling (`_YIELDING`) only when no other cell names it."""
    cols: dict[str, int] = {}
    yielding: set[str] = set()  # columns mapped by a yielding spelling so far
    for i, cell in enumerate(cells):
        canonical = canonical_for(kind, cell)
        if canonical is None or (canonical in cols and canonical not in yielding):
            continue
        weak = _strip_parens(clean_header(cell)) in _YIELDING.get(kind, ())
        if canonical not in cols or not weak:
            cols[canonical] = i
            (yielding.add if weak else yielding.discard)(canonical)
    return cols


def recognize(cells: Sequence[object]) -> HeaderMatch | None:
    """Recognise a header row: the kind whose marker columns are present and that maps the most cells.

    None when no kind fits or too few cells map (`_enough`). Required columns are not
    checked here (see `missing_required`), so that a reader can say which ones are missing.
    """
    best: tuple[str, dict[str, int]] | None = None
    for kind in _KIND_ORDER:
        cols = map_columns(kind, cells)
        if not _enough(kind, cols) or not _has_marker(kind, cols):
            continue
        if best is None or len(cols) > len(best[1]):
            best = (kind, cols)
    if best is None:
        best = _by_own_columns(cells) or _registry_lacking_id(cells)
    if best is None:
        return None
    if best[0] == "registry":
        best = _event_ledger(cells) or best
    kind, cols = best
    used = set(cols.values())
    ignored = [str(c).strip() for i, c in enumerate(cells)
               if i not in used and c is not None and str(c).strip()]
    return HeaderMatch(kind, cols, ignored)


def with_row_below(row: Sequence[object], below: Sequence[object],
                   match: HeaderMatch | None) -> tuple[list[Any], HeaderMatch] | None:
    """A two-row header: the row below `row`, each blank cell taking the label above it (merged down
    over both rows, or written once above its sub-labels: 致贫原因 over 主要致贫原因 and 其他致贫原因);
    else None. When `row` is a recognised header (`match`), only if that maps more columns than it
    alone. When it is not, only if neither row alone is one: group titles (基本信息 over 姓名, 证件号码)
    with 乡(镇), 行政村, 户编号 merged down beside them leave the marker columns in the lower row and
    the place columns in the upper one (data-spec §1.3). A CSV or an HTML table without merges has the
    blank cells only, a workbook's merges were filled in before."""
    lower = [b if b is not None and str(b).strip() else a for a, b in itertools.zip_longest(row, below)]
    found = recognize(lower)
    if found is None:
        return None
    if match is None:
        return (lower, found) if recognize(below) is None else None
    if len(found.columns) <= len(match.columns):
        return None
    return lower, found


# Columns naming a person. A group title of one above the header (帮扶责任人 over 姓名, 单位, 联系电话) says
# whose the labels under it are: read alone, the helper's 联系电话 was stored as the household's phone and
# the helper's 姓名 was a second 姓名, unused (a probe with unseen exports).
_PERSON_COLUMNS = frozenset({"helper_name", "head_name", "visitor", "responsible_person", "surveyor"})
# Labels that do not say whose they are (户联系电话 and 成员姓名 do)
_WHOSE_UNSAID = frozenset({"姓名", "联系电话", "电话", "手机号码", "证件号码", "证件号", "身份证号", "身份证号码",
                           "公民身份号码", "身份证件号码", "单位", "工作单位"})


def with_group_titles(cells: Sequence[object], above: Sequence[object], match: HeaderMatch) -> tuple[list[Any], HeaderMatch]:
    """The header read with the group titles in the row above it (data-spec §1.3; `above` spread over the
    columns each title spans): under a title naming a person (`_PERSON_COLUMNS`), a label that does not
    say whose it is is that person's: 帮扶责任人 + 姓名 is 帮扶责任人姓名 (helper_name), 帮扶责任人 + 联系电话 a
    column outside the contract. Labels that say whose they are (帮扶单位, 户联系电话) stay as written."""
    out = list(cells)
    for i, group in enumerate(above[:len(out)]):
        label = clean_header(out[i])
        if group is None or canonical_for(match.kind, group) not in _PERSON_COLUMNS:
            continue
        if _strip_parens(label) in _WHOSE_UNSAID:
            out[i] = str(group).strip() + str(out[i]).strip()
    found = recognize(out) if out != list(cells) else None
    # a title row above a header is no group row: a sheet titled 帮扶责任人 took the members' 姓名 away
    if found is None or found.kind != match.kind or len(missing_required(found.kind, found.columns)) > len(
            missing_required(match.kind, match.columns)):
        return list(cells), match
    return out, found


def spread_titles(row: Sequence[object]) -> list[object]:
    """A row of group titles written once above their first column (a CSV, a table without merges): each
    blank cell takes the title to its left."""
    out: list[object] = []
    for cell in row:
        out.append(cell if cell is not None and str(cell).strip() else (out[-1] if out else None))
    return out


def _event_ledger(cells: Sequence[object]) -> tuple[str, dict[str, int]] | None:
    """The event ledger (`_EVENT_LEDGERS`) whose required columns are all in the header, the one mapping
    the most cells if several; None when none is complete."""
    found: tuple[str, dict[str, int]] | None = None
    for kind in _EVENT_LEDGERS:
        cols = map_columns(kind, cells)
        if not _enough(kind, cols) or missing_required(kind, cols):
            continue
        if found is None or len(cols) > len(found[1]):
            found = (kind, cols)
    return found


# The registry's own columns that say a poverty registry. A roster of one row per household (户编号, 户主姓名
# and 户主身份证号码 beside 致贫原因 and 脱贫属性: the registry without its member rows) has them and no column
# of a person; by its 户主 columns alone it was a household-check form lacking 调查日期, and the refusal asked
# for a survey date, which would have loaded the poor households as findings of an exit inspection.
_POVERTY_COLUMNS = frozenset({"main_cause", "other_causes", "exit_status", "exit_year", "household_attribute",
                              "identification_standard", "identified_date", "monitoring_type"})


def _by_own_columns(cells: Sequence[object]) -> tuple[str, dict[str, int]] | None:
    """The kind of a header lacking its marker column, told by the columns no other kind has: a measures
    list without 措施类别 still has 措施内容 and 实施年度; a registry without its member columns still has 户编号
    and its poverty columns (`_POVERTY_COLUMNS`), the only ones of the registry's own that count. At least
    two such columns and more than any other kind, else None (户编号, 姓名, 备注 head many kinds). The
    caller's required-column check then names what is missing, where "no known kind" left the user to work
    it out from a list of seven."""
    kinds_of = [{k for k in _KIND_ORDER if canonical_for(k, c) is not None} for c in cells]
    # not the registry by any of its columns: a list of 姓名, 性别, 民族 is no registry lacking five columns
    own = {k: sum(1 for ks in kinds_of if ks == {k}) for k in _KIND_ORDER if k != "registry"}
    poverty = [c for c, ks in zip(cells, kinds_of, strict=True)
               if ks == {"registry"} and canonical_for("registry", c) in _POVERTY_COLUMNS]
    # with its 户编号: the lower row of a two-row header (姓名 … 脱贫属性 under group titles, 户编号 beside
    # them in the row above) is no header alone, `with_row_below` reads the two rows together
    own["registry"] = len(poverty) if any(canonical_for("registry", c) == "household_id" for c in cells) else 0
    # a ledger tied with the registry is the ledger (a measures list repeating its household's 致贫原因)
    ranked = sorted(own.items(), key=lambda kv: (-kv[1], kv[0] == "registry"))
    (kind, n), (runner, runner_up) = ranked[0], ranked[1]
    if n < 2 or (n == runner_up and runner != "registry"):
        return None
    cols = map_columns(kind, cells)
    return (kind, cols) if len(cols) >= MIN_KNOWN_HEADERS else None


def _registry_lacking_id(cells: Sequence[object]) -> tuple[str, dict[str, int]] | None:
    """A registry header without 户编号 (its marker): 与户主关系 with 姓名 or 证件号码 and 乡(镇) or 行政村 is a
    member list, and no other kind has 与户主关系. Recognised, the caller's required-column check names
    户编号 as missing; as "no known kind" a township's sheet of a workbook was skipped in a grey line under
    a green 入库完成 (its households in no figure) and a single file's message listed seven kinds (a probe)."""
    cols = map_columns("registry", cells)
    if "household_id" in cols or "relation" not in cols or len(cols) < MIN_KNOWN_HEADERS:
        return None
    if not ({"name", "id_number"} & cols.keys()) or not ({"township", "village"} & cols.keys()):
        return None
    return "registry", cols


def known_header_count(cells: Sequence[object]) -> int:
    """How many cells are contract headers of some kind (tells a header row of unknown kind from data)."""
    return sum(1 for c in cells if is_known_header(c))


def missing_required(kind: str, columns: dict[str, int] | dict[str, str]) -> list[str]:
    """Required canonical columns of `kind` that are absent, in contract order."""
    return [c for c in REQUIRED[kind] if c not in columns]
