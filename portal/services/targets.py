"""Plan targets as data: the fixed counting rules, progress series per target, recognised-list import."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.sql.elements import ColumnElement

from portal.extensions import db
from portal.models import Assessment, Enterprise
from portal.models_officials import PlanTarget, RecognisedEnterprise
from portal.services import audit
from portal.services.results import FLAG_COLUMNS

if TYPE_CHECKING:
    from portal.models import User
    from portal.services.stats import Filters, _Acc

SYSTEM_COLUMNS = ("uses_erp", "uses_mes", "uses_plm", "uses_scm")
# The FIXED list of counting rules an admin may choose from (rule id -> (zh, en) description).
RULES: dict[str, tuple[str, str]] = {
    **{
        f"flag:{column}": (
            f"计划标记 {column} 为真的企业(去重)",
            f"Distinct enterprises with plan flag {column}",
        )
        for column in FLAG_COLUMNS
    },
    **{
        f"level_gte:{n}": (f"成熟度等级(门槛后) ≥ {n} 的企业", f"Enterprises at gated maturity level ≥ {n}")
        for n in range(1, 6)
    },
    **{
        f"miit_level_estimate_gte:{n}": (
            f"中小企业(中型/小型/微型)估算工信部等级 ≥ {n}(估算值，以门槛后等级近似)",
            f"SMEs (medium/small/micro) with estimated MIIT level ≥ {n} (an estimate: the gated level)",
        )
        for n in range(1, 6)
    },
    **{
        f"rate:{column}": (
            f"{column[5:].upper()} 普及率 = 使用企业数 ÷ 已评估企业数",
            f"{column[5:].upper()} adoption = enterprises using it / assessed enterprises",
        )
        for column in SYSTEM_COLUMNS
    },
    "mean:nc_rate": (
        "关键工序数控化率的平均值(已填写企业)",
        "Mean key-process NC rate (enterprises that answered)",
    ),
    "coverage:above_designated_size": (
        "已评估规上企业 ÷ 登记规上企业",
        "Assessed above-designated-size enterprises / registered ones",
    ),
}
CLOUD_LAYERS = ("iaas", "saas", "core", "equipment")


class TargetImportError(ValueError):
    """A recognised-list file that cannot be imported (nothing is written)."""


def rule_kind(rule: str) -> str:
    """ "count", "rate", "mean" or "coverage" for a rule id (ValueError when not in the fixed list)."""
    if rule not in RULES:
        raise ValueError(f"unknown counting rule {rule!r}")
    prefix = rule.split(":", 1)[0]
    return {"rate": "rate", "mean": "mean", "coverage": "coverage"}.get(prefix, "count")


def rule_condition(rule: str) -> ColumnElement[bool]:
    """The SQL predicate on Assessment that puts an enterprise in a target's candidate list."""
    rule_kind(rule)
    prefix, _, argument = rule.partition(":")
    if prefix in ("flag", "rate"):
        return getattr(Assessment, argument).is_(True)
    if prefix == "level_gte":
        return Assessment.gated_level >= int(argument)
    if prefix == "miit_level_estimate_gte":
        return Assessment.size_class.in_(("medium", "small", "micro")) & (
            Assessment.gated_level >= int(argument)
        )
    if prefix == "mean":
        return Assessment.nc_rate.is_not(None)
    return Assessment.above_designated_size.is_(True)


def list_targets(active_only: bool = True) -> list[PlanTarget]:
    """The plan targets in display order."""
    query = select(PlanTarget).order_by(PlanTarget.sort_order, PlanTarget.id)
    if active_only:
        query = query.where(PlanTarget.active.is_(True))
    return list(db.session.scalars(query))


def get_target(key: str) -> PlanTarget | None:
    """A target by key, or None."""
    return db.session.scalar(select(PlanTarget).where(PlanTarget.key == key))


def _ratio(part: float, whole: float) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


@dataclass(frozen=True)
class _Series:
    candidates: float | None
    verified: float | None
    candidates_count: int | None
    verified_count: int | None


def _series(rule: str, totals: _Acc, registered_above: int) -> _Series:
    sums = totals.sums
    prefix, _, argument = rule.partition(":")
    if prefix == "flag":
        c, v = sums[f"flag:{argument}"], sums[f"verified/flag:{argument}"]
        return _Series(c, v, int(c), int(v))
    if prefix == "level_gte":
        n = int(argument)
        c = sum(count for level, count in totals.levels.items() if level >= n)
        v = sums[f"verified/level_gte:{n}"]
        return _Series(c, v, int(c), int(v))
    if prefix == "miit_level_estimate_gte":
        c, v = sums[f"sme_level_gte:{argument}"], sums[f"verified/sme_level_gte:{argument}"]
        return _Series(c, v, int(c), int(v))
    if prefix == "rate":
        c, v = sums[f"rate:{argument}"], sums[f"verified/rate:{argument}"]
        return _Series(
            _ratio(c, sums[f"rate_n:{argument}"]),
            _ratio(v, sums[f"verified/rate_n:{argument}"]),
            int(c),
            int(v),
        )
    if prefix == "mean":
        c_n, v_n = sums[f"mean_n:{argument}"], sums[f"verified/mean_n:{argument}"]
        c = round(sums[f"mean:{argument}"] / c_n, 1) if c_n else None
        v = round(sums[f"verified/mean:{argument}"] / v_n, 1) if v_n else None
        return _Series(c, v, int(c_n), int(v_n))
    c, v = totals.above, sums["verified/above"]
    return _Series(_ratio(c, registered_above), _ratio(v, registered_above), int(c), int(v))


def progress(filters: Filters, totals: _Acc, registered_above: int) -> list[dict[str, Any]]:
    """Each active target with its three series (self-reported candidates, verified, recognised)."""
    from portal.services.stats import recognised_counts

    recognised = recognised_counts(filters)
    items = []
    for target in list_targets():
        kind = rule_kind(target.rule)
        series = _series(target.rule, totals, registered_above)
        item: dict[str, Any] = {
            "key": target.key,
            "plan": target.plan,
            "clause": target.clause,
            "name": {"zh": target.name_zh, "en": target.name_en},
            "value": target.value,
            "unit": target.unit,
            "deadline": target.deadline.isoformat() if target.deadline else None,
            "baseline": target.baseline,
            "rule": target.rule,
            "rule_text": {"zh": RULES[target.rule][0], "en": RULES[target.rule][1]},
            "kind": kind,
            "is_estimate": target.is_estimate,
            "candidates": series.candidates,
            "verified": series.verified,
            "candidates_count": series.candidates_count,
            "verified_count": series.verified_count,
            "recognised": recognised.get(target.recognised_list, 0) if target.recognised_list else None,
            "recognised_list": target.recognised_list,
        }
        if target.rule == "flag:cloud_enterprise":
            item["by_layer"] = {layer: int(totals.sums[f"layer:{layer}"]) for layer in CLOUD_LAYERS}
        items.append(item)
    return items


def import_recognised_csv(list_id: str, data: bytes | str, user: User | None = None, source: str = "") -> int:
    """Import a recognised list (CSV with a `uscc`/统一社会信用代码 column, optional `year`/年度); returns new rows.

    Every USCC must belong to a known enterprise, otherwise nothing is imported.
    """
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    reader = csv.DictReader(io.StringIO(text))
    fieldnames = [name.strip() for name in (reader.fieldnames or [])]
    uscc_field = next((name for name in fieldnames if name in ("uscc", "统一社会信用代码")), None)
    if uscc_field is None:
        raise TargetImportError("the file needs a uscc / 统一社会信用代码 column")
    year_field = next((name for name in fieldnames if name in ("year", "年度")), None)
    wanted: dict[str, int | None] = {}
    problems = []
    for number, raw in enumerate(reader, start=2):
        row = {key.strip(): (value or "").strip() for key, value in raw.items() if key}
        code = row.get(uscc_field, "").upper()
        if not code:
            problems.append(f"row {number}: empty USCC")
            continue
        year = row.get(year_field or "", "")
        wanted[code] = int(year) if year.isdigit() else None
    ids = dict(
        db.session.execute(select(Enterprise.uscc, Enterprise.id).where(Enterprise.uscc.in_(wanted))).all()
    )
    problems += [f"unknown USCC {code}" for code in wanted if code not in ids]
    if problems:
        raise TargetImportError("; ".join(problems))
    existing = set(
        db.session.scalars(
            select(RecognisedEnterprise.enterprise_id).where(RecognisedEnterprise.list_id == list_id)
        )
    )
    created = 0
    for code, year in wanted.items():
        if ids[code] in existing:
            continue
        db.session.add(
            RecognisedEnterprise(list_id=list_id, enterprise_id=ids[code], year=year, source=source)
        )
        created += 1
    audit.record(
        "targets.import_recognised",
        user=user,
        object_type="recognised_list",
        object_id=list_id,
        detail={"rows": len(wanted), "created": created},
    )
    db.session.commit()
    return created
