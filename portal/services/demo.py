"""Deterministic, idempotent demo data: enterprises, rounds, demo users (and, later, scored assessments)."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import insert, select
from stdnum.cn import uscc as stdnum_uscc

from portal import reference
from portal.extensions import db
from portal.models import Enterprise, Round, User, utcnow
from portal.services import accounts, rounds

Progress = Callable[[int], None]

DEMO_PASSWORD = "Demo@2025"
DEMO_USERS: tuple[dict[str, str | None], ...] = (
    {"username": "demo-enterprise", "role": "enterprise", "scope": None, "district": None},
    {"username": "demo-city", "role": "official", "scope": "city", "district": None},
    {"username": "demo-district", "role": "official", "scope": "district", "district": "华容区"},
    {"username": "demo-admin", "role": "admin", "scope": None, "district": None},
)
DEMO_ROUNDS = (
    {"year": 2024, "status": "closed", "opens_on": date(2024, 3, 1), "closes_on": date(2024, 12, 31)},
    {"year": 2025, "status": "open", "opens_on": date(2025, 3, 1), "closes_on": date(2025, 12, 31)},
)
BATCH_SIZE = 5000

_DISTRICT_WEIGHTS = {"鄂城区": 30, "华容区": 20, "梁子湖区": 10, "葛店经开区": 25, "临空经济区": 15}
# Key industries of the plan weigh more than the other divisions.
_DIVISION_WEIGHTS = {code: 1 for code in reference.INDUSTRY_DIVISIONS} | {
    "31": 6, "30": 10, "17": 5, "18": 5, "13": 7, "14": 4, "39": 8, "27": 5, "34": 7, "35": 7, "40": 3,
    "38": 6, "26": 5, "32": 4, "33": 8,
}  # fmt: skip
_SIZE_WEIGHTS = {"large": 4, "medium": 14, "small": 46, "micro": 36}
_BRANDS = (
    "鄂钢", "华鑫", "楚天", "江南", "葛华", "鄂东", "长港", "凤凰", "吴都", "樊口", "洋澜", "红莲", "梁湖", "燕矶",
    "花湖", "杜山", "庙岭", "段店", "涂家垴", "沙窝", "蒲团", "太和", "汀祖", "泽林", "碧石", "临江", "吴楚", "明塘",
    "三江", "金港", "荆楚", "九州", "中南", "华中", "鑫达", "宏泰", "恒通", "瑞丰", "兴业", "永盛", "博远", "天成",
    "晨光", "东方", "新港", "联创", "汇智", "精工", "锐达", "同创", "安达", "和顺", "嘉诚", "昌盛", "润泽", "鼎力",
)  # fmt: skip
_TRADES = {
    "13": ("粮油", "农产品", "水产", "饲料"), "14": ("食品", "调味品", "乳业"), "15": ("饮料", "茶业", "酒业"),
    "16": ("烟草",), "17": ("纺织", "棉纺", "织造"), "18": ("服饰", "服装", "制衣"), "19": ("鞋业", "皮革"),
    "20": ("木业", "竹木"), "21": ("家具",), "22": ("纸业", "包装"), "23": ("印务", "彩印"), "24": ("文体用品", "工艺品"),
    "25": ("能源", "焦化"), "26": ("化工", "新材料", "涂料"), "27": ("制药", "生物医药", "药业"), "28": ("化纤",),
    "29": ("塑业", "橡塑"), "30": ("建材", "水泥", "金刚石工具", "超硬材料", "玻璃"), "31": ("钢铁", "特钢", "钢材"),
    "32": ("有色金属", "铝业", "铜业"), "33": ("金属制品", "五金", "金刚石锯片"), "34": ("机械", "通用设备", "泵阀"),
    "35": ("智能装备", "专用设备", "重工"), "36": ("汽车零部件", "汽配"), "37": ("船舶配件", "轨道交通设备"),
    "38": ("电气", "锂电", "新能源"), "39": ("光电子", "电子", "光电科技"), "40": ("仪器仪表", "智能仪表"),
    "41": ("制造",), "42": ("再生资源", "资源循环"), "43": ("设备维修", "机电修理"),
}  # fmt: skip
_SUFFIXES = ("有限公司", "有限责任公司", "股份有限公司", "科技有限公司", "实业有限公司")
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红"


@dataclass
class SeedSummary:
    """What seed_demo created (counts) and the demo logins."""

    enterprises_created: int = 0
    enterprises_total: int = 0
    assessments_created: int = 0
    users_created: list[str] = field(default_factory=list)
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (username, password, description)


def organization_code_check(body: str) -> str:
    """GB 11714 check character of an 8-character organization code body."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c, 36) * w for c, w in zip(body, weights, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def demo_uscc(index: int, admin_code: str) -> str:
    """A valid 统一社会信用代码 for demo enterprise number `index` (unique per index)."""
    body = f"MA{index:06d}"
    first17 = f"91{admin_code}{body}{organization_code_check(body)}"
    return first17 + stdnum_uscc.calc_check_digit(first17)


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _employees_and_band(rng: random.Random, size: str) -> tuple[int, str]:
    if size == "large":
        return rng.randint(1000, 6000), "ge40000"
    if size == "medium":
        return rng.randint(300, 999), rng.choice(("2000-10000", "2000-10000", "10000-40000"))
    if size == "small":
        return rng.randint(20, 299), rng.choice(("300-2000", "300-2000", "2000-10000"))
    if rng.random() < 0.7:
        return rng.randint(3, 19), rng.choice(("lt300", "300-2000"))
    return rng.randint(20, 80), "lt300"


def demo_enterprise_rows(count: int, seed: int) -> list[dict[str, object]]:
    """Deterministic enterprise rows for demo indexes 0..count-1 (same seed -> same rows)."""
    rng = random.Random(seed)
    now = utcnow()
    admin_codes = {d.value: d.admin_code for d in reference.DISTRICTS}
    rows: list[dict[str, object]] = []
    for index in range(count):
        district = "华容区" if index == 0 else _pick(rng, _DISTRICT_WEIGHTS)
        division = _pick(rng, _DIVISION_WEIGHTS)
        size_wanted = _pick(rng, _SIZE_WEIGHTS)
        employees, band = _employees_and_band(rng, size_wanted)
        brand = rng.choice(_BRANDS)
        trade = rng.choice(_TRADES[division])
        name = f"鄂州市{brand}{trade}{rng.choice(_SUFFIXES)}"
        rows.append(
            {
                "uscc": demo_uscc(index, admin_codes[district]),
                "name": name,
                "district": district,
                "industry_division": division,
                "employees": employees,
                "revenue_band": band,
                "size_class": reference.size_class_for_band(employees, band),
                "above_designated_size": reference.band_is_above_designated_size(band),
                "contact_name": rng.choice(_SURNAMES) + "".join(rng.choices(_GIVEN, k=rng.randint(1, 2))),
                "contact_phone": f"1{rng.choice('35789')}{rng.randint(0, 999999999):09d}",
                "status": "approved",
                "origin": "imported" if rng.random() < 0.3 else "registered",
                "approved_at": now,
                "created_at": now,
                "updated_at": now,
            }
        )
    return rows


def seed_enterprises(count: int, seed: int, progress: Progress | None = None) -> int:
    """Insert the demo enterprises that are not there yet (batch inserts); returns how many were created."""
    rows = demo_enterprise_rows(count, seed)
    existing = set(db.session.scalars(select(Enterprise.uscc)))
    missing = [row for row in rows if row["uscc"] not in existing]
    if progress:
        progress(len(rows) - len(missing))
    for start in range(0, len(missing), BATCH_SIZE):
        batch = missing[start : start + BATCH_SIZE]
        db.session.execute(insert(Enterprise), batch)
        if progress:
            progress(len(batch))
    db.session.commit()
    return len(missing)


def seed_rounds() -> list[Round]:
    """Ensure the demo rounds (2024 closed, 2025 open) exist."""
    result = [
        rounds.ensure_round(r["year"], status=r["status"], opens_on=r["opens_on"], closes_on=r["closes_on"])
        for r in DEMO_ROUNDS
    ]
    db.session.commit()
    return result


def seed_users(first_enterprise_uscc: str | None) -> list[str]:
    """Ensure the demo users exist (demo-enterprise belongs to the first demo enterprise); returns new names."""
    created: list[str] = []
    for spec in DEMO_USERS:
        username = str(spec["username"])
        if accounts.find_user(username) is not None:
            continue
        user = accounts.create_user(
            username,
            DEMO_PASSWORD,
            str(spec["role"]),
            scope=spec["scope"],
            district=spec["district"],
            is_reviewer=spec["role"] == "official",
            check_policy=False,
        )
        if spec["role"] == "enterprise" and first_enterprise_uscc:
            enterprise = db.session.scalar(select(Enterprise).where(Enterprise.uscc == first_enterprise_uscc))
            if enterprise is not None:
                accounts.add_membership(user, enterprise, status="approved", role="owner")
        created.append(username)
    db.session.commit()
    return created


def seed_assessments(seeded_rounds: Sequence[Round], seed: int, progress: Progress | None = None) -> int:
    """Hook: create scored assessments for the demo enterprises in `seeded_rounds`; returns how many were created.

    To be filled in once the questionnaire and scoring engine exist: for every approved enterprise
    without an assessment in a round, draw answers with scoring.samples.random_answers (seeded from
    `seed`, the enterprise and the round), score them with scoring.score, and batch-insert Assessment
    rows (status submitted, is_current true) plus their AssessmentDimensionScore rows.
    Implemented in portal.services.demo_assessments (calibrated levels, rounds, drafts).
    """
    from portal.services import demo_assessments

    return demo_assessments.seed_assessments(seeded_rounds, seed, progress)


def seed_demo(count: int, seed: int = 2025, progress: Progress | None = None) -> SeedSummary:
    """Seed the whole demo population; running it again adds only what is missing."""
    summary = SeedSummary()
    summary.enterprises_created = seed_enterprises(count, seed, progress)
    seeded_rounds = seed_rounds()
    first = demo_uscc(0, "420703") if count > 0 else None
    summary.users_created = seed_users(first)
    summary.assessments_created = seed_assessments(seeded_rounds, seed, progress=None)
    summary.enterprises_total = db.session.scalar(select(db.func.count()).select_from(Enterprise)) or 0
    descriptions = {
        "demo-enterprise": "enterprise user / 企业用户",
        "demo-city": "city official / 市级管理员",
        "demo-district": "district official 华容区 / 区级管理员",
        "demo-admin": "administrator / 系统管理员",
    }
    summary.logins = [
        (str(u["username"]), DEMO_PASSWORD, descriptions[str(u["username"])]) for u in DEMO_USERS
    ]
    return summary


def database_is_empty() -> bool:
    """Whether there are no users and no enterprises yet (used by `make run` to decide on seeding)."""
    has_users = db.session.scalar(select(User.id).limit(1)) is not None
    has_enterprises = db.session.scalar(select(Enterprise.id).limit(1)) is not None
    return not (has_users or has_enterprises)
