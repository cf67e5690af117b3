"""The demo county's export files at benchmark scale (bench sizes S to N), for `python -m etl demo --households N`
and bench/: the same files and columns as etl.demo, vectorised (numpy draws, pyarrow string kernels)
and written in chunks, with planted defects at fixed rates so validation has work at scale.
"""

from __future__ import annotations

import gzip
import random
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from etl.codes import DEMO_TOWNSHIPS
from etl.demo import (
    CAUSE_WEIGHTS,
    DEMO_AS_OF,
    FEMALE_GIVEN,
    HELPER_UNITS,
    ID_CHECK,
    ID_WEIGHTS,
    INDUSTRY_PROJECTS,
    INSTITUTIONS,
    MALE_GIVEN,
    RECT_TEMPLATES,
    SURNAMES,
    TOWNSHIP_ABBR,
)
from etl.rules import POVERTY_LINE

SCALED_FILE_NAMES = ("scaled_贫困人口信息.csv", "scaled_帮扶措施.csv", "scaled_走访记录.csv", "scaled_医疗报销.csv",
                     "scaled_问题整改台账.csv")
SCALED_CHUNK = 200_000  # households per chunk: bounds memory (~600k member rows in flight)
# Mean rows per household (10M households -> 30M members, 40M interventions).
SCALED_RATES = {"members": 3.0, "interventions": 4.0, "visits": 2.0, "medical_claims": 0.3,
                "rectifications": 0.005}
# Planted defect rates (per row of the file named) so validation has work at scale.
SCALED_DEFECT_RATES = {"id_invalid": 0.001, "size_mismatch": 0.001, "unknown_code": 0.0005,
                       "no_township": 0.00001, "negative_amount": 0.0005, "claim_parts_mismatch": 0.005}
_SCALED_TOWNSHIP_WEIGHT = {"海流图镇": 30, "乌加河镇": 10, "德岭山镇": 10, "石哈河镇": 12, "甘其毛都镇": 6,
                           "温更镇": 8, "呼勒斯太苏木": 3, "川井苏木": 5, "巴音乌兰苏木": 4, "新忽热苏木": 6}
# Region codes for ID numbers: 150824 first; the others only keep 30M synthetic IDs unique.
_ID_REGIONS = np.array([150824, 150821, 150822, 150823, 150825, 150826, 150802, 150102, 150103, 150104,
                        150105, 150121, 150122, 150123, 150124, 150125, 150202, 150203, 150204, 150205,
                        150206, 150207, 150221, 150222, 150223, 150302, 150303, 150304, 150402, 150403,
                        150404, 150421, 150502, 150521, 150602, 150621, 150702, 150721, 150902, 150921],
                       dtype=np.int64)
_SYLLABLES = list("新东西南北红光胜利团结富民兴旺丰和平永安建华太隆义德福庆")


def _scaled_villages() -> tuple[list[str], np.ndarray, np.ndarray]:
    """Synthetic village names: (flat names, first index per township, count per township)."""
    weights = np.array(list(_SCALED_TOWNSHIP_WEIGHT.values()), dtype=float)
    counts = np.clip(np.round(10 + 20 * weights / weights.max()), 10, 30).astype(np.int64)
    pairs = [a + b for a in _SYLLABLES for b in _SYLLABLES if a != b]
    random.Random(0).shuffle(pairs)  # fixed order: every village name distinct across the county
    names: list[str] = []
    for township, n in zip(_SCALED_TOWNSHIP_WEIGHT, counts, strict=True):
        suffix = "嘎查" if township.endswith("苏木") else "村"
        names += [pairs[len(names) + i] + suffix for i in range(int(n))]
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    return names, first, counts


def _choice(rng: np.random.Generator, values: list[str], n: int, p: list[float] | None = None) -> pa.Array:
    idx = rng.choice(len(values), n, p=None if p is None else np.asarray(p) / np.sum(p))
    return pa.array(values, pa.string()).take(pa.array(idx))


def _ymd(days: np.ndarray) -> np.ndarray:
    """datetime64[D] -> yyyymmdd as int64."""
    y = days.astype("datetime64[Y]")
    m = days.astype("datetime64[M]")
    return ((y.astype(np.int64) + 1970) * 10000 + (m - y.astype("datetime64[M]")).astype(np.int64) * 100
            + 100 + (days - m.astype("datetime64[D]")).astype(np.int64) + 1)


def _check_chars(base17: np.ndarray) -> np.ndarray:
    """GB 11643 check index (into "10X98765432") of 17-digit int64 numbers, vectorised."""
    total = np.zeros(base17.shape, dtype=np.int64)
    rest = base17.copy()
    for w in reversed(ID_WEIGHTS):  # least significant digit first
        total += (rest % 10) * w
        rest //= 10
    return total % 11


def _str(values: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(values), pa.string())


def _join(*parts: pa.Array | str) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def _money(values: np.ndarray) -> pa.Array:
    return pa.array(np.round(values, 2))


class _ScaledWriter:
    """Keeps the cross-chunk state: ID counters per (birth day, sex), household and issue sequences."""

    def __init__(self, out_dir: Path, households: int, seed: int, compress: bool = False) -> None:
        self.households, self.seed, self.compress = households, seed, compress
        self.paths = [out_dir / (name + (".gz" if compress else "")) for name in SCALED_FILE_NAMES]
        self.started = [False] * len(self.paths)
        self.villages, self.v_first, self.v_count = _scaled_villages()
        self.village_arr = pa.array(self.villages)
        names = list(_SCALED_TOWNSHIP_WEIGHT)
        self.townships = pa.array(names)
        w = np.array(list(_SCALED_TOWNSHIP_WEIGHT.values()), dtype=float)
        self.t_p = w / w.sum()
        self.t_code = np.array([int(DEMO_TOWNSHIPS[t][-3:]) for t in names], dtype=np.uint64)
        self.t_abbr = pa.array([TOWNSHIP_ABBR[t] for t in names])
        self.epoch_day = np.datetime64("1900-01-01", "D")
        self.id_counter = np.zeros(2 * 50000, dtype=np.int64)  # (days since 1900) * 2 + male
        self.issue_seq = 0
        given = [*MALE_GIVEN, *FEMALE_GIVEN]  # 6 groups: male gen 0-2, female gen 0-2
        self.given = pa.array([g for group in given for g in group])
        self.given_len = np.array([len(g) for g in given], dtype=np.int64)
        self.given_first = np.concatenate([[0], np.cumsum(self.given_len)[:-1]])
        self.surnames = pa.array(SURNAMES)
        self.two_digit = pa.array([f"{i:02d}" for i in range(100)])
        self.check = pa.array(list(ID_CHECK))

    def write(self, i: int, table: pa.Table) -> None:
        # A fresh writer per chunk: a long-lived CSVWriter keeps the last table's buffers alive.
        options = pacsv.WriteOptions(include_header=not self.started[i])
        with open(self.paths[i], "ab" if self.started[i] else "wb") as f:
            if self.compress:  # one gzip member per chunk; readers take the members as one stream
                with gzip.GzipFile(fileobj=f, mode="wb", compresslevel=1, mtime=0) as packed:
                    pacsv.write_csv(table, packed, options)
            else:
                pacsv.write_csv(table, f, options)
        self.started[i] = True

    def names(self, rng: np.random.Generator, male: np.ndarray, born: np.ndarray,
              surname: np.ndarray | None = None) -> pa.Array:
        n = len(male)
        group = np.where(male, 0, 3) + np.where(born < 1965, 0, np.where(born < 2000, 1, 2))
        idx = self.given_first[group] + (rng.random(n) * self.given_len[group]).astype(np.int64)
        sur = self.surnames.take(pa.array(rng.integers(0, len(SURNAMES), n) if surname is None else surname))
        return _join(sur, self.given.take(pa.array(idx)))

    def id_numbers(self, rng: np.random.Generator, birth: np.ndarray, male: np.ndarray) -> pa.Array:
        """Unique 18-char IDs: the sequence number counts people per (birth day, sex) over all chunks."""
        key = (birth - self.epoch_day).astype(np.int64) * 2 + male
        order = np.argsort(key, kind="stable")
        uniq, first, counts = np.unique(key[order], return_index=True, return_counts=True)
        rank = np.empty_like(key)
        rank[order] = np.arange(len(key)) - np.repeat(first, counts) + np.repeat(self.id_counter[uniq], counts)
        self.id_counter[uniq] += counts
        seq = (rank % 500) * 2 + male  # odd = male
        region = _ID_REGIONS[(rank // 500) % len(_ID_REGIONS)]
        base = region * 10**11 + _ymd(birth) * 1000 + seq
        check = _check_chars(base)
        bad = rng.random(len(base)) < SCALED_DEFECT_RATES["id_invalid"]
        check = np.where(bad, (check + 3) % 11, check)
        return _join(_str(base), self.check.take(pa.array(check)))

    def chunk(self, c: int, h0: int, h1: int) -> None:
        rng = np.random.default_rng([self.seed, c])
        n = h1 - h0
        as_of = np.datetime64(DEMO_AS_OF, "D")
        # ---- households
        twp = rng.choice(len(self.t_p), n, p=self.t_p)
        vil = (rng.random(n) * self.v_count[twp]).astype(np.int64)
        hid_num = ((np.uint64(150824) * np.uint64(10**6) + self.t_code[twp] * np.uint64(1000)
                    + (vil + 201).astype(np.uint64)) * np.uint64(10**8) + np.arange(h0, h1, dtype=np.uint64))
        hid = _str(hid_num)
        size = rng.choice(np.arange(1, 7), n, p=[0.15, 0.25, 0.25, 0.2, 0.1, 0.05])
        edge = rng.random(n) < 0.05
        status_idx = np.where(edge, 3, rng.choice(3, n, p=[0.92, 0.05, 0.03]))  # 已脱贫/未脱贫/返贫/none
        status = pa.array(["已脱贫", "未脱贫", "返贫", None], pa.string()).take(pa.array(status_idx))
        exited = (status_idx == 0) | (status_idx == 2)
        exit_year = pa.array(rng.choice([2016, 2017, 2018, 2019, 2020], n, p=[.25, .3, .22, .18, .05]),
                             mask=~exited)
        causes = list(CAUSE_WEIGHTS) + ["因懒"]
        cw = list(CAUSE_WEIGHTS.values())
        p_unknown = SCALED_DEFECT_RATES["unknown_code"]
        cause = _choice(rng, causes, n, [w / sum(cw) * (1 - p_unknown) for w in cw] + [p_unknown])
        line = float(POVERTY_LINE[2020])
        income = np.where(edge, line * rng.uniform(1.0, 1.5, n),
                          np.where(status_idx == 0, line * rng.uniform(1.3, 3.5, n), line * rng.uniform(0.7, 1.4, n)))
        identified = np.where(edge, np.datetime64("2020-03-01", "D") + rng.integers(0, 120, n),
                              np.datetime64("2014-03-01", "D") + rng.integers(0, 900, n))
        mtype = pc.if_else(pa.array(edge), pa.array(["边缘易致贫户", "突发严重困难户", "脱贫不稳定户"]).take(
            pa.array(rng.choice(3, n, p=[0.7, 0.2, 0.1]))), pa.scalar(None, pa.string()))
        helper = self.names(rng, rng.random(n) < 0.6, np.full(n, 1975))
        phone = _str(rng.integers(13000000000, 19999999999, n, dtype=np.int64))
        declared = size + (rng.random(n) < SCALED_DEFECT_RATES["size_mismatch"])
        # ---- members
        m = int(size.sum())
        hh_of = np.repeat(np.arange(n), size)
        start = np.concatenate([[0], np.cumsum(size)[:-1]])
        pos = np.arange(m) - start[hh_of]
        head_age = np.where(size <= 2, rng.integers(55, 88, n), rng.integers(32, 62, n))[hh_of]
        head_male = (rng.random(n) < 0.78)[hh_of]
        # relation code: 0 户主, 1 配偶, 2 之子, 3 之女, 4 之孙子, 5 之孙女, 6 之父, 7 之母
        other = rng.choice(np.arange(2, 8), m, p=[0.36, 0.34, 0.1, 0.1, 0.05, 0.05])
        rel = np.where(pos == 0, 0, np.where(pos == 1, 1, other))
        male = np.where(rel == 0, head_male, np.where(rel == 1, ~head_male, rel % 2 == 0))
        age = np.select([rel <= 1, rel <= 3, rel <= 5], [head_age + (rel == 1) * rng.integers(-5, 4, m),
                                                          head_age - rng.integers(22, 36, m),
                                                          head_age - rng.integers(45, 56, m)],
                        np.minimum(head_age + rng.integers(22, 31, m), 95))
        age = np.clip(age, 0, 95)
        birth = as_of - (age * 365.25).astype(np.int64) - rng.integers(1, 365, m)
        born = birth.astype("datetime64[Y]").astype(np.int64) + 1970
        health = _choice(rng, ["健康", "长期慢性病", "患有大病", "残疾", "长期慢性病、残疾"], m, [60, 22, 6, 9, 3])
        labor = pa.array(["普通劳动力", "弱劳动力或半劳动力", "无劳动力"]).take(pa.array(
            np.where((age < 16) | (age >= 70), 2, np.where(age >= 60, 1, 0))))
        registry = pa.table({
            "乡(镇)": pc.if_else(pa.array(rng.random(m) < SCALED_DEFECT_RATES["no_township"]),
                                pa.scalar(None, pa.string()), self.townships.take(pa.array(twp[hh_of]))),
            "行政村": self.village_arr.take(pa.array((self.v_first[twp] + vil)[hh_of])),
            "户编号": hid.take(pa.array(hh_of)),
            "人编号": _join(hid.take(pa.array(hh_of)), self.two_digit.take(pa.array(pos + 1))),
            # the head's line shares the family surname; spouses and mothers married in
            "姓名": self.names(rng, male, born, np.where((rel == 1) | (rel == 7), rng.integers(0, len(SURNAMES), m),
                                                      rng.integers(0, len(SURNAMES), n)[hh_of])),
            "证件号码": self.id_numbers(rng, birth, male.astype(np.int64)),
            "与户主关系": pa.array(["户主", "配偶", "之子", "之女", "之孙子", "之孙女", "之父", "之母"]).take(
                pa.array(rel)),
            "人数": pa.array(declared[hh_of]),
            "民族": _choice(rng, ["汉族", "蒙古族", "回族"], m, [85, 13, 2]),
            "健康状况": health,
            "劳动技能": labor,
            "是否参加城乡居民基本医疗保险": _choice(rng, ["是", "否"], m, [995, 5]),
            "是否签约家庭医生": _choice(rng, ["是", "否"], m, [9, 1]),
            "贫困户属性": _choice(rng, ["一般贫困户", "低保贫困户", "特困供养贫困户"], n, [55, 38, 7]).take(
                pa.array(hh_of)),
            "主要致贫原因": cause.take(pa.array(hh_of)),
            "脱贫状态": status.take(pa.array(hh_of)),
            "脱贫年度": exit_year.take(pa.array(hh_of)),
            "首次识别时间": pa.array(identified).take(pa.array(hh_of)),
            "人均纯收入": _money(income).take(pa.array(hh_of)),
            "收入年度": pa.array(np.full(m, 2020)),
            "是否危房户": _choice(rng, ["否", "是"], n, [98, 2]).take(pa.array(hh_of)),
            "饮水安全": _choice(rng, ["是", "否"], n, [98, 2]).take(pa.array(hh_of)),
            "监测对象类别": mtype.take(pa.array(hh_of)),
            "帮扶责任人": helper.take(pa.array(hh_of)),
            "联系电话": phone.take(pa.array(hh_of)),
        })
        self.write(0, registry)
        ids = registry.column("证件号码").combine_chunks()
        del registry
        # ---- interventions (~4 per household)
        k = rng.poisson(SCALED_RATES["interventions"], n)
        of = np.repeat(np.arange(n), k)
        r = len(of)
        cat_idx = rng.choice(12, r, p=np.array([30, 8, 6, 15, 3, 4, 1, 2, 10, 7, 8, 6]) / 100)
        cats = ["产业帮扶", "就业帮扶", "公益岗位", "健康帮扶", "教育帮扶", "住房安全", "易地扶贫搬迁", "饮水安全",
                "兜底保障", "金融帮扶", "生态帮扶", "其他"]
        contents = ["发放肉羊养殖补贴", "转移就业务工补贴", "安排村级保洁公益岗位", "家庭医生签约服务", "雨露计划职业教育补助",
                    "农村危房改造补助", "易地扶贫搬迁集中安置", "安全饮水入户工程", "纳入农村低保", "发放扶贫小额信贷",
                    "草原生态保护补助奖励", "节日慰问"]
        lo = np.array([2000, 500, 4800, 0, 3000, 25000, 50000, 1500, 3600, 30000, 1500, 200], dtype=float)
        hi = np.array([6000, 2000, 7200, 2000, 3000, 45000, 60000, 4000, 6000, 50000, 5000, 500], dtype=float)
        amount = np.round(lo[cat_idx] + rng.random(r) * (hi - lo)[cat_idx], -1)
        amount = np.where(rng.random(r) < SCALED_DEFECT_RATES["negative_amount"], -amount, amount)
        year = rng.integers(2016, 2021, r)
        self.write(1, pa.table({
            "户编号": hid.take(pa.array(of)),
            "措施类别": pa.array(cats).take(pa.array(cat_idx)),
            "措施内容": pa.array(contents).take(pa.array(cat_idx)),
            "项目名称": pc.if_else(pa.array(cat_idx == 0), pa.array(list(INDUSTRY_PROJECTS) + ["肉羊养殖扶贫项目"] * 5)
                               .take(pa.array(rng.integers(0, 10, r))), pa.scalar(None, pa.string())),
            "实施年度": pa.array(year),
            "金额(元)": pa.array(amount),
            "实施状态": pa.array(["已完成", "实施中"]).take(pa.array(((year == 2020) & (rng.random(r) < 0.6))
                                                               .astype(np.int64))),
            "责任单位": pa.array(HELPER_UNITS).take(pa.array(rng.integers(0, len(HELPER_UNITS), r))),
        }))
        # ---- visits (~2 per household)
        k = rng.poisson(SCALED_RATES["visits"], n)
        of = np.repeat(np.arange(n), k)
        r = len(of)
        vtype = rng.choice(5, r, p=[0.2, 0.45, 0.15, 0.12, 0.08])
        self.write(2, pa.table({
            "户编号": hid.take(pa.array(of)),
            "走访日期": pa.array(np.datetime64("2019-07-01", "D") + rng.integers(0, 366, r)),
            "走访类型": pa.array(["入户走访", "帮扶责任人走访", "驻村工作队走访", "家庭医生随访", "健康体检"]).take(
                pa.array(vtype)),
            "走访人": helper.take(pa.array(of)),
            "情况记录": pa.array(["了解家庭收入情况，宣传扶贫政策", "核实家庭收入，更新扶贫工作手册",
                              "了解生产生活情况", "随访：血压控制平稳", "年度健康体检"]).take(pa.array(vtype)),
        }))
        # ---- medical claims (~0.3 per household), for a member of the household
        k = rng.poisson(SCALED_RATES["medical_claims"], n)
        of = np.repeat(np.arange(n), k)
        r = len(of)
        member = start[of] + (rng.random(r) * size[of]).astype(np.int64)
        total = np.round(rng.uniform(2000, 80000, r), 2)
        basic = np.round(total * rng.uniform(0.5, 0.65, r), 2)
        crit = np.round(np.maximum(total - 15000, 0) * rng.uniform(0.1, 0.3, r), 2)
        assist = np.round((total - basic - crit) * rng.uniform(0.4, 0.7, r), 2)
        other = np.round((total - basic - crit - assist) * rng.uniform(0.0, 0.3, r), 2)
        oop = np.round(total - basic - crit - assist - other, 2)
        oop = np.where(rng.random(r) < SCALED_DEFECT_RATES["claim_parts_mismatch"], oop + 500, oop)
        self.write(3, pa.table({
            "户编号": hid.take(pa.array(of)),
            "证件号码": ids.take(pa.array(member)),
            "入院日期": pa.array(np.datetime64("2019-01-01", "D") + rng.integers(0, 540, r)),
            "医疗机构": pa.array(INSTITUTIONS).take(pa.array(rng.integers(0, len(INSTITUTIONS), r))),
            "总费用": pa.array(total), "基本医保报销": pa.array(basic), "大病保险报销": pa.array(crit),
            "医疗救助": pa.array(assist), "其他保障": pa.array(other), "个人自付": pa.array(oop),
        }))
        # ---- rectification items (~0.5% of households), a third at township level
        of = np.flatnonzero(rng.random(n) < SCALED_RATES["rectifications"])
        r = len(of)
        seq = np.arange(self.issue_seq + 1, self.issue_seq + r + 1)
        self.issue_seq += r
        found = np.datetime64("2019-06-01", "D") + rng.integers(0, 392, r)
        deadline = found + rng.choice([30, 45, 60, 90], r)
        closed = rng.random(r) < np.where(deadline < as_of, 0.7, 0.2)
        done = np.minimum(deadline + rng.integers(-20, 10, r), as_of)
        level = rng.random(r)
        cat_names = list(RECT_TEMPLATES)
        rc = rng.integers(0, len(cat_names), r)
        self.write(4, pa.table({
            "问题编号": _join(self.t_abbr.take(pa.array(twp[of])), "-",
                          _str(found.astype("datetime64[Y]").astype(np.int64) + 1970), "-",
                          pc.utf8_lpad(_str(seq), 7, "0")),
            "问题来源": _choice(rng, ["旗级督查", "年度成效考核反馈", "苏木镇自查"], r),
            "发现日期": pa.array(found),
            "乡(镇)": self.townships.take(pa.array(twp[of])),
            "行政村": pc.if_else(pa.array(level < 0.3), pa.scalar(None, pa.string()),
                              self.village_arr.take(pa.array(self.v_first[twp[of]] + vil[of]))),
            "户编号": pc.if_else(pa.array(level < 0.6), pa.scalar(None, pa.string()), hid.take(pa.array(of))),
            "问题类别": pa.array(cat_names).take(pa.array(rc)),
            "问题描述": pa.array([v[0][0] for v in RECT_TEMPLATES.values()]).take(pa.array(rc)),
            "责任单位": _join(self.townships.take(pa.array(twp[of])), "人民政府"),
            "责任人": helper.take(pa.array(of)),
            "整改措施": pa.array([v[0][1] for v in RECT_TEMPLATES.values()]).take(pa.array(rc)),
            "整改时限": pa.array(deadline),
            "整改状态": pc.if_else(pa.array(closed), pa.array(["已整改", "已销号"]).take(pa.array(rng.integers(0, 2, r))),
                               pa.array(["未整改", "整改中"]).take(pa.array(rng.integers(0, 2, r)))),
            "完成日期": pa.array(done, mask=~closed),
        }))


def write_scaled_files(out_dir: Path, households: int, seed: int = 1, *, compress: bool = False) -> list[Path]:
    """Benchmark-scale county (UTF-8 CSVs, registry included: xlsx stops at 1M rows); load order.
    `compress` writes `.csv.gz` (national scale is ~53 GB as text, which this machine's disk cannot
    hold beside the database it loads into)."""
    if households < 1:
        raise ValueError("households must be positive")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    w = _ScaledWriter(out_dir, households, seed, compress)
    for c, h0 in enumerate(range(0, households, SCALED_CHUNK)):
        w.chunk(c, h0, min(households, h0 + SCALED_CHUNK))
    return w.paths
