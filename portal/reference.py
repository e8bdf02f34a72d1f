"""The one place that knows Ezhou's districts, GB/T 4754-2017 divisions, size classes and the 规上 rule."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class District:
    """An administrative unit addressed by the plan; `value` (Chinese name) is what gets stored."""

    value: str
    en: str
    admin_code: str  # GB/T 2260 code used in the USCC's region segment
    aliases: tuple[str, ...] = ()


DISTRICTS: tuple[District, ...] = (
    District("鄂城区", "Echeng District", "420704"),
    District("华容区", "Huarong District", "420703"),
    District("梁子湖区", "Liangzihu District", "420702"),
    District("葛店经开区", "Gedian Economic & Technological Development Zone", "420700", ("葛店开发区",)),
    District("临空经济区", "Linkong Economic Zone", "420700", ("临空经济示范区",)),
)
DISTRICT_VALUES: tuple[str, ...] = tuple(d.value for d in DISTRICTS)


def normalize_district(name: str | None) -> str | None:
    """Return the stored district value for a Chinese name, alias or English name; None if unknown."""
    if not name:
        return None
    cleaned = name.strip()
    for district in DISTRICTS:
        if (
            cleaned in (district.value, district.en, *district.aliases)
            or cleaned.lower() == district.en.lower()
        ):
            return district.value
    return None


def district_label(value: str | None, locale: str = "zh") -> str:
    """Display name of a stored district value in the given UI language."""
    for district in DISTRICTS:
        if district.value == value:
            return district.en if locale == "en" else district.value
    return value or ""


# GB/T 4754-2017 section C (manufacturing), divisions 13-43: code -> (zh, en).
INDUSTRY_DIVISIONS: dict[str, tuple[str, str]] = {
    "13": ("农副食品加工业", "Agricultural and sideline food processing"),
    "14": ("食品制造业", "Food manufacturing"),
    "15": ("酒、饮料和精制茶制造业", "Liquor, beverages and refined tea"),
    "16": ("烟草制品业", "Tobacco products"),
    "17": ("纺织业", "Textiles"),
    "18": ("纺织服装、服饰业", "Textile garments and apparel"),
    "19": ("皮革、毛皮、羽毛及其制品和制鞋业", "Leather, fur, feather products and footwear"),
    "20": (
        "木材加工和木、竹、藤、棕、草制品业",
        "Wood processing; wood, bamboo, rattan, palm and straw products",
    ),
    "21": ("家具制造业", "Furniture"),
    "22": ("造纸和纸制品业", "Paper and paper products"),
    "23": ("印刷和记录媒介复制业", "Printing and reproduction of recording media"),
    "24": (
        "文教、工美、体育和娱乐用品制造业",
        "Cultural, educational, arts and crafts, sports and entertainment goods",
    ),
    "25": ("石油、煤炭及其他燃料加工业", "Petroleum, coal and other fuel processing"),
    "26": ("化学原料和化学制品制造业", "Chemical raw materials and chemical products"),
    "27": ("医药制造业", "Pharmaceuticals"),
    "28": ("化学纤维制造业", "Chemical fibres"),
    "29": ("橡胶和塑料制品业", "Rubber and plastic products"),
    "30": ("非金属矿物制品业", "Non-metallic mineral products"),
    "31": ("黑色金属冶炼和压延加工业", "Ferrous metal smelting and rolling"),
    "32": ("有色金属冶炼和压延加工业", "Non-ferrous metal smelting and rolling"),
    "33": ("金属制品业", "Metal products"),
    "34": ("通用设备制造业", "General-purpose machinery"),
    "35": ("专用设备制造业", "Special-purpose machinery"),
    "36": ("汽车制造业", "Automobiles"),
    "37": (
        "铁路、船舶、航空航天和其他运输设备制造业",
        "Railway, ships, aerospace and other transport equipment",
    ),
    "38": ("电气机械和器材制造业", "Electrical machinery and equipment"),
    "39": ("计算机、通信和其他电子设备制造业", "Computers, communication and other electronic equipment"),
    "40": ("仪器仪表制造业", "Instruments and meters"),
    "41": ("其他制造业", "Other manufacturing"),
    "42": ("废弃资源综合利用业", "Comprehensive use of waste resources"),
    "43": ("金属制品、机械和设备修理业", "Repair of metal products, machinery and equipment"),
}


def normalize_division(code: str | int | None) -> str | None:
    """Return the two-digit division ("31") for "31", "C31", "c 31" or 31; None if not 13-43."""
    if code is None:
        return None
    cleaned = str(code).strip().upper().replace(" ", "")
    if cleaned.startswith("C"):
        cleaned = cleaned[1:]
    cleaned = cleaned[:2] if len(cleaned) >= 2 and cleaned[:2].isdigit() else cleaned
    return cleaned if cleaned in INDUSTRY_DIVISIONS else None


def division_label(code: str | None, locale: str = "zh") -> str:
    """ "C31 黑色金属冶炼和压延加工业" style label in the given UI language."""
    if code not in INDUSTRY_DIVISIONS:
        return code or ""
    zh, en = INDUSTRY_DIVISIONS[code]
    return f"C{code} {en if locale == 'en' else zh}"


# The plan's key industries, mapped to the divisions they mostly fall into.
KEY_INDUSTRIES: dict[str, tuple[str, ...]] = {
    "钢铁": ("31",),
    "建材": ("30",),
    "纺织服装": ("17", "18"),
    "农产品加工": ("13", "14"),
    "光电子信息": ("39",),
    "生物医药": ("27",),
    "智能制造/高端装备": ("34", "35", "40"),
    "新能源新材料": ("38", "26", "32"),
    "金刚石工具": ("30", "33"),
}

# Size classes (统计上大中小微型企业划分办法 2017, industry).
SIZE_CLASSES: tuple[str, ...] = ("large", "medium", "small", "micro")
SIZE_CLASS_LABELS: dict[str, tuple[str, str]] = {
    "large": ("大型", "Large"),
    "medium": ("中型", "Medium"),
    "small": ("小型", "Small"),
    "micro": ("微型", "Micro"),
}
# (size class, minimum employees, minimum revenue in 万元): both minima must be met, otherwise one class down.
_SIZE_THRESHOLDS: tuple[tuple[str, int, float], ...] = (
    ("large", 1000, 40000),
    ("medium", 300, 2000),
    ("small", 20, 300),
)

ABOVE_DESIGNATED_SIZE_REVENUE_WAN = 2000  # 规上: annual main-business revenue >= 2000万元


def size_class(employees: int, revenue_wan: float) -> str:
    """Size class by the 2017 industry rules from employees and annual revenue (万元)."""
    for name, min_employees, min_revenue in _SIZE_THRESHOLDS:
        if employees >= min_employees and revenue_wan >= min_revenue:
            return name
    return "micro"


def normalize_size_class(value: str | None) -> str | None:
    """Return "large".."micro" for an English or Chinese size-class name; None if unknown."""
    if not value:
        return None
    cleaned = value.strip().lower()
    for key, (zh, en) in SIZE_CLASS_LABELS.items():
        if cleaned in (key, zh, en.lower(), zh.rstrip("型")):
            return key
    return None


def size_class_label(value: str | None, locale: str = "zh") -> str:
    """Display name of a size class in the given UI language."""
    if value not in SIZE_CLASS_LABELS:
        return value or ""
    zh, en = SIZE_CLASS_LABELS[value]
    return en if locale == "en" else zh


def is_above_designated_size(revenue_wan: float) -> bool:
    """The 规上 rule: annual main-business revenue of at least 2000万元."""
    return revenue_wan >= ABOVE_DESIGNATED_SIZE_REVENUE_WAN


@dataclass(frozen=True)
class RevenueBand:
    """An annual-revenue band asked at registration; bounds in 万元 (upper bound exclusive)."""

    key: str
    lower_wan: float
    upper_wan: float | None
    zh: str
    en: str


# Band edges coincide with the size-class and 规上 thresholds, so the band decides them exactly.
REVENUE_BANDS: tuple[RevenueBand, ...] = (
    RevenueBand("lt300", 0, 300, "300万元以下", "below CNY 3 million"),
    RevenueBand("300-2000", 300, 2000, "300万–2000万元", "CNY 3–20 million"),
    RevenueBand("2000-10000", 2000, 10000, "2000万–1亿元", "CNY 20–100 million"),
    RevenueBand("10000-40000", 10000, 40000, "1亿–4亿元", "CNY 100–400 million"),
    RevenueBand("ge40000", 40000, None, "4亿元及以上", "CNY 400 million and above"),
)
REVENUE_BAND_KEYS: tuple[str, ...] = tuple(b.key for b in REVENUE_BANDS)


def revenue_band(key: str) -> RevenueBand:
    """Look a revenue band up by key (KeyError if unknown)."""
    for band in REVENUE_BANDS:
        if band.key == key:
            return band
    raise KeyError(key)


def band_for_revenue(revenue_wan: float) -> str:
    """The revenue band key a revenue (万元) falls into."""
    for band in REVENUE_BANDS:
        if band.upper_wan is None or revenue_wan < band.upper_wan:
            return band.key
    return REVENUE_BANDS[-1].key


def size_class_for_band(employees: int, band_key: str) -> str:
    """Size class from employees and a revenue band (its lower bound decides, as the edges are thresholds)."""
    return size_class(employees, revenue_band(band_key).lower_wan)


def band_is_above_designated_size(band_key: str) -> bool:
    """Whether every revenue in the band meets the 规上 threshold."""
    return is_above_designated_size(revenue_band(band_key).lower_wan)
