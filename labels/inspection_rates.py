"""Labels of the exit inspection (三率一度, issue 17): the two input kinds, their fields and rules, and the
page. Keys: `kind.*`, `field.*`, `rule.*`, `rulename.*` as in labels.etl_text; `rates.*` for the page;
`col.*` for the columns `queries.inspection_rates` returns."""

LABELS: dict[str, tuple[str, str]] = {
    # kinds of file
    "kind.household_checks": ("入户核查表", "Household checks"),
    "kind.population_base": ("人口基数表", "Rural population base"),
    # canonical fields (data-spec §1.4)
    "field.check_date": ("调查日期", "Check date"),
    "field.head_name": ("户主姓名", "Head's name"),
    "field.household_type": ("户类型", "Household type"),
    "field.food_ok": ("不愁吃", "Enough food"),
    "field.clothing_ok": ("不愁穿", "Enough clothing"),
    "field.education_ok": ("义务教育保障", "Compulsory education"),
    "field.medical_ok": ("基本医疗保障", "Basic medical care"),
    "field.housing_ok": ("住房安全保障", "Safe housing"),
    "field.water_ok": ("饮水安全保障", "Safe drinking water"),
    "field.finding": ("核查结论", "Finding"),
    "field.approval": ("是否认可", "Approval"),
    "field.surveyor": ("调查人", "Surveyor"),
    "field.rural_households": ("乡村户数", "Rural households"),
    "field.rural_population": ("乡村人口", "Rural population"),
    # rejected rows
    "rule.no_check_date": (
        "{file} 第{line}行「{column}」为空或无法识别：无法确定核查时段，该行未入库。请填写调查日期（如 2020-06-22）。",
        "{file} line {line}, '{column}' is empty or not a date: the check cannot be placed in a period and was not "
        "loaded. Fill in the date (e.g. 2020-06-22).",
    ),
    "rule.no_year": (
        "{file} 第{line}行「{column}」为空或无法识别：无法确定人口数的年度，该行未入库。请填写年度（如 2019）。",
        "{file} line {line}, '{column}' is empty or not a year: the figure cannot be placed and was not loaded. "
        "Fill in the year (e.g. 2019).",
    ),
    "rulename.no_check_date": ("缺调查日期", "No check date"),
    "rulename.no_year": ("缺年度", "No year"),
    # data issues of household checks and population figures
    "rule.check_household_unknown": (
        "{file} 第{line}行：户编号「{value}」不在贫困人口信息中。请核对户编号；非建档立卡户请留空户编号。",
        "{file} line {line}: household '{value}' is not in the registry. Check the number; leave it blank for a "
        "household outside the registry.",
    ),
    "rule.check_id_other_household": (
        "{file} 第{line}行：户编号「{value}」与证件号码在贫困人口信息中所属的户不是同一户。计算三率时，户编号在贫困人口信息中的按户编号计，"
        "不在的按证件号码所属的户计。请核对户编号和证件号码。",
        "{file} line {line}: household '{value}' is not the household the ID number belongs to in the registry. The "
        "rates count the check in the household of its number when the registry has it, else in the ID number's. "
        "Check both.",
    ),
    "rule.check_type_mismatch": (
        "{file} 第{line}行：「{column}」填写为「{value}」，与贫困人口信息中该户的状态不符。计算三率时以贫困人口信息为准。",
        "{file} line {line}: '{column}' = '{value}' contradicts the registry's status of this household. The rates "
        "use the registry's.",
    ),
    "rule.check_place_mismatch": (
        "{file} 第{line}行：核查表填写的乡镇/村「{value}」与贫困人口信息中该户所在的乡镇/村不同。计算三率时按贫困人口信息中的乡镇/村计。",
        "{file} line {line}: the form's township/village '{value}' is not where the registry places this household. "
        "The rates count it where the registry places it.",
    ),
    "rule.check_type_missing": (
        "{file} 第{line}行：未填写「{column}」，且该户不在贫困人口信息中，无法计入错退率或漏评率。",
        "{file} line {line}: '{column}' is empty and the household is not in the registry: it counts in neither the "
        "wrong-exit nor the missed rate.",
    ),
    "rule.check_registered_no_id": (
        # a form whose head's ID number finds the household is linked by it, and raises no issue
        "{file} 第{line}行：户类型为「{value}」但未填写户编号，按户主证件号码也对不上，无法与贫困人口信息核对。",
        "{file} line {line}: household type '{value}' without a household number, and the head's ID number finds "
        "no household either: it cannot be checked against the registry.",
    ),
    "rule.check_wrong_exit_not_exited": (
        "{file} 第{line}行：核查结论为「错退」，但该户并非脱贫户（未脱贫或不是建档立卡户）。",
        "{file} line {line}: finding Wrongly exited (错退) on a household that never exited.",
    ),
    "rule.check_missed_registered": (
        "{file} 第{line}行：核查结论为「漏评」，但该户已是建档立卡户。",
        "{file} line {line}: finding Missed (漏评) on a household that is registered.",
    ),
    "rule.check_no_population_base": (
        "{file} 第{line}行：「{value}」没有人口基数（乡村人口），无法计算综合贫困发生率。请导入人口基数表。",
        "{file} line {line}: '{value}' has no rural population base, so its poverty incidence cannot be computed. "
        "Load a population base.",
    ),
    "rule.check_size_missing": (
        "{file} 第{line}行：未填写「{column}」，且该户不在贫困人口信息中，按1人计。",
        "{file} line {line}: '{column}' is empty and the household is not in the registry; counted as 1 person.",
    ),
    "rates.base_below": (
        "{villages}个村的乡村人口少于其建档立卡人口（档案问题「乡村人口少于建档立卡人口」），这些村的综合贫困发生率"
        "不是人口占比，可能超过100%。请核对人口基数表。",
        "Villages whose rural population is below their registered people: {villages} (the archive issue "
        "'Population below registered'); their poverty incidence is no share of people and may exceed 100%. "
        "Check the population base.",
    ),
    "rule.check_size_invalid": (
        "{file} 第{line}行「{column}」值「{value}」应为正整数；计算三率时按系统成员数（不在系统中的按1人）计。",
        "{file} line {line}, '{column}' = '{value}' should be a positive whole number; the rates use the registry's "
        "members instead (1 person outside the registry).",
    ),
    "rule.population_below_registered": (
        "{file} 第{line}行：乡村人口{value}人少于该村建档立卡人口。请核对人口基数。",
        "{file} line {line}: a rural population of {value} is smaller than the village's registered people. Check "
        "the figure.",
    ),
    "rulename.check_household_unknown": ("核查户编号不在系统中", "Checked household not in registry"),
    "rulename.check_id_other_household": ("户编号与证件号码不符", "Number and ID number disagree"),
    "rulename.check_type_mismatch": ("户类型与系统不符", "Type contradicts registry"),
    "rulename.check_place_mismatch": ("核查表乡镇/村与系统不符", "Place contradicts registry"),
    "rulename.check_type_missing": ("缺户类型", "No household type"),
    "rulename.check_registered_no_id": ("建档立卡户缺户编号", "Registered type without number"),
    "rulename.check_wrong_exit_not_exited": ("错退结论但未脱贫", "Wrongly exited (错退) on a household not exited"),
    "rulename.check_missed_registered": ("漏评结论但已建档立卡", "Missed (漏评) on a registered household"),
    "rulename.check_no_population_base": ("村无人口基数", "Village without population base"),
    "rulename.check_size_missing": ("缺家庭人口", "No household size"),
    "rulename.check_size_invalid": ("家庭人口不是正整数", "Household size not positive"),
    "rulename.population_below_registered": ("乡村人口少于建档立卡人口", "Population below registered"),
    # ---- the 三率一度 page
    "nav.inspection_rates": ("三率一度", "Veto indicators"),
    "rates.page": ("三率一度（退出评估否决指标）", "Exit-inspection veto indicators"),
    "rates.ind.incidence": ("综合贫困发生率", "Poverty incidence"),
    "rates.ind.wrong_exit": ("脱贫人口错退率", "Wrong-exit rate"),
    "rates.ind.missed": ("贫困人口漏评率", "Missed-poor rate"),  # short enough for a tile at 1280 px
    "rates.ind.approval": ("群众认可度", "Public approval"),
    "rates.line.le": ("否决线 ≤ {line}", "veto line ≤ {line}"),
    "rates.line.ge": ("否决线 ≥ {line}", "veto line ≥ {line}"),
    # a tile's distance from its line, in the verdict's line (st.metric's delta chip and its "相对否决线"
    # were cut to "相…" on a 1280-pixel screen: four tiles to a row)
    "rates.gap.above": ("{line}，高于线{v}个百分点", "{line}, {v} pp above it"),
    "rates.gap.below": ("{line}，低于线{v}个百分点", "{line}, {v} pp below it"),
    "rates.gap.at": ("{line}，与线持平", "{line}, at the line"),
    "rates.pass": ("达标", "Pass"),
    "rates.fail": ("不达标", "Fail"),
    "rates.fail_items": ("不达标：{items}", "Fail: {items}"),
    # within the line, but the 95% interval holds it (etl.inspection_rules.unconfirmed): the charts' orange
    # English kept short: the tile's badge and the place tables' verdict column cut longer text (a review)
    "rates.pass_unconfirmed": ("达标（样本未能确认）", "Pass (unconfirmed)"),
    "rates.unconfirmed_items": ("达标；样本未能确认：{items}", "Pass; unconfirmed: {items}"),
    "rates.unconfirmed_all": ("达标；四项均样本未能确认", "Pass; all four unconfirmed"),
    "rates.unconfirmed_note": ("95%区间跨过否决线：样本不足以确认达标", "The 95% interval crosses the veto line: "
                               "the sample cannot confirm the pass"),
    "rates.no_figure": ("无数据", "No figure"),
    "rates.interval": ("95%区间 {lo}–{hi}", "95% interval {lo}–{hi}"),
    "rates.sample.people": ("依据：{num} / {den}人（{households}户）", "From {num} / {den} people ({households} households)"),
    "rates.sample.none": ("依据：没有核查样本（所选范围和时段内没有此类核查户）",
                          "From no sample (no household of this kind was checked in the area and period)"),
    "rates.sample.approval": ("依据：{num} / {den}户作答", "From {num} / {den} households answering"),
    # the households of the two rates' samples (脱贫户 and 非建档立卡户), not every surveyed household: "核查19户"
    # stood beside the table's 核查户数 25 of the same place (a probe; 未脱贫户 feed neither rate)
    "rates.sample.incidence": ("依据：乡村人口{den}人；错退率、漏评率的核查样本{households}户{people}人",
                               "From a rural population of {den}; the wrong-exit and missed rates' samples: "
                               "{households} households ({people} people)"),
    "rates.sample.incidence_no_base": ("依据：没有乡村人口（请导入人口基数表）；错退率、漏评率的核查样本{households}户{people}人",
                                       "From no rural population (load a population base); the wrong-exit and "
                                       "missed rates' samples: {households} households ({people} people)"),
    "rates.sample.incidence_filtered": ("按地区计算，选择农户条件时不计算；错退率、漏评率的核查样本{households}户{people}人",
                                        "A figure of places, not computed under a household filter; the wrong-exit "
                                        "and missed rates' samples: {households} households ({people} people)"),
    # the rates an incidence borrowed, whose and on how many people (queries.inspection_rates._borrowed)
    "rates.sample.borrowed": ("本地没有此类核查户，借用{parts}", "No such household checked here: borrowed {parts}"),
    "rates.sample.borrowed_part": ("{source}的{rate}{value}（{n}人）", "the {rate} of {source}, {value} ({n} people)"),
    "rates.small": ("样本不足{min}，仅供参考", "Fewer than {min}: indicative only"),
    "rates.small.people": ("{n}人", "{n} people"),
    "rates.small.households": ("{n}户", "{n} households"),
    "rates.small.part": ("{rate}（{n}人）", "{rate} ({n} people)"),
    "rates.small.incidence": ("{parts}的样本不足{min}，综合贫困发生率仅供参考",
                              "Fewer than {min} in the sample of {parts}: the incidence is indicative only"),
    "rates.settings": ("三率一度设置", "Veto indicator settings"),
    # settings other than the default, in the figures' file names (ui.extract.narrowed)
    "rates.slug.period": ("{start}至{end}", "{start}_to_{end}"),
    "rates.slug.base_year": ("人口基数{year}年", "population_base_{year}"),
    "rates.slug.lines": ("自定否决线", "own_veto_lines"),
    # two dates, not one range: a range was cut to "2020/01/01 – 2020/12/3" in the sidebar
    "rates.period_from": ("核查时段起", "Checks from"),
    "rates.period_to": ("核查时段止", "Checks until"),
    "rates.base_year": ("人口基数年度", "Population base year"),
    "rates.latest_year": ("各村最新年度", "Latest year per village"),
    "rates.line_input.incidence": ("综合贫困发生率否决线（%，不高于）", "Incidence veto line (%, at most)"),
    "rates.line_input.wrong_exit": ("错退率否决线（%，不高于）", "Wrong-exit veto line (%, at most)"),
    "rates.line_input.missed": ("漏评率否决线（%，不高于）", "Missed veto line (%, at most)"),
    "rates.line_input.approval": ("认可度否决线（%，不低于）", "Approval veto line (%, at least)"),
    "rates.rules": (
        "三率一度是贫困县退出评估（含第三方评估和旗县自查）的否决指标，任一项超线即不能通过。按人计算（认可度按户）；"
        "「核查」指所选时段内入户核查表的记录，同一户多次核查取最后一次。\n"
        "- **计入类别**：能与贫困人口信息对应的核查户（户编号或成员身份证号）按系统状态计入"
        "（已脱贫→脱贫户，未脱贫/返贫→未脱贫户，非建档立卡监测户→边缘户）；首次识别时间晚于调查日期的户"
        "调查时尚未建档立卡，与其余核查户一样按核查表的户类型计入；返贫户脱贫年度早于调查年度、核查表填写脱贫户的，"
        "按脱贫户计入（系统不记返贫日期）。"
        "家庭人口缺失时取系统成员数，仍缺则按1人计。\n"
        "- **脱贫人口错退率** = 核查脱贫户中结论为「错退」的人口 ÷ 核查脱贫户人口（否决线 ≤ {wrong_exit}）。\n"
        "- **贫困人口漏评率** = 核查的非建档立卡户（一般农户、边缘户）中结论为「漏评」的人口 ÷ 这些户的人口"
        "（否决线 ≤ {missed}）。「疑似错退」「疑似漏评」按「错退」「漏评」计。\n"
        "- **群众认可度** = 回答「认可」的核查户 ÷ 作答户（认可、不认可、说不清）（否决线 ≥ {approval}）。\n"
        "- **综合贫困发生率** = （未脱贫建档立卡人口 + 漏评率 × 非建档立卡乡村人口 + 错退率 × 已脱贫人口）÷ 乡村人口"
        "（否决线 ≤ {incidence}）；非建档立卡乡村人口 = 乡村人口 − 建档立卡人口；只计有人口基数的村"
        "（默认取各村最新年度）。某地某类没有核查户时，借用所在乡镇、再借用全部范围的率。\n"
        "- **95%区间**：Wilson 区间；综合贫困发生率的区间由两率区间端点代入公式得到。样本不足 {min}"
        "人（认可度为户）时仅供参考。\n"
        "- **筛选**：乡镇、村筛选按核查户所在地（系统内的户按系统登记的乡镇村，系统外的户按核查表所填）；"
        "选择致贫原因等农户条件时只计入与符合条件的登记在册户（建档立卡户、监测对象及其他）对应的核查户，"
        "且不计算综合贫困发生率。\n"
        "- 下方「数据规则提示」由系统数据推算（疑似错退：已脱贫但收入低于贫困线或两不愁三保障有缺口；"
        "疑似漏评：监测户未建档立卡且收入低于贫困线），不是入户核查结果，不计入三率。",
        "The veto indicators (三率一度) are the figures of an exit inspection (the third-party assessment and "
        "the county's own self-checks): one figure over its line and the place fails. People, not households (approval: "
        "households); \"surveyed\" = household checks of the chosen period, the latest check of a household "
        "counting.\n"
        "- **Group**: a check linked to the registry (household number or a member's ID number) counts in the "
        "registry's group (exited → Exited household (脱贫户), not exited/returned → Household not exited "
        "(未脱贫户), monitored and not registered → Edge household (边缘户)); "
        "a household the registry first identified after the check date was not registered when surveyed and, "
        "as any other, counts in the type its form names; a household back in poverty (返贫) that exited before the "
        "check's year and whose form names it exited counts as exited (the registry keeps no date of a return). Household size: the form's, else the registry's members, else 1.\n"
        "- **Wrong-exit rate** = people of surveyed exited households found Wrongly exited (错退) ÷ people of surveyed exited "
        "households (veto line ≤ {wrong_exit}).\n"
        "- **Missed rate** = people of surveyed households outside the registry (Ordinary household (一般农户), Edge household (边缘户)) found Missed (漏评) ÷ their "
        "people (veto line ≤ {missed}). Suspected findings count as findings.\n"
        "- **Approval** = surveyed households answering Approves (认可) ÷ households that answered (veto line ≥ {approval}).\n"
        "- **Poverty incidence** = (registered people not exited + missed rate × non-registered rural people + "
        "wrong-exit rate × exited people) ÷ rural population (veto line ≤ {incidence}); non-registered = rural "
        "population − registered people; villages with a population base only (latest year per village by "
        "default). Where a place surveyed no household of a group, it borrows its township's rate, else the "
        "whole area's.\n"
        "- **95% interval**: Wilson; the incidence's from both rates' interval ends put into the formula. Fewer "
        "than {min} people (households for approval): indicative only.\n"
        "- **Filters**: township and village filters apply to the surveyed household's place (the registry's "
        "for a household it knows, the form's for one outside it); a household filter (cause, "
        "…) keeps only checks of the registry households it selects (registered, monitored or other), and the "
        "incidence is not computed.\n"
        "- The data-rule signals below come from the registry (suspected wrong exit: exited with income below "
        "the line or a gap in the basic assurances; suspected missed: monitored, not registered, income below the line). "
        "They are not survey findings and are not part of the four figures.",
    ),
    "rates.no_checks": (
        "当前范围内没有入户核查数据。请在「数据管理」页上传入户核查表（调查日期、乡(镇)、行政村、户编号、户类型、核查结论、是否认可等列）。",
        "No household checks in this scope. Upload a household check form on the Data management page (columns 调查日期, "
        "乡(镇), 行政村, 户编号, 户类型, 核查结论, 是否认可, …).",
    ),
    "rates.household_filter": (
        # the checks of every registry household the filters select, monitored and others too (漏评率 has
        # no other sample): it said 所选建档立卡户 beside a 漏评率 of edge households (a probe)
        "已选择致贫原因等农户条件：只计入与符合条件的登记在册户（建档立卡户、监测对象及其他）对应的核查户，"
        "贫困人口信息之外的核查户不计入；综合贫困发生率按地区计算，此时不计算。",
        "A household filter is set: only checks of the registry households it selects count (registered, "
        "monitored or other; checks of households outside the registry do not), and the poverty incidence (a "
        "figure of places) is not computed.",
    ),
    "rates.no_base": (
        "{villages}个村没有人口基数（乡村人口），其{people}名建档立卡人口未计入综合贫困发生率。请导入人口基数表。",
        "Villages without a rural population base: {villages}; their {people} registered people are left out of "
        "the poverty incidence. Load a population base.",
    ),
    "rates.borrowed": ("「率的来源」为「乡镇」「全部」的地区没有该类核查户，其综合贫困发生率借用所在乡镇或全部范围的率。",
                       "Where the rates' source is 'township' or 'all', the place surveyed no household of that group "
                       "and its incidence borrows that rate."),
    "rates.by_township": ("各乡镇三率一度（不达标在前）", "By township (failing first)"),
    "rates.by_village": ("各村三率一度（不达标在前）", "By village (failing first)"),
    "rates.chart_colours": ("绿色：达标；橙色：点估计达标，但 95% 区间跨过标准线，样本不足以确认；红色：未达标；灰色：无数据。",
                            "Green: meets the line; orange: the estimate meets it but its 95% interval crosses the line, "
                            "so the sample cannot confirm it; red: misses the line; grey: no figure."),
    "rates.chart": ("{ind}（按乡镇）", "{ind} by township"),
    "rates.cases": ("三率背后的农户", "The households behind the figures"),
    "rates.cases.wrong_exit": ("错退户", "Wrongly exited"),
    "rates.cases.missed": ("漏评户", "Missed"),
    "rates.cases.disapproved": ("不认可或说不清户", "Not approving or unsure"),
    "rates.cases.wrong_identification": ("错评户", "Wrongly identified"),
    "rates.cases_none": ("所选时段内没有此类核查户。", "No such surveyed household in the period."),
    "rates.signals": ("数据规则提示（由系统数据推算，非入户核查结果）", "Data-rule signals (from the registry, not survey findings)"),
    "rates.signals_caption": (
        "疑似错退：已脱贫但收入低于当年贫困线或两不愁三保障有缺口；疑似漏评：监测户未建档立卡且收入低于贫困线。"
        "这些户值得入户核实，但不计入上方三率。",
        "Suspected wrong exit: exited, with income below the year's line or a gap in the basic assurances. Suspected missed: "
        "monitored, not registered, income below the line. Worth a visit; not part of the figures above.",
    ),
    "rates.signals_none": ("没有符合此规则的户。", "No household matches this rule."),
    "rates.signals.wrong_exit": ("疑似错退户", "Suspected wrong exits"),
    "rates.signals.missed": ("疑似漏评户", "Suspected missed households"),
    "rates.source.own": ("本地", "own"),
    "rates.source.township": ("乡镇", "township"),
    "rates.source.all": ("全部", "all"),
    "rates.source.none": ("无", "none"),
    "rates.what.figures": ("三率一度", "veto_indicators"),
    "rates.what.townships": ("三率一度_分乡镇", "veto_indicators_by_township"),
    "rates.what.villages": ("三率一度_分村", "veto_indicators_by_village"),
    "rates.what.cases": ("三率一度_{kind}", "veto_indicators_{kind}"),
    "rates.what.signals": ("数据规则提示_分乡镇", "data_rule_signals_by_township"),
    "rates.what.signal_list": ("数据规则提示_{kind}", "data_rule_signals_{kind}"),
    # columns of queries.inspection_rates
    "col.indicator": ("指标", "Indicator"),
    "col.figure": ("数值", "Figure"),
    "col.verdict": ("结论", "Verdict"),
    "col.failed": ("不达标指标", "Failed"),
    "col.incidence_rate": ("综合贫困发生率", "Poverty incidence"),
    "col.wrong_exit_rate": ("错退率", "Wrong-exit rate"),
    "col.missed_rate": ("漏评率", "Missed rate"),
    "col.approval_rate": ("认可度", "Approval"),
    "col.checked_households": ("核查户数", "Households surveyed"),
    "col.exited_sample_people": ("核查脱贫人口", "Exited people surveyed"),
    "col.wrong_exit_people": ("错退人口", "People wrongly exited"),
    "col.nonreg_sample_people": ("核查非建档立卡人口", "Non-registered people surveyed"),
    "col.missed_people": ("漏评人口", "People missed"),
    "col.answered": ("作答户数", "Households answering"),
    "col.approved": ("认可户数", "Approving"),
    "col.disapproved": ("不认可或说不清户数", "Not approving or unsure"),
    "col.rural_population": ("乡村人口", "Rural population"),
    "col.registered_people": ("建档立卡人口", "Registered people"),
    "col.small_sample": ("样本不足", "Small sample"),
    "col.lo": ("95%区间下限", "95% lower"),
    "col.hi": ("95%区间上限", "95% upper"),
    "col.numerator": ("分子", "Numerator"),
    "col.denominator": ("分母", "Denominator"),
    "col.sample_households": ("样本户数", "Sample households"),
    "col.sample_people": ("样本人数", "Sample people"),
    "col.small": ("样本不足", "Small sample"),
    "col.veto_line": ("否决线", "Veto line"),
    "col.rates_from": ("率的来源", "Rates' source"),
    "col.counted_as": ("计入类别", "Counted as"),
    "col.failed_items": ("未保障项目", "Items not assured"),
    "col.exited_households": ("脱贫户", "Exited households"),
    "col.suspected_wrong_exits": ("疑似错退户", "Suspected wrong exits"),
    "col.suspected_wrong_exit_share": ("疑似错退占比", "Share suspected"),
    "col.monitored_not_registered": ("未建档立卡监测户", "Monitored, not registered"),
    "col.suspected_missed": ("疑似漏评户", "Suspected missed"),
    # ---- the self-check sample planner
    "rates.plan": ("自查抽样（按退出评估方式抽取样本）", "Self-check sample (drawn as assessment teams draw it)"),
    "rates.plan.caption": (
        "在所选乡镇、村范围内（致贫原因、脱贫状态等其他筛选条件不影响抽样，评估抽的是地方）按规模（乡村户数，无人口基数时按建档立卡户数）成比例系统抽取行政村；每个抽中村抽取一定比例的脱贫户"
        "（至少1户，至多设定户数）、全部未脱贫户和边缘户（各有上限），并留出一般农户空行由调查组现场抽取。同一随机种子与设置总能抽出同一样本。"
        "下载的入户核查表可离线填写后在「数据管理」页上传。",
        "Villages of the chosen township or village (other filters, such as cause or exit status, do not apply: "
        "an assessment samples places) drawn with probability proportional to size (rural households; registry "
        "households where there is no population base), systematically; in each, a share of its exited households "
        "(at least one, at most a cap), all households not exited and the edge households (each up to a cap), and blank rows for "
        "ordinary households chosen on the spot. The same seed and settings always draw the same sample. Fill in "
        "the downloaded check form offline and upload it on the Data management page.",
    ),
    "rates.plan.seed": ("随机种子", "Seed"),
    "rates.plan.county": ("全旗", "Whole banner"),
    "rates.plan.villages": ("抽取村数", "Villages"),
    "rates.plan.exited_share": ("脱贫户抽取比例（%）", "Share of exited households (%)"),
    "rates.plan.exited_cap": ("脱贫户每村上限", "Exited households per village (cap)"),
    "rates.plan.not_exited_cap": ("未脱贫户每村上限", "Households not exited per village (cap)"),
    "rates.plan.edge_cap": ("边缘户每村上限", "Edge households per village (cap)"),
    "rates.plan.ordinary": ("每村一般农户（现场抽取）", "Ordinary households per village (on the spot)"),
    "rates.plan.seed_note": ("随机种子 **{seed}**：相同的乡镇、村、设置和种子可重现同一样本。",
                             "Seed **{seed}**: the same township or village, settings and seed draw the same sample "
                             "again."),
    "rates.plan.summary": ("抽中{villages}个村、{households}户，其中一般农户{ordinary}户由调查组现场抽取。",
                           "{villages} villages and {households} households drawn, {ordinary} of them ordinary "
                           "households chosen on the spot."),
    "rates.plan.none": ("当前范围内没有可抽取的村。", "No village to draw from in this scope."),
    "rates.plan.form": ("下载入户核查表（Excel）", "Download the check form (Excel)"),
    "rates.plan.form.cover": ("填表说明", "Instructions"),
    "rates.plan.form.pick": ("请从下拉列表中选择", "Choose a value from the drop-down list"),
    "rates.plan.form.date_hint": ("如 2020-06-22", "e.g. 2020-06-22"),
    "rates.plan.what": ("自查入户核查表_种子{seed}", "self_check_form_seed{seed}"),
    "rates.plan.what_list": ("自查抽样名单_种子{seed}", "self_check_sample_seed{seed}"),
    "rates.plan.cover.title": ("{scope}自查入户核查表（随机种子 {seed}）", "{scope} self-check form (seed {seed})"),
    "rates.plan.cover.settings": ("抽样设置：抽取{villages}个村；脱贫户{share}（每村至多{exited_cap}户）；未脱贫户每村至多{cap}户；边缘户每村至多{edge}户；"
                                  "一般农户每村{ordinary}户（现场抽取）。",
                                  "Settings: {villages} villages; {share} of exited households (at most {exited_cap} per "
                                  "village); at most {cap} households "
                                  "not exited and {edge} edge households per village; {ordinary} ordinary households per "
                                  "village (on the spot)."),
    "rates.plan.cover.fill": ("填写说明：在「入户核查表」工作表中逐户填写调查日期、两不愁三保障（是/否）、核查结论、是否认可、调查人；"
                              "一般农户请填写户主姓名、家庭人口；表头请勿修改。填好后在看板「数据管理」页上传。",
                              "How to fill in: on the sheet 入户核查表, for each household the date, the basic-assurance items "
                              "(是/否), the finding, the approval and the surveyor; for ordinary households also the head's "
                              "name and household size. Do not change the header. Upload it on the dashboard's Data page."),
    "rates.plan.cover.names": ("户主姓名、证件号码仅对有权查看个人信息的用户预填；以户编号为准。",
                               "Names and ID numbers are prefilled only for users allowed to see personal data; the "
                               "household number identifies the household."),
    "col.inclusion": ("入样概率", "Inclusion probability"),
    "col.certain": ("必选村", "Certain"),
    "col.group": ("类别", "Group"),
    # ---- the briefing's section (ui.briefing_html.veto_section)
    "rates.brief.title": ("三率一度", "Veto indicators (三率一度)"),
    "rates.brief.villages": ("不达标的村（前 {n} 个）", "Failing villages (first {n})"),
    "rates.brief.no_checks": ("尚无入户核查数据，三率一度无法计算。", "No household checks yet: the veto indicators cannot be computed."),
    "rates.brief.no_checks_borrowed": ("所选范围内没有入户核查户：综合贫困发生率按{source}的错退率、漏评率计算（与三率一度页相同）。",
                                       "No household checked in this scope: the poverty incidence uses the wrong-exit "
                                       "and missed rates of {source} (as on the veto indicators page)."),
    "rates.brief.borrowed.township": ("所在乡镇", "its township"),
    "rates.brief.borrowed.all": ("全部可见范围", "the whole area in view"),
    "rates.brief.all_pass": ("四项指标均达到否决线要求。", "All four figures are within their veto lines."),
    "rates.brief.passes_small": ("{ind}为{value}（{sample}），达到否决线（{cmp} {line}）要求，但样本不足{min}，仅供参考。",
                                 "{ind} is {value} ({sample}), within its veto line ({cmp} {line}), but fewer than "
                                 "{min} in the sample: indicative only."),
    "rates.brief.passes_small_incidence": (
        "{ind}为{value}（{sample}），达到否决线（{cmp} {line}）要求，但所依据的错退率或漏评率样本不足{min}，仅供参考。",
        "{ind} is {value} ({sample}), within its veto line ({cmp} {line}), but the wrong-exit or missed rate it "
        "uses has fewer than {min} in its sample: indicative only."),
    # the fact first: "达标（本地无核查户…）" left a leader with 达标 for a place nobody checked (a browser review)
    "rates.verdict_borrowed": ("本地无核查户（借用上级范围的率：{verdict}）",
                               "None checked here (wider area: {verdict})"),
    "rates.pass_indicative": ("达标（样本不足，仅供参考）", "Pass (indicative)"),
    "rates.brief.no_figure": ("{inds}没有样本，无法判断是否达标。", "{inds}: no sample, so no verdict."),
    "rates.brief.passes_unconfirmed": (
        "{ind}为{value}（{sample}），在否决线（{cmp} {line}）以内，但95%区间{lo}–{hi}跨过否决线，样本不足以确认达标。",
        "{ind} is {value} ({sample}), within its veto line ({cmp} {line}), but its 95% interval {lo}–{hi} crosses "
        "the line: the sample cannot confirm the pass."),
    "rates.brief.others_pass": ("其余指标达到否决线要求。", "The other figures are within their veto lines."),
    "rates.brief.fails.le": ("{ind}为{value}（{sample}），高于{line}的否决线，不达标。",
                             "{ind} is {value} ({sample}), above the veto line of {line}: fail."),
    "rates.brief.fails.ge": ("{ind}为{value}（{sample}），低于{line}的否决线，不达标。",
                             "{ind} is {value} ({sample}), below the veto line of {line}: fail."),
    "rates.brief.sample": ("{num} / {den}", "{num} of {den}"),
    "rates.brief.worst": ("最差的村：{village}（{value}）。", " Worst village: {village} ({value})."),
    "rates.brief.worst_small": ("最差的村：{village}（{value}，样本不足，仅供参考）。",
                                " Worst village: {village} ({value}, small sample: indicative only)."),
    "rates.brief.small": ("样本不足{min}，仅供参考。", " Fewer than {min} in the sample: indicative only."),
    "rates.brief.period": ("依据{start}至{end}期间的入户核查（{households}户，调查于{first}至{last}）。",
                           "From the household checks of the period {start} to {end} ({households} households, "
                           "surveyed {first} to {last})."),
    "col.interval": ("95%区间", "95% interval"),
}
