"""Deterministic demo county (乌拉特中旗, data-spec §7) written as the export files users bring.

Only files are written here (never DuckDB): `python -m etl demo` loads them through the same path as
users' files, so the demo exercises the real parsers (GB18030/UTF-8-BOM/tab CSVs, an xlsx with a
merged title, mixed cell types) and the validation rules (planted defects, see DEMO_DEFECTS).

The same shape at benchmark scale is written by etl.scaled_demo.
"""

from __future__ import annotations

import csv
import hashlib
import io
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from etl.codes import DEMO_TOWNSHIPS
from etl.rules import POVERTY_LINE

DEMO_AS_OF = date(2020, 6, 30)  # latest event date in the demo files (the planted 2030 typo aside)
EXPORT_TIME = datetime(2020, 6, 30, 17, 30, 0)  # fixed xlsx metadata: same seed -> same bytes

# People named in the source report are never generated: every name we make is checked against them.
# Kept as digests (sha256, first 16 hex digits) so that the real names stand nowhere in the code.
REAL_NAME_DIGESTS = frozenset({
    "15b1091b5d2ba8a3", "6a338017ae6a53a8", "8a28b24a3d57871c", "8c94aae66895aabf", "a0c9585e6a34301d",
    "ad01168a8f500f7f", "bc2807220ddd42b9", "c2beb3a671d20152", "c43858326e77c089", "f17266b7b4ce18a9",
})


def contains_real_name(text: str) -> bool:
    """True when any 2- or 3-character run of `text` is the name of a person in the source report."""
    return any(
        hashlib.sha256(text[i:i + n].encode("utf-8")).hexdigest()[:16] in REAL_NAME_DIGESTS
        for n in (2, 3) for i in range(len(text) - n + 1)
    )

COUNTY_NAME = "乌拉特中旗"  # the demo county (code 150824), named in its database's marker (etl.schema.DEMO_KEY)
DEMO_FILE_NAMES = ("贫困人口信息_2019.csv", "乌拉特中旗建档立卡贫困人口信息表.xlsx", "帮扶措施台账.csv",
                   "走访记录.csv", "医疗报销明细.csv", "问题整改台账.csv", "乡村人口基数表.csv",
                   "2020年6月自查入户核查表.xlsx")

# Households whose 首次识别时间 is hand-typed as a month only (`2016年3月`): a date form the spec does
# not list, so a parser may refuse it (invalid_date); kept to a few.
DEMO_MONTH_ONLY_DATES = 6

# Planted archive defects per file: rule -> expected rows in `data_issues` (kind "issue"),
# `rejected_rows` ("rejected") or skipped rows ("skipped"); rule names are the loader's. Fixed by
# construction, whatever the seed; DemoCounty.defects says where each sits (rule, file, locator).
# id_mangled sits in the 2019 registry: the 2020 registry then replaces that household's members, so
# it shows in the 2019 batch's issue count but not in the final data_issues table.
DEMO_DEFECTS_BY_FILE: dict[str, dict[str, int]] = {
    "贫困人口信息_2019.csv": {
        "id_mangled": 1,              # 身份证号码 written as 1.50824E+17 (saved once from Excel)
    },
    "乌拉特中旗建档立卡贫困人口信息表.xlsx": {
        "id_invalid": 6,              # 5 wrong GB 11643 check chars (one in 乌加河镇), 1 birth date Feb 30
        "id_duplicate": 2,            # one person listed in two households (both rows flagged)
        "size_mismatch": 3,           # 人数 != member rows (one in 乌加河镇)
        "no_head": 1,                 # a household without a 户主 row
        "multiple_heads": 1,          # a household with two 户主 rows
        "household_fields_differ": 2,  # 主要致贫原因 / 户联系电话 differ on a second member row
        "exit_without_year": 2,       # 已脱贫, 脱贫年度 blank (one-person households)
        "exit_income_below_line": 3,  # 已脱贫, 2020 income < 4000 (one-person households)
        "monitored_without_type": 1,  # neither exit status nor 监测对象类别 (风险是否消除 filled)
        "unknown_code": 2,            # 主要致贫原因 因懒, 劳动技能 半劳力
        "invalid_date": DEMO_MONTH_ONLY_DATES,  # 首次识别时间 `2015年10月`
        "no_household_id": 1,         # rejected
        "no_township": 1,             # rejected
        "blank_row": 1,               # skipped
    },
    "帮扶措施台账.csv": {
        "unknown_code": 1,            # 措施类别 集体经济分红
        "negative_amount": 1,         # 金额 -2000.00
        "not_a_number": 1,            # 金额 待核实
        "no_household_id": 1,         # rejected
    },
    "走访记录.csv": {
        "future_date": 1,             # 走访日期 2030-06-25 (typo for 2020)
    },
    "医疗报销明细.csv": {
        "claim_parts_mismatch": 3,    # parts + 个人自付 != 总费用
        "blank_row": 1,               # skipped
    },
    "问题整改台账.csv": {},
    "乡村人口基数表.csv": {},
    "2020年6月自查入户核查表.xlsx": {
        "check_household_unknown": 1,  # a neighbour's form with a mistyped 户编号
        "check_type_mismatch": 1,     # an exited household in 乌加河镇 written as 一般农户
    },
}
DEMO_DEFECTS: dict[str, int] = {}
for _rules in DEMO_DEFECTS_BY_FILE.values():
    for _rule, _n in _rules.items():
        DEMO_DEFECTS[_rule] = DEMO_DEFECTS.get(_rule, 0) + _n
DEMO_DEFECT_KIND: dict[str, str] = {
    rule: ("rejected" if rule in ("no_household_id", "no_township") else "skipped" if rule == "blank_row"
           else "issue")
    for rule in DEMO_DEFECTS
}
# Exited households planted as suspected wrong exits besides income below the line (not data issues:
# the dashboard derives them). Household-level counts.
DEMO_SUSPECT_EXITS: dict[str, int] = {"unsafe_housing": 2, "unsafe_water": 2, "uninsured_member": 2}

# Registered (建档立卡) households per township; the three visited ones are fixed by the report.
DEMO_REGISTERED: dict[str, int] = {
    "海流图镇": 170, "乌加河镇": 8, "德岭山镇": 10, "石哈河镇": 95, "甘其毛都镇": 60, "温更镇": 80,
    "呼勒斯太苏木": 7, "川井苏木": 55, "巴音乌兰苏木": 50, "新忽热苏木": 65,
}
# Monitored edge households (边缘户, no exit status): about 5% on top of the registered ones.
DEMO_EDGE: dict[str, int] = {
    "海流图镇": 9, "石哈河镇": 5, "温更镇": 4, "新忽热苏木": 3, "甘其毛都镇": 3, "川井苏木": 2,
    "巴音乌兰苏木": 2, "呼勒斯太苏木": 2,
}
INDUSTRY_PROJECTS = ("亿丰惠农专业合作社", "好联丰有机农作物种植基地", "万亩蜜瓜产业园区", "富一方园区",
                     "嘉佳和现代农业合作社")
INSPECTION_DAYS = (date(2020, 6, 22), date(2020, 6, 27))
# The work team's days per township (the visits ledger and the self-check form agree).
INSPECTION_DAY: dict[str, date] = {"乌加河镇": date(2020, 6, 22), "呼勒斯太苏木": date(2020, 6, 24),
                                   "德岭山镇": date(2020, 6, 26)}
# Rural population (2019) per township: about 64 thousand in all, most of the banner's people
# (data-spec §7: 乌拉特中旗 is mostly rural); the villages share it unevenly.
DEMO_RURAL_POPULATION: dict[str, int] = {
    "海流图镇": 14000, "乌加河镇": 9500, "德岭山镇": 8500, "石哈河镇": 8000, "甘其毛都镇": 3500, "温更镇": 6500,
    "呼勒斯太苏木": 3000, "川井苏木": 3500, "巴音乌兰苏木": 3000, "新忽热苏木": 4500,
}
# The June 2020 self-check (docs/DECISIONS.md): the work team's 24 households, two non-registered
# neighbours each and the edge households of the visited villages. Its planted findings: in
# 呼勒斯太苏木 3 不认可 and 1 说不清 of 23 answers, so that township fails 群众认可度 (82.6% < 90%) and
# no other township fails any line; one 疑似错评 in 乌加河镇 (not one of the four figures).
DEMO_SELF_CHECK_NEIGHBOURS = 2
DEMO_SELF_CHECK_FAILS = ("呼勒斯太苏木", "approval")
LONELY_ELDER_NOTE = "独居老人，居住偏远，需定期电话询问"

VILLAGES: dict[str, list[str]] = {
    "海流图镇": ["东风村", "新华村", "团结村", "阿尔其格嘎查", "巴音杭盖嘎查", "呼和温都尔嘎查",
             "宝日汗图嘎查", "沙布日台嘎查"],
    "乌加河镇": ["联丰奋斗村", "八一村", "红旗村", "新星村", "黄河村"],
    "德岭山镇": ["兴丰村", "乌镇村", "四义堂村", "胜利村"],
    "石哈河镇": ["石哈河村", "二份子村", "大股子村", "万合永村", "常胜村", "苏独仑嘎查"],
    "甘其毛都镇": ["甘其毛都嘎查", "巴音温都尔嘎查", "额很乌苏嘎查", "哈日朝鲁嘎查"],
    "温更镇": ["新胜村", "民主村", "永丰村", "同和太村", "乌兰布拉格嘎查"],
    "呼勒斯太苏木": ["呼和嘎查", "哈拉图嘎查", "希博图嘎查", "温更嘎查"],
    "川井苏木": ["川井嘎查", "巴音哈太嘎查", "沙如拉嘎查", "乌兰淖尔嘎查"],
    "巴音乌兰苏木": ["巴音乌兰嘎查", "阿拉坦陶勒盖嘎查", "那仁宝力格嘎查", "宝日布嘎查"],
    "新忽热苏木": ["新忽热嘎查", "巴音宝力格嘎查", "乌力吉图嘎查", "查干陶勒盖嘎查"],
}

SURNAMES = list("王李张刘陈杨赵黄周吴孙胡朱高林何郭马罗梁郑谢韩唐冯于董程曹袁邓傅沈曾彭苏卢蒋蔡贾丁"
                "魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段"
                "雷钱汤尹黎易常武乔贺赖龚文")
# Given names by generation (born before 1965, 1965-1999, from 2000): names follow fashions.
MALE_GIVEN = (["建国", "建军", "国庆", "永明", "福生", "有才", "占山", "振华", "德胜", "长林", "金山", "玉林",
               "保平", "二虎", "满仓", "润生", "树林", "宝山", "春生", "秋生", "来福", "根生"],
              ["志强", "海军", "文斌", "俊", "军", "伟", "强", "磊", "亮", "鹏", "明", "刚", "建平", "利军"],
              ["浩然", "子轩", "宇航", "博文", "家豪", "晨阳", "梓豪", "一鸣"])
FEMALE_GIVEN = (["桂兰", "秀英", "玉珍", "凤英", "淑珍", "秀兰", "春花", "玉兰", "淑芬", "月娥", "秀梅",
                 "素琴", "冬梅", "金花", "巧云", "桂芳"],
                ["翠萍", "美玲", "丽娟", "晓燕", "海霞", "红梅", "彩霞", "敏", "静", "丽", "娜", "婷"],
                ["欣怡", "雨涵", "梓萱", "佳怡", "诗涵", "子涵", "思雨"])
MONGOL_MALE = ["巴特尔", "额尔敦", "那顺", "孟克", "宝音", "巴图", "吉日嘎拉", "朝鲁", "苏和", "乌力吉",
               "达来", "毕力格", "阿拉坦", "布和", "特木尔"]
MONGOL_FEMALE = ["其木格", "乌云", "斯琴", "图雅", "萨仁", "高娃", "娜仁", "托娅", "乌兰", "格日乐",
                 "阿拉腾花", "塔娜", "琪琪格", "敖登", "苏布达"]

CAUSE_WEIGHTS = {"因病": 35, "因残": 15, "缺劳力": 18, "缺技术": 8, "缺资金": 8, "因学": 4, "因灾": 4,
                 "缺土地": 2, "缺水": 2, "交通条件落后": 1, "自身发展动力不足": 2, "其他": 1}
# Spellings a real export mixes in (codes.py synonyms), by canonical value.
CAUSE_SPELLINGS = {"因病": ["因病致贫", "1"], "因残": ["因残致贫", "2"], "因学": ["因学致贫"],
                   "因灾": ["因灾致贫"], "缺劳力": ["缺劳动力", "8"], "缺技术": ["7"], "缺资金": ["9"]}

INSTITUTIONS = ["乌拉特中旗人民医院", "乌拉特中旗蒙医医院", "巴彦淖尔市医院", "内蒙古医科大学附属医院",
                "包头市中心医院", "德岭山镇卫生院", "海流图镇卫生院", "乌加河镇卫生院"]
HELPER_UNITS = ["乌拉特中旗财政局", "乌拉特中旗教育局", "乌拉特中旗卫生健康委员会", "乌拉特中旗农牧局",
                "乌拉特中旗交通运输局", "乌拉特中旗扶贫开发办公室", "乌拉特中旗自然资源局",
                "乌拉特中旗人民医院", "乌拉特中旗住房和城乡建设局", "乌拉特中旗医疗保障局",
                "中国农业银行乌拉特中旗支行", "乌拉特中旗水利局"]

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def _id_check_char(first17: str) -> str:
    """GB 11643 check character of the first 17 digits (private: no dependency on etl.normalize)."""
    return ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


# --------------------------------------------------------------------------------------------------
# Demo county model
# --------------------------------------------------------------------------------------------------


@dataclass
class Person:
    name: str
    id_number: str
    sex: str
    birth: date
    relation: str
    ethnicity: str
    education: str = "小学"
    school: str = "非在校生"
    health: list[str] = field(default_factory=lambda: ["健康"])
    labor: str = "普通劳动力"
    work_months: int = 0
    med_ins: bool = True
    crit_ins: bool = True
    fd_signed: bool = True

    @property
    def age(self) -> int:
        return DEMO_AS_OF.year - self.birth.year - ((DEMO_AS_OF.month, DEMO_AS_OF.day)
                                                   < (self.birth.month, self.birth.day))

    @property
    def ill(self) -> bool:
        return "长期慢性病" in self.health or "患有大病" in self.health


@dataclass
class Household:
    hid: str
    township: str
    village: str
    hamlet: str
    members: list[Person]
    attribute: str
    standard: str
    main_cause: str
    other_causes: list[str]
    exit_status: str | None          # 未脱贫 / 已脱贫 / 返贫; None for edge households
    exit_year: int | None
    enjoys_policy: bool
    identified: date
    income: dict[int, float]         # income per capita by year (2019, 2020)
    unsafe_housing: bool
    safe_water: bool
    monitoring_type: str | None
    risk_eliminated: bool | None
    helper_name: str
    helper_unit: str
    phone: str
    tags: set[str] = field(default_factory=set)

    @property
    def head(self) -> Person:
        return self.members[0]

    @property
    def registered(self) -> bool:
        return self.exit_status is not None


class DemoCounty:
    """Builds the county in memory (households, then ledgers) from one seeded random stream."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.used_ids: set[str] = set()
        self.used_names: set[str] = set()
        self.households: list[Household] = []
        self.defects: list[tuple[str, str, str]] = []  # (rule, file, locator) for the lead's tests
        self.hh_seq: dict[str, int] = {}
        self.no_measure: set[str] = set()       # registered households without any intervention
        self.bad_check: set[str] = set()        # ID numbers written with a wrong check char in 2020
        self.fd_group: dict[str, str] = {}      # chronic patient ID -> family-doctor follow-up pattern
        self.wjh_size_bad = ""                  # the 乌加河镇 household whose 人数 is wrong
        self._build_households()

    # ---- people -----------------------------------------------------------------------------------
    def name(self, sex: str, mongol: bool, born: int = 1975, surname: str | None = None) -> str:
        rng = self.rng
        gen = 0 if born < 1965 else 1 if born < 2000 else 2
        for _ in range(1000):
            if mongol and rng.random() < 0.7:
                given = rng.choice(MONGOL_MALE if sex == "男" else MONGOL_FEMALE)
                name = given if rng.random() < 0.6 else rng.choice(SURNAMES) + given
            else:
                family = surname or rng.choice(SURNAMES)
                name = family + rng.choice((MALE_GIVEN if sex == "男" else FEMALE_GIVEN)[gen])
            if not contains_real_name(name):
                return name
        raise RuntimeError("name pool exhausted")

    def id_number(self, birth: date, sex: str, region: str = "150824") -> str:
        while True:
            seq = self.rng.randrange(0, 500) * 2 + (1 if sex == "男" else 0)  # odd = male
            first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
            if first17 not in self.used_ids:
                self.used_ids.add(first17)
                return first17 + _id_check_char(first17)

    def birth(self, age: int) -> date:
        return date(DEMO_AS_OF.year - age, 1, 1) - timedelta(days=self.rng.randrange(0, 365))

    def person(self, age: int, sex: str, relation: str, mongol: bool, surname: str | None = None) -> Person:
        rng = self.rng
        birth = self.birth(age)
        age = DEMO_AS_OF.year - birth.year
        p = Person(name=self.name(sex, mongol, birth.year, surname), id_number=self.id_number(birth, sex), sex=sex, birth=birth,
                   relation=relation, ethnicity="蒙古族" if mongol else rng.choice(["汉族"] * 12 + ["回族"]))
        if age < 6:
            p.education, p.school = "学龄前儿童", ("学前教育" if age >= 3 else "非在校生")
        elif age < 19:
            level = "小学" if age < 12 else "初中" if age < 15 else "高中"
            p.education, p.school = level, (rng.choice(["高中", "中职"]) if level == "高中" else level)
        elif age < 23 and rng.random() < 0.4:
            p.education, p.school = "大专及以上", rng.choice(["高职", "本科"])
        elif age >= 65:
            p.education = rng.choice(["文盲或半文盲", "文盲或半文盲", "小学"])
        elif age >= 40:
            p.education = rng.choice(["小学", "初中", "初中"])
        else:
            p.education = rng.choice(["初中", "高中", "大专及以上"])
        r = rng.random()
        if age >= 60:
            p.health = (["长期慢性病"] if r < 0.45 else ["患有大病"] if r < 0.55 else ["残疾"] if r < 0.63
                        else ["长期慢性病", "残疾"] if r < 0.68 else ["健康"])
        elif age >= 18:
            p.health = (["长期慢性病"] if r < 0.12 else ["患有大病"] if r < 0.16 else ["残疾"] if r < 0.22
                        else ["健康"])
        if age < 16 or age >= 70:
            p.labor = "无劳动力"
        elif "患有大病" in p.health or ("残疾" in p.health and rng.random() < 0.5):
            p.labor = "丧失劳动力"
        elif p.health != ["健康"] or age >= 60:
            p.labor = "弱劳动力或半劳动力"
        else:
            p.labor = "技能劳动力" if rng.random() < 0.2 else "普通劳动力"
        if p.labor in ("普通劳动力", "技能劳动力"):
            p.work_months = rng.choice([0, 3, 4, 6, 6, 8, 10, 12])
        p.fd_signed = p.ill or age >= 65 or rng.random() < 0.8
        return p

    def members(self, size: int, mongol: bool) -> list[Person]:
        rng = self.rng
        m: list[Person] = []
        family = rng.choice(SURNAMES)  # the head's line (children, grandchildren, parents) shares it
        if size <= 2 and rng.random() < 0.7:  # elderly living alone or an elderly couple
            head_age = rng.randint(62, 88)
        else:
            head_age = rng.randint(36, 64)
        head_sex = "男" if rng.random() < 0.78 else "女"
        m.append(self.person(head_age, head_sex, "户主", mongol, family))
        other_sex = "女" if head_sex == "男" else "男"
        if size >= 2:
            if head_age >= 62 or rng.random() < 0.75:
                m.append(self.person(max(20, head_age + rng.randint(-6, 3)), other_sex, "配偶", mongol))
            else:  # widowed parent living with a child
                sex = rng.choice("男女")
                m.append(self.person(max(1, head_age - rng.randint(22, 32)), sex,
                                     "之子" if sex == "男" else "之女", mongol, family))
        for _ in range(size - len(m)):
            if head_age >= 55 and rng.random() < 0.5:
                sex = rng.choice("男女")
                m.append(self.person(max(0, head_age - rng.randint(45, 55)), sex,
                                     "之孙子" if sex == "男" else "之孙女", mongol, family))
            elif rng.random() < 0.12 and head_age < 55:
                sex = rng.choice("男女")
                m.append(self.person(min(92, head_age + rng.randint(24, 30)), sex,
                                     "之父" if sex == "男" else "之母", mongol,
                                     family if sex == "男" else None))
            else:
                sex = rng.choice("男女")
                m.append(self.person(max(0, head_age - rng.randint(22, 36)), sex,
                                     "之子" if sex == "男" else "之女", mongol, family))
        return m

    # ---- households -------------------------------------------------------------------------------
    def new_hid(self, township: str, village: str) -> str:
        code = DEMO_TOWNSHIPS[township]
        vcode = 201 + VILLAGES[township].index(village)
        key = f"{code}{vcode}"
        self.hh_seq[key] = self.hh_seq.get(key, 0) + 1
        return f"{key}{self.hh_seq[key]:04d}"

    def phone(self) -> str:
        rng = self.rng
        return f"1{rng.choice('3578')}{rng.randrange(10)}{rng.randrange(10**8):08d}"

    def household(self, township: str, village: str, *, size: int | None = None, cause: str | None = None,
                  status: str | None = "已脱贫", exit_year: int | None = None,
                  monitoring: str | None = None) -> Household:
        rng = self.rng
        mongol = rng.random() < (0.55 if township.endswith("苏木") else 0.1)
        if size is None:
            size = rng.choices([1, 2, 3, 4, 5], [38, 43, 10, 6, 3])[0]
        members = self.members(size, mongol)
        head = members[0]
        if cause is None:  # the cause has to fit the household: students for 因学, elderly lack labour
            weights = dict(CAUSE_WEIGHTS)
            if not any(p.school not in ("非在校生", "学前教育") for p in members):
                weights["因学"] = 0
            if all(p.age >= 60 for p in members):
                weights.update({"缺劳力": 40, "缺技术": 2, "缺资金": 2, "自身发展动力不足": 0})
            cause = rng.choices(list(weights), list(weights.values()))[0]
        # the cause has to show in the members: an ill or disabled person for 因病/因残
        if cause == "因病" and not any(p.ill for p in members):
            head.health = [rng.choice(["长期慢性病", "长期慢性病", "患有大病"])]
            head.labor = "丧失劳动力" if "患有大病" in head.health else "弱劳动力或半劳动力"
            head.work_months, head.fd_signed = 0, True
        if cause == "因残" and not any("残疾" in p.health for p in members):
            head.health = ["残疾"]
            head.labor, head.work_months = "丧失劳动力", 0
        others = [c for c in ("缺劳力", "缺技术", "缺资金", "因病", "因学", "自身发展动力不足") if c != cause]
        other_causes = rng.sample(others, rng.choice([0, 0, 1, 1, 2]))
        if status in ("已脱贫", "返贫") and exit_year is None:
            exit_year = rng.choices([2014, 2015, 2016, 2017, 2018, 2019, 2020],
                                    [2, 6, 25, 30, 20, 14, 0 if status == "返贫" else 3])[0]
        if status is None or status == "未脱贫":
            exit_year = None
        identified = date(rng.choice([2014, 2014, 2014, 2015, 2015, 2016]), rng.randint(3, 11),
                          rng.randint(1, 28))
        if exit_year is not None and identified.year > exit_year:
            identified = identified.replace(year=exit_year - 1 if exit_year > 2014 else 2014)
        if status is None:  # edge households came under monitoring in 2020
            identified = date(2020, rng.randint(3, 6), rng.randint(1, 28))
        attribute = ("特困供养贫困户" if size == 1 and head.age >= 65 and rng.random() < 0.35
                     else "低保贫困户" if (head.age >= 60 or cause in ("因病", "因残")) and rng.random() < 0.55
                     else "一般贫困户")
        line20, line19 = POVERTY_LINE[2020], POVERTY_LINE[2019]
        if status is None or monitoring == "脱贫不稳定户":  # within the monitoring threshold
            inc20 = line20 * rng.uniform(1.02, 1.45)
        elif status == "已脱贫":
            inc20 = line20 * rng.uniform(1.3, 3.2)
        else:  # 未脱贫 or 返贫: some below the line, some just above it
            inc20 = line20 * rng.uniform(0.7, 1.35)
        inc19 = inc20 / rng.uniform(1.08, 1.3)
        if exit_year is not None and exit_year <= 2019:
            inc19 = max(inc19, line19 * rng.uniform(1.08, 1.4))  # exited by 2019: above the 2019 line
        village_list = VILLAGES[township]
        hh = Household(
            hid=self.new_hid(township, village), township=township, village=village,
            hamlet=f"{'一二三四五六'[village_list.index(village) % 6]}社",
            members=members, attribute=attribute, standard="国家标准", main_cause=cause,
            other_causes=other_causes, exit_status=status, exit_year=exit_year,
            enjoys_policy=exit_year is None or exit_year >= 2017 or rng.random() < 0.5,
            identified=identified, income={2019: round(inc19, 2), 2020: round(inc20, 2)},
            unsafe_housing=status in ("未脱贫", "返贫") and rng.random() < 0.15,
            safe_water=not (status in ("未脱贫", None) and rng.random() < 0.1),
            monitoring_type=monitoring,
            risk_eliminated=None if monitoring is None else rng.random() < 0.3,
            helper_name="", helper_unit="", phone=self.phone(),
        )
        self.households.append(hh)
        return hh

    def _build_households(self) -> None:
        rng = self.rng
        # 乌加河镇: 8 registered households, all visited by the work team.
        wjh_villages = ["联丰奋斗村", "联丰奋斗村", "联丰奋斗村", "八一村", "八一村", "红旗村", "红旗村", "新星村"]
        for i, v in enumerate(wjh_villages):
            hh = self.household("乌加河镇", v, status="未脱贫" if i == 6 else "已脱贫")
            hh.tags.add("inspected")
        dry = self.households[1]  # the dry-cleaning shop household: working-age head
        dry.members = self.members(3, False)
        while dry.head.age > 55:
            dry.members = self.members(3, False)
        dry.main_cause, dry.tags = "缺资金", dry.tags | {"dry_cleaning"}
        # 呼勒斯太苏木: 7 registered households over its 4 gacha, one 80-year-old living alone.
        for i, v in enumerate(["呼和嘎查", "呼和嘎查", "哈拉图嘎查", "哈拉图嘎查", "希博图嘎查", "温更嘎查",
                               "温更嘎查"]):
            hh = self.household("呼勒斯太苏木", v, status="未脱贫" if i == 3 else "已脱贫")
            hh.tags.add("inspected")
        elder_hh = self.households[-1]
        elder = self.person(80, "男", "户主", True)
        elder.health, elder.labor, elder.work_months = ["长期慢性病"], "丧失劳动力", 0
        elder_hh.members, elder_hh.attribute, elder_hh.main_cause = [elder], "特困供养贫困户", "缺劳力"
        elder_hh.exit_year, elder_hh.enjoys_policy = 2018, True
        elder_hh.income = {2019: round(POVERTY_LINE[2019] * 1.3, 2), 2020: round(POVERTY_LINE[2020] * 1.25, 2)}
        elder_hh.tags.add("lonely_elder")
        # 德岭山镇: 10 registered households, 4 exited, mostly 因病; 9 visited by the work team.
        dls = [("兴丰村", "因病", "已脱贫"), ("兴丰村", "因病", "未脱贫"), ("兴丰村", "因残", "未脱贫"),
               ("乌镇村", "因病", "已脱贫"), ("乌镇村", "缺劳力", "未脱贫"), ("四义堂村", "因病", "已脱贫"),
               ("四义堂村", "因病", "未脱贫"), ("四义堂村", "因病", "未脱贫"), ("胜利村", "因残", "已脱贫"),
               ("胜利村", "因病", "未脱贫")]
        for i, (v, cause, status) in enumerate(dls):
            hh = self.household("德岭山镇", v, cause=cause, status=status)
            if i != 9:
                hh.tags.add("inspected")
            # "剩余6户正常脱贫户": on course to exit, income near the 2020 line
            if status == "未脱贫":
                hh.income[2020] = round(POVERTY_LINE[2020] * rng.uniform(0.92, 1.2), 2)
        # The other townships: registered households (a fixed number not yet exited or returned to
        # poverty, so counts do not drift with the seed), then edge households.
        others = sum(n for t, n in DEMO_REGISTERED.items() if t not in ("乌加河镇", "呼勒斯太苏木", "德岭山镇"))
        statuses = ["未脱贫"] * 18 + ["返贫"] * 6
        statuses += ["已脱贫"] * (others - len(statuses))
        rng.shuffle(statuses)
        for township, n in DEMO_REGISTERED.items():
            if township in ("乌加河镇", "呼勒斯太苏木", "德岭山镇"):
                continue
            villages = VILLAGES[township]
            weights = [len(villages) - i + 2 for i in range(len(villages))]  # first village biggest
            for _ in range(n):
                self.household(township, rng.choices(villages, weights)[0], status=statuses.pop())
        # registered but unstable: exited, monitored as 脱贫不稳定户
        for hh in rng.sample([h for h in self._plain() if h.exit_status == "已脱贫"], 8):
            hh.monitoring_type, hh.risk_eliminated = "脱贫不稳定户", rng.random() < 0.25
            hh.income[2020] = round(POVERTY_LINE[2020] * rng.uniform(1.05, 1.45), 2)
            hh.tags.add("unstable")
        for township, n in DEMO_EDGE.items():
            for _ in range(n):
                mtype = rng.choices(["边缘易致贫户", "突发严重困难户"], [3, 1])[0]
                hh = self.household(township, rng.choice(VILLAGES[township]), status=None, monitoring=mtype)
                hh.tags.add("edge")
        self._assign_helpers()
        self._plant_registry_facts()

    def _plain(self) -> list[Household]:
        """Registered households outside the three visited townships, with no special role yet."""
        return [h for h in self.households
                if h.township not in ("乌加河镇", "呼勒斯太苏木", "德岭山镇") and h.registered and not h.tags]

    def _assign_helpers(self) -> None:
        rng = self.rng
        helper = ("", "")
        for i, hh in enumerate(self.households):
            if i % 4 == 0:  # a cadre helps about four households
                helper = (self.name(rng.choice("男男女"), False), rng.choice(HELPER_UNITS))
            hh.helper_name, hh.helper_unit = helper

    def _plant_registry_facts(self) -> None:
        """Suspected wrong exits that are data, not format defects (income, housing, water, insurance)."""
        rng = self.rng
        pool = [h for h in self._plain() if h.exit_status == "已脱贫" and h.monitoring_type is None]
        singles = [h for h in pool if len(h.members) == 1]
        picks = rng.sample(singles, 6)
        for hh in picks[:3]:
            hh.income[2020] = round(rng.uniform(3100, 3950), 2)
            hh.tags.add("income_below_line")
        for hh in picks[3:5]:
            hh.tags.add("exited_without_year")
        picks[5].tags.add("unknown_cause")  # 致贫原因 因懒
        rest = [h for h in pool if not h.tags]
        picks = rng.sample(rest, 6)
        for hh in picks[:2]:
            hh.unsafe_housing = True
            hh.tags.add("suspect_housing")
        for hh in picks[2:4]:
            hh.safe_water = False
            hh.tags.add("suspect_water")
        for hh in picks[4:6]:
            hh.members[-1].med_ins = False
            hh.tags.add("suspect_insurance")


# --------------------------------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------------------------------

def _yn(value: bool | None, yes: str = "是", no: str = "否") -> str:
    return "" if value is None else yes if value else no


def _csv_bytes(rows: list[list[object]], encoding: str, delimiter: str = ",") -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")  # Excel's line ends
    writer.writerows([["" if v is None else v for v in row] for row in rows])
    return buf.getvalue().encode(encoding)


def _title_row(title: str, width: int) -> list[object]:
    return [title] + [""] * (width - 1)  # Excel saves a merged title as one cell plus empties


def _date_text(d: date, style: int) -> str:
    """The date spellings real exports mix (spec §1)."""
    return [f"{d:%Y-%m-%d}", f"{d.year}/{d.month}/{d.day}", f"{d.year}年{d.month}月{d.day}日",
            f"{d:%Y%m%d}", f"{d.year}.{d.month}.{d.day}"][style]


REGISTRY_2019_HEADER = [
    "序号", "乡(镇)", "行政村", "户编号", "人编号", "姓名", "身份证号码", "与户主关系", "家庭人口数", "性别",
    "民族", "文化程度", "在校生状况", "健康状况", "劳动技能", "务工时间", "是否参加基本医疗保险",
    "是否参加大病保险", "家庭医生签约", "贫困户属性", "识别标准", "致贫原因", "次要致贫原因", "脱贫属性",
    "脱贫年份", "识别时间", "人均纯收入", "收入年度", "危房户", "是否解决安全饮用水", "帮扶责任人", "帮扶单位",
    "联系电话",
]

REGISTRY_2020_HEADER = [
    "序号", "县(市、区、旗)", "苏木(镇)", "嘎查村", "自然村", "户编号", "人编号", "姓名", "证件号码",
    "与户主关系", "人数", "性别", "民族", "文化程度", "在校生状况", "健康状况", "劳动技能", "务工时间(月)",
    "是否参加城乡居民基本医疗保险", "是否参加大病保险", "是否签约家庭医生", "贫困户属性", "识别标准",
    "主要致贫原因", "其他致贫原因", "贫困户状态", "脱贫年度", "首次识别时间", "家庭年人均纯收入(元)",
    "收入年度", "是否危房户", "饮水安全", "易返贫致贫户(监测对象)类型", "风险是否消除", "帮扶责任人",
    "帮扶单位", "户联系电话",
]


def _status_2019(hh: Household) -> tuple[str, int | None]:
    if hh.exit_year is not None and hh.exit_year <= 2019 and hh.exit_status in ("已脱贫", "返贫"):
        return "已脱贫", hh.exit_year
    return "未脱贫", None


def _write_registry_2019(county: DemoCounty, path: Path) -> None:
    rng = county.rng
    width = len(REGISTRY_2019_HEADER)
    rows: list[list[object]] = [_title_row("乌拉特中旗建档立卡贫困人口信息表（2019年底）", width),
                                REGISTRY_2019_HEADER]
    mangled_done = False
    n = 0
    for hh in sorted(county.households, key=lambda h: h.hid):  # exports are sorted by 户编号
        if not hh.registered:
            continue  # monitoring of edge households began in 2020
        status, year = _status_2019(hh)
        status_text = status if status == "未脱贫" else rng.choice(["脱贫", "已脱贫", "已脱贫", "1"])
        members = hh.members  # written before the 2020 changes are planted
        for k, p in enumerate(members, start=1):
            n += 1
            idn = p.id_number
            if not mangled_done and hh.township == "海流图镇" and k == 1 and n > 40:
                idn, mangled_done = "1.50824E+17", True  # opened and saved in Excel once
                county.defects.append(("id_mangled", path.name, f"户编号 {hh.hid}, {p.name}"))
            cause = hh.main_cause
            cause_text = rng.choice(CAUSE_SPELLINGS.get(cause, [cause]) + [cause])
            rows.append([
                n, hh.township, hh.village, hh.hid, f"{hh.hid}{k:02d}", p.name, idn, p.relation,
                len(members), p.sex, p.ethnicity, p.education, p.school, "、".join(p.health), p.labor,
                p.work_months, _yn(p.med_ins), _yn(p.crit_ins), _yn(p.fd_signed), hh.attribute, hh.standard,
                cause_text, "、".join(hh.other_causes), status_text, year or "",
                _date_text(hh.identified, 2 if k % 2 else 0), f"{hh.income[2019]:.2f}", 2019,
                _yn(hh.unsafe_housing), _yn(hh.safe_water), hh.helper_name, hh.helper_unit, hh.phone,
            ])
    assert mangled_done
    path.write_bytes(_csv_bytes(rows, "gb18030"))


def _plant_2020_structure(county: DemoCounty, file: str) -> list[Household]:
    """Structural registry defects of the 2020 export; returns the households in file order."""
    rng = county.rng
    hhs = sorted(county.households, key=lambda h: h.hid)  # exports are sorted by 户编号
    plain = [h for h in county._plain() if h.exit_status == "已脱贫"]
    multi = [h for h in plain if len(h.members) >= 2]
    three = [h for h in plain if len(h.members) == 3]
    # no head: the head died in 2020, the record kept the other two
    nohead = rng.choice(three)
    nohead.members = nohead.members[1:]
    nohead.tags.add("no_head")
    county.defects.append(("no_head", file, nohead.hid))
    # two heads: the spouse is marked 户主 as well
    twohead = rng.choice([h for h in multi if not h.tags and h.members[1].relation == "配偶"])
    twohead.members[1].relation = "户主"
    twohead.tags.add("multiple_heads")
    county.defects.append(("multiple_heads", file, twohead.hid))
    # one person listed in her parents' household and, after marrying, in her husband's
    src = rng.choice([h for h in multi if not h.tags and any(p.relation == "之女" and p.age >= 20
                                                             for p in h.members)])
    daughter = next(p for p in src.members if p.relation == "之女" and p.age >= 20)
    dst = rng.choice([h for h in multi if not h.tags and h is not src and h.township == src.township])
    dst.members.append(Person(**{**daughter.__dict__, "relation": "之儿媳"}))
    src.tags.add("dup_src")
    dst.tags.add("dup_dst")
    county.defects += [("id_duplicate", file, src.hid), ("id_duplicate", file, dst.hid)]
    return hhs


def _write_registry_2020(county: DemoCounty, path: Path) -> None:
    import xlsxwriter  # local import: only the demo needs it

    rng = county.rng
    hhs = _plant_2020_structure(county, path.name)
    free = [h for h in county._plain() if h.exit_status == "已脱贫" and len(h.members) >= 2]
    size_bad = rng.sample(free, 2) + [next(h for h in hhs if h.township == "乌加河镇" and len(h.members) >= 2
                                           and "dry_cleaning" not in h.tags)]
    free = [h for h in free if h not in size_bad]
    county.wjh_size_bad = size_bad[2].hid
    inconsistent = rng.sample(free, 2)
    free = [h for h in free if h not in inconsistent]
    bad_birth_hh = rng.choice([h for h in free if not h.tags])
    bad_birth_hh.tags.add("bad_birth")
    bad_check = set(rng.sample([p.id_number for h in county.households if not h.tags and h.registered
                                for p in h.members if p.relation != "户主"], 4))
    # one in 乌加河镇, whose archives the work team found irregular
    bad_check.add(next(h for h in hhs if h.township == "乌加河镇" and h not in size_bad
                       and "dry_cleaning" not in h.tags).head.id_number)
    county.bad_check = bad_check
    half_labor_hh = rng.choice([h for h in free if not h.tags and h is not bad_birth_hh])
    half_labor_hh.tags.add("half_labor")
    for h in rng.sample([h for h in county._plain() if h not in size_bad and h not in inconsistent],
                        DEMO_MONTH_ONLY_DATES):
        h.tags.add("month_only")
    no_type = next(h for h in hhs if "edge" in h.tags and h.township == "海流图镇")
    no_type.tags.add("no_type")
    for h in size_bad:
        county.defects.append(("size_mismatch", path.name, h.hid))
    for h in inconsistent:
        county.defects.append(("household_fields_differ", path.name, h.hid))

    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"title": "乌拉特中旗建档立卡贫困人口信息表", "author": "扶贫开发信息系统",
                       "created": EXPORT_TIME})
    ws = wb.add_worksheet("贫困人口信息")
    title_fmt = wb.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
    head_fmt = wb.add_format({"bold": True, "border": 1, "bg_color": "#DDEBF7", "text_wrap": True})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    money_fmt = wb.add_format({"num_format": "#,##0.00"})
    width = len(REGISTRY_2020_HEADER)
    ws.merge_range(0, 0, 0, width - 1, "乌拉特中旗建档立卡贫困人口信息表", title_fmt)
    ws.merge_range(1, 0, 1, width - 1, "填报单位：乌拉特中旗扶贫开发办公室        导出时间：2020-06-30", None)
    for c, h in enumerate(REGISTRY_2020_HEADER):
        ws.write_string(2, c, h, head_fmt)
    col = {h: i for i, h in enumerate(REGISTRY_2020_HEADER)}
    row = 3
    seq = 0
    persons = 0

    def put(r: int, values: dict[str, object]) -> None:
        for key, v in values.items():
            c = col[key]
            if v is None or v == "":
                continue
            if isinstance(v, datetime | date):
                ws.write_datetime(r, c, datetime(v.year, v.month, v.day), date_fmt)
            elif isinstance(v, bool):
                raise TypeError(key)
            elif isinstance(v, int | float):
                ws.write_number(r, c, v, money_fmt if key == "家庭年人均纯收入(元)" else None)
            else:
                ws.write_string(r, c, str(v))

    blank_at = 200
    for hh in hhs:
        n_members = len(hh.members)
        declared = n_members + (1 if hh in size_bad[:2] else -1 if hh in size_bad else 0)
        status = hh.exit_status
        status_text = ""
        if status == "已脱贫":
            status_text = rng.choice(["已脱贫(享受政策)"] * 6 + ["脱贫", "1"]) if hh.enjoys_policy \
                else rng.choice(["已脱贫(不享受政策)"] * 4 + ["4"])
        elif status is not None:
            status_text = status if rng.random() < 0.85 else {"未脱贫": "0", "返贫": "3"}[status]
        exit_year: object = hh.exit_year
        if "exited_without_year" in hh.tags:
            exit_year = None
            county.defects.append(("exit_without_year", path.name, hh.hid))
        elif exit_year is not None and rng.random() < 0.15:
            exit_year = str(exit_year)  # text cell
        if "income_below_line" in hh.tags:
            county.defects.append(("exit_income_below_line", path.name, hh.hid))
        cause = hh.main_cause
        cause_text = "因懒" if "unknown_cause" in hh.tags else (
            cause if rng.random() < 0.8 else rng.choice(CAUSE_SPELLINGS.get(cause, [cause])))
        if "unknown_cause" in hh.tags:
            county.defects.append(("unknown_code", path.name, f"{hh.hid} 主要致贫原因 因懒"))
        d = hh.identified
        r = rng.random()
        identified: object = d if r < 0.75 else f"{d.year}/{d.month}/{d.day}"
        if "month_only" in hh.tags:  # a hand-typed month without a day
            identified = f"{d.year}年{d.month}月"
            county.defects.append(("invalid_date", path.name, f"{hh.hid} 首次识别时间 {identified}"))
        income = hh.income[2020]
        income_cell: object = income if rng.random() < 0.8 else f"{income:,.2f}"
        mtype = hh.monitoring_type
        mtype_text = (mtype if rng.random() < 0.85 else {"脱贫不稳定户": "0", "边缘易致贫户": "1",
                                                         "突发严重困难户": "2"}[mtype]) if mtype else ""
        risk = hh.risk_eliminated
        if "no_type" in hh.tags:
            mtype_text, risk = "", False
            county.defects.append(("monitored_without_type", path.name, hh.hid))
        hh_values: dict[str, object] = {
            "县(市、区、旗)": "乌拉特中旗", "苏木(镇)": hh.township, "嘎查村": hh.village, "自然村": hh.hamlet,
            "户编号": hh.hid, "人数": declared, "贫困户属性": hh.attribute if rng.random() < 0.9 else
            {"一般贫困户": "一般户", "低保贫困户": "低保户", "特困供养贫困户": "五保户"}[hh.attribute],
            "识别标准": hh.standard, "主要致贫原因": cause_text, "其他致贫原因": "、".join(hh.other_causes),
            "贫困户状态": status_text, "脱贫年度": exit_year, "首次识别时间": identified,
            "家庭年人均纯收入(元)": income_cell, "收入年度": 2020, "是否危房户": _yn(hh.unsafe_housing),
            "饮水安全": _yn(hh.safe_water), "易返贫致贫户(监测对象)类型": mtype_text,
            "风险是否消除": _yn(risk), "帮扶责任人": hh.helper_name, "帮扶单位": hh.helper_unit,
            "户联系电话": hh.phone,
        }
        for k, p in enumerate(hh.members, start=1):
            idn = p.id_number
            if idn in bad_check:
                wrong = ID_CHECK[(ID_CHECK.index(idn[-1]) + 3) % 11]
                idn = idn[:-1] + wrong
                county.defects.append(("id_invalid", path.name, f"{hh.hid} {p.name}"))
            if "bad_birth" in hh.tags and k == len(hh.members):
                first17 = f"{idn[:6]}{p.birth.year}0230{idn[14:17]}"  # 30 February
                idn = first17 + _id_check_char(first17)
                county.defects.append(("id_invalid", path.name, f"{hh.hid} {p.name}"))
            labor = p.labor
            if "half_labor" in hh.tags and k == 1:
                labor = "半劳力"
                county.defects.append(("unknown_code", path.name, f"{hh.hid} 劳动技能 半劳力"))
            values = dict(hh_values)
            if hh in inconsistent and k == 2:
                if inconsistent.index(hh) == 0:
                    values["主要致贫原因"] = "因残" if cause != "因残" else "因病"
                else:
                    values["户联系电话"] = county.phone()
            seq += 1
            persons += 1
            values.update({
                "序号": seq, "人编号": f"{hh.hid}{k:02d}", "姓名": p.name, "证件号码": idn,
                "与户主关系": p.relation, "性别": p.sex, "民族": p.ethnicity, "文化程度": p.education,
                "在校生状况": p.school, "健康状况": "、".join(p.health), "劳动技能": labor,
                "务工时间(月)": p.work_months, "是否参加城乡居民基本医疗保险": _yn(p.med_ins),
                "是否参加大病保险": _yn(p.crit_ins and p.med_ins),
                "是否签约家庭医生": _yn(p.fd_signed) if rng.random() < 0.95 else ("√" if p.fd_signed else "×"),
            })
            put(row, values)
            row += 1
        if seq >= blank_at:  # one blank row in the middle, as a hand-edited sheet has
            county.defects.append(("blank_row", path.name, f"sheet row {row + 1}"))
            blank_at = 10**9
            row += 1
    # two rows that cannot be placed: no 户编号, no 乡镇
    for missing in ("户编号", "苏木(镇)"):
        p = county.person(47, "男", "户主", False)
        seq += 1
        values = {"序号": seq, "县(市、区、旗)": "乌拉特中旗", "苏木(镇)": "海流图镇", "嘎查村": "东风村",
                  "户编号": f"1508241002019{901 + seq % 50:03d}", "姓名": p.name, "证件号码": p.id_number,
                  "与户主关系": "户主", "人数": 1, "主要致贫原因": "因病", "贫困户状态": "未脱贫",
                  "收入年度": 2020}
        values[missing] = ""
        put(row, values)
        county.defects.append(("no_household_id" if missing == "户编号" else "no_township",
                               path.name, f"sheet row {row + 1}"))
        row += 1
    ws.write_string(row, 0, "合计")
    ws.write_number(row, col["人数"], persons)
    ws.freeze_panes(3, 0)
    wb.close()


def _interventions(county: DemoCounty, path: Path) -> None:
    rng = county.rng
    header = ["序号", "户编号", "户主姓名", "措施类别", "措施内容", "项目名称", "实施年度", "开始日期", "金额(元)",
              "实施状态", "责任单位"]
    options: list[tuple[str, int, str, str, tuple[int, int]]] = [
        # category, weight, content, project, amount range
        ("产业帮扶", 14, "发放肉羊养殖补贴", "肉羊养殖扶贫项目", (2000, 6000)),
        ("产业帮扶", 8, "种植业补贴（葵花、玉米）", "", (800, 3000)),
        ("产业帮扶", 8, "扶贫资金入股合作社分红", "嘎查村集体经济入股项目", (600, 2000)),
        ("产业帮扶", 4, "光伏扶贫电站收益分配", "村级光伏扶贫电站", (1000, 3000)),
        ("就业帮扶", 6, "转移就业务工补贴", "", (500, 2000)),
        ("就业帮扶", 3, "职业技能培训（电焊、厨师）", "", (0, 0)),
        ("公益岗位", 6, "安排村级保洁公益岗位", "", (4800, 7200)),
        ("健康帮扶", 9, "家庭医生签约服务", "", (0, 0)),
        ("健康帮扶", 5, "慢性病门诊报销、办理慢病卡", "", (300, 2000)),
        ("教育帮扶", 3, "雨露计划职业教育补助", "", (3000, 3000)),
        ("住房安全", 3, "农村危房改造补助", "", (25000, 45000)),
        ("易地扶贫搬迁", 1, "易地扶贫搬迁集中安置", "海流图镇易地搬迁安置区", (50000, 60000)),
        ("饮水安全", 2, "安全饮水入户工程", "", (1500, 4000)),
        ("兜底保障", 8, "纳入农村低保", "", (3600, 6000)),
        ("金融帮扶", 5, "发放扶贫小额信贷", "", (30000, 50000)),
        ("生态帮扶", 5, "草原生态保护补助奖励", "", (1500, 5000)),
        ("生态帮扶", 2, "聘为生态护林员", "", (10000, 10000)),
        ("其他", 2, "节日慰问（米面油）", "", (200, 500)),
    ]
    spelling = {"产业帮扶": "产业扶贫", "健康帮扶": "健康扶贫", "兜底保障": "低保兜底", "金融帮扶": "小额信贷",
                "住房安全": "危房改造", "就业帮扶": "转移就业", "生态帮扶": "生态扶贫", "公益岗位": "公益性岗位"}
    weights = [o[1] for o in options]
    no_measure = set(rng.sample([h.hid for h in county._plain()], 5))  # 一户一策 gaps
    county.no_measure = no_measure
    rows: list[list[object]] = [_title_row("乌拉特中旗精准扶贫帮扶措施台账（2016-2020年）", len(header)), header]
    wjh = [h for h in county.households if h.township == "乌加河镇"]
    project_of = {h.hid: [INDUSTRY_PROJECTS[i % 5]] for i, h in enumerate(wjh)}
    for i, h in enumerate(wjh[5:]):
        project_of[h.hid].append(INDUSTRY_PROJECTS[(i + 2) % 5])

    def add(hh: Household, cat: str, content: str, project: str, year: int, amount: object,
            unit: str | None = None) -> None:
        start = date(year, rng.randint(3, 10 if year < 2020 else 6), rng.randint(1, 28))
        status = "已完成" if year < 2020 or rng.random() < 0.4 else "实施中"
        amount_text: object = amount
        if isinstance(amount, float):
            r = rng.random()
            amount_text = (f"{amount:.2f}" if r < 0.8 else f"{amount:,.2f}" if r < 0.9
                           else f"{amount:.0f}元")
        rows.append([len(rows) - 1, hh.hid, hh.head.name, cat, content, project, year,
                     "" if rng.random() < 0.3 else _date_text(start, rng.randrange(3)), amount_text, status,
                     unit or rng.choice([hh.helper_unit, f"{hh.township}人民政府"])])

    for hh in county.households:
        if hh.hid in no_measure:
            continue
        first = max(2016, hh.identified.year)
        n = rng.randint(2, 7) if hh.registered else rng.randint(1, 3)
        if hh.township == "乌加河镇":
            for project in project_of[hh.hid]:
                add(hh, "产业帮扶", "带动贫困户入股分红、务工增收", project, rng.randint(2018, 2020),
                    float(rng.randrange(1500, 4000)), "乌加河镇人民政府")
            if "dry_cleaning" in hh.tags:
                add(hh, "就业帮扶", "帮助开办干洗店（设备购置及店面租金补贴）", "干洗店创业帮扶", 2019, 15000.0,
                    "乌加河镇人民政府")
            n -= 1
        for _ in range(max(1, n)):
            cat, _w, content, project, (lo, hi) = rng.choices(options, weights)[0]
            if cat == "教育帮扶" and not any(p.school not in ("非在校生", "学前教育") for p in hh.members):
                cat, content, project, (lo, hi) = options[0][0], options[0][2], options[0][3], options[0][4]
            year = rng.randint(first, 2020) if hh.registered else 2020
            amount = float(rng.randrange(lo, hi + 1, 100)) if hi else ""
            cat_text = spelling[cat] if cat in spelling and rng.random() < 0.15 else cat
            add(hh, cat_text, content, project, year, amount)
    # planted: a negative and a non-numeric amount, an unknown category, a row without 户编号
    pick = [r for r in rows[2:] if isinstance(r[8], str) and r[8][:1].isdigit()]
    neg, nonnum = rng.sample(pick, 2)
    neg[8] = "-2000.00"
    nonnum[8] = "待核实"
    county.defects += [("negative_amount", path.name, f"序号 {neg[0]}"),
                       ("not_a_number", path.name, f"序号 {nonnum[0]}")]
    hh = rng.choice(county._plain())
    rows.append([len(rows) - 1, hh.hid, hh.head.name, "集体经济分红", "光伏扶贫收益分配", "村级光伏扶贫电站", 2019,
                 "", "1200.00", "已完成", f"{hh.township}人民政府"])
    county.defects.append(("unknown_code", path.name, f"序号 {rows[-1][0]} 措施类别 集体经济分红"))
    rows.append([len(rows) - 1, "", "", "产业帮扶", "发放肉羊养殖补贴", "肉羊养殖扶贫项目", 2020, "", "3000.00",
                 "实施中", "石哈河镇人民政府"])
    county.defects.append(("no_household_id", path.name, f"序号 {rows[-1][0]}"))
    path.write_bytes(_csv_bytes(rows, "gb18030"))


def _visits(county: DemoCounty, path: Path) -> None:
    rng = county.rng
    header = ["序号", "*户编号", "*走访日期", "走访类型", "走访人", "情况记录"]
    rows: list[list[object]] = []
    lo, hi = INSPECTION_DAYS
    notes = ["了解家庭收入情况，宣传扶贫政策", "核实家庭收入，更新扶贫工作手册", "了解生产生活情况，帮助解决实际困难",
             "宣传健康扶贫、教育资助政策", "帮助联系春耕农资", "了解务工情况，落实就业帮扶措施"]
    team = {hh.village: county.name(rng.choice("男女"), False) for hh in county.households}
    doctors = {t: county.name(rng.choice("男女"), False) for t in DEMO_TOWNSHIPS}

    def day_in(start: date, end: date, avoid: bool) -> date:
        while True:
            d = start + timedelta(days=rng.randrange((end - start).days + 1))
            if not (avoid and lo <= d <= hi):  # only the work team visits these townships that week
                return d

    def add(hh: Household, d: date, vtype: str, visitor: str, note: str) -> None:
        rows.append([hh.hid, d, vtype, visitor, note])

    fd_group = county.fd_group
    for hh in county.households:
        avoid = hh.township in ("乌加河镇", "呼勒斯太苏木", "德岭山镇")
        stale = rng.random() < 0.05  # no visit for more than 90 days
        end_2020 = date(2020, 3, 15) if stale else DEMO_AS_OF
        for q in range(4):  # 2019 quarterly helper visits
            d = day_in(date(2019, 1 + 3 * q, 1), date(2019, 3 + 3 * q, 28), avoid)
            add(hh, d, "帮扶责任人走访", hh.helper_name, rng.choice(notes))
        for m in range(1, 7):
            if rng.random() < 0.7:
                d = day_in(date(2020, m, 1), date(2020, m, 28), avoid)
                if d <= end_2020:
                    note = "疫情期间电话了解生产生活情况" if m in (2, 3) else rng.choice(notes)
                    add(hh, d, "帮扶责任人走访", hh.helper_name, note)
        for _ in range(rng.randint(1, 3)):
            d = day_in(date(2019, 6, 1), end_2020, avoid)
            add(hh, d, rng.choice(["驻村工作队走访", "入户走访"]), team[hh.village], rng.choice(notes))
        if "lonely_elder" in hh.tags:  # called or visited every month
            for m in range(1, 7):
                for day in (5, 20):
                    d = date(2020, m, day)
                    add(hh, d, "帮扶责任人走访" if day == 5 else "驻村工作队走访",
                        hh.helper_name if day == 5 else team[hh.village], f"{LONELY_ELDER_NOTE}；生活用品已送达")
        if "inspected" in hh.tags:
            d = INSPECTION_DAY[hh.township] + timedelta(days=rng.randrange(2))
            note = "工作总队调研组入户：了解健康扶贫、产业扶贫落实及问题整改情况"
            if "lonely_elder" in hh.tags:
                note = f"{LONELY_ELDER_NOTE}，并到住地查看生产生活情况"
            add(hh, d, "入户走访", "自治区驻旗工作总队调研组", note)
        # family doctor follow-ups of chronic patients and yearly check-ups
        patients = [p for p in hh.members if p.ill and p.fd_signed]
        doctor = f"{doctors[hh.township]}（{hh.township}卫生院）"
        for p in patients:
            group = "compliant" if hh.township == "德岭山镇" else rng.choices(
                ["compliant", "partial", "stale", "none"], [50, 30, 10, 10])[0]
            fd_group[p.id_number] = group
            n, last = {"compliant": (rng.randint(4, 6), DEMO_AS_OF), "partial": (rng.randint(2, 3), DEMO_AS_OF),
                       "stale": (rng.randint(2, 4), date(2020, 3, 20)), "none": (0, DEMO_AS_OF)}[group]
            span = (last - date(2019, 7, 5)).days
            for i in range(n):
                d = date(2019, 7, 5) + timedelta(days=span * (i + 1) // n - rng.randrange(0, 15))
                while avoid and lo <= d <= hi:
                    d -= timedelta(days=3)
                disease = "高血压" if "长期慢性病" in p.health else "术后康复"
                add(hh, d, "家庭医生随访" if rng.random() < 0.85 else "随访", doctor,
                    f"随访{p.name}：{disease}，指导用药")
        if patients or hh.township == "德岭山镇" or hh.head.age >= 65:
            if hh.township == "德岭山镇" or rng.random() < 0.8:
                add(hh, day_in(date(2019, 4, 1), date(2019, 10, 31), avoid), "健康体检", doctor, "年度健康体检")
            if hh.township == "德岭山镇" or rng.random() < 0.5:
                add(hh, day_in(date(2020, 4, 1), date(2020, 6, 20), avoid),
                    "健康体检" if rng.random() < 0.8 else "体检", doctor, "年度健康体检")
    rows.sort(key=lambda r: (r[1], r[0]))  # ledgers are kept in date order
    rows[-1][1] = DEMO_AS_OF  # the latest entry is on the as-of date
    future = rng.choice([r for r in rows if r[1] > date(2020, 6, 1) and r[2] == "帮扶责任人走访"
                         and not r[0].startswith(("150824101", "150824200", "150824102"))])
    future[1] = date(2030, 6, 25)
    county.defects.append(("future_date", path.name, f"户编号 {future[0]} 走访日期 2030-06-25"))
    out: list[list[object]] = [header]
    for i, (hid, d, vtype, visitor, note) in enumerate(rows, start=1):
        out.append([i, hid, _date_text(d, rng.choice([0, 0, 0, 1, 2])), vtype, visitor, note])
    path.write_bytes(b"\xef\xbb\xbf" + _csv_bytes(out, "utf-8"))  # UTF-8 with BOM


def _claims(county: DemoCounty, path: Path) -> None:
    rng = county.rng
    header = ["户编号", "姓名", "证件号码", "入院日期", "出院日期", "医疗机构", "总费用", "基本医保报销", "大病保险报销",
              "医疗救助", "其他保障", "个人自付"]
    rows: list[list[object]] = []
    clean = [h for h in county.households if not (h.tags & {"dup_src", "dup_dst", "bad_birth", "no_head"})]
    high = 0
    for hh in clean:
        for p in hh.members:
            if p.id_number in county.bad_check:
                continue
            if "患有大病" in p.health:
                n, lo, hi = rng.randint(1, 3), 15000, 120000
            elif "长期慢性病" in p.health and rng.random() < 0.4:
                n, lo, hi = 1, 2000, 15000
            else:
                continue
            for _ in range(n):
                adm = date(2019, 1, 1) + timedelta(days=rng.randrange(530))
                dis = adm + timedelta(days=rng.randint(3, 20))
                total = round(rng.uniform(lo, hi), 2)
                oop_share = rng.uniform(0.25, 0.4) if (total > 30000 and high < 6 and rng.random() < 0.3) \
                    else rng.uniform(0.04, 0.1)
                high += oop_share > 0.2
                basic = round(total * rng.uniform(0.5, 0.65), 2) if p.med_ins else 0.0
                crit = round(max(0.0, total - 15000) * rng.uniform(0.1, 0.3), 2) if p.crit_ins else 0.0
                rest = total - basic - crit - total * oop_share
                assist = round(max(0.0, rest * rng.uniform(0.6, 0.9)), 2)
                other = round(max(0.0, rest - assist) if rest > 0 else 0.0, 2)
                oop = round(total - basic - crit - assist - other, 2)
                rows.append([hh.hid, p.name, p.id_number, adm, dis, rng.choice(INSTITUTIONS), total, basic, crit,
                             assist, other, oop])
    rows.sort(key=lambda r: (r[3], r[0]))
    for r in rng.sample(rows, 3):
        r[11] = round(r[11] + rng.choice([500, 1200, -300]), 2)  # parts no longer add up
        county.defects.append(("claim_parts_mismatch", path.name, f"{r[0]} 入院 {r[3]}"))
    out: list[list[object]] = [header]
    for i, r in enumerate(rows):
        out.append(r[:3] + [_date_text(r[3], rng.choice([0, 1])), _date_text(r[4], 0), r[5]]
                   + [f"{v:.2f}" for v in r[6:]])
        if i == len(rows) // 2:
            out.append([""] * len(header))
            county.defects.append(("blank_row", path.name, f"line {len(out)}"))
    path.write_bytes(_csv_bytes(out, "gb18030", "\t"))


TOWNSHIP_ABBR = {"海流图镇": "HLT", "乌加河镇": "WJH", "德岭山镇": "DLS", "石哈河镇": "SHH", "甘其毛都镇": "GQMD",
                 "温更镇": "WG", "呼勒斯太苏木": "HLST", "川井苏木": "CJ", "巴音乌兰苏木": "BYWL", "新忽热苏木": "XHR"}

RECT_TEMPLATES: dict[str, list[tuple[str, str]]] = {
    # category -> (description, measures)
    "档案资料不规范": [("贫困户档案资料不齐全，收入核算表缺少户主签字", "逐户补齐档案资料并签字确认"),
                ("户档案家庭人口数与实际不一致", "核实家庭成员，更新档案及系统信息")],
    "扶贫手册更新不及时": [("扶贫手册帮扶措施、收入未按季度更新", "驻村工作队逐户更新扶贫手册")],
    "收入核算不准": [("家庭收入核算漏算转移性收入", "重新核算2019年家庭人均纯收入")],
    "帮扶措施不精准": [("帮扶措施与致贫原因不对应，一户一策未落实", "根据致贫原因重新制定帮扶计划")],
    "政策落实不到位": [("慢病患者家庭医生随访记录不全", "督促卫生院按季度开展随访并留存记录"),
                 ("部分低保对象待遇未及时调整", "复核低保对象并按标准发放")],
    "驻村工作队履职不到位": [("驻村工作队队员在岗时间不足", "严格执行考勤制度，每月通报")],
    "住房饮水等基础保障": [("个别脱贫户住房存在安全隐患", "组织住房安全鉴定并落实改造"),
                  ("个别户饮水水质未检测", "开展水质检测，落实安全饮水措施")],
    "其他": [("扶贫公示栏信息未及时更新", "更新公示内容")],
}


def _rectifications(county: DemoCounty, path: Path) -> None:
    rng = county.rng
    header = ["序号", "问题编号", "问题来源", "发现日期", "乡（镇）", "行政村", "户编号", "问题类别", "问题描述",
              "责任单位", "责任人", "整改措施", "整改时限", "整改状态", "完成日期"]
    items: list[list[object]] = []
    seqs: dict[tuple[str, int], int] = {}

    def add(township: str, village: str, hid: str, source: str, found: date, cat: str, desc: str,
            measures: str, deadline: date, status: str, done: date | None) -> None:
        person = county.name(rng.choice("男女"), False)
        unit = f"{village}村委会" if village and village.endswith("村") else (
            f"{village}嘎查委员会" if village else f"{township}人民政府")
        items.append(["", source, found, township, village, hid, cat, desc, unit.replace("嘎查嘎查", "嘎查"),
                      person, measures, deadline, status, done])

    # the June 2020 work-team findings in 乌加河镇
    src = "自治区驻旗脱贫攻坚工作总队入户调研（2020年6月）"
    found = date(2020, 6, 27)
    add("乌加河镇", "", "", src, found, "档案资料不规范", "贫困户档案不规范：部分户收入核算表、帮扶计划缺少签字",
        "逐户核对完善档案资料，统一档案目录", date(2020, 7, 31), "整改中", None)
    add("乌加河镇", "", "", src, found, "扶贫手册更新不及时", "扶贫工作手册更新不及时：2020年帮扶措施和收入未填写",
        "驻村工作队逐户更新扶贫工作手册", date(2020, 7, 31), "未整改", None)
    lf = next(h for h in county.households if h.hid == county.wjh_size_bad)
    add("乌加河镇", lf.village, lf.hid, src, found, "档案资料不规范", "户档案家庭人口数与实际不一致",
        "核实家庭成员，更新档案及系统信息", date(2020, 7, 10), "未整改", None)
    elder = next(h for h in county.households if "lonely_elder" in h.tags)
    add("呼勒斯太苏木", "温更嘎查", elder.hid, "自治区驻旗脱贫攻坚工作总队入户调研（2020年6月）", date(2020, 6, 25),
        "政策落实不到位", "独居高龄老人居住偏远，生活用品运输困难，需定期电话询问和上门查看",
        "明确专人每月电话询问、每季度上门查看，送生活用品", date(2020, 7, 10), "整改中", None)
    # earlier inspections across townships
    sources = [("2019年第二季度旗级督查", date(2019, 6, 12)), ("2019年第三季度旗级督查", date(2019, 9, 20)), ("2019年度脱贫攻坚成效考核反馈", date(2020, 1, 15)),
               ("2020年3月苏木镇自查", date(2020, 3, 20)), ("2020年5月旗级督查", date(2020, 5, 18))]
    cats = list(RECT_TEMPLATES)
    for township in DEMO_TOWNSHIPS:
        hhs = [h for h in county.households if h.township == township and h.registered]
        for i, (source, base) in enumerate(sources):
            # every township had findings in the first inspection; later ones found less
            if i and rng.random() < (0.6 if township in ("呼勒斯太苏木", "德岭山镇") else 0.25):
                continue
            found = base + timedelta(days=rng.randrange(10))
            cat = "政策落实不到位" if township == "德岭山镇" else rng.choice(cats)
            desc, measures = rng.choice(RECT_TEMPLATES[cat])
            level = rng.random()
            hh = rng.choice(hhs)
            village, hid = ("", "") if level < 0.3 else (hh.village, "" if level < 0.6 else hh.hid)
            deadline = found + timedelta(days=rng.choice([30, 45, 60, 90]))
            if found < date(2020, 3, 1) and rng.random() < 0.8 or found < date(2020, 5, 1) and rng.random() < 0.5:
                done = min(deadline + timedelta(days=rng.randint(-20, 10)), date(2020, 6, 29))
                status = rng.choice(["已整改", "已销号", "销号", "整改验证"])
            else:
                done, status = None, rng.choice(["未整改", "整改中", "待整改", "退回补充"])
            add(township, village, hid, source, found, cat, desc, measures, deadline, status, done)
    # guarantee the dashboard's three deadline buckets: overdue, due within 14 days, closed
    for township, deadline, status in [("海流图镇", date(2020, 5, 31), "整改中"), ("石哈河镇", date(2020, 6, 15), "未整改"),
                                       ("温更镇", date(2020, 6, 20), "整改中"), ("川井苏木", date(2020, 7, 5), "未整改"),
                                       ("新忽热苏木", date(2020, 7, 12), "整改中"), ("甘其毛都镇", date(2020, 7, 8), "未整改")]:
        hh = rng.choice([h for h in county.households if h.township == township and h.registered])
        cat = rng.choice(cats)
        desc, measures = rng.choice(RECT_TEMPLATES[cat])
        add(township, hh.village, hh.hid, "2020年5月旗级督查", date(2020, 5, 18), cat, desc, measures, deadline,
            status, None)
    items.sort(key=lambda r: (r[2], r[3], r[5], r[6]))
    for it in items:  # numbered per township and year in the order found
        key = (it[3], it[2].year)
        seqs[key] = seqs.get(key, 0) + 1
        it[0] = f"{TOWNSHIP_ABBR[it[3]]}-{key[1]}-{seqs[key]:03d}"
    rows: list[list[object]] = [_title_row("乌拉特中旗脱贫攻坚问题整改台账（截至2020年6月30日）", len(header)),
                                header]
    for i, it in enumerate(items, start=1):
        style = rng.choice([0, 0, 1, 2])
        rows.append([i, *it[:2], _date_text(it[2], style), *it[3:11], _date_text(it[11], style), it[12],
                     _date_text(it[13], style) if it[13] else ""])
    path.write_bytes(_csv_bytes(rows, "gb18030"))


def _population_base(county: DemoCounty, path: Path) -> None:
    """乡村人口基数表: rural households and people per village, 2019 and 2020 (a little fewer: people
    move to town), GB18030 with a title row, as a statistics office sends it."""
    rng = county.rng
    header = ["序号", "年度", "乡（镇）", "行政村", "乡村户数", "乡村人口", "备注"]
    rows: list[list[object]] = [_title_row("乌拉特中旗乡村人口基数表（2019—2020年）", len(header)), header]
    registered: dict[tuple[str, str], int] = {}
    for hh in county.households:
        if hh.registered:
            registered[(hh.township, hh.village)] = registered.get((hh.township, hh.village), 0) + len(hh.members)
    n = 0
    for township, total in DEMO_RURAL_POPULATION.items():
        villages = VILLAGES[township]
        weights = [rng.uniform(0.6, 1.4) * (len(villages) - i + 3) for i in range(len(villages))]
        shares = [w / sum(weights) for w in weights]
        for village, share in zip(villages, shares, strict=True):
            people19 = max(int(total * share), 2 * registered.get((township, village), 0) + 50)
            people20 = int(people19 * rng.uniform(0.97, 0.995))
            for year, people in ((2019, people19), (2020, people20)):
                n += 1
                rows.append([n, year, township, village, round(people / rng.uniform(2.4, 2.8)), people, ""])
    rows.append(["合计", "", "", "", "", "", ""])
    path.write_bytes(_csv_bytes(rows, "gb18030"))


SELF_CHECK_HEADER = ["序号", "调查日期", "乡（镇）", "行政村", "户编号", "户主姓名", "证件号码", "户类型", "家庭人口",
                     "人均纯收入", "不愁吃", "不愁穿", "义务教育保障", "基本医疗保障", "住房安全保障", "饮水安全保障",
                     "核查结论", "是否认可", "调查人", "备注"]


def _self_check(county: DemoCounty, path: Path) -> None:
    """2020年6月自查入户核查表: the work team's visited households, their non-registered neighbours and the
    edge households of the same villages, as the form is filled in (an xlsx with a merged title)."""
    import xlsxwriter  # local import: only the demo needs it

    rng = county.rng
    visited = [h for h in county.households if "inspected" in h.tags]
    villages = {(h.township, h.village) for h in visited}
    edge = [h for h in county.households if "edge" in h.tags and (h.township, h.village) in villages]
    surveyors = {t: [county.name(rng.choice("男女"), False) for _ in range(2)] for t in INSPECTION_DAY}
    rows: list[dict[str, object]] = []

    def form(hh: Household | None, township: str, village: str, *, kind: str, size: int, income: float,
             head: Person, items: dict[str, bool] | None = None) -> dict[str, object]:
        ok = items or {}
        return {"调查日期": INSPECTION_DAY[township] + timedelta(days=rng.randrange(2)), "乡（镇）": township,
                "行政村": village, "户编号": hh.hid if hh else "", "户主姓名": head.name, "证件号码": head.id_number,
                "户类型": kind, "家庭人口": size, "人均纯收入": round(income, 2),
                **{k: "是" if ok.get(k, True) else "否" for k in SELF_CHECK_HEADER[10:16]},
                "核查结论": "正常", "是否认可": "认可", "调查人": "、".join(surveyors[township]), "备注": ""}

    for hh in visited:
        kind = "脱贫户" if hh.exit_status == "已脱贫" else "未脱贫户"
        items = {"住房安全保障": not hh.unsafe_housing, "饮水安全保障": hh.safe_water,
                 "基本医疗保障": all(p.med_ins for p in hh.members),
                 "义务教育保障": not any(p.school in ("辍学", "失学") for p in hh.members)}
        rows.append(form(hh, hh.township, hh.village, kind=kind, size=len(hh.members), income=hh.income[2020],
                         head=hh.head, items=items))
        for _ in range(DEMO_SELF_CHECK_NEIGHBOURS):  # the neighbours: ordinary farming families
            size = rng.choices([1, 2, 3, 4, 5], [10, 35, 30, 18, 7])[0]
            head = county.person(rng.randint(35, 75), "男" if rng.random() < 0.8 else "女", "户主",
                                 hh.township.endswith("苏木") and rng.random() < 0.55)
            rows.append(form(None, hh.township, hh.village, kind=rng.choice(["一般农户"] * 4 + ["一般户"]),
                             size=size, income=rng.uniform(9000, 26000), head=head))
    for hh in edge:
        rows.append(form(hh, hh.township, hh.village, kind="边缘户", size=len(hh.members), income=hh.income[2020],
                         head=hh.head))
    # planted findings (DEMO_SELF_CHECK_FAILS): 呼勒斯太苏木's answers fall below the approval line
    hlst = [r for r in rows if r["乡（镇）"] == "呼勒斯太苏木"]
    neighbours = [r for r in hlst if not r["户编号"]]
    for r in neighbours[:2]:
        r["是否认可"], r["备注"] = "不认可", "认为帮扶政策只照顾贫困户，邻里之间有攀比"
    edge_rows = [r for r in hlst if r["户类型"] == "边缘户"]
    (edge_rows or neighbours[2:])[0].update({"是否认可": "不认可", "备注": "边缘户未享受产业帮扶，有意见"})
    neighbours[3]["是否认可"] = "说不清"
    wjh = [r for r in rows if r["乡（镇）"] == "乌加河镇" and r["户类型"] == "脱贫户"]
    dry = next(h.hid for h in visited if "dry_cleaning" in h.tags)
    suspect = next(r for r in wjh if r["户编号"] != dry)
    suspect["核查结论"] = "疑似错评"
    suspect["备注"] = f"户主{suspect['户主姓名']}家有两辆小轿车，识别时收入核算不实"
    # the form's own slips: a mistyped 户编号, and an exited household ticked as 一般农户
    typo = next(r for r in rows if r["乡（镇）"] == "德岭山镇" and not r["户编号"])
    typo["户编号"] = f"{DEMO_TOWNSHIPS['德岭山镇']}2019{rng.randrange(100):02d}"
    county.defects.append(("check_household_unknown", path.name, f"户编号 {typo['户编号']}"))
    slip = next(r for r in wjh if r is not suspect)
    slip["户类型"] = "一般农户"
    county.defects.append(("check_type_mismatch", path.name, f"户编号 {slip['户编号']}"))
    rows.sort(key=lambda r: (r["调查日期"], r["乡（镇）"], r["行政村"], r["户编号"] == "", r["户编号"]))

    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"title": "入户核查表", "author": "乌拉特中旗扶贫开发领导小组", "created": EXPORT_TIME})
    ws = wb.add_worksheet("入户核查")
    title_fmt = wb.add_format({"bold": True, "font_size": 14, "align": "center"})
    head_fmt = wb.add_format({"bold": True, "border": 1, "bg_color": "#E2EFDA", "text_wrap": True})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.merge_range(0, 0, 0, len(SELF_CHECK_HEADER) - 1, "乌拉特中旗2020年6月脱贫攻坚自查入户核查表", title_fmt)
    for c, h in enumerate(SELF_CHECK_HEADER):
        ws.write_string(1, c, h, head_fmt)
    for i, r in enumerate(rows, start=1):
        ws.write_number(i + 1, 0, i)
        for c, h in enumerate(SELF_CHECK_HEADER[1:], start=1):
            v = r[h]
            if isinstance(v, date):
                if i % 5:
                    ws.write_datetime(i + 1, c, datetime(v.year, v.month, v.day), date_fmt)
                else:  # typed by hand
                    ws.write_string(i + 1, c, f"{v.year}.{v.month}.{v.day}")
            elif isinstance(v, int | float):
                ws.write_number(i + 1, c, v)
            elif v != "":
                ws.write_string(i + 1, c, str(v))
    wb.close()


def write_demo_files(out_dir: Path, seed: int = 20200622) -> list[Path]:
    """Write the demo county's export files; returns them in the order they must be loaded."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    county = DemoCounty(seed)
    paths = [out_dir / name for name in DEMO_FILE_NAMES]
    _write_registry_2019(county, paths[0])
    _write_registry_2020(county, paths[1])
    _interventions(county, paths[2])
    _visits(county, paths[3])
    _claims(county, paths[4])
    _rectifications(county, paths[5])
    # the exit inspection's inputs draw from their own stream: the files above stay as they were
    county.rng = random.Random(f"{seed}:inspection")
    _population_base(county, paths[6])
    _self_check(county, paths[7])
    planted: dict[str, dict[str, int]] = {name: {} for name in DEMO_FILE_NAMES}
    for rule, file, _where in county.defects:
        planted[file][rule] = planted[file].get(rule, 0) + 1
    if planted != DEMO_DEFECTS_BY_FILE:  # the constant is the contract with the loader's tests
        raise AssertionError(f"planted defects {planted} != DEMO_DEFECTS_BY_FILE")
    return paths
