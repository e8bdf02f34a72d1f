"""Fixed report labels in Chinese and English (a plain dict so the renderer needs no Flask app)."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "report_title": {"zh": "制造业企业数字化水平诊断报告", "en": "Digital Maturity Diagnostic Report"},
    "report_subtitle": {
        "zh": "鄂州市制造业数字化转型自评估",
        "en": "Ezhou manufacturing digital transformation self-assessment",
    },
    "enterprise_name": {"zh": "企业名称", "en": "Enterprise"},
    "uscc": {"zh": "统一社会信用代码", "en": "Unified social credit code"},
    "district": {"zh": "所在区", "en": "District"},
    "industry": {"zh": "所属行业", "en": "Industry"},
    "size_class": {"zh": "企业规模", "en": "Size class"},
    "contact": {"zh": "联系人", "en": "Contact"},
    "round": {"zh": "评估轮次", "en": "Assessment round"},
    "submitted_on": {"zh": "提交日期", "en": "Submitted on"},
    "questionnaire_version": {"zh": "问卷版本", "en": "Questionnaire version"},
    "report_number": {"zh": "报告编号", "en": "Report number"},
    "generated_on": {"zh": "生成日期", "en": "Generated on"},
    "status": {"zh": "核验状态", "en": "Status"},
    "unverified": {"zh": "自评结果，未经核验", "en": "Self-assessment, not verified"},
    "verified_by": {"zh": "已核验（{by}，{on}）", "en": "Verified ({by}, {on})"},
    "verify_hint": {
        "zh": "报告真伪可在以下页面查询：",
        "en": "Check this report's authenticity at:",
    },
    "page_of": {"zh": "第 {page} 页 / 共 {pages} 页", "en": "Page {page} of {pages}"},
    "summary": {"zh": "一、评估摘要", "en": "1. Summary"},
    "maturity_level": {"zh": "数字化成熟度等级", "en": "Digital maturity level"},
    "band_level": {"zh": "按得分对应等级", "en": "Level by score band"},
    "gated_level": {"zh": "认定等级（含门槛要求）", "en": "Level awarded (gates applied)"},
    "blocked_by": {"zh": "到达{level}级还需要：", "en": "To reach level {level} you still need: "},
    "top_level": {"zh": "已达到最高等级。", "en": "The highest level is reached."},
    "overall_index": {"zh": "综合指数", "en": "Overall index"},
    "radar_title": {"zh": "各维度得分", "en": "Dimension scores"},
    "enterprise_series": {"zh": "本企业", "en": "This enterprise"},
    "peer_median": {"zh": "同组中位数", "en": "Peer median"},
    "peer_group": {"zh": "对比组", "en": "Peer group"},
    "peer_group_text": {
        "zh": "{group}（{n} 家企业）；综合指数位于第 {percentile} 百分位",
        "en": "{group} ({n} enterprises); overall index at percentile {percentile}",
    },
    "no_peer_group": {
        "zh": "对比组企业不足 5 家，暂不显示同组数据。",
        "en": "Fewer than 5 peer enterprises: peer data is not shown.",
    },
    "strongest": {"zh": "优势维度", "en": "Strongest dimensions"},
    "weakest": {"zh": "待提升维度", "en": "Weakest dimensions"},
    "plan_flags": {"zh": "规划相关认定", "en": "Plan flags"},
    "yes": {"zh": "是", "en": "Yes"},
    "no": {"zh": "否", "en": "No"},
    "na": {"zh": "不适用", "en": "Not applicable"},
    "unanswered": {"zh": "未作答", "en": "Not answered"},
    "indicators": {"zh": "二、关键指标", "en": "2. Key indicators"},
    "indicator": {"zh": "指标", "en": "Indicator"},
    "this_enterprise": {"zh": "本企业", "en": "Enterprise"},
    "city_value": {"zh": "全市", "en": "City"},
    "industry_value": {"zh": "本行业", "en": "Industry"},
    "plan_target": {"zh": "规划目标", "en": "Plan target"},
    "formula": {"zh": "计算口径", "en": "Definition"},
    "suppressed_note": {
        "zh": "“—”表示数据不足或因样本少于 5 家而不予公开。",
        "en": "“—” means no data, or fewer than 5 enterprises (not disclosed).",
    },
    "measures": {"zh": "三、改进建议", "en": "3. Recommended measures"},
    "do_next": {"zh": "优先行动（建议首先实施）", "en": "Do next"},
    "all_measures": {"zh": "全部适用措施（按维度）", "en": "All applicable measures by dimension"},
    "see_do_next": {"zh": "见上文优先行动", "en": "see Do next above"},
    "no_measures": {"zh": "暂无适用的改进措施。", "en": "No measures apply."},
    "plan_clause": {"zh": "规划依据", "en": "Plan clause"},
    "plan_name": {
        "zh": "《鄂州市数字经济发展“十四五”规划》",
        "en": "Ezhou 14th Five-Year Digital Economy Plan",
    },
    "policy": {"zh": "政策与服务", "en": "Policy or service"},
    "why": {"zh": "推荐原因", "en": "Why"},
    "why_level": {
        "zh": "{dimension}当前为 {current} 级，本措施面向 {target} 级",
        "en": "{dimension} is at level {current}; this measure aims at level {target}",
    },
    "priority": {"zh": "优先级", "en": "Priority"},
    "priority_names": {"zh": "一般|较高|紧迫", "en": "normal|high|urgent"},
    "dimensions": {"zh": "四、分维度诊断", "en": "4. Dimension by dimension"},
    "score": {"zh": "得分", "en": "Score"},
    "level": {"zh": "等级", "en": "Level"},
    "weight": {"zh": "权重", "en": "Weight"},
    "earned": {"zh": "得分项", "en": "Points earned"},
    "lost": {"zh": "失分项", "en": "Points lost"},
    "na_items": {"zh": "不适用（不计入）", "en": "Not applicable (not counted)"},
    "points": {"zh": "分", "en": "pts"},
    "none": {"zh": "无", "en": "None"},
    "comparison": {"zh": "五、与上一轮评估对比", "en": "5. Change since the previous round"},
    "previous": {"zh": "上一轮", "en": "Previous"},
    "current": {"zh": "本轮", "en": "Current"},
    "change": {"zh": "变化", "en": "Change"},
    "measures_done": {"zh": "已完成的建议", "en": "Measures done"},
    "measures_new": {"zh": "新增的建议", "en": "New measures"},
    "free_text": {"zh": "企业补充说明", "en": "Notes from the enterprise"},
    "methodology": {"zh": "附录：评估方法", "en": "Appendix: methodology"},
    "method_dimensions": {"zh": "维度与权重", "en": "Dimensions and weights"},
    "method_levels": {"zh": "等级划分与门槛", "en": "Level bands and gates"},
    "min_score": {"zh": "最低综合指数", "en": "Minimum index"},
    "gates": {"zh": "门槛要求", "en": "Gates"},
    "method_scoring": {
        "zh": "每道计分题按所选答案得到 0～1 的得分比例，乘以该题分值；“不适用”的题目不计入分母。"
        "维度得分 = 100 × 得分合计 / 可得分合计；综合指数为各维度得分的加权平均。"
        "等级先按综合指数确定，再逐级检查门槛要求（低等级门槛须先满足）。",
        "en": "Each scored question earns a share (0-1) of its points from the answer given; "
        "'not applicable' leaves the question out of the denominator. Dimension score = "
        "100 × points earned / points possible; the overall index is the weighted mean of the "
        "dimension scores. The level follows the index band, then the gates of every level up "
        "to it must hold (lower levels first).",
    },
    "data_sources": {"zh": "数据来源", "en": "Data sources"},
    "data_sources_text": {
        "zh": "企业自填问卷（{questionnaire} {version}）；评分引擎 {engine}；"
        "对比数据来自本市已提交的评估，样本少于 5 家的分组不予公开；"
        "规划目标引自《鄂州市数字经济发展“十四五”规划》。",
        "en": "The enterprise's own answers (questionnaire {questionnaire} {version}); scoring engine "
        "{engine}; peer data from assessments submitted in the city, groups under 5 enterprises not "
        "disclosed; targets from the Ezhou 14th Five-Year Digital Economy Plan.",
    },
    "disclaimer": {"zh": "免责声明", "en": "Disclaimer"},
    "disclaimer_text": {
        "zh": "本报告依据企业自行填报的信息自动生成，仅供企业了解自身数字化水平、制定改进计划参考，"
        "不构成任何资质认定或评审结论。未经核验的报告不能作为申报材料。",
        "en": "This report is generated automatically from the enterprise's own answers. It helps the "
        "enterprise understand its digital maturity and plan improvements; it is not a certification. "
        "An unverified report cannot be used in applications.",
    },
    "signature": {"zh": "签章", "en": "Signature and seal"},
    "enterprise_seal": {"zh": "企业（盖章）", "en": "Enterprise (seal)"},
    "reviewer_seal": {"zh": "核验单位（盖章）", "en": "Reviewing office (seal)"},
    "signatory": {"zh": "负责人签字：", "en": "Signed:"},
    "date": {"zh": "日期：", "en": "Date:"},
    "not_yet_verified": {"zh": "（尚未核验）", "en": "(not yet verified)"},
    "level_prefix": {"zh": "", "en": "Level "},
    "level_suffix": {"zh": "级", "en": ""},
    "contents_note": {
        "zh": "本报告包括：评估摘要、关键指标、改进建议、分维度诊断、评估方法与签章。",
        "en": "Contents: summary, key indicators, recommended measures, dimensions, methodology, signatures.",
    },
}


def labels_for(lang: str) -> dict[str, str]:
    """Return every label in `lang` ("zh" or "en"; anything else falls back to Chinese)."""
    key = "en" if lang == "en" else "zh"
    return {name: texts[key] for name, texts in LABELS.items()}
