"""Code lists of the data contract (data-spec §2): canonical Chinese value first, then synonyms.

Every list maps a raw spelling (synonym or numeric code) to its canonical value. The ETL turns these
into a DuckDB lookup table, so normalisation is a join, not per-row Python.
"""

from __future__ import annotations

from etl.rules import LAST_LINE_YEAR, POVERTY_LINE

# field -> {canonical: [synonyms and numeric codes]}
CODE_LISTS: dict[str, dict[str, list[str]]] = {
    "main_cause": {
        "因病": ["1", "01", "因病致贫"],
        "因残": ["2", "02", "因残致贫"],
        "因学": ["3", "03", "因学致贫"],
        "因灾": ["4", "04", "因灾致贫"],
        # every cause also with the 致贫 suffix that 因病致贫 has (缺劳力致贫 was an unknown code)
        "缺土地": ["5", "05", "缺土地致贫"],
        "缺水": ["6", "06", "缺水致贫"],
        "缺技术": ["7", "07", "缺技术致贫"],
        "缺劳力": ["8", "08", "缺劳动力", "缺劳力致贫", "缺劳动力致贫"],
        "缺资金": ["9", "09", "缺资金致贫"],
        "交通条件落后": ["10", "交通落后", "交通条件落后致贫", "交通落后致贫"],
        "自身发展动力不足": ["11", "发展动力不足", "自身发展动力不足致贫", "发展动力不足致贫"],
        "因婚": ["12", "因婚致贫"],
        "因丧": ["13", "因丧致贫"],
        "其他": ["99", "其它"],
    },
    "household_attribute": {
        "一般贫困户": ["一般户", "01", "1", "一般脱贫户"],
        # 3 and 5-8: the post-2020 codes as a numeric Excel cell writes them (03 -> 3); 1, 2 and 4 stay
        # the older codes
        "低保贫困户": ["低保户", "02", "2", "低保脱贫户", "03", "3", "低保贫困户(低保户)"],
        "特困供养贫困户": ["五保户", "五保贫困户", "特困供养户", "特困户", "04", "4", "特困供养脱贫户",
                           "05", "低保特困供养脱贫户", "低保特困供养户", "低保特困供养贫困户", "06", "07", "08",
                           "5", "6", "7", "8"],
    },
    "exit_status": {
        "未脱贫": ["0", "贫困", "未脱贫户"],
        "已脱贫": ["1", "4", "已脱贫(享受政策)", "已脱贫(不享受政策)", "脱贫", "稳定脱贫", "脱贫户",
                   "已脱贫（享受政策）", "已脱贫（不享受政策）", "已脱贫户", "稳定脱贫户", "脱贫(享受政策)",
                   "脱贫(不享受政策)"],
        "返贫": ["3", "返贫户"],
    },
    "monitoring_type": {
        "脱贫不稳定户": ["0", "脱贫不稳定"],
        "边缘易致贫户": ["1", "边缘易致贫", "边缘户"],
        "突发严重困难户": ["2", "突发严重困难"],
    },
    "education": {
        "文盲或半文盲": ["文盲", "半文盲"],
        "学龄前儿童": ["学龄前"],
        "小学": [],
        "初中": [],
        "高中": ["中专", "高中(含中专)", "高中（含中专）", "中职", "职高", "技校"],
        "大专及以上": ["大专", "本科", "研究生", "本科及以上", "大学", "大学本科", "大学专科", "高职", "硕士", "博士"],
    },
    "health": {
        "健康": [],
        "长期慢性病": ["慢性病", "慢性病患者"],
        "患有大病": ["大病", "患大病", "重大疾病", "大病患者"],
        "残疾": ["残疾人"],
    },
    "labor_skill": {
        "普通劳动力": [],
        "技能劳动力": [],
        "弱劳动力或半劳动力": ["弱劳动力", "半劳动力"],
        "丧失劳动力": [],
        "无劳动力": [],
    },
    "intervention_category": {
        # besides the contract's names, the 五个一批 ones (发展生产, 易地搬迁, 生态补偿, 发展教育, 社会保障兜底)
        "产业帮扶": ["产业扶贫", "光伏扶贫", "光伏帮扶", "发展生产"],  # 光伏: a common 产业 line item
        "就业帮扶": ["就业扶贫", "转移就业", "技能培训"],
        "公益岗位": ["公益性岗位"],
        "健康帮扶": ["健康扶贫"],
        "教育帮扶": ["教育扶贫", "雨露计划", "教育资助", "发展教育"],
        "住房安全": ["危房改造", "住房保障"],
        "易地扶贫搬迁": ["易地搬迁"],
        "饮水安全": ["饮水保障"],
        "兜底保障": ["社会保障兜底", "低保兜底"],
        "金融帮扶": ["金融扶贫", "小额信贷", "扶贫小额信贷"],
        "生态帮扶": ["生态扶贫", "生态护林员", "生态补偿"],
        # 其他帮扶 as the other categories are named (帮扶 after the word) was an unknown code
        "其他": ["其它", "其他帮扶", "其它帮扶", "其他措施"],
    },
    "visit_type": {
        # the short and long forms ledgers write (a probe's 入户 and 家庭医生签约随访 were unknown codes); a
        # phone call (电话回访) is no visit and stays unknown
        "入户走访": ["入户", "走访", "入户核查", "入户访问"],
        "帮扶责任人走访": ["帮扶责任人", "帮扶人走访", "结对帮扶走访"],
        "驻村工作队走访": ["驻村工作队", "工作队走访", "驻村走访"],
        # and the words of a 家庭医生签约服务 or public-health system's export: 慢病随访 (高血压/糖尿病随访) is the
        # chronic patients' follow-up the health page counts, 年度体检 its check-up (a probe: unknown codes, so
        # the follow-ups did not count and the patients were out of compliance)
        "家庭医生随访": ["随访", "家庭医生签约随访", "签约随访", "家医随访", "家庭医生", "家庭医生签约服务随访",
                         "签约医生随访", "慢病随访", "慢性病随访", "高血压随访", "糖尿病随访"],
        "健康体检": ["体检", "健康检查", "年度体检", "年度健康体检", "免费健康体检"],
    },
    "rectification_status": {
        # the words ledgers write beside the contract's (a probe's 已完成整改 and 完成 were unknown, stored
        # blank and so counted open and overdue)
        "未整改": ["待整改", "未完成", "未开始"],
        "整改中": ["退回补充", "正在整改", "整改中（未完成）"],
        "已整改": ["整改验证", "已完成", "整改完成", "已完成整改", "完成整改", "整改完毕", "完成", "已整改完成"],
        "已销号": ["销号", "已销账", "销账"],
    },
    "rectification_category": {
        "档案资料不规范": ["贫困户档案不规范", "档案不规范"],
        "扶贫手册更新不及时": ["扶贫工作手册更新不及时", "手册更新不及时"],
        "收入核算不准": [],
        "帮扶措施不精准": [],
        "政策落实不到位": [],
        "驻村工作队履职不到位": [],
        "住房饮水等基础保障": [],
        "其他": ["其它"],
    },
    "sex": {"男": ["1", "M"], "女": ["2", "F"]},
    # household checks (data-spec §1.4): the surveyed household's type, the finding, the answer
    # 返贫户 is a registered household back in poverty: not exited (§2's exit status 返贫), as the registry
    # counts it. 脱贫不稳定户 (§2's monitoring type 0) is an exited registered household under monitoring: the
    # registry puts it among the 脱贫户 (registered first, `REGISTRY_TYPE_SQL`), so a form calling a linked one
    # 脱贫户 agrees, and one without 户编号 is asked for it (check_registered_no_id). Both were unknown codes.
    "household_type": {
        "脱贫户": ["已脱贫户", "建档立卡脱贫户", "已脱贫", "脱贫不稳定户", "脱贫不稳定"],
        "未脱贫户": ["贫困户", "未脱贫", "建档立卡未脱贫户", "返贫户", "返贫"],
        "边缘户": ["边缘易致贫户", "监测户", "监测对象", "突发严重困难户", "边缘易致贫", "突发严重困难"],
        "一般农户": ["一般户", "非贫困户", "非建档立卡户", "农户"],
    },
    "finding": {  # a suspected finding counts as the finding (§1.4)
        "正常": ["无问题", "准确"],
        "错退": ["疑似错退"],
        "漏评": ["疑似漏评"],
        "错评": ["疑似错评"],
    },
    # 是否认可 is a yes/no question: besides 是/否 it is answered in the yes/no spellings of §2 that the
    # form's own 两不愁三保障 columns take (√/×, 1/0, Y/N); a form ticked √/× lost every answer, and its
    # 群众认可度 had no figure (a probe, 2026-12-06)
    # and in a satisfaction scale's words, which forms use for the same question (a probe, 2026-12-07:
    # 非常满意, 比较满意, 不太满意, 一般, 不了解 were unknown codes and left out of 作答): the approving grades
    # approve, the disapproving ones do not, the middle and "do not know" are 说不清 (answered, not approving)
    "approval": {
        "认可": ["满意", "是", "基本认可", "基本满意", "非常满意", "比较满意", "非常认可", "比较认可",
               "√", "✓", "✔", "1", "Y", "y"],  # assessments count 基本认可 as approving
        "不认可": ["不满意", "否", "不太满意", "很不满意", "非常不满意", "不太认可", "很不认可",
                "×", "✗", "✘", "✕", "✖", "x", "X", "0", "N", "n"],
        "说不清": ["说不清楚", "不清楚", "不好说", "一般", "不了解", "不知道"],
    },
}

# Canonical order of each list is the dictionary order above: charts sort legends by it.
CODE_ORDER: dict[str, list[str]] = {field: list(values) for field, values in CODE_LISTS.items()}

# Exit-status spellings that say whether the exited household still enjoys policy support.
ENJOYS_POLICY: dict[str, bool] = {
    "1": True, "已脱贫(享受政策)": True, "已脱贫（享受政策）": True, "脱贫(享受政策)": True,
    "4": False, "已脱贫(不享受政策)": False, "已脱贫（不享受政策）": False, "脱贫(不享受政策)": False,
}

# Household-attribute spellings of the post-2020 monitoring system (data-spec §2: 01–08, 一般脱贫户,
# 低保脱贫户, 特困供养脱贫户, 低保特困供养…): besides one of the three attributes they say the household
# has exited (脱贫户). A household whose exit status is blank is then loaded as 已脱贫.
EXITED_ATTRIBUTES = ("一般脱贫户", "低保脱贫户", "特困供养脱贫户", "低保特困供养脱贫户",
                     "01", "02", "03", "04", "05", "06", "07", "08", "3", "5", "6", "7", "8")

# √ and × with the check and cross marks an input method offers beside them (✔ and ✘ were invalid)
# (已消除 / 未消除: how 风险是否消除 is often answered; 已签约 / 未签约, 已参加 / 未参加 (已参保 / 未参保) and
# 已解决 / 未解决: how exports answer 是否签约家庭医生, 是否参加…医疗保险 and 是否解决安全饮用水, which a probe's
# registry lost as invalid_yes_no)
YES = ["是", "Y", "y", "YES", "Yes", "yes", "1", "√", "有", "true", "True", "TRUE", "✓", "✔", "已消除",
       "已签约", "已参加", "已参保", "已解决"]
NO = ["否", "N", "n", "NO", "No", "no", "0", "×", "无", "false", "False", "FALSE", "✗", "✘", "✕", "✖", "x", "X",
      "未消除", "未签约", "未参加", "未参保", "未解决"]


# Separators of multi-valued cells (other causes, health).
MULTI_SEPARATORS = ",，、;；/"
# What the summaries and pages call a household or member with no value of a code list (no main cause,
# no health or labour status): one word everywhere, so totals add up to the population.
NOT_FILLED = "未填写"

# The demo county's township-level units (data-spec §7).
DEMO_TOWNSHIPS: dict[str, str] = {
    "海流图镇": "150824100",
    "乌加河镇": "150824101",
    "德岭山镇": "150824102",
    "石哈河镇": "150824103",
    "甘其毛都镇": "150824104",
    "温更镇": "150824105",
    "呼勒斯太苏木": "150824200",
    "川井苏木": "150824201",
    "巴音乌兰苏木": "150824202",
    "新忽热苏木": "150824203",
}


def synonym_rows() -> list[tuple[str, str, str]]:
    """(field, raw, canonical) for every spelling, canonical included, for the lookup table."""
    rows: list[tuple[str, str, str]] = []
    for field, values in CODE_LISTS.items():
        for canonical, synonyms in values.items():
            for raw in [canonical, *synonyms]:
                rows.append((field, raw, canonical))
    return rows


def poverty_line(year: int | None) -> int | None:
    """The line of a year; years after LAST_LINE_YEAR keep its line, years before the first have none."""
    if year is None:
        return None
    return POVERTY_LINE.get(min(year, LAST_LINE_YEAR))
