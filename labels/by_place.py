"""Labels of the charts that break a view of one township down by village (a chart says which)."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    # 问题整改
    "insp.rect.by_status_village": ("各村问题整改状态", "Items by status and village"),
    "insp.rect.township_items": ("乡镇级事项", "Township-level items"),
    # 健康扶贫
    "insp.health.ill_by_village": ("各村因病/因残户与患病成员", "Ill households and members by village"),
    "insp.health.enrolment_township": ("各乡镇参保与家庭医生签约（占成员比例）",
                                       "Insurance and family-doctor enrolment by township (share of members)"),
    "insp.health.enrolment_village": ("各村参保与家庭医生签约（占成员比例）",
                                      "Insurance and family-doctor enrolment by village (share of members)"),
    "insp.health.claims_village": ("各村医疗报销", "Medical claims by village"),
    "insp.health.oop_township": ("各乡镇个人自付比例与目标 {target}",
                                 "Out-of-pocket share by township against the {target} target"),
    "insp.health.oop_village": ("各村个人自付比例与目标 {target}",
                                "Out-of-pocket share by village against the {target} target"),
    "insp.what.enrolment_village": ("参保签约_按村", "enrolment_by_village"),
    "insp.what.claims_village": ("医疗报销_按村", "claims_by_village"),
    # 三率一度
    "rates.chart_village": ("{ind}（按村）", "{ind} by village"),
    # 脱贫状态
    "exit.wrong_chart_township": ("各乡镇疑似错退占比", "Share suspected of a wrong exit, by township"),
    "exit.wrong_chart_village": ("各村疑似错退占比", "Share suspected of a wrong exit, by village"),
    "what.exit_wrong_village": ("疑似错退_分村", "wrong_exits_by_village"),
    "exit.year_unknown_axis": ("不详", "Unknown"),
}
