"""A realistic report sample: the shipped questionnaire, real scoring, a peer benchmark and a previous round.

Uses the shipped recommendation catalogue when it exists; until it lands, a small fixture catalogue
with real plan clauses stands in (so the report still has measures to show).
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any

import questionnaires
import scoring
from portal.reports.context import build_report_context
from questionnaires.model import Catalogue, Measure, Text

SECRET = "test-report-secret"

ENTERPRISE = {
    "name": "鄂州市华容区堃喆昇垚精密机械制造有限公司",
    "uscc": "91420703MA4F2K3X7Q",
    "district": "华容区",
    "industry": "34 通用设备制造业",
    "size_class": "medium",
    "contact": "王喆 0711-3456789",
}
CONTEXT = {
    "industry_division": "34",
    "size_class": "medium",
    "district": "huarong",
    "above_designated_size": True,
}


def _measure(
    mid: str, dimension: str, title: str, text: str, clause: str, policy: str, condition: dict
) -> Measure:
    return Measure(
        id=mid,
        title=Text(title, title),
        text=Text(text, text),
        dimension=dimension,
        plan_clause=clause,
        priority=3 if dimension in ("software", "security") else 2,
        target_level=4,
        applies_if=condition,
        policy=Text(policy, policy),
    )


def fixture_catalogue() -> Catalogue:
    """A stand-in catalogue (one or two measures per dimension) until the shipped one exists."""
    lt4 = {"lt": 4}
    measures = [
        _measure(
            "strategy_plan",
            "strategy",
            "制定数字化转型规划",
            "由企业负责人牵头，明确三年目标、预算和责任人，并每年评估一次。",
            "3.4.2",
            "中小企业数字化转型诊断服务",
            {"dimension_level": "strategy", **lt4},
        ),
        _measure(
            "equipment_collect",
            "equipment",
            "提升关键数据自动采集",
            "为关键设备加装采集网关，把产量、质量和能耗数据自动采集进系统。",
            "3.4.3",
            "技术改造专项资金",
            {"any": [{"answer": "data_auto_collection", "lt": 60}, {"dimension_level": "equipment", **lt4}]},
        ),
        _measure(
            "network_5g",
            "network",
            "建设车间 5G 或工业网络",
            "在主要车间部署工业以太网或 5G 专网，覆盖关键设备和移动终端。",
            "3.1.1",
            "5G+工业互联网应用项目",
            {"dimension_level": "network", **lt4},
        ),
        _measure(
            "software_mes",
            "software",
            "上线 MES 并与 ERP 集成",
            "实施制造执行系统，打通计划、生产、质量数据，与 ERP 实现工单和库存集成。",
            "3.4.2",
            "企业上云用数赋智",
            {
                "any": [
                    {"answer": "erp_mes_integration", "in": ["none", "manual"]},
                    {"dimension_level": "software", **lt4},
                ]
            },
        ),
        _measure(
            "cloud_core",
            "cloud",
            "核心业务系统上云",
            "将 ERP、MES 等核心业务系统迁移到云平台，使用工业互联网平台的成熟应用。",
            "3.4.1",
            "上云用数赋智行动",
            {"dimension_level": "cloud", **lt4},
        ),
        _measure(
            "identifier_apply",
            "identifier",
            "接入工业互联网标识解析二级节点",
            "为产品和关键物料赋码，接入鄂州二级节点，实现质量追溯。",
            "box3-4",
            "工业互联网标识解析推广",
            {
                "any": [
                    {"answer": "identifier_use", "in": ["none", "aware"]},
                    {"dimension_level": "identifier", **lt4},
                ]
            },
        ),
        _measure(
            "security_mlps",
            "security",
            "完成等保备案和测评",
            "对主要信息系统定级、备案并开展等级测评，建立安全管理制度和应急预案。",
            "3.1.5",
            "网络安全等级保护",
            {
                "any": [
                    {"answer": "mlps_status", "in": ["none", "graded"]},
                    {"dimension_level": "security", **lt4},
                ]
            },
        ),
        _measure(
            "outcomes_workshop",
            "outcomes",
            "建设数字化车间",
            "选择一条产线建设数字化车间，实现计划排程、生产管控和设备管理的协同。",
            "3.4.3",
            "智能制造示范项目",
            {"dimension_level": "outcomes", **lt4},
        ),
    ]
    return Catalogue(
        id="fixture-measures", version="test", questionnaire_id="ezhou-dmi", measures=tuple(measures)
    )


def load_catalogue(questionnaire: Any) -> Catalogue:
    """The shipped catalogue when present, else the fixture."""
    try:
        return questionnaires.current_catalogue(questionnaire.id)
    except questionnaires.QuestionnaireNotFound:
        return fixture_catalogue()


def _peer_benchmark(questionnaire: Any, catalogue: Catalogue, result: dict) -> dict:
    """Benchmark against 30 generated peers of the same industry."""
    rng = random.Random(7)
    peers = []
    for _ in range(30):
        answers = scoring.random_answers(questionnaire, rng, quality=rng.random(), context=CONTEXT)
        peers.append(scoring.score(questionnaire, answers, CONTEXT, allow_incomplete=True).to_dict())
    group_key = {
        "kind": "industry",
        "value": "34",
        "label": {"zh": "通用设备制造业", "en": "General equipment"},
    }

    def bench(own: float | None, scores: list[float | None]) -> dict:
        return scoring.benchmark(
            own, [{"key": group_key, "scores": [s for s in scores if s is not None]}]
        ).to_dict()

    return {
        "overall": bench(result["overall_score"], [p["overall_score"] for p in peers]),
        "dimensions": {
            dim["id"]: bench(dim["score"], [p["dimensions"][i]["score"] for p in peers])
            for i, dim in enumerate(result["dimensions"])
        },
    }


def sample_inputs(seed: int = 3, quality: float = 0.55) -> dict[str, Any]:
    """All inputs of build_report_context for one realistic enterprise."""
    questionnaire = questionnaires.load("ezhou-dmi", "2025.1")
    catalogue = load_catalogue(questionnaire)
    rng = random.Random(seed)
    answers = scoring.random_answers(questionnaire, rng, quality=quality, context=CONTEXT, na_rate=0.03)
    answers["main_difficulties"] = "缺少懂数字化的人才，改造资金压力大；设备品牌多、协议不统一。"
    result = scoring.score(
        questionnaire, answers, CONTEXT, catalogue=catalogue, allow_incomplete=True
    ).to_dict()
    previous_answers = scoring.random_answers(
        questionnaire, random.Random(seed + 100), quality=0.3, context=CONTEXT
    )
    previous = scoring.score(
        questionnaire, previous_answers, CONTEXT, catalogue=catalogue, allow_incomplete=True
    )
    comparison = scoring.compare(previous.to_dict(), result).to_dict()
    comparison["previous_round"] = "2024年度"
    return {
        "enterprise": dict(ENTERPRISE),
        "assessment": {"id": 123, "round": "2025年度", "submitted_on": "2025-06-18", "answers": answers},
        "result": result,
        "questionnaire": questionnaire,
        "catalogue": catalogue,
        "plan_clauses": questionnaires.plan_clauses(),
        "benchmark": _peer_benchmark(questionnaire, catalogue, result),
        "comparison": comparison,
        "city_indicators": {
            "equipment_digitization_rate": {
                "city": 52.3,
                "industry": 48.7,
                "target": 60,
                "target_clause": "table-1",
            },
            "equipment_networking_rate": {
                "city": 41.0,
                "industry": None,
                "target": 50,
                "target_clause": "table-1",
            },
            "key_process_nc_rate": {"city": 55.2, "industry": 58.1, "target": 65, "target_clause": "table-1"},
        },
        "verification": None,
        "report_number": "EZ-2025-000123-TEST",
        "lang": "zh",
    }


def sample_context(lang: str = "zh", **overrides: Any) -> dict[str, Any]:
    """A ready report context; `overrides` replace inputs (e.g. enterprise=...)."""
    inputs = sample_inputs()
    inputs.update(overrides)
    inputs["lang"] = lang
    return build_report_context(**inputs, generated_on=date(2025, 6, 20))
