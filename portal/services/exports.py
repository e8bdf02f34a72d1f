"""XLSX and CSV exports of a filtered enterprise list: streamed, Chinese header (English on request)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import aliased

from portal import reference
from portal.extensions import db
from portal.models import Assessment, AssessmentDimensionScore, Enterprise, User
from portal.services import stats

BATCH = 2000
DIMENSIONS = ("strategy", "equipment", "network", "software", "cloud", "identifier", "security", "outcomes")

# (key, zh header, en header, description zh, description en)
COLUMNS: tuple[tuple[str, str, str, str, str], ...] = (
    ("uscc", "统一社会信用代码", "USCC", "18位统一社会信用代码", "18-character unified social credit code"),
    ("name", "企业名称", "Enterprise name", "登记名称", "Registered name"),
    ("district", "所属区", "District", "规划的五个单元之一", "One of the plan's five units"),
    ("industry", "行业代码", "Industry division", "GB/T 4754-2017 大类", "GB/T 4754-2017 division"),
    ("size_class", "企业规模", "Size class", "2017 统计划分", "2017 statistical rules"),
    ("above_designated_size", "是否规上", "Above designated size", "主营收入≥2000万元", "Revenue ≥ CNY 20 m"),
    ("status", "状态", "Status", "草稿/已提交/退回/已核验", "draft/submitted/returned/verified"),
    ("round", "轮次", "Round", "评估年度", "Assessment year"),
    ("questionnaire_version", "问卷版本", "Questionnaire version", "", ""),
    ("engine_version", "评分引擎版本", "Engine version", "", ""),
    ("overall_score", "综合指数", "Overall index", "0–100", "0–100"),
    ("band_level", "得分等级", "Band level", "按得分区间", "By score band"),
    ("gated_level", "成熟度等级", "Maturity level", "考虑门槛条件后的等级", "Level after gates"),
    *((f"dim:{d}", f"维度得分:{d}", f"Dimension score: {d}", "0–100", "0–100") for d in DIMENSIONS),
    ("equipment_digitization_rate", "设备数字化率", "Equipment digitisation rate", "%", "%"),
    ("equipment_networking_rate", "数字化设备联网率", "Equipment networking rate", "%", "%"),
    ("nc_rate", "关键工序数控化率", "Key-process NC rate", "%", "%"),
    (
        "cloud_layer",
        "上云层次",
        "Cloud layer",
        "none/iaas/saas/core/equipment",
        "none/iaas/saas/core/equipment",
    ),
    ("uses_erp", "使用ERP", "Uses ERP", "是/否", "yes/no"),
    ("uses_mes", "使用MES", "Uses MES", "是/否", "yes/no"),
    ("uses_plm", "使用PLM", "Uses PLM", "是/否", "yes/no"),
    ("uses_scm", "使用SCM", "Uses SCM", "是/否", "yes/no"),
    ("cloud_enterprise", "上云企业", "Cloud enterprise", "计划标记", "Plan flag"),
    ("integration_demo_candidate", "两化融合示范候选", "两化融合 demo candidate", "计划标记", "Plan flag"),
    ("smart_factory_candidate", "智能工厂候选", "Smart factory candidate", "计划标记", "Plan flag"),
    ("fiveg_factory_candidate", "5G全连接工厂候选", "5G factory candidate", "计划标记", "Plan flag"),
    ("identifier_adopter", "标识解析应用", "Identifier adopter", "计划标记", "Plan flag"),
    ("mlps_filed", "等保已备案", "MLPS filed", "计划标记", "Plan flag"),
    ("mlps_passed", "等保测评通过", "MLPS passed", "计划标记", "Plan flag"),
    ("submitted_at", "提交时间", "Submitted at", "UTC", "UTC"),
    ("submitted_by", "提交人", "Submitted by", "用户名", "Username"),
    ("verified_at", "核验时间", "Verified at", "UTC", "UTC"),
    ("verified_by", "核验人", "Verified by", "用户名", "Username"),
)
_ASSESSMENT_FIELDS = (
    "status",
    "questionnaire_version",
    "engine_version",
    "overall_score",
    "band_level",
    "gated_level",
    "equipment_digitization_rate",
    "equipment_networking_rate",
    "nc_rate",
    "cloud_layer",
    "uses_erp",
    "uses_mes",
    "uses_plm",
    "uses_scm",
    "cloud_enterprise",
    "integration_demo_candidate",
    "smart_factory_candidate",
    "fiveg_factory_candidate",
    "identifier_adopter",
    "mlps_filed",
    "mlps_passed",
    "submitted_at",
    "verified_at",
)


def header(lang: str) -> list[str]:
    """The header row: Chinese by default, English with lang="en"."""
    return [column[2] if lang == "en" else column[1] for column in COLUMNS]


def _select(user: User, query: stats.ListQuery) -> Any:
    submitter = aliased(User)
    verifier = aliased(User)
    columns = [
        Enterprise.uscc,
        Enterprise.name,
        Enterprise.district,
        Enterprise.industry_division,
        Enterprise.size_class,
        Enterprise.above_designated_size,
        Assessment.id.label("assessment_id"),
        *(getattr(Assessment, name) for name in _ASSESSMENT_FIELDS),
        submitter.username.label("submitted_by"),
        verifier.username.label("verified_by"),
    ]
    stmt = stats.list_select(user, query, columns)
    return (
        stmt.outerjoin(submitter, submitter.id == Assessment.submitted_by_id)
        .outerjoin(verifier, verifier.id == Assessment.verified_by_id)
        .order_by(Enterprise.id)
    )


def _cell(value: Any, lang: str) -> Any:
    if isinstance(value, bool):
        return ("yes" if value else "no") if lang == "en" else ("是" if value else "否")
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ", timespec="seconds")
    return value


def rows(user: User, query: stats.ListQuery, lang: str = "zh") -> Iterator[list[Any]]:
    """The export rows (without header), streamed from the database in batches."""
    year = query.filters.round_year
    stmt = _select(user, query).execution_options(yield_per=BATCH)
    result = db.session.execute(stmt)
    for batch in result.partitions(BATCH):
        ids = [row.assessment_id for row in batch if row.assessment_id is not None]
        scores: dict[int, dict[str, float]] = {}
        if ids:
            for assessment_id, dimension_id, score in db.session.execute(
                select(
                    AssessmentDimensionScore.assessment_id,
                    AssessmentDimensionScore.dimension_id,
                    AssessmentDimensionScore.score,
                ).where(AssessmentDimensionScore.assessment_id.in_(ids))
            ):
                scores.setdefault(assessment_id, {})[dimension_id] = score
        for row in batch:
            mapping = row._mapping
            values: dict[str, Any] = dict(mapping)
            values["industry"] = values.pop("industry_division")
            values["size_class"] = reference.size_class_label(values["size_class"], lang)
            values["district"] = reference.district_label(values["district"], lang)
            values["round"] = year if row.assessment_id is not None else None
            for dimension_id, score in scores.get(row.assessment_id, {}).items():
                values[f"dim:{dimension_id}"] = score
            yield [_cell(values.get(column[0]), lang) for column in COLUMNS]


def _describe_sheet(workbook: Workbook, lang: str) -> None:
    sheet = workbook.create_sheet("Columns" if lang == "en" else "字段说明")
    sheet.append(["Column", "Description"] if lang == "en" else ["字段", "说明"])
    for column in COLUMNS:
        sheet.append([column[2], column[4]] if lang == "en" else [column[1], column[3]])


def write_xlsx(
    target: Path | io.BytesIO,
    user: User,
    query: stats.ListQuery,
    lang: str = "zh",
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the list as XLSX (write-only mode, rows streamed) with a sheet describing the columns."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Enterprises" if lang == "en" else "企业名单")
    sheet.append(header(lang))
    count = 0
    for row in rows(user, query, lang):
        sheet.append(row)
        count += 1
        if progress and count % BATCH == 0:
            progress(count)
    _describe_sheet(workbook, lang)
    workbook.save(target)
    return count


def iter_csv(user: User, query: stats.ListQuery, lang: str = "zh") -> Iterator[str]:
    """The list as CSV text chunks (UTF-8 BOM first so spreadsheet programs read the Chinese header)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header(lang))
    yield "\ufeff" + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    for index, row in enumerate(rows(user, query, lang), start=1):
        writer.writerow(row)
        if index % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def write_csv(
    target: Path,
    user: User,
    query: stats.ListQuery,
    lang: str = "zh",
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the list as a CSV file (for background jobs)."""
    count = 0
    with open(target, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        handle.write("\ufeff")
        writer.writerow(header(lang))
        for row in rows(user, query, lang):
            writer.writerow(row)
            count += 1
            if progress and count % BATCH == 0:
                progress(count)
    return count
