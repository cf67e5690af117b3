"""Labels of the indicator dictionary, populations, what changed since a date, findings (issue 13)."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    # a tile's count with its unit (queries.figures.UNITS, declared by the figure): Chinese writes the
    # measure word after the number (600户); English has none, and the tile's name ends in what it counts
    # (Registered households), so the number stands alone. A share is written with % in both.
    "unit.households": ("{n}户", "{n}"),
    "unit.people": ("{n}人", "{n}"),
    "unit.items": ("{n}项", "{n}"),
    "unit.issues": ("{n}条", "{n}"),
    # a chart's value with its share or its fraction beside it: full-width parentheses in Chinese only
    "chart.count_share": ("{n}（{share}）", "{n} ({share})"),
    "chart.share_of": ("{share}（{part}/{whole}）", "{share} ({part}/{whole})"),
    "figures.population": ("统计对象：", "Counts: "),
    "figures.population_switch": ("统计对象", "Population"),
    "population.registered": ("建档立卡户", "Registered households"),
    "population.monitored": ("监测对象", "Monitored households"),
    "exit.year_unknown": ("年度不详", "Year unknown"),
    "exit.year_unknown_note": ("“年度不详”为已脱贫但档案无脱贫年度的户（档案问题），列出后各年合计等于已脱贫户。",
                               "\"Year unknown\": exited households whose record has no exit year (an archive "
                               "defect); with them the years add up to the exited households."),
    "exit.by_village": ("各村脱贫状态", "Exit status by village"),
    "causes.by_village_chart": ("各村主要致贫原因", "Main causes by village"),
    "nav.dictionary": ("指标口径", "Indicator dictionary"),
    "dict.title": ("指标口径", "Indicator dictionary"),
    "dict.intro": ("看板上每个数字的统计对象、分子、分母、日期口径和来源表。户数默认指建档立卡户（有脱贫状态的户）；"
                   "监测对象单独列示；人数为家庭成员行数。",
                   "Population, numerator, denominator, date rule and source of every figure. Household counts "
                   "are registered households (with an exit status) unless the figure names the monitored; "
                   "people are member rows."),
    "dict.what": ("指标口径", "indicator_dictionary"),
    "dict.name": ("指标", "Figure"),
    "dict.population": ("统计对象", "Population"),
    "dict.population_line": ("**统计对象**：{text}", "**Population:** {text}"),
    "dict.date_rule": ("日期口径", "Date rule"),
    "dict.source": ("来源表（数据库）", "Source (database tables)"),
    "dict.numerator": ("分子", "Numerator"),
    "dict.denominator": ("分母", "Denominator"),
    "dict.key": ("编号（程序）", "Key (in the code)"),
    "notes.sheet": ("说明", "Notes"),
    "notes.what": ("内容", "Contents"),
    "notes.filter": ("筛选条件", "Filter"),
    "notes.no_filter": ("无（全部）", "none (everything)"),
    "notes.dictionary": ("指标口径（看板全部指标，供查对）", "Indicator dictionary (every indicator of the dashboard)"),
    # a filter in a file name (ui.extract.filter_slug)
    "slug.county": ("全旗", "county"),
    "slug.sep": ("、", "+"),  # between two places or codes in a file name
    "slug.many": ("{first}等{n}{many}", "{first}+{more}{many}"),
    "slug.villages": ("村", "villages"),
    "slug.townships": ("个乡镇", "townships"),
    "slug.kinds": ("类", "more"),
    "slug.identified": ("识别", "identified"),
    "slug.exited": ("脱贫", "exited"),
    "notes.as_of": ("参考日期", "Reference date"),
    "notes.masked": ("个人信息", "Personal data"),
    "notes.masked_yes": ("已脱敏", "masked"),
    "notes.masked_no": ("未脱敏（有权限）", "not masked (allowed)"),
    "since.title": ("上次督查以来的变化", "What changed since the last inspection"),
    "since.title_towns": ("上次督查以来的变化（乡镇合计，村和户的筛选不适用）",
                          "What changed since the last inspection (township totals: village and household "
                          "filters do not apply)"),
    "since.pick": ("比较起点（数据截至日期）", "Compare from (data as-of date)"),
    "since.base": ("基准：{base} 的入库数字（共 {loads} 次入库记录）；数字为乡镇合计的净变化，村和户的筛选不适用。",
                   "Baseline: the figures of the load with data as of {base} ({loads} loads recorded); net changes "
                   "of township totals, village and household filters do not apply."),
    "since.unknown": ("“—”：基准时或现在没有这项数字（如基准时尚未登记监测对象类别），无法比较。",
                      "“—”: the figure is missing at the baseline or now (e.g. no monitoring type recorded at the "
                      "baseline), so there is no change to tell."),
    "since.none": ("还没有入库历史。", "No load history yet."),
    "since.one": ("只有一次入库记录，尚无可比较的变化。", "Only one load recorded: nothing to compare yet."),
    "since.trend_note": ("趋势为每次入库时的乡镇合计（致贫原因、村等筛选不适用，故可与上方按筛选计算的数字不同）；"
                         "整改、帮扶措施、随访的数字从其台账第一次入库起才有，此前不画点。",
                         "Township totals at each load (cause, village and other household filters do not apply, "
                         "so they can differ from the filtered figures above); rectification, measure and follow-up "
                         "figures start when their ledger was first loaded, with no point before."),
    "since.trend": ("关键数字变化趋势（按数据截至日期）", "Key figures by data date"),
    "hist.households": ("建档立卡户", "Registered"),
    "hist.exited": ("已脱贫户", "Exited"),
    "hist.monitored": ("监测对象", "Monitored"),
    "hist.returned": ("返贫户", "Returned"),
    "hist.rect_open": ("未完成整改", "Open items"),
    "hist.rect_overdue": ("逾期整改", "Overdue items"),
    "hist.coverage": ("措施覆盖户", "With a measure"),
    "hist.compliant": ("慢病随访合规人数", "Compliant patients"),
    "brief.findings": ("督查发现", "Findings"),
    "brief.appendix": ("附录：指标口径", "Appendix: indicator dictionary"),
    "brief.since_date": ("{date} 以来的变化", "Changes since {date}"),
    # under a village or household filter: the changes are township totals (a printed briefing showed
    # 监测户 0户 under 因病 beside 新增监测对象 +1户, the township's; a browser review)
    "brief.since_date_towns": ("{date} 以来的变化（乡镇合计，村和户的筛选不适用）",
                               "Changes since {date} (township totals: village and household filters do not apply)"),
    "brief.ref": ("（见：{fig}）", " (see: {fig})"),
    "find.rank": ("{area}脱贫率 {rate}，在 {n} 个乡镇中居{rank}；帮扶措施覆盖率 {cov}，居{cov_rank}。",
                  "{area}: exit rate {rate}, {rank} of {n} townships; measure coverage {cov}, {cov_rank}."),
    "find.rank_village": ("{area}脱贫率 {rate}，在{town}的 {n} 个村中居{rank}；帮扶措施覆盖率 {cov}，居{cov_rank}。",
                          "{area}: exit rate {rate}, {rank} of {n} villages of {town}; measure coverage {cov}, "
                          "{cov_rank}."),
    "find.rank_at": ("第 {rank} 位", "rank {rank}"),
    "find.rank_tied": ("并列第 {rank} 位", "rank {rank} (tied)"),
    "find.and_more": ("{names}等 {n} 个", "{names} and others ({n} in all)"),
    # exits and suspected wrong exits: the veto item inspectors press hardest (the briefing had neither; a
    # browser review)
    "find.exits": ("已脱贫 {exited} 户，占建档立卡户 {rate}；疑似错退 {wrong} 户，占已脱贫户 {wrong_rate}（允许 {limit}）。",
                   "Exited: {exited} households, {rate} of those registered; suspected wrong exits: {wrong}, "
                   "{wrong_rate} of the exited (allowed {limit})."),
    "find.exits_over": ("疑似错退占比超过 {limit} 的：{places}。", "Over {limit} suspected wrong exits: {places}."),
    "find.place_rate": ("{place}（{rate}）", "{place} ({rate})"),
    "find.cause": ("主要致贫原因以{cause}为主，占 {share}（全旗 {county}）。",
                   "The leading main cause is {cause}: {share} of households (county {county})."),
    "find.causes_tied": ("主要致贫原因以{cause}为主，各占 {share}（全旗分别为 {county}）。",
                         "The leading main causes are {cause}, {share} of households each (county {county})."),
    "find.cause.whole": ("主要致贫原因以{cause}为主，占 {share}。", "The leading main cause is {cause}: {share} of households."),
    "find.causes_tied.whole": ("主要致贫原因以{cause}为主，各占 {share}。",
                               "The leading main causes are {cause}, {share} of households each."),
    "find.cause_unfilled": ("另有 {n} 户建档立卡户未填写主要致贫原因。",
                            "Registered households without a main cause on record: {n}."),
    "find.no_measure": ("{n} 户建档立卡户没有任何帮扶措施记录。", "Registered households without a measure on record: {n}."),
    "find.all_measured": ("建档立卡户均有帮扶措施记录。", "Every registered household has a measure on record."),
    "find.overdue": ("{n} 项整改事项逾期未完成，涉及{units}。", "Rectification items overdue: {n}, with {units}."),
    "find.more_units": ("{units}等 {n} 个责任单位", "{units} and others ({n} units in all)"),
    "find.no_unit": ("未填责任单位", "no unit given"),
    "find.unit_items": ("{unit} {n} 项", "{unit} ({n})"),  # a responsible unit and its overdue items
    "find.late": ("已完成且填有完成日期和整改时限的 {timed} 项整改事项中，{late} 项超期完成，按期完成率 {rate}。",
                  "Of the {timed} closed rectification items with a completion date and a deadline, {late} were "
                  "closed late: {rate} on time."),
    "find.no_overdue": ("没有逾期未完成的整改事项。", "No rectification item is overdue."),
    "find.compliance": ("登记在册各户（含监测对象等非建档立卡户）的慢性病患者 {chronic} 人，随访合规 {compliant} 人（{rate}）。",
                        "Chronic patients of every household on the registry (monitored and other households "
                        "included): {chronic}, followed up as the rule asks: {compliant} ({rate})."),
    "find.defects": ("档案问题 {n} 条，较多的是：{kinds}。", "Archive defects: {n}; the most frequent: {kinds}."),
    # the area's township- and village-level items are still counted: an overdue one follows as its finding
    "find.no_households": ("当前范围和筛选条件下没有农户，本简报没有关于农户的发现；各项户数为 0 不说明工作已到位。",
                           "No household matches this area and these filters: the briefing has nothing to report on "
                           "households, and their zeros do not mean the work is done."),
    "find.no_defects": ("未发现档案问题。", "No archive defect found."),
    "find.since": ("自 {base} 以来（户数为净变化）：脱贫户 {exited}，监测对象 {monitored}，返贫户 {returned}；"
                   "新发现整改事项 {opened}，完成 {closed}。",
                   "Since {base} (households: net change): exited {exited}, monitored {monitored}, returned {returned}; "
                   "rectification items opened: {opened}, closed: {closed}."),
}
