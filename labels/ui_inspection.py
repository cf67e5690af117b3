"""Labels of the inspection pages (rectification, health, visits, archive quality, data, briefing).

Keys: `insp.*` for texts of these pages; `col.<column>` for the columns their queries return (looked up
by ui.table.labelled); `visits.reason.*` / `visits.rule.*`, `quality.check.*` for the rules.
"""

LABELS: dict[str, tuple[str, str]] = {
    # page titles
    "insp.page.rectification": ("问题整改", "Rectification"),
    "insp.page.health": ("健康扶贫", "Health support"),
    "insp.page.visits": ("入户走访", "Visit planner"),
    "insp.page.quality": ("档案规范性", "Archive quality"),
    "insp.page.data": ("数据管理", "Data management"),
    "insp.page.briefing": ("督查简报", "Briefing"),
    "insp.rules": ("规则说明", "Rules"),
    "insp.settings": ("设置", "Settings"),
    "insp.any": ("全部", "All"),
    "insp.choose": ("请选择", "Choose"),
    "insp.as_of_note": ("逾期、天数按参考日期 {date} 计算。", "Overdue and day counts are computed against the reference date {date}."),
    # ---- rectification
    "insp.rect.rules": (
        "- **未完成**：整改状态不是「已整改」「已销号」（状态为空按「未整改」计）。\n"
        "- **逾期**：未完成且整改时限早于参考日期；逾期天数 = 参考日期 − 整改时限。\n"
        "- **账龄**：未完成问题自发现日期至参考日期的天数。\n"
        "- **即将到期**：未完成且整改时限在参考日期起 {days} 天内。\n"
        "- **按期完成 / 超期完成**：已完成且完成日期不晚于 / 晚于整改时限；按期完成率 = 按期完成 ÷ 填有完成日期和整改时限的已完成问题。\n"
        "- **销号进度**：每个问题来源自首次发现起，每周末尚未完成的问题数（完成日期在当天或之前即视为完成；已完成但无完成日期或完成日期晚于参考日期的，从参考日期起计为完成）。\n"
        "- 问题可针对乡镇、村或单户；筛选乡镇/村时按问题所在地，筛选致贫原因等农户条件时只作用于针对单户的问题。",
        "- **Open**: status is not Rectified (已整改) or Closed (已销号); a blank status counts as Not started (未整改).\n"
        "- **Overdue**: open and the deadline is before the reference date; days overdue = reference date − deadline.\n"
        "- **Age**: days from the found date to the reference date, for open items.\n"
        "- **Due soon**: open with a deadline within {days} days of the reference date.\n"
        "- **Closed on time / late**: closed with a completion date on or before / after the deadline; the on-time rate = closed on time ÷ closed items with both a completion date and a deadline.\n"
        "- **Burn-down**: for each source, the items found and not yet closed at the end of each week since its first finding (closed = completed on or before that day; a closed item without a completion date, or completed after the reference date, counts as closed from the reference date).\n"
        "- An item concerns a township, a village or one household; township/village filters apply to its place, household filters (cause, etc.) only to household items.",
    ),
    "insp.rect.kpi.total": ("问题总数", "All items"),
    "insp.rect.kpi.open": ("未完成", "Open items"),
    "insp.rect.kpi.overdue": ("逾期", "Overdue items"),
    "insp.rect.kpi.due_soon": ("{days}天内到期", "Items due in {days} days"),
    "insp.rect.kpi.closed": ("已完成", "Closed items"),
    "insp.rect.kpi.late": ("超期完成", "Items closed late"),
    "insp.rect.kpi.on_time": ("按期完成率", "Items closed on time"),
    "insp.rect.by_status": ("各乡镇问题整改状态", "Items by status and township"),
    "insp.rect.overdue": ("逾期问题", "Overdue items"),
    "insp.rect.overdue_none": ("没有逾期问题。", "No overdue items."),
    "insp.rect.open_none": ("没有未完成的整改事项。", "No open items."),
    "insp.rect.ageing": ("未完成问题账龄", "Ageing of open items"),
    "insp.rect.burn_down": ("各来源销号进度（每周末未完成问题数）", "Burn-down per source (open items at each week's end)"),
    "insp.rect.burn_down_later": ("另有 {n} 项未完成事项的发现日期晚于参考日期（日期可能写错，见档案规范性），不在图中。",
                                  "{n} more open items were found after the reference date (a date typed wrong? See "
                                  "Archive quality) and are not in the chart."),
    "insp.rect.burn_down_undated": ("另有 {n} 项未完成事项未填发现日期，不在图中。",
                                    "Open items without a finding date, not in the chart: {n}."),
    "insp.rect.by_category": ("按问题类别", "By category"),
    "insp.rect.by_unit": ("按责任单位", "By responsible unit"),
    "insp.rect.none_open": ("问题均已整改，没有未完成项。", "Every item is closed: none open."),
    "insp.rect.rest_closed": ("另有 {n} 个{what}的问题均已整改，未画出（见下表）。",
                              "{n} more ({what}) with every item closed are not charted (see the table below)."),
    "insp.rect.due_soon": ("{days}天内到期", "Due in the next {days} days"),
    "insp.rect.due_none": ("{days}天内没有到期的问题。", "Nothing due in the next {days} days."),
    "insp.rect.ledger": ("问题整改台账", "Rectification ledger"),
    "insp.rect.only_open": ("只看未完成", "Open items only"),
    "insp.rect.only_overdue": ("只看逾期", "Overdue only"),
    "insp.rect.pick": ("选择问题查看详情（针对单户的问题显示家庭情况简介）",
                       "Pick an item for details (household items show the household profile)"),
    "insp.rect.pick_first": ("选择问题查看详情：上表前 {n} 项（可用上方条件缩小范围；针对单户的问题显示家庭情况简介）",
                             "Pick one of the first {n} items above for details (narrow them with the filters above; "
                             "household items show the household profile)"),
    "insp.rect.goto_area": ("筛选到 {area}", "Filter to {area}"),
    "insp.rect.bucket.0": ("30天内", "≤30 days"),
    "insp.rect.bucket.1": ("31–90天", "31–90 days"),
    "insp.rect.bucket.2": ("91–180天", "91–180 days"),
    "insp.rect.bucket.3": ("181–365天", "181–365 days"),
    "insp.rect.bucket.4": ("一年以上", "over a year"),
    "insp.rect.bucket.-1": ("未填发现日期", "no date found"),
    "insp.rect.bucket.-2": ("发现日期晚于参考日期", "found after the reference date"),
    "insp.rect.state.overdue": ("逾期{days}天", "{days} days overdue"),
    "insp.rect.state.due_in": ("{days}天后到期", "due in {days} days"),
    "insp.rect.state.due_today": ("今天到期", "due today"),
    "insp.rect.state.open": ("未完成", "open"),
    "insp.rect.state.closed": ("已完成", "closed"),
    "insp.rect.state.closed_late": ("已完成（超期{days}天）", "closed {days} days late"),
    "insp.rect.level.township": ("乡镇", "Township"),
    "insp.rect.level.village": ("村", "Village"),
    "insp.rect.level.household": ("农户", "Household"),
    "insp.series.overdue": ("逾期", "Overdue"),
    "insp.series.not_overdue": ("未逾期", "Not overdue"),
    "insp.series.open": ("未完成", "Open"),
    "insp.axis.items": ("问题数", "Items"),
    "insp.axis.week": ("周末日期", "Week ending"),
    "insp.axis.age": ("账龄", "Age"),
    "insp.what.ledger": ("问题整改台账", "rectification_ledger"),
    "insp.what.overdue": ("逾期问题", "overdue_items"),
    "insp.what.due_soon": ("即将到期问题", "items_due_soon"),
    "insp.what.by_category": ("整改问题_按类别", "items_by_category"),
    "insp.what.by_unit": ("整改问题_按责任单位", "items_by_unit"),
    # ---- health
    "insp.health.rules": (
        "- **因病/因残户**：主要或其他致贫原因含「因病」「因残」。\n"
        "- **患病成员**：健康状况为「长期慢性病」或「患有大病」（「残疾」一并列出）。\n"
        "- **随访达标**（慢性病患者）：参考日期前12个月内「家庭医生随访」不少于 {min_fu} 次、「健康体检」不少于 {min_cu} 次，且最近一次随访在 {days} 天内。走访记录按户登记，户内每位患者按本户的随访计。\n"
        "- **个人自付比例** = 个人自付 ÷ 总费用（总费用与个人自付均有数的报销记录），对照目标（设置，默认 {target}）。\n"
        "- **返贫风险**：某户一个自然年度内个人自付合计超过预警线：家庭年收入（当年人均纯收入，无则最近一年 × 人口数）的一定比例（设置，默认 50%），或固定金额（设置）。\n"
        "- **报销金额不平**：|总费用 −（基本医保 + 大病保险 + 医疗救助 + 其他保障 + 个人自付）| > 1 元（无个人自付的记录不核对）。",
        "- **Ill households**: main or other cause Illness (因病) or Disability (因残).\n"
        "- **Ill members**: health Chronic illness (长期慢性病) or Serious illness (患有大病); disability listed too.\n"
        "- **Follow-up compliance** (chronic patients): in the 12 months before the reference date at least {min_fu} family-doctor follow-ups and {min_cu} check-up, and a follow-up within the last {days} days. Visits are recorded per household; each patient counts the household's follow-ups.\n"
        "- **Out-of-pocket share** = out of pocket ÷ total cost (claims with both), against a target (setting, default {target}).\n"
        "- **Return-to-poverty risk**: a household whose out-of-pocket in a calendar year exceeds the warning line: a share (setting, default 50%) of its annual income (income per capita of that year, else the latest, × members) or a fixed amount (setting).\n"
        "- **Claim does not add up**: |total − (basic + critical-illness + assistance + other + out of pocket)| > 1 yuan (claims without out of pocket are not checked).",
    ),
    # English: "(main or other cause)" was cut to "(main or …" in a tile at 1280 px; the tile's help says it
    "insp.health.kpi.ill_households": ("因病/因残户（含其他致贫原因）", "Ill or disabled households"),
    "insp.health.kpi.ill_members": ("患病成员", "Ill members"),
    "insp.health.kpi.chronic": ("慢性病患者", "Chronic patients"),
    "insp.health.kpi.compliant": ("随访达标", "Follow-up compliant"),
    "insp.health.kpi.oop_share": ("个人自付比例", "Out-of-pocket share"),
    "insp.health.kpi.risks": ("返贫风险户", "Risk households"),
    "insp.health.target": ("个人自付比例目标（%）", "Out-of-pocket share target (%)"),
    "insp.health.threshold_mode": ("返贫风险预警线", "Risk warning line"),
    "insp.health.mode.income": ("家庭年收入的一定比例", "Share of annual household income"),
    "insp.health.mode.fixed": ("固定金额", "Fixed amount"),
    "insp.health.share": ("占家庭年收入比例（%）", "Share of household income (%)"),
    "insp.health.fixed": ("固定金额（元）", "Fixed amount (yuan)"),
    "insp.health.year": ("报销年度", "Claim year"),
    "insp.health.year_slug": ("{year}年度", "year{year}"),  # a chosen claim year in a file name
    "insp.health.all_years": ("全部年度", "All years"),
    "insp.health.ill_by_township": ("各乡镇因病/因残户与患病成员", "Ill households and members by township"),
    "insp.health.members": ("患病、残疾成员及随访情况", "Ill and disabled members and their follow-ups"),
    "insp.health.gaps": ("随访未达标的慢性病患者", "Chronic patients out of follow-up compliance"),
    "insp.health.gaps_none": ("所有慢性病患者随访达标。", "All chronic patients are in compliance."),
    "insp.health.members_none": ("筛选范围内没有登记为患病或残疾的成员（贫困人口信息的“健康状况”列）。",
                                 "No member in view is recorded as ill or disabled (the registry's health column (健康状况))."),
    "insp.health.no_chronic": ("筛选范围内没有登记为长期慢性病的成员，没有随访要求可查。",
                               "No member in view is recorded with a chronic illness: no follow-up to check."),
    "insp.health.claims": ("各乡镇医疗报销", "Medical claims by township"),
    "insp.health.ill_none": ("所选范围内没有因病/因残户，也没有患病、残疾成员。",
                             "No household poor through illness or disability and no ill or disabled member here."),
    "insp.health.claims_none": ("没有医疗报销记录。", "No medical claims."),
    "insp.health.claims_outside": ("没有可按地区统计的医疗报销：已导入的报销记录，其户编号都不在贫困人口信息中"
                                   "（“数据管理”页可列出这些行；多为户编号填错，或该户的贫困人口信息尚未导入）。",
                                   "No claim can be counted by place: every claim loaded has a household number that "
                                   "is in no registry file (the Data management page lists them; mostly a mistyped "
                                   "number, or the household's registry not loaded yet)."),
    "insp.health.claims_none_year": ("{year}年度没有医疗报销记录。", "No medical claims in {year}."),
    "insp.health.risks": ("因医疗支出存在返贫风险的农户", "Households at risk of returning to poverty from medical costs"),
    "insp.health.risks_none": ("没有超过预警线的农户。", "No household above the warning line."),
    "insp.health.risks_none_year": ("{year}年度没有超过预警线的农户。", "No household above the warning line in {year}."),
    "insp.health.risks_no_income": (
        "另有 {n} 户有个人自付但未登记人均纯收入：无法按家庭年收入判断是否超过预警线，未列入；可在设置中改用固定金额。",
        "{n} more household(s) paid out of pocket but have no income on record: the warning line, a share of the "
        "income, is unknown, so they are not listed; the settings offer a fixed amount instead."),
    "insp.health.mismatch": ("报销金额不平的记录", "Claims whose parts do not add up"),
    "insp.health.claims_without": ("没有报销记录（所选年度），不在图表中：{places}。", "No claim (in the year chosen), so not in the charts: {places}."),
    "insp.health.claims_off": (
        "条形长度为各项报销与个人自付之和，旁边的数字为总费用；{places}两者不等（共差 {diff} 元），逐笔见下方「报销金额不平的记录」。",
        "Each bar is the sum of the payers and out-of-pocket; the number beside it is the total cost. They differ in "
        "{places} ({diff} yuan in all): see 'Claims whose parts do not add up' below."),
    "insp.health.claims_no_total": (
        "{places}有 {n} 笔报销没有总费用：其个人自付计入「个人自付」列，但不计入个人自付比例（表中「计入比例的个人自付」）。",
        "{n} claims in {places} have no total cost: their out-of-pocket is in the Out-of-pocket column but not in "
        "the out-of-pocket share ('Out-of-pocket in the share' in the table)."),
    "insp.health.claims_no_oop": (
        "{places}有 {n} 笔报销没有个人自付数据（如医保结算清单）：其条形短于总费用，个人自付比例只按有个人自付的报销计算"
        "（表中「有个人自付的总费用」）。",
        "{n} claims in {places} have no out-of-pocket figure (e.g. an insurer's settlement list): their bars fall "
        "short of the total cost, and the out-of-pocket share is over the claims with one ('Cost of claims with "
        "out-of-pocket' in the table)."),
    "insp.health.claims_undated_year": (
        "另有 {n} 笔报销没有入院日期，不属于任何年度：不计入所选年度的费用和个人自付比例，也不计入因病返贫风险户（按年度判断）；"
        "选择「全部年度」可见其费用。",
        "{n} claims have no admission date, so they are in no year: not in the chosen year's costs and out-of-pocket "
        "share, nor in the households at risk (judged per year). Choose 'All years' to see their costs."),
    "insp.health.claims_undated_all": (
        "其中 {n} 笔报销没有入院日期，不属于任何年度：计入全部年度的费用和个人自付比例，但不计入因病返贫风险户（按年度判断）。",
        "{n} claims have no admission date, so they are in no year: in the costs and out-of-pocket share of all "
        "years, but not in the households at risk (judged per year)."),
    "insp.health.mismatch_none": ("所有报销记录金额相符。", "All claims add up."),
    "insp.health.mismatch_none_year": ("{year}年度的报销记录金额均相符。", "All claims of {year} add up."),
    "insp.series.basic": ("基本医保", "Basic insurance"),
    "insp.series.critical": ("大病保险", "Critical-illness insurance"),
    "insp.series.assistance": ("医疗救助", "Medical assistance"),
    "insp.series.other": ("其他保障", "Other support"),
    "insp.series.oop": ("个人自付", "Out of pocket"),
    "insp.series.target": ("目标", "Target"),
    "insp.series.ill_cause": ("因病/因残户", "Ill/disabled households"),
    "insp.series.ill_member_hh": ("有患病成员的户", "Households with ill members"),
    "insp.axis.yuan": ("金额（元）", "Amount (yuan)"),
    "insp.axis.share": ("比例", "Share"),
    "insp.axis.households": ("户数", "Households"),
    # health support is for every household of the registry: 户数 alone means registered households
    "insp.axis.all_households": ("户数（登记在册各户）", "Households (all on the registry)"),
    # the list holds the disabled too (its heading says so); 患病成员 is the tile's count of the ill alone
    "insp.what.ill_members": ("患病残疾成员随访", "ill_and_disabled_members"),
    "insp.what.gaps": ("随访未达标", "follow_up_gaps"),
    "insp.what.claims": ("医疗报销_按乡镇", "claims_by_township"),
    "insp.what.risks": ("返贫风险户", "risk_households"),
    "insp.what.mismatch": ("报销金额不平", "claims_not_adding_up"),
    "insp.what.enrolment": ("参保签约", "enrolment"),
    # ---- visits
    "insp.visits.rules": (
        "每户按下列规则计分（分值见表），得分相加后从高到低排序；同分时距上次走访天数多（或从未走访）的在前。",
        "Each household scores the weights of the rules it meets (table); the list is sorted by score, then by days since the last visit (never visited first).",
    ),
    "visits.reason.elderly_alone": ("独居老人", "Elderly living alone"),
    "visits.reason.returned": ("返贫", "Returned to poverty"),
    "visits.reason.monitored_risk": ("监测对象风险未消除", "Monitored, risk not eliminated"),
    "visits.reason.below_line": ("收入低于贫困线", "Income below the line"),
    "visits.reason.not_exited": ("未脱贫", "Not exited"),
    "visits.reason.no_measure": ("无帮扶措施", "No assistance measure"),
    # the reasons a ledger with no row gives every household: said above the list, with what to load
    "visits.ledger_missing": ("尚无{kinds}数据：名单中的“{reasons}”对每一户都成立，是因为尚未导入这些台账，不一定是实情；"
                              "在“数据管理”页导入后，名单和得分随之更新。",
                              "No {kinds} data yet: “{reasons}” holds for every household because these ledgers "
                              "have not been loaded, not necessarily in fact; load them on the Data management "
                              "page and the list and scores follow."),
    "visits.reason.ill_disabled": ("因病/因残或有患病、残疾成员", "Illness or disability"),
    "visits.reason.no_recent_visit": ("{days}天内未走访", "No visit in {days} days"),
    "visits.reason.open_item": ("有未完成整改事项", "Open rectification item"),
    "visits.reason.near_line": ("收入在贫困线1.5倍以内", "Income within 1.5× the line"),
    "visits.reason.archive_defects": ("档案有问题", "Archive defects"),
    "visits.rule.elderly_alone": ("全户仅1人且参考日期时年满{age}岁", "One member, aged {age}+ at the reference date"),
    "visits.rule.returned": ("脱贫状态为「返贫」", "Exit status Returned to poverty (返贫)"),
    "visits.rule.monitored_risk": ("监测对象且「风险是否消除」不为「是」", "Monitored household whose risk is not marked eliminated"),
    "visits.rule.below_line": ("人均纯收入低于收入年度（已脱贫户未填时为脱贫年度；都没有时为各年中最低的一条）的贫困线",
                               "Income per capita below the line of its year (an exited household without one: its exit year; "
                               "with neither: the lowest of all years)"),
    "visits.rule.not_exited": ("脱贫状态为「未脱贫」", "Exit status Not exited (未脱贫)"),
    "visits.rule.no_measure": ("帮扶措施台账中没有该户的记录", "No row in the interventions ledger"),
    "visits.rule.ill_disabled": ("致贫原因含因病/因残，或有成员患慢性病、大病或残疾", "Cause Illness (因病) or Disability (因残), or a member chronic, seriously ill or disabled"),
    "visits.rule.no_recent_visit": ("最近一次走访（任何类型）距参考日期超过{days}天，或从未走访", "Last visit (any type) more than {days} days before the reference date, or never"),
    "visits.rule.open_item": ("有针对该户的未完成整改事项", "An open rectification item about the household"),
    "visits.rule.near_line": ("人均纯收入不低于贫困线但低于其1.5倍（监测线）", "Income at or above the line but below 1.5× (monitoring threshold)"),
    "visits.rule.archive_defects": ("该户有档案问题（档案不规范）", "The household has data issues (archive defects)"),
    "insp.visits.rule_col": ("规则", "Rule"),
    "insp.visits.reason_col": ("原因", "Reason"),
    "insp.visits.weight_col": ("分值", "Weight"),
    "insp.visits.days": ("未走访天数阈值（N）", "No visit in the last N days"),
    "insp.visits.top": ("列出前 N 户", "Show the top N"),
    "insp.visits.list": ("走访名单", "Visit list"),
    "insp.visits.list_caption": ("共 {n} 户符合至少一条规则。", "{n} households meet at least one rule."),
    "insp.visits.choose_area": ("在左侧选择乡镇或村，得到该地的走访名单。", "Choose a township or village on the left for its visit list."),
    "insp.visits.profile": ("家庭情况简介", "Household profile"),
    "insp.visits.pick": ("选择农户", "Household"),
    "insp.visits.hh_unknown": ("链接指定的农户不在当前范围内（户编号可能有误、已不在数据中，或不在筛选或查看范围内），"
                               "下面是名单中的第一户。",
                               "The household the link names is not in view (a mistyped or outdated number, or "
                               "outside the filters or your townships); the first household of the list is shown."),
    "insp.visits.download_one": ("下载该户简介（HTML，可打印）", "Download this profile (HTML, printable)"),
    "insp.visits.download_all": ("下载名单中前 {n} 户简介（HTML）", "Download the profiles of the top {n} (HTML)"),
    "insp.visits.sample": ("抽查样本", "Inspection sample"),
    "insp.visits.sample_rules": (
        "按村分层的可重复随机抽样：先由“随机种子”和乡镇、村名算出每个村的抽签号，按号抽取村；再在每个抽中的村内，由种子和户编号算出每户的抽签号，分别抽取建档立卡户和非建档立卡户（监测户及其他未建档户）。数据和种子相同，样本就相同，可供复核；换一个种子即换一组样本。",
        "Reproducible random sample stratified by village: each village gets a draw number from the seed and its township and name, villages are drawn by it; within each drawn village each household gets a draw number from the seed and its household number, and registered and non-registered households (monitored ones and any other) are drawn separately. The same data and seed give the same sample, for checking; another seed gives another sample.",
    ),
    "insp.visits.seed": ("随机种子", "Seed"),
    "insp.visits.n_villages": ("抽取村数（0 = 全部）", "Villages to draw (0 = all)"),
    "insp.visits.n_registered": ("每村建档立卡户", "Registered per village"),
    "insp.visits.n_other": ("每村非建档立卡户", "Non-registered per village"),
    "insp.visits.sample_caption": ("种子 {seed}：抽中 {villages} 个村、{n} 户。", "Seed {seed}: {villages} villages, {n} households."),
    "insp.what.visit_list": ("走访名单", "visit_list"),
    "insp.what.sample": ("抽查样本_种子{seed}", "inspection_sample_seed{seed}"),
    "insp.what.profile": ("家庭情况简介", "household_profile"),
    "insp.what.profiles": ("走访名单家庭情况简介", "visit_list_profiles"),
    # ---- profile
    "insp.profile.title": ("建档立卡贫困户家庭情况简介", "Household profile"),
    "insp.profile.basic": ("基本情况", "Household"),
    "insp.profile.members": ("家庭成员", "Members"),
    "insp.profile.causes": ("致贫原因", "Causes"),
    "insp.profile.measures": ("帮扶措施", "Assistance measures"),
    "insp.profile.income": ("历年人均纯收入与贫困线", "Income per capita by year against the line"),
    "insp.profile.visits": ("走访与随访记录", "Visits and follow-ups"),
    "insp.profile.claims": ("医疗报销", "Medical claims"),
    "insp.profile.open_items": ("未完成整改事项", "Open rectification items"),
    "insp.profile.defects": ("档案问题", "Archive defects"),
    "insp.profile.reasons": ("走访原因", "Reasons to visit"),
    "insp.profile.none": ("无", "None"),
    "insp.profile.generated": ("生成于 {now}，参考日期 {date}。个人信息已按规定脱敏。", "Generated {now}, reference date {date}. Personal data masked."),
    "insp.profile.not_found": ("找不到该户，或不在您的查看范围内。", "Household not found or outside your scope."),
    "insp.profile.print": ("打印", "Print"),
    "insp.profile.total_amount": ("合计 {amount} 元", "Total {amount} yuan"),
    # ---- quality
    "insp.quality.rules": (
        "**完整率** = 通过的检查项 ÷ 应检查项（按户汇总到乡镇、村，最差的在前）。检查项：\n"
        "- 每位成员：身份证号有效、健康状况已填、劳动技能已填（各1项）；\n"
        "- 参考日期时6–15岁的成员：在校生状况已填；\n"
        "- 每户：危房户、饮水安全已填（各1项）；\n"
        "- 每位慢性病患者：已签约家庭医生；\n"
        "- 每户：有参考日期当年或上一年的人均纯收入；\n"
        "- 每户：参考日期前 {days} 天内有走访记录（任何类型；导入走访记录后才检查）。\n\n"
        "**数据问题**：入库时按数据规范检查发现的问题（见各规则说明）；被拒收的行见「数据管理」。",
        "**Completeness** = checks passed ÷ checks required, summed over households to townships and villages (worst first). Checks:\n"
        "- every member: a valid ID number, a health status, a labour status (one each);\n"
        "- members aged 6–15 at the reference date: a school status;\n"
        "- every household: housing and drinking-water fields filled (one each);\n"
        "- every chronic patient: a signed family doctor;\n"
        "- every household: an income figure for the reference year or the year before;\n"
        "- every household: a visit (any type) within {days} days before the reference date (checked once visits are loaded).\n\n"
        "**Data issues**: defects found by the data-contract checks at load time; rejected rows are on the Data management page.",
    ),
    "quality.check.id": ("身份证号有效", "Valid ID"),
    "quality.check.health": ("健康状况", "Health status"),
    "quality.check.labour": ("劳动技能", "Labour status"),
    "quality.check.school": ("适龄儿童在校状况", "School status (6–15)"),
    "quality.check.housing": ("住房情况", "Housing"),
    "quality.check.water": ("饮水情况", "Drinking water"),
    "quality.check.doctor": ("慢病患者家庭医生签约", "Family doctor (chronic)"),
    "quality.check.income": ("年度收入", "Income of the year"),
    "quality.check.visit": ("{days}天内走访", "Visit within {days} days"),
    "insp.quality.kpi.score": ("完整率", "Completeness"),
    "insp.quality.kpi.issues": ("档案问题", "Archive defects"),
    "insp.quality.kpi.households": ("有问题的户", "Households with issues"),
    "insp.quality.kpi.gaps": ("未通过检查项", "Failed checks"),
    "insp.quality.by_township": ("各乡镇完整率（最差在前）", "Completeness by township (worst first)"),
    "insp.quality.by_village": ("各村完整率（最差在前）", "Completeness by village (worst first)"),
    "insp.quality.by_check": ("各检查项通过率", "Pass rate of each check"),
    "insp.quality.by_rule": ("档案问题按规则", "Archive defects by rule"),
    "insp.quality.by_area": ("档案问题按村", "Archive defects by village"),
    "insp.quality.defects": ("问题清单（交整改责任人）", "Defect list (for the people who fix it)"),
    "insp.quality.defects_township": ("乡镇", "Township"),
    "insp.quality.all_townships": ("全部乡镇", "All townships"),
    "insp.quality.trend": ("历次入库的档案问题", "Archive defects per load"),
    "insp.quality.trend_none": ("尚无入库记录。", "No loads yet."),
    "insp.quality.trend_note": (
        "按入库批次，全旗，不随筛选变化：各批次入库当时共记录 {recorded} 条问题；被后来的文件替换的记录，其问题随之删除，"
        "现存 {current} 条；本页上方只计贫困人口信息中的户的问题（{registry} 条）。",
        "Per load, whole county, not filtered: {recorded} issues were recorded when the files were loaded; those of "
        "records a later file replaced went with them, {current} remain; the figures above count those of households "
        "in the registry ({registry})."),
    "insp.quality.source.issue": ("数据问题", "Data issue"),
    "insp.quality.source.check": ("完整性检查", "Completeness check"),
    # a failed check's value in the defect list (it showed 0/1, 3/4: checks passed / required)
    "insp.quality.check_failed": ("未通过", "Failed"),
    "insp.quality.check_failed_of": ("{required}人中{failed}人未通过", "{failed} of {required} people failed"),
    "insp.what.completeness": ("档案完整率_分乡镇", "completeness_by_township"),
    "insp.what.completeness_village": ("档案完整率_分村", "completeness_by_village"),
    "insp.what.defects": ("档案问题清单", "archive_defects"),
    "insp.what.issues_by_rule": ("档案问题_按规则", "issues_by_rule"),
    "insp.what.issues_by_area": ("档案问题_按村", "issues_by_village"),
    "insp.what.trend": ("档案问题_按批次", "issues_per_load"),
    # ---- data
    "insp.data.totals": ("库中：{households} 户、{members} 人（贫困人口信息中的所有户，含监测对象；总览等页面默认只计建档立卡户）、帮扶措施 {interventions} 条、走访 {visits} 条、医疗报销 {medical_claims} 条、整改问题 {rectifications} 条、数据问题 {data_issues} 条（各类文件的，含贫困人口信息之外的户）、拒收行 {rejected_rows} 行。",
                         "In the database: {households} households, {members} people (every household of the registry, monitored ones included; the overview and other pages count registered households by default), {interventions} measures, {visits} visits, {medical_claims} claims, {rectifications} rectification items, {data_issues} data issues (of every kind of file, households outside the registry included), {rejected_rows} rejected rows."),
    "insp.data.totals_scope": ("库中（本乡镇）：{households} 户、{members} 人（含监测对象；各页面默认只计建档立卡户）、帮扶措施 {interventions} 条、走访 {visits} 条、医疗报销 {medical_claims} 条、整改问题 {rectifications} 条、数据问题 {data_issues} 条。",
                               "In the database (your townships): {households} households, {members} people (monitored ones included; the pages count registered households by default), {interventions} measures, {visits} visits, {medical_claims} claims, {rectifications} rectification items, {data_issues} data issues."),
    "insp.data.history": ("入库记录", "Load history"),
    "insp.data.restored": ("当前数据于 {at} 由备份 {file} 恢复：此前的入库记录来自该备份，备份之后、恢复之前的导入已不在数据中。",
                           "The data was restored from the backup {file} at {at}: the loads before then are that "
                           "backup's; loads made after the backup and before the restore are no longer in the data."),
    "insp.data.history_scope": ("乡镇用户只看到每批数据的入库时间和类别：一个文件可能只有其他乡镇的数据，文件名也可能含有个人信息。",
                                "Township users see when each batch was loaded and of what kind only: a file may hold "
                                "only other townships' data, and its name may hold personal data."),
    "insp.data.rejected": ("拒收的行（原因与原始值）", "Rejected rows (reasons and raw values)"),
    "insp.data.rejected_none": ("没有被拒收的行。", "No rejected rows."),
    "insp.data.rejected_scope": ("被拒收的行无法确定属于哪个乡镇，只向全旗权限的用户显示；这里不列出，不代表没有。",
                                 "Rejected rows cannot be placed in a township, so they are shown to county-wide users only; "
                                 "none listed here does not mean there are none."),
    "insp.data.outside": ("户编号不在贫困人口信息中的台账行", "Ledger rows of households not in the registry"),
    "insp.data.outside_help": ("这些行已入库，但只有贫困人口信息能确定一户所在的乡镇和村，所以各乡镇、村的数字都不含它们"
                               "（措施金额、报销、走访）。多为户编号填错，或该户的贫困人口信息尚未导入。",
                               "These rows are loaded, but only the registry places a household in a township and "
                               "village, so no figure by place counts them (measure amounts, claims, visits). Usually "
                               "a mistyped household number, or a household whose registry rows are not loaded yet."),
    "insp.data.outside_check": ("核对台账户编号", "Check the ledgers' household numbers"),
    "insp.data.outside_none": ("各台账的户编号都在贫困人口信息中。", "Every ledger row's household is in the registry."),
    "insp.data.outside_scope": ("这里只列出整改台账记在本乡镇的事项（整改页按台账的乡镇计入它们）。只有整改台账填有乡镇，"
                                "帮扶措施、走访、报销台账中这样的行无法确定属于哪个乡镇，只向全旗权限的用户显示。",
                                "Only the rectification items their ledger places in your townships are listed (the "
                                "rectification page counts them there). Only the rectification ledger gives a township: "
                                "such rows of the measure, visit and claim ledgers cannot be placed in one and are shown "
                                "to county-wide users only."),
    "insp.data.outside_none_scope": ("本乡镇的整改事项中没有户编号不在贫困人口信息中的行。",
                                     "No rectification item of your townships has a household outside the registry."),
    "insp.data.issues_outside": ("不在登记户名下的数据问题", "Data issues of no registered household"),
    "insp.data.issues_outside_help": ("档案规范性页按户统计和列出数据问题，不含这些：它们属于户编号不在贫困人口信息中的"
                                      "台账行或入户核查，或不涉及某一户的事项（如乡镇层面的整改事项）。",
                                      "The archive page counts and lists data issues by household and leaves these "
                                      "out: they belong to ledger rows or household checks whose household is not in "
                                      "the registry, or to records of no household (such as a township's "
                                      "rectification item)."),
    "insp.data.issues_outside_check": ("列出这些问题", "List these issues"),
    "insp.data.issues_outside_none": ("所有数据问题都属于登记在册的户，档案规范性页已全部列出。",
                                      "Every data issue belongs to a registered household; the archive page lists "
                                      "them all."),
    "insp.data.issues_outside_scope": ("这些问题大多无法确定属于哪个乡镇，只向全旗权限的用户显示；这里不列出，不代表没有。",
                                       "Most of these issues cannot be placed in a township, so they are shown to "
                                       "county-wide users only; none listed here does not mean there are none."),
    "insp.data.batch": ("批次", "Batch"),
    "insp.data.batch_slug": ("批次{batch}", "batch{batch}"),  # one batch's rows in a file name
    "insp.data.all_batches": ("全部批次", "All batches"),
    "insp.data.upload": ("上传导出文件", "Upload export files"),
    "insp.data.upload_help": (
        "可一次上传多个导出文件（贫困人口信息、帮扶措施、走访记录、医疗报销、问题整改台账、入户核查表、人口基数表），接受 {types}；系统导出的网页表格或文本即使命名为 .xls 也能读取，文件类型按表头识别。工作簿中每个能识别表头的工作表都会入库，并逐表列出行数。每个文件单独入库；读取失败的文件不作任何更改。",
        "Upload one or more export files (registry, interventions, visits, medical claims, rectification ledger, household checks, rural population base): {types}. HTML or text tables that web systems name .xls are read too; the kind is recognised from the header. Every sheet of a workbook with a recognised header is loaded and counted on its own line. Each file is loaded on its own; a file that cannot be read changes nothing.",
    ),
    "insp.data.files": ("选择文件", "Choose files"),
    "insp.data.limit": ("单个文件不超过 {limit} MB（按 1 MB = 1024 KB 计，与 Windows 显示的文件大小一致）；超过的文件不入库，入库结果中会列出。",
                        "Up to {limit} MB per file (1 MB = 1024 KB, as Windows shows file sizes); a larger file is not "
                        "loaded, and the load summary names it."),
    "insp.data.browse": ("浏览文件", "Browse files"),
    "insp.data.drop_limit": ("或拖放到此处 · 每个文件不超过 {limit} MB", "or drop them here · up to {limit} MB each"),
    "insp.data.load": ("入库", "Load"),
    "insp.data.loading": ("正在入库…", "Loading…"),
    "insp.data.queued": ("正在等待另一次入库完成（已排队），之后自动开始…", "Waiting for another load to finish (queued); this one starts next…"),
    "insp.data.done": ("入库完成。", "Loaded."),
    "insp.data.nothing_changed": ("未作更改：所选文件都已入库过，或没有数据行（见上）。",
                                  "Nothing changed: every file chosen was loaded before or has no data row (see above)."),
    "insp.data.running_note": ("入库在服务器上进行：离开本页或关闭浏览器都不会中断它，回到“数据管理”即可看到进度和结果。",
                               "The load runs on the server: leaving this page or closing the browser does not stop it; "
                               "come back to Data to see its progress and summary."),
    "insp.data.job_time": ("{start} 开始，{end} 结束", "Started {start}, finished {end}"),
    "insp.data.job_failed": ("入库程序出错，数据库未作更改：{error}", "The loader failed; the database was not changed: {error}"),
    "insp.data.failed": ("部分文件未能入库，数据库未因这些文件作任何更改：", "Some files could not be loaded; they changed nothing:"),
    "insp.data.failed_all": ("未能入库，数据未作任何更改：", "Nothing was loaded; the data did not change:"),
    "insp.data.too_large": ("{file}：文件过大（{size} MB，上限 {limit} MB），未入库。", "{file}: too large ({size} MB, limit {limit} MB); not loaded."),
    "insp.data.reload": ("重新导入已导入过的文件", "Load files already loaded again"),
    "insp.data.reload_help": ("同一文件再次导入时默认不作更改。其后导入过同类文件、又要以此文件为准时（例如误导入了别的文件），勾选此项。",
                              "A file loaded again changes nothing by default. Tick this when a later file of its "
                              "kind changed its data and this file's data should be current again (a wrong file "
                              "was loaded, say)."),
    "insp.data.bad_type": ("{file}：只接受 {types} 文件。", "{file}: only {types} files are accepted."),
    "insp.data.no_loader": ("入库程序不可用：{error}", "The loader is not available: {error}"),
    "insp.data.summary": ("入库结果", "Load summary"),
    "insp.data.restricted": ("你的账号只能查看数据，不能上传；需要导入文件时，请交给有全旗导入权限的用户（如旗级领导账号）。",
                             "Your account may view the data but not upload; to load files, hand them to a county-wide user who may load data (a county leader's account)."),
    "insp.what.history": ("入库记录", "load_history"),
    "insp.what.rejected": ("拒收行", "rejected_rows"),
    "insp.what.outside": ("不在贫困人口信息中的户", "households_not_in_registry"),
    "insp.what.issues_outside": ("登记户以外的数据问题", "issues_outside_registry"),
    # ---- briefing
    "insp.brief.intro": (
        "一键生成当前筛选范围（乡镇或全旗）的督查简报：主要指标、各页关键图表、走访名单和未完成整改事项。生成的 HTML 文件自带图表脚本，断网可打开，适合手机查看和打印。",
        "One click builds the inspection briefing of the current filter (a township or the whole banner): headline figures, key charts of every page, the visit list and open rectification items. The HTML file embeds its chart script, opens offline, and prints well.",
    ),
    "insp.brief.generate": ("生成简报", "Build the briefing"),
    "insp.brief.download": ("下载简报（HTML）", "Download the briefing (HTML)"),
    "insp.brief.ready": ("简报已生成（{size} KB）。", "Briefing ready ({size} KB)."),
    "insp.brief.title": ("{area}脱贫攻坚督查简报", "{area}: poverty-alleviation inspection briefing"),
    "insp.brief.banner": ("全旗", "Whole banner"),
    "insp.brief.headline": ("主要指标", "Headline figures"),
    "insp.brief.charts": ("关键图表", "Key charts"),
    "insp.brief.visit_list": ("走访名单（前 {n} 户）", "Visit list (top {n})"),
    "insp.brief.open_items": ("未完成整改事项", "Open rectification items"),
    "insp.brief.open_items_top": ("未完成整改事项（逾期最久的前 {n} 项，共 {total} 项）",
                                  "Open rectification items (the {n} most overdue of {total})"),
    "insp.brief.scope": ("范围：{scope}；数据截至 {data_as_of}；参考日期 {as_of}。", "Scope: {scope}; data as of {data_as_of}; reference date {as_of}."),
    "insp.brief.kpi.registered": ("建档立卡户", "Registered households"),
    "insp.brief.kpi.people": ("建档立卡人口", "Registered people"),
    "insp.brief.kpi.exited": ("已脱贫户", "Exited households"),
    "insp.brief.kpi.not_exited": ("未脱贫户", "Not-exited households"),
    "insp.brief.kpi.returned": ("返贫户", "Returned households"),
    "insp.brief.kpi.wrong_exits": ("疑似错退户", "Suspected wrong exits"),
    "insp.brief.kpi.monitored": ("监测对象", "Monitored households"),
    "insp.brief.kpi.no_measure": ("无帮扶措施户", "Households without measures"),
    "insp.brief.kpi.open_items": ("未完成整改事项", "Open items"),
    "insp.brief.kpi.overdue": ("逾期整改事项", "Overdue items"),
    "insp.brief.kpi.on_time": ("按期完成整改事项", "Items closed on time"),
    "insp.brief.kpi.compliance": ("慢病随访达标", "Chronic follow-up compliance"),
    "insp.brief.kpi.completeness": ("档案完整率", "Archive completeness"),
    "insp.brief.kpi.issues": ("档案问题", "Archive defects"),
    "insp.brief.chart.measures": ("帮扶措施覆盖户数", "Households reached per measure"),
    "insp.what.briefing": ("督查简报", "briefing"),
    # ---- columns of the inspection queries
    "col.problem_category": ("问题类别", "Problem category"),
    "col.rect_measures": ("整改措施", "Measures"),
    "col.responsible_unit": ("责任单位", "Responsible unit"),
    "col.is_open": ("未完成", "Open"),
    "col.overdue": ("逾期", "Overdue"),
    "col.days_overdue": ("逾期天数", "Days overdue"),
    "col.days_late": ("超期完成天数", "Days late"),
    "col.age_days": ("账龄(天)", "Age (days)"),
    "col.due_soon": ("即将到期", "Due soon"),
    "col.level": ("针对", "Concerns"),
    "col.state": ("状态提示", "State"),
    "col.items": ("问题数", "Items"),
    "col.open_items": ("未完成", "Open"),
    "col.found_items": ("累计发现", "Found so far"),
    "col.week_end": ("周末日期", "Week ending"),
    "col.ill_cause_households": ("因病/因残户", "Ill/disabled households"),
    "col.ill_member_households": ("有患病成员的户", "Households with ill members"),
    "col.ill_members": ("患病成员", "Ill members"),
    "col.chronic_members": ("慢性病患者", "Chronic patients"),
    "col.disabled_members": ("残疾成员", "Disabled members"),
    "col.chronic": ("慢性病", "Chronic"),
    "col.follow_ups_12m": ("12个月随访次数", "Follow-ups (12 months)"),
    "col.check_ups_12m": ("12个月体检次数", "Check-ups (12 months)"),
    "col.last_follow_up_date": ("最近随访", "Last follow-up"),
    "col.days_since_follow_up": ("距最近随访(天)", "Days since follow-up"),
    "col.last_check_up_date": ("最近体检", "Last check-up"),
    "col.compliant": ("随访达标", "Compliant"),
    "col.few_follow_ups": ("随访不足4次", "Fewer than 4 follow-ups"),
    "col.no_check_up": ("无体检", "No check-up"),
    "col.no_recent_follow_up": ("90天内无随访", "No follow-up in 90 days"),
    "col.medical_insured": ("参加基本医保", "Basic insurance"),
    "col.critical_insured": ("参加大病保险", "Critical-illness insurance"),
    "col.doctor_signed": ("签约家庭医生", "Family doctor signed"),
    "col.chronic_doctor_signed": ("慢病患者已签约", "Chronic patients signed"),
    "col.medical_insured_share": ("基本医保参保率", "Basic insurance rate"),
    "col.critical_insured_share": ("大病保险参保率", "Critical-illness rate"),
    "col.doctor_signed_share": ("家庭医生签约率", "Family-doctor rate"),
    "col.medical_recorded": ("已登记基本医保情况", "Basic insurance on record"),
    "col.critical_recorded": ("已登记大病保险情况", "Critical-illness insurance on record"),
    "col.doctor_recorded": ("已登记签约情况", "Family-doctor signing on record"),
    "insp.health.unrecorded": ("{items}：所选范围内没有登记（导入的贫困人口信息中没有该列，或均未填写），不计算比率；"
                               "比率按已登记的成员计。",
                               "{items}: nothing on record in this view (the registry files have no such column, or "
                               "left it blank), so no rate; rates are of the members on record."),
    "col.claims": ("报销笔数", "Claims"),
    "col.critical_illness_insurance_paid": ("大病保险报销", "Critical-illness insurance"),
    "col.oop_share": ("个人自付比例", "Out-of-pocket share"),
    "col.oop_cost": ("有个人自付的总费用", "Cost of claims with out-of-pocket"),
    "col.no_oop_claims": ("无个人自付笔数", "Claims without out-of-pocket"),
    "col.oop_counted": ("计入比例的个人自付", "Out-of-pocket in the share"),
    "col.no_total_claims": ("无总费用笔数", "Claims without total cost"),
    "col.n_members": ("人口数", "Members"),
    "col.household_income": ("家庭年收入(元)", "Household income (yuan)"),
    "col.threshold": ("预警线(元)", "Warning line (yuan)"),
    "col.oop_income_ratio": ("自付占收入", "Out-of-pocket / income"),
    "col.parts_sum": ("各项之和", "Sum of parts"),
    "col.difference": ("差额", "Difference"),
    "col.rank": ("序号", "Rank"),
    "col.head_name": ("户主", "Head"),
    "col.oldest_age": ("最大年龄", "Oldest"),
    "col.days_since_visit": ("距上次走访(天)", "Days since visit"),
    "col.last_visit_date": ("上次走访", "Last visit"),
    "col.n_open_items": ("未完成整改", "Open items"),
    "col.n_issues": ("档案问题", "Defects"),
    "col.reason_text": ("走访原因", "Reasons"),
    "col.score": ("得分", "Score"),
    "col.village_draw": ("村抽签序号", "Village draw"),
    "col.draw": ("户抽签序号", "Household draw"),
    "col.registered": ("建档立卡户", "Registered"),
    "col.completeness": ("完整率", "Completeness"),
    "col.checks_required": ("应检查项", "Checks required"),
    "col.checks_passed": ("通过项", "Checks passed"),
    "col.households_with_issues": ("有问题的户", "Households with issues"),
    "col.rule_name": ("规则", "Rule"),
    "col.rule_text": ("说明", "Explanation"),
    "col.check_name": ("检查项", "Check"),
    "col.defect_source": ("来源", "Source"),
    "col.table_name": ("数据表", "Table"),
    "col.raw_value": ("原始值", "Raw value"),
    "col.issues_per_100": ("每百行问题数", "Issues per 100 rows"),
    "col.pass_rate": ("通过率", "Pass rate"),
    "col.raw": ("原始行", "Raw row"),
    "col.message": ("说明", "Message"),
    "col.line": ("行号", "Line"),
    "col.ratio": ("收入/贫困线", "Income / line"),
    "col.below_line": ("低于贫困线", "Below the line"),
    "col.within_monitoring": ("低于监测线(1.5倍)", "Below 1.5× the line"),
    "col.poverty_line": ("贫困线(元)", "Poverty line (yuan)"),
    "col.monitoring_line": ("监测线(1.5倍)", "Monitoring line (1.5×)"),
    "col.field": ("字段", "Field"),
    "col.file_name": ("文件", "File"),
    "col.rows": ("行数", "Rows"),
    "col.first_line": ("首行行号", "First line"),
    "col.head_id_number": ("户主证件号码", "Head's ID number"),
    "col.source_line": ("行号", "Line"),
    "col.ignored_columns": ("未使用的列", "Columns not used"),
    "col.encoding": ("编码/格式", "Encoding"),
    "col.header_line": ("表头行", "Header line"),
    "col.sha256": ("文件校验值(SHA-256)", "SHA-256"),
}
