"""Peer benchmark: percentile rank of one score within the narrowest peer group large enough to show."""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from questionnaires.model import Text

GROUP_KINDS = ("industry", "sector", "city", "size", "district")
MIN_GROUP = 5

# GB/T 4754-2017 manufacturing divisions 13-43 grouped into six families, for the fallback chain
# industry division -> sector family -> city when a division has too few enterprises to compare.
SECTOR_FAMILIES: dict[str, tuple[Text, tuple[int, ...]]] = {
    "food_light": (Text("食品与轻工", "Food and light industry"), (13, 14, 15, 16, 20, 21, 22, 23, 24)),
    "textile": (Text("纺织服装与皮革", "Textiles, apparel and leather"), (17, 18, 19)),
    "chemical_materials": (
        Text("化工、医药与材料", "Chemicals, pharmaceuticals and materials"),
        (25, 26, 27, 28, 29, 30),
    ),
    "metal": (Text("冶金与金属制品", "Metallurgy and metal products"), (31, 32, 33)),
    "machinery": (Text("机械与装备", "Machinery and equipment"), (34, 35, 36, 37, 38, 43)),
    "electronics_other": (Text("电子、仪表及其他", "Electronics, instruments and other"), (39, 40, 41, 42)),
}
_FAMILY_OF_DIVISION = {
    division: family for family, (_, divisions) in SECTOR_FAMILIES.items() for division in divisions
}


def sector_family(division: str | int) -> str:
    """The sector family id of a GB/T 4754 manufacturing division ("31", 31 or a longer code "3120")."""
    text = str(division).strip()
    if len(text) < 2 or not text[:2].isdigit():
        raise ValueError(f"not a GB/T 4754 division: {division!r}")
    family = _FAMILY_OF_DIVISION.get(int(text[:2]))
    if family is None:
        raise ValueError(f"not a manufacturing division (13-43): {division!r}")
    return family


def sector_family_label(family: str) -> Text:
    """The zh/en name of a sector family id."""
    return SECTOR_FAMILIES[family][0]


@dataclass(frozen=True)
class GroupStats:
    """Size, mean, median and own rank counts of one peer group."""

    key: Mapping[str, Any]
    count: int
    mean: float | None
    median: float | None
    rank_below: int | None
    rank_equal: int | None


@dataclass(frozen=True)
class Benchmark:
    """Where a score stands in its peer group; `group` is None when no group had enough members."""

    own_score: float | None
    group: Mapping[str, Any] | None
    n: int
    mean: float | None
    median: float | None
    percentile: float | None
    fallback: bool
    skipped: tuple[Mapping[str, Any], ...]
    min_group: int

    @property
    def available(self) -> bool:
        """True when some peer group was large enough to compare with."""
        return self.group is not None

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {
            "own_score": self.own_score,
            "group": None if self.group is None else _key_dict(self.group),
            "n": self.n,
            "mean": self.mean,
            "median": self.median,
            "percentile": self.percentile,
            "fallback": self.fallback,
            "skipped": [dict(entry) for entry in self.skipped],
            "min_group": self.min_group,
        }


def _key_dict(key: Mapping[str, Any]) -> dict[str, Any]:
    label = key.get("label")
    if isinstance(label, Text):
        label = label.to_dict()
    return {"kind": key.get("kind"), "value": key.get("value"), "label": label}


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 1)


def _group_stats(group: Mapping[str, Any], own_score: float | None) -> GroupStats:
    key = group.get("key")
    if not isinstance(key, Mapping) or key.get("kind") not in GROUP_KINDS:
        raise ValueError(f"a peer group needs key.kind in {GROUP_KINDS}, got {key!r}")
    if "scores" in group:
        scores = [float(value) for value in group["scores"] if value is not None]
        if not scores:
            return GroupStats(key, 0, None, None, 0, 0)
        below = equal = None
        if own_score is not None:
            below = sum(1 for value in scores if value < own_score)
            equal = sum(1 for value in scores if value == own_score)
        return GroupStats(key, len(scores), statistics.fmean(scores), statistics.median(scores), below, equal)
    count = int(group.get("count") or 0)
    return GroupStats(
        key,
        count,
        group.get("mean"),
        group.get("median"),
        group.get("rank_below"),
        group.get("rank_equal", 0) if group.get("rank_below") is not None else None,
    )


def benchmark(
    own_score: float | None, groups: Sequence[Mapping[str, Any]], *, min_group: int = MIN_GROUP
) -> Benchmark:
    """Compare `own_score` with the first (narrowest) group of at least `min_group` scores.

    Each group is {"key": {"kind", "value", "label"}, "scores": [...]} or pre-aggregated
    {"key", "count", "mean", "median", "rank_below", "rank_equal"}. Smaller groups are never
    reported; they are listed in `skipped` so the page can say why a broader group was used.
    Percentile rank uses the midrank: 100 x (below + equal / 2) / n.
    """
    skipped: list[Mapping[str, Any]] = []
    for group in groups:
        stats = _group_stats(group, own_score)
        if stats.count < min_group:
            skipped.append({**_key_dict(stats.key), "n": stats.count})
            continue
        percentile = None
        if own_score is not None and stats.rank_below is not None:
            percentile = round(100.0 * (stats.rank_below + (stats.rank_equal or 0) / 2) / stats.count, 1)
        return Benchmark(
            own_score=own_score,
            group=stats.key,
            n=stats.count,
            mean=_round(stats.mean),
            median=_round(stats.median),
            percentile=percentile,
            fallback=bool(skipped),
            skipped=tuple(skipped),
            min_group=min_group,
        )
    return Benchmark(own_score, None, 0, None, None, None, bool(skipped), tuple(skipped), min_group)
