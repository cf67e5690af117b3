"""Labels of the ETL: canonical field names, kinds, rejection reasons, data-issue rules, read errors.

Rule texts take {file}, {line}, {column}, {value} and say what would be accepted.
"""

LABELS: dict[str, tuple[str, str]] = {
    # kinds of file
    "kind.registry": ("贫困人口信息", "Registry"),
    "kind.interventions": ("帮扶措施", "Interventions"),
    "kind.visits": ("走访记录", "Visits"),
    "kind.medical_claims": ("医疗报销", "Medical claims"),
    "kind.rectifications": ("问题整改台账", "Rectification ledger"),
    # canonical fields, as the export headers name them
    "field.township": ("乡(镇)", "Township"),
    "field.village": ("行政村", "Village"),
    "field.household_id": ("户编号", "Household no."),
    "field.member_id": ("人编号", "Member no."),
    "field.name": ("姓名", "Name"),
    "field.id_number": ("证件号码", "ID number"),
    "field.relation": ("与户主关系", "Relation to head"),
    "field.household_size": ("人数", "Household size"),
    "field.sex": ("性别", "Sex"),
    "field.ethnicity": ("民族", "Ethnicity"),
    "field.birth_date": ("出生日期", "Birth date"),
    "field.age": ("年龄", "Age"),
    "field.education": ("文化程度", "Education"),
    "field.school_status": ("在校生状况", "School status"),
    "field.health": ("健康状况", "Health"),
    "field.labor_skill": ("劳动技能", "Labour"),
    "field.work_months": ("务工时间(月)", "Months of work"),
    "field.medical_insurance": ("基本医疗保险", "Basic medical insurance"),
    "field.critical_illness_insurance": ("大病保险", "Critical-illness insurance"),
    "field.family_doctor_signed": ("家庭医生签约", "Family doctor signed"),
    "field.household_attribute": ("贫困户属性", "Household attribute"),
    "field.identification_standard": ("识别标准", "Identification standard"),
    "field.main_cause": ("主要致贫原因", "Main cause"),
    "field.other_causes": ("其他致贫原因", "Other causes"),
    "field.exit_status": ("脱贫状态", "Exit status"),
    "field.enjoys_policy": ("享受政策", "Enjoys policy"),
    "field.exit_year": ("脱贫年度", "Exit year"),
    "field.identified_date": ("识别时间", "Identified on"),
    "field.identified_year": ("识别年度", "Year identified"),
    "field.income_per_capita": ("人均纯收入(元)", "Income per capita (yuan)"),
    "field.income_year": ("收入年度", "Income year"),
    "field.unsafe_housing": ("危房户", "Unsafe housing"),
    "field.safe_water": ("饮水安全", "Safe water"),
    "field.monitoring_type": ("监测对象类别", "Monitoring type"),
    "field.risk_eliminated": ("风险是否消除", "Risk eliminated"),
    "field.helper_name": ("帮扶责任人", "Helper"),
    "field.helper_unit": ("帮扶单位", "Helper unit"),
    "field.phone": ("联系电话", "Phone"),
    "field.category": ("类别", "Category"),
    "field.content": ("措施内容", "Measure"),
    "field.project": ("项目名称", "Project"),
    "field.year": ("年度", "Year"),
    "field.start_date": ("开始日期", "Start date"),
    "field.amount_yuan": ("金额(元)", "Amount (yuan)"),
    "field.status": ("状态", "Status"),
    "field.responsible_unit": ("责任单位", "Responsible unit"),
    "field.visit_date": ("走访日期", "Visit date"),
    "field.visit_type": ("走访类型", "Visit type"),
    "field.visitor": ("走访人", "Visitor"),
    "field.notes": ("情况记录", "Notes"),
    "field.admission_date": ("入院日期", "Admission date"),
    "field.institution": ("医疗机构", "Institution"),
    "field.total_cost": ("总费用", "Total cost"),
    "field.basic_insurance": ("基本医保报销", "Basic insurance"),
    "field.critical_illness_insurance_paid": ("大病保险报销", "Critical-illness insurance"),
    "field.medical_assistance": ("医疗救助", "Medical assistance"),
    "field.other_support": ("其他保障", "Other support"),
    "field.out_of_pocket": ("个人自付", "Out of pocket"),
    "field.issue_id": ("问题编号", "Issue no."),
    "field.source": ("问题来源", "Source"),
    "field.found_date": ("发现日期", "Found on"),
    "field.description": ("问题描述", "Description"),
    "field.responsible_person": ("责任人", "Responsible person"),
    "field.measures": ("整改措施", "Measures"),
    "field.deadline": ("整改时限", "Deadline"),
    "field.completed_date": ("完成日期", "Completed on"),
    "field.row": ("整行", "Whole row"),
    # rejected rows: the row cannot be placed
    "rule.no_household_id": (
        "{file} 第{line}行「{column}」为空：无法确定所属农户，该行未入库。请填写户编号。",
        "{file} line {line}, '{column}' is empty: the row cannot be placed and was not loaded. Fill in the household number.",
    ),
    "rule.hhid_mangled": (
        "{file} 第{line}行「{column}」值「{value}」已被 Excel 转为科学计数法，末几位已丢失：无法确定所属农户，该行未入库。"
        "请将该列设为文本格式后重新导出。",
        "{file} line {line}, '{column}' = '{value}' was turned into scientific notation by Excel and lost its last "
        "digits: the row cannot be placed and was not loaded. Format the column as text and export again.",
    ),
    "rule.no_township": (
        "{file} 第{line}行「{column}」为空：无法确定所属乡镇，该行未入库。请填写乡(镇)名称。",
        "{file} line {line}, '{column}' is empty: the row cannot be placed and was not loaded. Fill in the township.",
    ),
    "rule.no_village": (
        "{file} 第{line}行「{column}」为空：无法确定所属村，该行未入库。请填写行政村名称。",
        "{file} line {line}, '{column}' is empty: the row cannot be placed and was not loaded. Fill in the village.",
    ),
    "rule.malformed_row": (
        # a row shorter than the header loads, its missing trailing fields empty (Excel's CSV leaves out
        # the delimiters of empty last cells): only text past the header's columns makes a row malformed
        # (or an unquoted thousands separator, `12,000`, split a number in two: etl.csv_blocks._padded_cells)
        "{file} 第{line}行的字段比表头多，该行未入库，以免数值错列。请删去多余的分隔符、换行（带千位分隔符的数字如 12,000 须加引号或去掉逗号），或在表头补上该列的列名。",
        "{file} line {line} has more fields than the header and was not loaded, so that no value lands in the wrong column. Remove stray delimiters or line breaks (a number with a thousands separator, such as 12,000, needs quotes or no comma), or give the column a header.",
    ),
    "rule.undecodable_row": (
        "{file} 第{line}行含有无法按文件的编码解码的字节（或是混入的另一种编码的行，如 GBK 文件里的 UTF-8 行），该行未入库，以免乱码入库（原始行见拒收行的「原始行」，无法识别的字节以 \\xNN 表示）。请检查该行，或将整个文件另存为同一种编码（UTF-8 或 GB18030）后重新导入。",
        "{file} line {line} holds bytes that cannot be decoded in the file's encoding (or is a line in another encoding, such as a UTF-8 line in a GBK file) and was not loaded, so that no garbled text is stored (the raw line under the rejected row's 'Raw row', undecodable bytes as \\xNN). Check the line, or save the whole file in one encoding (UTF-8 or GB18030) and load it again.",
    ),
    "rule.unclosed_quote_row": (
        "{file} 第{line}行有一个引号（\"）没有成对，读取时会把其后的行并入这一格；该行未入库，其后的行已照常读取。请删去该行多余的引号（或补上另一半）后重新导入该行。",
        "{file} line {line} has a quote (\") without its pair, which would take the lines after it into one cell; the line was not loaded and the lines after it were read as usual. Remove the stray quote (or add its pair) and load the line again.",
    ),
    "rule.control_chars": (
        "{file} 第{line}行「{column}」含有控制字符（如 NUL、换行、制表符），已删除后入库。原值：{value}",
        "{file} line {line}, '{column}' held control characters (NUL, line breaks, tabs …); they were removed. Raw value: {value}",
    ),
    # data issues: loaded, with a defect recorded
    "rule.id_invalid": (
        "{file} 第{line}行「{column}」值「{value}」不是有效的身份证号（校验位或出生日期不符 GB 11643）。应为18位，末位为数字或X。",
        "{file} line {line}, '{column}' = '{value}' is not a valid ID number (check digit or birth date fails GB 11643). Expected 18 characters ending in a digit or X.",
    ),
    "rule.sex_mismatch": (
        "{file} 第{line}行「{column}」值「{value}」与身份证号所示性别不符，已按身份证号记录。请核对档案。",
        "{file} line {line}, '{column}' = '{value}' contradicts the sex the ID number shows; the ID number's was recorded. Check the archive.",
    ),
    "rule.id_mangled": (
        "{file} 第{line}行「{column}」值「{value}」已被 Excel 转为科学计数法，无法恢复。请将该列设为文本格式后重新导出。",
        "{file} line {line}, '{column}' = '{value}' was turned into scientific notation by Excel and cannot be recovered. Format the column as text and export again.",
    ),
    "rule.id_missing": (
        "{file} 第{line}行「{column}」为空。每位成员都应登记证件号码。",
        "{file} line {line}, '{column}' is empty. Every member should have an ID number.",
    ),
    "rule.id_duplicate": (
        "{file} 第{line}行「{column}」值「{value}」同时登记在另一户中。同一人只能属于一户。",
        "{file} line {line}, '{column}' = '{value}' is also registered in another household. A person belongs to one household only.",
    ),
    "rule.member_duplicate": (
        "{file} 第{line}行：同一户中重复登记了成员「{value}」，只保留一行。",
        "{file} line {line}: member '{value}' is listed twice in the same household; one row kept.",
    ),
    "rule.member_duplicate_other_name": (
        "{file} 第{line}行：成员「{value}」与同户前面一位姓名不同的成员共用同一个证件号码（或人编号），"
        "两人不能共用一个号码，库中只保存了前面那一位。请核对两人的证件号码后重新导入。",
        "{file} line {line}: member '{value}' has the same ID number (or member number) as an earlier member of "
        "another name in the same household; two people cannot share one number, so only the earlier one is stored. "
        "Check both people's ID numbers and load the file again.",
    ),
    "rule.unknown_code": (
        "{file} 第{line}行「{column}」值「{value}」不在代码表中。可接受：{accepted}。",
        "{file} line {line}, '{column}' = '{value}' is not in the code list. Accepted: {accepted}.",
    ),
    "rule.size_mismatch": (
        "{file} 第{line}行「{column}」值「{value}」与户编号「{record}」的成员行数不符。应等于该户的成员行数（每位成员一行）。",
        "{file} line {line}, '{column}' = '{value}' differs from the member rows of household '{record}'. It should equal the household's member rows (one row per member).",
    ),
    "rule.no_head": (
        "{file} 第{line}行：户编号「{record}」没有户主（「{column}」应有一人为「户主」）。",
        "{file} line {line}: household '{record}' has no head (one member's '{column}' should be 户主).",
    ),
    "rule.multiple_heads": (
        "{file} 第{line}行：户编号「{record}」有{value}位成员的「{column}」为「户主」，应只有一位。",
        "{file} line {line}: household '{record}' has {value} members whose '{column}' is 户主; there should be one.",
    ),
    "rule.household_fields_differ": (
        "{file} 第{line}行「{column}」值「{value}」与同户其他成员行不一致；以户主行为准。",
        "{file} line {line}, '{column}' = '{value}' differs from the household's other rows; the head's row is used.",
    ),
    "rule.exit_without_year": (
        "{file} 第{line}行：已脱贫但未填写「{column}」。请填写脱贫年度（如 2019）。",
        "{file} line {line}: exited but '{column}' is empty. Fill in the exit year (e.g. 2019).",
    ),
    "rule.exit_before_identified": (
        "{file} 第{line}行：户编号「{record}」的「{column}」为 {value} 年，早于其首次识别时间的年份。户不能在识别之前脱贫；"
        "请核对脱贫年度和首次识别时间。",
        "{file} line {line}: household '{record}' has '{column}' {value}, before the year it was first identified. A "
        "household cannot exit before it was identified; check the exit year and the date identified.",
    ),
    "rule.exit_after_campaign": (
        "{file} 第{line}行「{column}」值「{value}」晚于 {last_exit_year} 年。脱贫攻坚已于 {last_exit_year} 年底完成，此后没有新的脱贫户"
        "（此后监测对象是“风险消除”，不是脱贫）。请核对脱贫年度；该值照录，但不据以确定数据截至日期。",
        "{file} line {line}, '{column}' = '{value}' is after {last_exit_year}. The poverty-alleviation campaign ended in {last_exit_year} and "
        "no household exited later (since then monitored households have their risk eliminated; they do not exit). Check "
        "the exit year; it is kept as written but does not date the data.",
    ),
    "rule.exit_income_below_line": (
        "{file} 第{line}行：已脱贫但「{column}」值「{value}」低于当年贫困线。应不低于收入年度（未填时为脱贫年度）的贫困线：{lines}。",
        "{file} line {line}: exited, but '{column}' = '{value}' is below that year's poverty line. It should be at least the line of the income year (else the exit year): {lines}.",
    ),
    "rule.poverty_line_year": ("{year}年{line}元", "{year}: {line} yuan"),
    "rule.poverty_line_last": ("{year}年及以后{line}元", "{year} and later: {line} yuan"),
    "rule.monitored_without_type": (
        "{file} 第{line}行：户编号「{record}」既无脱贫状态也无「{column}」。建档立卡户应填脱贫状态，监测户应填「{column}」（可接受：{accepted}）。",
        "{file} line {line}: household '{record}' has neither an exit status nor '{column}'. A registered household needs an exit status, a monitored one '{column}' (accepted: {accepted}).",
    ),
    "rule.missing_cause": (
        "{file} 第{line}行：建档立卡户未填写「{column}」。请填写，可接受：{accepted}。",
        "{file} line {line}: registered household without '{column}'. Fill it in; accepted: {accepted}.",
    ),
    "rule.not_a_number": (
        "{file} 第{line}行「{column}」值「{value}」不是数字。可接受如 3200、3,200.50、3200元。",
        "{file} line {line}, '{column}' = '{value}' is not a number. Accepted e.g. 3200, 3,200.50, 3200元.",
    ),
    "rule.negative_amount": (
        # amounts and counts alike (a negative 乡村人口 was told 金额不能为负)
        # both are stored as no figure (NULL): a total must not shrink by an invalid value
        "{file} 第{line}行「{column}」值「{value}」为负数，该列不能为负，按未填写计（不计入合计）。",
        "{file} line {line}, '{column}' = '{value}' is negative; this column cannot be negative and it is "
        "taken as blank (left out of totals).",
    ),
    "rule.negative_income": (
        # kept as written (a net income can fall below zero): below any line, so an exited household at
        # -200 is 疑似错退 instead of a household without income
        "{file} 第{line}行「{column}」值「{value}」为负数，已照填写的数保存（低于贫困线）；请核实是经营亏损还是填错。",
        "{file} line {line}, '{column}' = '{value}' is negative; it is kept as written (below the poverty line). "
        "Check whether it is a loss or a typing error.",
    ),
    "rule.months_over_year": (
        "{file} 第{line}行「{column}」值「{value}」超过 12 个月（按一年计，应为 0–12），按未填写计。",
        "{file} line {line}, '{column}' = '{value}' is more than 12 months (a year's months, 0–12); it is taken "
        "as blank.",
    ),
    "rule.invalid_date": (
        "{file} 第{line}行「{column}」值「{value}」不是可识别的日期。可接受如 2020-06-22、2020/6/22、2020.6.22、2020年6月22日、20200622。",
        "{file} line {line}, '{column}' = '{value}' is not a date. Accepted e.g. 2020-06-22, 2020/6/22, 2020.6.22, 2020年6月22日, 20200622.",
    ),
    "rule.invalid_date_no_such_day": (
        # written as a date (2023-02-29, 2024-13-01): "not a date; accepted e.g. 2020-06-22" did not say what was wrong
        "{file} 第{line}行「{column}」值「{value}」写成了日期，但没有这一天（月份应为 1–12，日不能超过当月天数，"
        "如 2023 年 2 月只有 28 天），按未填写计。请核对后填写实际日期。",
        "{file} line {line}, '{column}' = '{value}' is written as a date, but there is no such day (months run 1–12, "
        "days to the month's end: February 2023 had 28); it is taken as blank. Check it and enter the actual date.",
    ),
    "rule.invalid_date_no_day": (
        # 2016年3月: the day is not guessed; "不是可识别的日期" did not say what was missing
        "{file} 第{line}行「{column}」值「{value}」只写到年或月，没有具体日子；日子不作猜测，按未填写计。请填写到日，"
        "如 2020年6月22日。",
        "{file} line {line}, '{column}' = '{value}' gives a year or a month but no day; the day is not guessed and "
        "the date is taken as blank. Enter the day, e.g. 2020-06-22.",
    ),
    "rule.invalid_date_no_day_year_kept": (
        "{file} 第{line}行「{column}」值「{value}」只写到年或月，没有具体日子；日子不作猜测，日期按未填写计，"
        "年份照常使用（识别年度、实施年度）。请填写到日，如 2020年6月22日。",
        "{file} line {line}, '{column}' = '{value}' gives a year or a month but no day; the day is not guessed and "
        "the date is taken as blank, its year is used (year identified, year of the measure). Enter the day, "
        "e.g. 2020-06-22.",
    ),
    "rule.future_date": (
        "{file} 第{line}行「{column}」值「{value}」晚于入库当天。应为入库当天或更早的日期（年度则不晚于入库当年），请核对年份是否写错。",
        "{file} line {line}, '{column}' = '{value}' is later than the day it was loaded. It should be that day or earlier (a year: that year or earlier); check the year.",
    ),
    "rule.date_too_early": (
        # 1900-01-01, 1899-12-31 (Excel's day 0), 0001-01-01: a system's "unknown", stored as no date
        "{file} 第{line}行「{column}」值「{value}」早于 {earliest}，不可能是该列的日期（1900-01-01 之类多为系统的占位值），"
        "按未填写计。请填写实际日期。",
        "{file} line {line}, '{column}' = '{value}' is before {earliest}, which this column cannot be (1900-01-01 and "
        "the like are systems' placeholders); it is taken as blank. Enter the actual date.",
    ),
    "rule.year_too_early": (
        # a year column's: 脱贫年度 before 建档立卡 began (2014), any year before 2000 (1900: a placeholder)
        "{file} 第{line}行「{column}」值「{value}」早于 {earliest_year} 年，不可能是该列的年度（1900 之类多为系统的占位值；"
        "建档立卡始于 2014 年），按未填写计。请填写实际年度。",
        "{file} line {line}, '{column}' = '{value}' is before {earliest_year}, which this column cannot be (1900 and the "
        "like are systems' placeholders; registration began in 2014); it is taken as blank. Enter the actual year.",
    ),
    "rule.invalid_yes_no": (
        "{file} 第{line}行「{column}」值「{value}」不是是/否。可接受：是/否、Y/N、1/0、√/×、有/无。",
        "{file} line {line}, '{column}' = '{value}' is not yes/no. Accepted: 是/否, Y/N, 1/0, √/×, 有/无.",
    ),
    "rule.not_a_count": (
        "{file} 第{line}行「{column}」值「{value}」不是整数。请用阿拉伯数字填写，可接受如 3、3人、1,200。",
        "{file} line {line}, '{column}' = '{value}' is not a count. Write a whole number, e.g. 3, 3人, 1,200.",
    ),
    "rule.count_too_large": (
        "{file} 第{line}行「{column}」值「{value}」过大，不可能是该列的数（可能误填了电话号码、证件号码等），按未填写计。"
        "请填写实际数目，如 3、3人、1,200。",
        "{file} line {line}, '{column}' = '{value}' is far too large for this column (a phone or ID number in "
        "the wrong column?); it is taken as blank. Write the actual count, e.g. 3, 3人, 1,200.",
    ),
    "rule.number_too_large": (
        "{file} 第{line}行「{column}」值「{value}」过大（一万亿以上），不可能是该列的数（可能误填了证件号码等），按未填写计"
        "（不计入合计）。请核对后填写，可接受如 3200、3,200.50、3200元。",
        "{file} line {line}, '{column}' = '{value}' is far too large (a trillion or more) for this column (an ID "
        "number in the wrong column?); it is taken as blank (in no total). Check it; accepted e.g. 3200, 3,200.50, 3200元.",
    ),
    "rule.claim_parts_no_total": (
        "{file} 第{line}行：未填写总费用，无法核对各项报销与个人自付之和。请填写总费用。",
        "{file} line {line}: the total cost is blank, so the reimbursed parts and out-of-pocket cannot be checked. Fill in the total cost.",
    ),
    "rule.claim_parts_mismatch": (
        "{file} 第{line}行：各项报销与个人自付之和与「{column}」「{value}」不符。各项之和应等于总费用（可差{tolerance}元以内）。",
        "{file} line {line}: the reimbursed parts plus out-of-pocket do not add up to '{column}' '{value}'. They should add up to the total within {tolerance} yuan.",
    ),
    "rule.completed_before_found": (
        "{file} 第{line}行「{column}」值「{value}」早于该问题的发现日期。完成日期应不早于发现日期，请核对两个日期。",
        "{file} line {line}, '{column}' = '{value}' is before the date the problem was found. The completion date "
        "should be on or after the found date; check both dates.",
    ),
    "rule.deadline_before_found": (
        "{file} 第{line}行「{column}」值「{value}」早于该问题的发现日期。整改时限应不早于发现日期（立行立改为发现当天），请核对两个日期。",
        "{file} line {line}, '{column}' = '{value}' is before the date the problem was found. The deadline should be "
        "on or after the found date (the same day for an immediate fix); check both dates.",
    ),
    "rule.issue_id_other_place": (
        "{file} 第{line}行「{column}」值「{value}」原为另一乡镇的整改事项所用，该事项已被本行替换（同一问题编号只算一个事项）。"
        "若是更正该事项的乡镇，可不处理；若是各乡镇各自编号，请为各乡镇的事项编不同的问题编号（如加乡镇简称）后重新导入。",
        "{file} line {line}, '{column}' = '{value}' was the number of an item of another township, which this row "
        "replaced (one issue number is one item). If the row corrects the item's township, nothing is to be done; "
        "if each township numbers its own items, give them numbers of their own (e.g. with the township's prefix) "
        "and load them again.",
    ),
    "rule.claim_id_other_household": (
        "{file} 第{line}行「{column}」值「{value}」是另一户的成员，不是户编号「{record}」的成员。该笔报销计入户编号「{record}」；"
        "请核对户编号或证件号码。",
        "{file} line {line}, '{column}' = '{value}' is a member of another household, not of household '{record}'. "
        "The claim counts for household '{record}'; check the household number or the ID number.",
    ),
    "rule.rect_place_mismatch": (
        "{file} 第{line}行：整改台账填写的乡镇/村「{value}」与贫困人口信息中户编号「{record}」所在的乡镇/村不同。"
        "该问题按贫困人口信息中的乡镇/村统计；请核对。",
        "{file} line {line}: the ledger's township/village '{value}' is not where the registry places household "
        "'{record}'. The item is counted where the registry places it; check the ledger.",
    ),
    "rule.invalid_year": (
        "{file} 第{line}行「{column}」值「{value}」不是有效年度。可接受如 2019、2019年。",
        "{file} line {line}, '{column}' = '{value}' is not a year. Accepted e.g. 2019, 2019年.",
    ),
    # short rule names for charts and tables
    "rulename.no_household_id": ("缺户编号", "No household no."),
    "rulename.hhid_mangled": ("户编号被科学计数法损坏", "Household no. mangled by Excel"),
    "rulename.no_township": ("缺乡镇", "No township"),
    "rulename.no_village": ("缺行政村", "No village"),
    "rulename.malformed_row": ("行格式错误", "Malformed row"),
    "rulename.undecodable_row": ("无法解码的行", "Undecodable row"),
    "rulename.unclosed_quote_row": ("引号不成对的行", "Unpaired quote"),
    "rulename.control_chars": ("含控制字符", "Control characters"),
    "rulename.id_invalid": ("身份证号无效", "Invalid ID number"),
    "rulename.id_mangled": ("身份证号被科学计数法损坏", "ID mangled by Excel"),
    "rulename.id_missing": ("缺身份证号", "Missing ID number"),
    "rulename.sex_mismatch": ("性别与身份证号不符", "Sex contradicts ID"),
    "rulename.id_duplicate": ("身份证号重复登记", "ID in two households"),
    "rulename.member_duplicate": ("成员重复", "Duplicate member"),
    "rulename.unknown_code": ("代码值不规范", "Unknown code value"),
    "rulename.size_mismatch": ("人数与成员不符", "Size mismatch"),
    "rulename.no_head": ("无户主", "No head"),
    "rulename.multiple_heads": ("多个户主", "Several heads"),
    "rulename.household_fields_differ": ("同户信息不一致", "Household fields differ"),
    "rulename.exit_without_year": ("脱贫缺年度", "Exit without year"),
    "rulename.exit_after_campaign": ("脱贫年度晚于2020年", "Exit year after 2020"),
    "rulename.exit_before_identified": ("脱贫早于识别", "Exit before identification"),
    "rulename.exit_income_below_line": ("脱贫户收入低于贫困线", "Exited below the line"),
    "rulename.monitored_without_type": ("缺脱贫状态/监测类别", "No status or monitoring type"),
    "rulename.missing_cause": ("缺致贫原因", "No main cause"),
    "rulename.not_a_number": ("数值格式错误", "Not a number"),
    "rulename.negative_amount": ("金额或数量为负", "Negative amount or count"),
    "rulename.negative_income": ("收入为负", "Negative income"),
    "rulename.months_over_year": ("月数超过12", "More than 12 months"),
    "rulename.invalid_date": ("日期格式错误", "Invalid date"),
    # judged on the load day and kept with the record: a date later than its entry stays a defect after the day
    # passes (a visit recorded before it happened), so the words say the load day, not "today"
    "rulename.future_date": ("日期晚于入库当天", "Date after its load day"),
    "rulename.date_too_early": ("日期早于可能的最早日期", "Date too early"),
    "rulename.invalid_yes_no": ("是否值不规范", "Invalid yes/no"),
    "rulename.claim_parts_mismatch": ("报销金额不平", "Claim parts mismatch"),
    "rulename.invalid_year": ("年度格式错误", "Invalid year"),
    "rulename.completed_before_found": ("完成日期早于发现日期", "Completed before found"),
    "rulename.deadline_before_found": ("整改时限早于发现日期", "Due before found"),
    "rulename.issue_id_other_place": ("问题编号被另一乡镇的事项重复使用", "Issue number reused by another township"),
    "rulename.claim_id_other_household": ("报销人是另一户成员", "Claimant of another household"),
    "rulename.rect_place_mismatch": ("整改台账乡镇/村与系统不符", "Item place contradicts registry"),
    # read errors (the whole file could not be read; nothing changes)
    "read.unsupported_type": ("{file}：不支持的文件类型。请使用 .xlsx/.xlsm、.xls、.csv/.txt 或网页表格（.htm/.html/.mht）文件"
                              "（大文件可压缩为 .csv.gz）。",
                              "{file}: unsupported file type. Use .xlsx/.xlsm, .xls, .csv/.txt or an HTML table "
                              "(.htm/.html/.mht); .csv.gz for large files."),
    "read.bad_gzip": ("{file}：压缩文件已损坏或不完整，无法解压。请重新导出或重新压缩。",
                      "{file}: the compressed file is damaged or incomplete. Export or compress it again."),
    # a plain text file named .csv.gz was told it is a damaged archive (a probe, 2026-12-07)
    "read.not_gzip": ("{file}：文件名以 .gz 结尾，但内容不是 gzip 压缩文件。如是未压缩的表格，去掉文件名末尾的 .gz 后再导入。",
                      "{file}: the name ends in .gz but the file is not gzip-compressed. If it is a plain table, "
                      "remove the .gz from its name and load it again."),
    "read.bad_csv": ("{file}：CSV 文件无法解析。请确认是系统导出的表格。",
                     "{file}: the CSV file cannot be parsed. Is this an export of the registration system?"),
    "read.encrypted": ("{file}：Excel 文件设有密码。请取消密码后重新上传。",
                       "{file}: the Excel file is password-protected. Remove the password and upload it again."),
    "read.empty_file": ("{file}：文件为空，没有表头也没有数据行；请从系统重新导出（含表头行）。",
                        "{file}: the file is empty, with no header and no rows; export it again from the system "
                        "(with its header row)."),
    "read.no_header": ("{file}：在前30行中找不到表头。请确认文件是系统导出的表格。能识别的表及其必需列：{accepted}。",
                       "{file}: no header row found in the first 30 rows. Is this an export of the registration system? "
                       "Recognised kinds and their required headers: {accepted}."),
    "read.no_header_sheets": ("{file}：工作表 {sheets} 的前30行中都找不到表头，没有可入库的工作表。请确认文件是系统导出的表格。能识别的表及其必需列：{accepted}。",
                              "{file}: no header row in the first 30 rows of any sheet ({sheets}); no sheet could be loaded. "
                              "Is this an export of the registration system? Recognised kinds and their required headers: {accepted}."),
    "sheet.quoted": ("「{sheet}」", "'{sheet}'"),
    "read.unknown_kind": ("{file}：无法从表头识别文件类型。能识别的表及其必需列：{accepted}。",
                          "{file}: the header matches none of the known kinds. Recognised kinds and their required headers: "
                          "{accepted}."),
    "read.missing_required": ("{file}：缺少必填列：{columns}。表头可写作：{spelled}。",
                              "{file}: required columns are missing: {columns}. Headers accepted: {spelled}."),
    "read.missing_required_wan": ("{file}：缺少必填列：{columns}。表中的{wan}以万元为单位，本系统按元读取金额：请换算为元，"
                                  "列名改为 {spelled}，再重新导入。",
                                  "{file}: required columns are missing: {columns}. The file's {wan} is in 10,000 yuan and "
                                  "amounts are read in yuan: convert it to yuan, head it {spelled} and load the file again."),
    "read.undecodable": ("{file}：无法识别文件编码（第{line}行起无法解码）。请另存为 UTF-8 或 GB18030 编码的 CSV。",
                         "{file}: the encoding is not recognised (cannot be decoded from line {line}). Save the CSV as UTF-8 or GB18030."),
    "read.undecodable_rows": ("{file}：{bad}行（共{rows}行，超过一半）无法解码，第一处在第{line}行，整个文件未入库。请另存为 UTF-8 或 GB18030 编码后重新导入。",
                              "{file}: {bad} of {rows} rows (more than half) cannot be decoded, the first at line {line}; the file was not loaded. Save it as UTF-8 or GB18030 and load it again."),
    "read.corrupt_xlsx": ("{file}：Excel 文件已损坏或无法读取（可能下载或拷贝未完成）。请从系统重新导出，或在 Excel 中打开后另存为 .xlsx 再导入。",
                          "{file}: the Excel file is damaged or unreadable (perhaps its download or copy did not finish). "
                          "Export it again from the system, or open it in Excel and save it as .xlsx, then load it."),
    "read.other_office": ("{file}：这是{what}，只是扩展名改成了 Excel 的，不能作为表格读取。只接受 {types} 文件：请从系统导出表格后再导入。",
                          "{file}: this is {what} renamed as an Excel file; it cannot be read as a table. Only {types} files "
                          "are accepted: export the table from the system and load that."),
    "read.xml_spreadsheet": ("{file}：这是 Excel 2003 XML 表格（XML 电子表格），不能直接读取。请在 Excel 中打开，另存为"
                             "“Excel 工作簿（.xlsx）”后再导入。可直接导入的文件：{types}。",
                             "{file}: this is an Excel 2003 XML Spreadsheet, which cannot be read directly. Open it in Excel, "
                             "save it as an Excel Workbook (.xlsx) and load that. Files read directly: {types}."),
    "office_kind.word": ("Word 文档", "a Word document"),
    "office_kind.powerpoint": ("PowerPoint 演示文稿", "a PowerPoint presentation"),
    "read.too_many_cells": ("{file}：表格的范围过大（至少 {rows} 行 × {width} 列），远超文件实际写入的内容（合并单元格或相距很远的"
                            "单元格），读取它会耗尽内存，未入库。请在 Excel 中删除数据区以外的行列，或只复制数据区另存为新文件后再导入。",
                            "{file}: the table's range is too large (at least {rows} rows × {width} columns), far beyond what "
                            "the file holds (merged cells, or cells placed far apart); reading it would exhaust memory, and it "
                            "was not loaded. In Excel, delete the rows and columns outside the data, or copy the data alone "
                            "into a new file, and load that."),
    "read.text_too_large": ("{file}：许多单元格引用同一段很长的文字，展开后约 {size}（上限 {limit}），读取它会耗尽内存，未入库。"
                            "请在 Excel 中打开、检查后另存为 .xlsx 再导入。",
                            "{file}: many cells name one very long text; put in place it would be about {size} (limit "
                            "{limit}) and reading it would exhaust memory, so it was not loaded. Open it in Excel, check "
                            "it, save it as .xlsx and load that."),
    "read.too_many_tables": ("{file}：网页中的表格超过 {limit} 个（或层层嵌套），不像系统导出的表格，未入库。请从系统重新导出，"
                             "或在 Excel 中打开后另存为 .xlsx 再导入。",
                             "{file}: the page holds more than {limit} tables (or tables nested inside each other), "
                             "unlike an export of the system; it was not loaded. Export it again, or open it in Excel, "
                             "save it as .xlsx and load that."),
    "read.merged_overlap": ("{file}：工作表「{sheet}」的合并单元格相互重叠（Excel 会把这样的文件当作已损坏），未入库。请在 Excel "
                            "中打开并修复，另存为 .xlsx 后再导入。",
                            "{file}: merged cells overlap on sheet '{sheet}' (Excel treats such a file as damaged); it was "
                            "not loaded. Open it in Excel, let Excel repair it, save it as .xlsx and load that."),
    "read.too_large": ("{file}：文件过大（上限 {limit}）。", "{file}: the file is too large (limit {limit})."),
    "read.os_error": ("{file}：无法读取此文件（{reason}）。请检查文件是否存在、当前用户能否读取它；此文件未入库，数据库未因它作任何更改。",
                      "{file}: cannot be read ({reason}). Check that the file exists and the current user can read it; it was not loaded and changed nothing."),
    "read.not_found": ("{file}：文件不存在。", "{file}: file not found."),
    "read.is_folder": ("{file}：这是一个文件夹，不是文件。请给出其中的文件（如 文件夹/*.xlsx）。",
                       "{file}: a folder, not a file. Give the files in it (e.g. folder/*.xlsx)."),
    "read.household_split_sheets": (
        "{file}：户编号 {household} 的成员分在工作表「{first}」和「{second}」中。一个文件里同一户的成员须在同一个工作表，"
        "请把这些行移到一个工作表后重新导入；整个文件未入库。",
        "{file}: the members of household {household} are on two sheets, '{first}' and '{second}'. In one file a "
        "household's members must be on one sheet: move those rows to one sheet and load the file again; the file was "
        "not loaded."),
    "read.load_failed": ("{file}：入库失败，数据库未作任何更改（{detail}）。",
                         "{file}: loading failed; the database was not changed ({detail})."),
    "load.disk_full": ("入库失败：磁盘空间不足（或文件超过系统允许的大小），数据库未作任何更改。请清理数据库所在磁盘后重新导入。",
                       "The load failed: the disk is full (or a file exceeds the system's size limit); the database was not changed. Free space on the database's disk and load again."),
    "load.failed": ("入库失败，数据库未作任何更改（{detail}）。", "Loading failed; the database was not changed ({detail})."),
    "load.out_of_memory": ("入库失败，数据库未作任何更改：内存不足（上限 {limit}）。请用环境变量 FUPIN_ETL_MEMORY 调高上限（如 4GB）后重新导入。",
                           "Loading failed; the database was not changed: out of memory (limit {limit}). Raise the limit with the "
                           "environment variable FUPIN_ETL_MEMORY (e.g. 4GB) and load again."),
    # command line summary
    "cli.summary": ("{file}：{kind}，读取{rows_read}行，入库{rows_loaded}行，拒收{rows_rejected}行，跳过{rows_skipped}行，数据问题{issues}条",
                    "{file}: {kind}, read {rows_read}, loaded {rows_loaded}, rejected {rows_rejected}, skipped {rows_skipped}, issues {issues}"),
    "cli.unchanged": ("{file}：与已入库的文件相同，未作更改。", "{file}: identical to a file already loaded; nothing changed."),
    # the same file again after its last load rejected rows: those rows are not checked again (a ledger's
    # rows of a 户编号 the registry lacked stay out after the registry adds it, unless the file is loaded again)
    "cli.unchanged_rejected": (
        "  上次导入此文件时拒收{rows}行，这次未重新检查，仍未入库。若已消除拒收原因（例如此后导入了这些户的贫困人口信息），"
        "请勾选“重新导入已导入过的文件”（命令行加 --reload）再导入。",
        "  Rows rejected when this file was loaded before: {rows}. They are not checked again and are still "
        "not loaded. If what rejected them is resolved (a registry of their households loaded since, for example), "
        "tick \"Load files already loaded again\" (--reload on the command line) and load it again."),
    "cli.no_rows": ("{file}：{kind}，只有表头，没有数据行（读取{rows_read}行，跳过{rows_skipped}行），未作更改。请检查导出时的筛选条件。",
                    "{file}: {kind}, a header and no data row ({rows_read} rows read, {rows_skipped} skipped); nothing "
                    "changed. Check the filter the export was made with."),
    "cli.unchanged_superseded": (
        "{file}：与已入库的文件相同，未作更改。此后又导入过同类文件（最近的是「{later}」），其中改动过的数据不会被此文件改回；"
        "如需以此文件为准，请勾选“重新导入已导入过的文件”（命令行加 --reload）再导入。",
        "{file}: identical to a file already loaded; nothing changed. Files of its kind were loaded after it (the "
        "latest: '{later}'), and what they changed is not changed back by this one: to make this file's data current "
        "again, tick \"Load files already loaded again\" (--reload on the command line)."),
    "cli.new_places": ("{file}：带来了此前没有农户的 {n} 个村：{places}。如乡镇或村名有笔误，请更正后重新导入，"
                       "否则这些户将作为新的乡镇或村出现在各页。",
                       "{file}: villages the data had no household in before ({n}): {places}. If a township or village "
                       "name is mistyped, correct it and load the file again; otherwise these households show as a "
                       "new township or village on every page."),
    "cli.new_place": ("{township} · {village}（{n}户）", "{township} · {village} (households: {n})"),  # 1 or more
    "cli.new_places_items": ("{file}：有 {n} 处乡镇或村在贫困人口信息中没有农户：{places}。如乡镇或村名有笔误，请更正后重新导入，"
                             "否则这些事项将作为新的乡镇或村出现在整改页，不计入原本所属的乡镇或村。",
                             "{file}: places where the registry has no household ({n}): {places}. If a township or village "
                             "name is mistyped, correct it and load the file again; otherwise these items show as a new "
                             "township or village on the rectification page, not counted in the one meant."),
    "cli.new_place_items": ("{township} · {village}（{n}项）", "{township} · {village} (items: {n})"),
    "cli.new_places_base": ("{file}：人口基数表中有 {n} 个村在贫困人口信息中没有农户，而同一乡镇有贫困人口信息中的村不在此表中："
                            "{places}。如是村名写法不同（如「联丰村委会」与「联丰村」），请改为贫困人口信息中的村名后重新导入；"
                            "否则其乡村人口单独成村计入综合贫困发生率，未列出的村没有人口基数。",
                            "{file}: the population base has {n} villages where the registry has no household, while "
                            "villages of the same township that the registry has are not in it: {places}. If a name is "
                            "spelt otherwise in the registry (the village committee's name for the village), write the "
                            "registry's name and load the file again; otherwise their rural people count in the poverty "
                            "incidence as villages of their own, and the villages left out have no population base."),
    "cli.new_place_base": ("{township} · {village}", "{township} · {village}"),
    "cli.new_township_items": ("{township}（{n}项）", "{township} (items: {n})"),
    "cli.sheets_not_loaded": ("{file}：以下工作表未导入，其中的行不在任何统计中：{sheets}。请补上缺少的列后重新导入该文件。",
                              "{file}: these sheets were not loaded and none of their rows counts anywhere: {sheets}. "
                              "Add the missing columns and load the file again."),
    "cli.into_demo": (
        "注意：数据库中是示范旗县（{county}）按调研报告生成的数据，本次导入的文件已与之合在一起，各项数字含示范户。"
        "要只看本旗县的数据：删除数据库（{db} 及 {db}.snapshots、{db}.lock）后，用 python -m etl load 重新导入"
        "本旗县的全部文件（见使用手册“第一次导入本县数据之前”）。",
        "Note: the database holds the demo county ({county}), generated from the field report; the files of this "
        "load are now mixed with it, and every figure counts the demo's households. For your county's data "
        "alone, delete the database ({db} with {db}.snapshots and {db}.lock) and load all your county's "
        "files with python -m etl load (user guide: before the county's first load).",
    ),
    "cli.as_of_moved": (
        "数据截至日期由 {before} 变为 {after}：逾期、距今天数、年龄等均按新日期计算（未改动的事项也可能因此转为逾期）。",
        "The data's as-of date moved from {before} to {after}: overdue items, days since and ages are counted "
        "to the new date (items this load did not change may now be overdue).",
    ),
    "cli.outside_registry": ("  其中{rows}行的户编号不在已导入的贫困人口信息中，不计入按乡镇、村的统计（“数据管理”页可列出）。",
                             "  {rows} of its rows name a household number that no registry file has brought; no "
                             "figure by township or village counts them (data management lists them)."),
    "cli.resolved_issues": ("  入户核查表中{n}条“没有人口基数”的问题已随本表解决，不再计入问题。",
                            "  {n} 'no population base' issues of household checks are resolved by this file and no "
                            "longer counted."),
    "cli.ignored": ("  未使用的列：{columns}", "  columns not used: {columns}"),
    "cli.skipped_sheets": ("  未导入的工作表：{sheets}", "  sheets not loaded: {sheets}"),
    "cli.finding": ("  · {text}", "  · {text}"),
    "cli.more_findings": ("  …另有{n}条，见「数据管理」页的拒收行与「档案规范性」页的问题清单",
                          "  … {n} more: see the rejected rows on the Data management page and the defect list on the Archive quality page"),
    "cli.skipped_sheet": ("{sheet}（{reason}）", "{sheet} ({reason})"),
    "sheetskip.no_header": ("未找到表头", "no header found"),
    "sheetskip.unknown_kind": ("表头不属于任何已知类型", "header of no known kind"),
    "sheetskip.missing_required": ("缺少必填列", "required columns missing"),
    "sheetskip.missing_required_columns": ("缺少必填列：{columns}", "required columns missing: {columns}"),
    "sheetskip.merged_overlap": ("合并单元格相互重叠", "merged cells overlap"),
    "sheetskip.hidden": ("隐藏的工作表，无可识别的表头", "hidden sheet, no recognised header"),
    "sheetskip.empty_file": ("空白", "empty"),
    "cli.failed": ("{file}：读取失败：{reason}", "{file}: could not be read: {reason}"),
    "cli.demo_written": ("已生成示范旗县导出文件：{dir}", "Demo county export files written to {dir}"),
    "cli.db": ("数据库：{db}", "Database: {db}"),
    "cli.db_created": ("数据库：{db}（新建：此前没有数据库。如路径有误，请用 --db 或 FUPIN_DB 指定正在使用的数据库）",
                       "Database: {db} (created: there was none. If the path is wrong, name the database in use "
                       "with --db or FUPIN_DB)"),
    "oserror.ENOENT": ("路径不存在", "no such file or folder"),
    "oserror.EACCES": ("没有权限", "permission denied"),
    "oserror.EPERM": ("没有权限", "not permitted"),
    "oserror.EROFS": ("只读文件系统", "read-only file system"),
    "oserror.ENOSPC": ("磁盘空间不足", "no space left on the disk"),
    "oserror.EFBIG": ("文件超过大小上限", "file too large"),
    "oserror.EPIPE": ("输出管道已关闭", "the output pipe was closed"),
    "oserror.EISDIR": ("这是一个文件夹", "is a folder"),
    "oserror.EEXIST": ("已有同名的文件", "a file of that name exists"),
    "oserror.ENOTDIR": ("路径中有一项不是文件夹", "a part of the path is not a folder"),
    "cli.demo_refused": ("{db} 中已有 {n} 个非演示数据的文件（如 {files}），未作更改。演示数据会替换整个数据库：请用 --db 指定另一个路径，或确认后加 --replace。",
                         "{db} holds {n} files that are not demo data (e.g. {files}); nothing was changed. The demo replaces the whole database: give another --db, or add --replace if you mean it."),
    "cli.os_error": ("无法完成：{path}（{reason}）。请检查该路径是否存在、是否有写入权限、磁盘空间是否足够；数据库未作更改。",
                     "Could not finish: {path} ({reason}). Check that the path exists, is writable and the disk has room; the database was not changed."),
    "cli.os_error_published": ("新数据已发布（{db}），但随后未能完成：{path}（{reason}）。未完成的收尾工作由下次导入完成。",
                               "The new data was published ({db}), but then this failed: {path} ({reason}). The next load finishes the rest."),
    "cli.db_is_folder": ("数据库路径是一个文件夹：{db}。请给出数据库文件的路径（如 {db}/fupin.duckdb）；未作任何更改。",
                         "The database path is a folder: {db}. Give the path of the database file (e.g. {db}/fupin.duckdb); nothing was changed."),
    "cli.db_not_duckdb": ("数据库路径不是看板的数据库文件：{db}（是否把要导入的文件写在了 --db 后面？）。请给出数据库文件的路径"
                          "（默认 data/fupin.duckdb）；该文件和数据库均未作更改。",
                          "The database path is not a dashboard database file: {db} (was a file to load given after "
                          "--db?). Give the path of the database file (data/fupin.duckdb by default); neither that file "
                          "nor the database was changed."),
    "cli.db_in_use": ("数据库文件正被另一个程序（进程号 {pid}）打开：{path}。请关闭该程序（如 DuckDB 命令行或 Python 会话）后重试；数据库未作更改。",
                      "The database file is open in another program (process {pid}): {path}. Close that program (e.g. a DuckDB shell or a Python session) and try again; the database was not changed."),
    "cli.interrupted": ("已中断：数据库仍是中断前最后一次发布的数据（{db}），未作更改。",
                        "Interrupted: the database is still the data last published before ({db}); nothing changed."),
    "cli.upgraded_reload": ("此前的版本会把账本中仅在无法读取的值（如只写到月的日期）上不同的行并为一条，只留最后一行。以下文件含这样的值，请再次导入，补回可能并掉的行：{files}",
                            "Earlier versions kept rows of a ledger that differed only in a value they could not read (a date written to the month) as one, the last. These files hold such values: load them again to add back any rows that were merged: {files}"),
    "cli.interrupted_at_start": ("已中断：尚未读取任何文件，数据库未作更改。",
                                 "Interrupted before any file was read: the database is unchanged."),
    "cli.interrupted_published": ("已中断，但新数据在中断前已发布（{db}）；其余收尾工作由下次导入完成。",
                                  "Interrupted, but the new data had been published ({db}); the next load finishes the rest."),
    "cli.no_db": ("数据库不存在：{db}", "No database at {db}"),
    "cli.refreshed": ("已按当前版本重建汇总表，基础数据逐表行数不变（{rows}）：{db}",
                      "Derived tables rebuilt for this version, every base table's row count unchanged ({rows}): {db}"),
    "cli.export_refused": ("{dir} 已存在且不是此前导出的 Parquet 目录（没有导出清单），未作任何更改。请指定一个新的或空的目录。",
                           "{dir} exists and is not an earlier Parquet export (no export manifest); nothing was changed. Name a new or empty folder."),
    "cli.export_refused_extra": ("{dir} 是此前导出的 Parquet 目录，但其中还有别的文件或文件夹（如 {name}），替换导出会删除它们；未作任何更改。请把它们移走，或指定一个新的或空的目录。",
                                 "{dir} is an earlier Parquet export but also holds other files or folders (e.g. {name}), which replacing the export would delete; nothing was changed. Move them elsewhere, or name a new or empty folder."),
    "cli.exported": ("已导出快照 {snapshot} 为 Parquet：{dir}（{tables} 张表，共 {rows} 行）",
                     "Snapshot {snapshot} exported as Parquet to {dir} ({tables} tables, {rows} rows)"),
}

LABELS.update({
    "progress.reading": ("正在读取 {file}", "Reading {file}"),
    "progress.validating": ("正在校验 {file}", "Validating {file}"),
    "progress.writing": ("正在写入 {file}", "Writing {file}"),
    "progress.deriving": ("正在生成汇总表", "Building summary tables"),
    "progress.published": ("已入库：各页面已显示新数据，正在为下一次入库做准备",
                           "Loaded: every page shows the new data; getting ready for the next load"),
    "progress.done": ("完成", "Done"),
})

# the command line's own texts: argparse's fixed strings (etl.cli_parser maps them here), then each
# command's and option's help (etl.cli.build_parser; docs/DATA.md §7 is written from them)
LABELS.update({
    "argparse.usage": ("用法：", "usage: "),
    "argparse.error": ("{prog}：错误：{message}", "{prog}: error: {message}"),
    "argparse.section": ("{title}：", "{title}:"),
    "argparse.positionals": ("位置参数", "positional arguments"),
    "argparse.options": ("选项", "options"),
    "argparse.help": ("显示本帮助并退出", "show this help message and exit"),
    "argparse.argument": ("参数 {argument_name}：{message}", "argument {argument_name}: {message}"),
    "argparse.invalid_choice": ("无效的选择 {value}（可选：{choices}）", "invalid choice: {value} (choose from {choices})"),
    "argparse.required": ("缺少必需的参数：{arg}", "the following arguments are required: {arg}"),
    "argparse.unrecognized": ("无法识别的参数：{arg}", "unrecognized arguments: {arg}"),
    "argparse.invalid_value": ("{value} 不是有效的{type}", "invalid {type} value: {value}"),
    "argparse.type.int": ("整数", "int"),
    "argparse.expected_one": ("需要一个值", "expected one argument"),
    "argparse.expected_at_least_one": ("至少需要一个值", "expected at least one argument"),
    "argparse.expected_at_most_one": ("最多只能有一个值", "expected at most one argument"),
    "argparse.ambiguous": ("选项 {option} 有歧义，可能是 {matches}", "ambiguous option: {option} could match {matches}"),
    "argparse.explicit_argument": ("不接受值：{arg}", "ignored explicit argument {arg}"),
    "argparse.name.command": ("命令", "command"),
    "cli.commands": ("命令", "commands"),
    "cli.description": ("扶贫督查看板 ETL：导入导出文件，重建、备份、恢复和导出数据库",
                        "Poverty-alleviation dashboard ETL: load export files; rebuild, back up, restore and export "
                        "the database"),
    "cli.metavar.file": ("文件", "FILE"),
    "cli.metavar.dir": ("目录", "DIR"),
    "cli.metavar.source": ("备份", "SOURCE"),
    "cli.metavar.path": ("路径", "PATH"),
    "cli.metavar.households": ("户数", "N"),
    "cli.help.lang": ("提示语言（默认取环境变量 FUPIN_LANG，否则 zh）", "language of the messages (default $FUPIN_LANG or zh)"),
    "cli.help.db": ("数据库路径（默认取环境变量 FUPIN_DB，否则 data/fupin.duckdb）",
                    "database path (default $FUPIN_DB or data/fupin.duckdb)"),
    "cli.help.json": ("输出一个 JSON 对象", "print one JSON object"),
    "cli.help.load": ("将导出文件（{suffixes}）导入数据库", "load export files ({suffixes}) into the database"),
    "cli.help.load.files": ("要导入的导出文件，按导入的先后顺序", "the export files, in the order to load them"),
    "cli.help.load.reload": ("再次导入已导入过的文件（其后又导入过同类文件时，使它的数据重新成为当前数据），而不是视为未改变",
                             "load a file already loaded again (its data current again after a later file of its "
                             "kind), instead of calling it unchanged"),
    "cli.help.rebuild": ("由当前数据完整重建全部汇总表（也用于升级旧版本的数据库）",
                         "rebuild every derived table of the current data, whole (also upgrades a database of an "
                         "older version)"),
    "cli.help.refresh": ("同 rebuild（旧名）", "the same as rebuild (its former name)"),
    "cli.help.rebuild.if_stale": ("仅当数据库由旧版本程序建立时才重建", "only when built by an older version"),
    "cli.help.backup": ("把当前数据复制到备份目录（一个数据文件及其清单）；看板使用中也可进行",
                        "copy the current data into DIR (a file and its manifest); safe while the dashboard is in use"),
    "cli.help.backup.dir": ("备份目录", "the backup folder"),
    "cli.help.backup.keep": ("备份后只保留该目录中最新的 N 份，删除更早的（定时备份时防止磁盘被占满）",
                             "after the backup keep only the newest N in the folder, deleting older ones (so that "
                             "a scheduled backup does not fill the disk)"),
    "cli.help.restore": ("将一份备份（一个文件，或目录中最新的一份）发布为当前数据；旧版本的备份会被升级",
                         "publish a backup (a file, or the newest in a folder) as the current data; upgrades a "
                         "backup of an older version"),
    "cli.help.restore.source": ("备份文件，或备份目录（取其中最新的备份）",
                                "a backup file, or a backup folder (its newest backup)"),
    "cli.help.restore.no_backup": ("不先备份当前数据（默认先把当前数据备份到所恢复备份的目录，可用它撤销本次恢复）",
                                   "do not back up the current data first (by default it is backed up into the "
                                   "restored backup's folder, from where the restore can be undone)"),
    "cli.help.demo": ("生成示范旗县的导出文件并导入一个新数据库（替换原有数据库）",
                      "write the demo county's export files and load them into a fresh database (replacing it)"),
    "cli.help.demo.out": ("导出文件的写入目录", "where to write the export files"),
    "cli.help.demo.households": ("按此户数生成放大的合成旗县（用于性能测试）", "scaled synthetic county (benchmarks)"),
    "cli.help.demo.replace": ("替换含有非演示数据文件的数据库（不加此项则拒绝）",
                              "replace a database that holds files other than a demo's (refused without it)"),
    "cli.help.export": ("将当前快照导出为 Parquet（按乡镇分区的 hive 布局）及清单，供 Spark、Trino 等引擎使用",
                        "write the current snapshot as Parquet (hive-partitioned by township) with a manifest, for "
                        "Spark, Trino and other engines"),
    "cli.help.export.dir": ("导出目录：新目录、空目录或此前的导出（将被替换）；其他情况一律拒绝",
                            "the export folder: new, empty, or an earlier export (replaced); anything else is refused"),
    "cli.help.export.ddl": ("同时输出该引擎的 CREATE TABLE 语句", "also print CREATE TABLE statements for this engine"),
    "cli.help.export.location": ("引擎所见的导出位置 URI（用于 --ddl）", "the export's URI as the engine sees it (for --ddl)"),
})
