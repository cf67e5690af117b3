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
    "rule.check_type_mismatch": (
        "{file} 第{line}行：「{column}」填写为「{value}」，与贫困人口信息中该户的状态不符。计算三率时以贫困人口信息为准。",
        "{file} line {line}: '{column}' = '{value}' contradicts the registry's status of this household. The rates "
        "use the registry's.",
    ),
    "rule.check_type_missing": (
        "{file} 第{line}行：未填写「{column}」，且该户不在贫困人口信息中，无法计入错退率或漏评率。",
        "{file} line {line}: '{column}' is empty and the household is not in the registry: it counts in neither the "
        "wrong-exit nor the missed rate.",
    ),
    "rule.check_registered_no_id": (
        "{file} 第{line}行：户类型为「{value}」但未填写户编号，无法与贫困人口信息核对。",
        "{file} line {line}: household type '{value}' without a household number: it cannot be checked against "
        "the registry.",
    ),
    "rule.check_wrong_exit_not_exited": (
        "{file} 第{line}行：核查结论为「错退」，但该户并非脱贫户（未脱贫或不是建档立卡户）。",
        "{file} line {line}: finding 错退 (wrongly exited) on a household that never exited.",
    ),
    "rule.check_missed_registered": (
        "{file} 第{line}行：核查结论为「漏评」，但该户已是建档立卡户。",
        "{file} line {line}: finding 漏评 (missed) on a household that is registered.",
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
    "rule.population_below_registered": (
        "{file} 第{line}行：乡村人口{value}人少于该村建档立卡人口。请核对人口基数。",
        "{file} line {line}: a rural population of {value} is smaller than the village's registered people. Check "
        "the figure.",
    ),
    "rulename.check_household_unknown": ("核查户编号不在系统中", "Checked household not in registry"),
    "rulename.check_type_mismatch": ("户类型与系统不符", "Type contradicts registry"),
    "rulename.check_type_missing": ("缺户类型", "No household type"),
    "rulename.check_registered_no_id": ("建档立卡户缺户编号", "Registered type without number"),
    "rulename.check_wrong_exit_not_exited": ("错退结论但未脱贫", "错退 on a household not exited"),
    "rulename.check_missed_registered": ("漏评结论但已建档立卡", "漏评 on a registered household"),
    "rulename.check_no_population_base": ("村无人口基数", "Village without population base"),
    "rulename.check_size_missing": ("缺家庭人口", "No household size"),
    "rulename.population_below_registered": ("乡村人口少于建档立卡人口", "Population below registered"),
}
