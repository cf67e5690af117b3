"""English translations of canonical code values (the data keeps the Chinese form)."""

CODE_EN: dict[str, str] = {
    # main causes
    "因病": "Illness", "因残": "Disability", "因学": "Schooling costs", "因灾": "Disaster",
    "缺土地": "Lack of land", "缺水": "Lack of water", "缺技术": "Lack of skills", "缺劳力": "Lack of labour",
    "缺资金": "Lack of capital", "交通条件落后": "Poor transport", "自身发展动力不足": "Low motivation",
    "因婚": "Marriage costs", "因丧": "Funeral costs", "其他": "Other",
    # household attributes
    "一般贫困户": "Ordinary poor household", "低保贫困户": "Minimum-living-allowance household",
    "特困供养贫困户": "Extreme-poverty support household", "未填写": "Not stated",
    # exit status
    "未脱贫": "Not exited", "已脱贫": "Exited", "返贫": "Returned to poverty", "监测户": "Monitored",
    # monitoring types
    "脱贫不稳定户": "Unstable exited household", "边缘易致贫户": "Edge household at risk",
    "突发严重困难户": "Sudden severe hardship",
    # education
    "文盲或半文盲": "Illiterate or semi-literate", "学龄前儿童": "Pre-school", "小学": "Primary school",
    "初中": "Junior secondary", "高中": "Senior secondary", "大专及以上": "College or above",
    # health
    "健康": "Healthy", "长期慢性病": "Chronic illness", "患有大病": "Serious illness", "残疾": "Disabled",
    # labour
    "普通劳动力": "Ordinary labour", "技能劳动力": "Skilled labour", "弱劳动力或半劳动力": "Weak or half labour",
    "丧失劳动力": "Lost ability to work", "无劳动力": "No labour",
    # measure categories
    "产业帮扶": "Industry", "就业帮扶": "Employment", "公益岗位": "Public-welfare job", "健康帮扶": "Health",
    "教育帮扶": "Education", "住房安全": "Housing safety", "易地扶贫搬迁": "Relocation",
    "饮水安全": "Drinking water", "兜底保障": "Social safety net", "金融帮扶": "Microcredit",
    "生态帮扶": "Ecological jobs",
    # visit types
    "入户走访": "Home visit", "帮扶责任人走访": "Helper visit", "驻村工作队走访": "Village team visit",
    "家庭医生随访": "Family doctor follow-up", "健康体检": "Health check-up",
    # rectification statuses and categories
    "未整改": "Not started", "整改中": "In progress", "已整改": "Rectified", "已销号": "Closed",
    "档案资料不规范": "Irregular archive records", "扶贫手册更新不及时": "Handbook not updated",
    "收入核算不准": "Income miscalculated", "帮扶措施不精准": "Imprecise measures",
    "政策落实不到位": "Policy not implemented", "驻村工作队履职不到位": "Village team not performing",
    "住房饮水等基础保障": "Housing/water basics",
    # sex
    "男": "Male", "女": "Female",
    # relation to the head (与户主关系), as the registration system writes it
    "户主": "Head", "配偶": "Spouse", "之子": "Son", "之女": "Daughter", "子女": "Child", "之儿媳": "Daughter-in-law",
    "之女婿": "Son-in-law", "之孙子": "Grandson", "之孙女": "Granddaughter", "孙子女": "Grandchild",
    "之外孙子": "Grandson (daughter's)", "之外孙女": "Granddaughter (daughter's)", "之父": "Father",
    "之母": "Mother", "父母": "Parent", "之岳父": "Father-in-law", "之岳母": "Mother-in-law",
    "之公公": "Father-in-law", "之婆婆": "Mother-in-law", "之兄弟姐妹": "Sibling", "兄弟姐妹": "Sibling",
    # school status (在校生状况)
    "非在校生": "Not a student", "在校生": "Student", "学前教育": "Pre-school education",
    "中职": "Secondary vocational", "高职": "Higher vocational", "大专": "College", "本科及以上": "Bachelor or above",
    "辍学": "Dropped out", "失学": "Out of school", "未入学": "Not enrolled",
    # a measure's status (实施状态)
    "已完成": "Completed", "实施中": "In progress", "未实施": "Not started", "已落实": "Carried out",
    # suspected wrong-exit reasons (queries.households.REASONS_SQL)
    "收入低于贫困线": "Income below line", "住房不安全": "Unsafe housing", "饮水不安全": "Unsafe water",
    "未参加基本医保": "Uninsured member", "适龄儿童失学辍学": "Child out of school",
    # household checks (data-spec §1.4): household types, findings, answers, 两不愁三保障 items
    "脱贫户": "Exited household", "未脱贫户": "Household not exited", "边缘户": "Edge household",
    "一般农户": "Ordinary household", "正常": "Correct", "错退": "Wrongly exited", "漏评": "Missed",
    "错评": "Wrongly identified", "认可": "Approves", "不认可": "Does not approve", "说不清": "Cannot say",
    "不愁吃": "Food", "不愁穿": "Clothing", "义务教育保障": "Compulsory education", "基本医疗保障": "Basic medical care",
    "住房安全保障": "Safe housing", "饮水安全保障": "Safe water",
}
