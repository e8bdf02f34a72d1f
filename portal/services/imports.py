"""Enterprise list import (CSV or XLSX, English or Chinese header): validate every row, upsert by USCC.

Good rows are imported and bad rows are reported with their row number and reason; a malformed file
(unreadable, not UTF-8, or a required column missing) raises ImportFileError and imports nothing.
Used by `flask import-enterprises` and the admin upload page.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import select
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import ValidationError

from portal import reference
from portal.extensions import db
from portal.models import Enterprise, utcnow

# Canonical field -> accepted header names (compared case-insensitively, surrounding spaces ignored).
HEADERS: dict[str, tuple[str, ...]] = {
    "uscc": ("uscc", "统一社会信用代码"),
    "name": ("name", "企业名称"),
    "district": ("district", "所属区"),
    "industry": ("industry", "行业代码"),
    "size_class": ("size_class", "企业规模"),
    "above_designated_size": ("above_designated_size", "是否规上"),
    "employees": ("employees", "从业人数"),
}
REQUIRED = ("uscc", "name", "district", "industry")
# The fields an import may set; an existing registered enterprise keeps everything else.
IMPORTED_FIELDS = (
    "name",
    "district",
    "industry_division",
    "size_class",
    "above_designated_size",
    "employees",
)
_TRUE = {"true", "yes", "y", "1", "是", "规上"}
_FALSE = {"false", "no", "n", "0", "否", "规下"}


class ImportFileError(ValueError):
    """The file cannot be imported at all (nothing was written)."""


@dataclass(frozen=True)
class RejectedRow:
    """A row that was not imported: 1-based row number in the file (the header is row 1) and why."""

    row: int
    reason: str


@dataclass
class ImportReport:
    """The outcome of an import."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    dry_run: bool = False

    def summary(self) -> str:
        """One line for the CLI and the upload page."""
        prefix = "Dry run: " if self.dry_run else ""
        return (
            f"{prefix}{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{len(self.rejected)} rejected"
        )


def _read_csv(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(f"the file is not UTF-8 text ({error.reason} at byte {error.start})") from error
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return [row for row in csv.reader(io.StringIO(text), dialect)]
    except csv.Error as error:
        raise ImportFileError(f"the CSV cannot be parsed: {error}") from error


def _read_xlsx(data: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for a broken workbook
        raise ImportFileError(f"the XLSX workbook cannot be read: {error}") from error
    try:
        sheet = workbook.worksheets[0]
        return [["" if cell is None else cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def read_rows(data: bytes, filename: str) -> list[list[Any]]:
    """Rows of a CSV or XLSX file (chosen by extension, or by the ZIP signature of XLSX)."""
    if filename.lower().endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    if filename.lower().endswith(".xls"):
        raise ImportFileError("old .xls workbooks are not supported; save the sheet as .xlsx or CSV")
    return _read_csv(data)


def _header_map(header: Sequence[Any]) -> dict[str, int]:
    wanted = {name.lower(): key for key, names in HEADERS.items() for name in names}
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = wanted.get(str(cell).strip().lstrip("\ufeff").lower())
        if key is not None and key not in found:
            found[key] = index
    missing = [key for key in REQUIRED if key not in found]
    if missing:
        names = ", ".join(f"{HEADERS[key][0]}/{HEADERS[key][1]}" for key in missing)
        raise ImportFileError(f"required column(s) missing from the header row: {names}")
    return found


def _cell(row: Sequence[Any], columns: dict[str, int], key: str) -> str:
    index = columns.get(key)
    if index is None or index >= len(row):
        return ""
    value = row[index]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_row(row: Sequence[Any], columns: dict[str, int]) -> dict[str, Any]:
    """Validate one data row; returns the enterprise fields or raises ValueError with the reason."""
    problems: list[str] = []
    values: dict[str, Any] = {}
    raw_uscc = _cell(row, columns, "uscc")
    try:
        values["uscc"] = stdnum_uscc.validate(raw_uscc)
    except ValidationError as error:
        problems.append(f"invalid USCC {raw_uscc!r} ({error.message})" if raw_uscc else "USCC is empty")
    name = _cell(row, columns, "name")
    if not name:
        problems.append("name is empty")
    elif len(name) > 200:
        problems.append("name is longer than 200 characters")
    values["name"] = name
    district = _cell(row, columns, "district")
    values["district"] = reference.normalize_district(district)
    if values["district"] is None:
        problems.append(
            f"unknown district {district!r} (expected one of {', '.join(reference.DISTRICT_VALUES)})"
        )
    industry = _cell(row, columns, "industry")
    values["industry_division"] = reference.normalize_division(industry)
    if values["industry_division"] is None:
        problems.append(f"industry {industry!r} is not a manufacturing division C13-C43")
    if "size_class" in columns:
        size = _cell(row, columns, "size_class")
        if size:
            values["size_class"] = reference.normalize_size_class(size)
        if size and values["size_class"] is None:
            problems.append(f"unknown size class {size!r} (large/medium/small/micro or 大型/中型/小型/微型)")
    if "above_designated_size" in columns:
        flag = _cell(row, columns, "above_designated_size")
        if flag.lower() in _TRUE:
            values["above_designated_size"] = True
        elif flag.lower() in _FALSE:
            values["above_designated_size"] = False
        elif flag:
            problems.append(f"above_designated_size {flag!r} is not true/false or 是/否")
    if "employees" in columns:
        employees = _cell(row, columns, "employees").replace(",", "")
        if employees:
            if employees.isdigit():
                values["employees"] = int(employees)
            else:
                problems.append(f"employees {employees!r} is not a whole number")
    if problems:
        raise ValueError("; ".join(problems))
    return values


def import_rows(rows: Sequence[Sequence[Any]], *, dry_run: bool = False) -> ImportReport:
    """Validate and upsert parsed rows (first row = header); the caller commits (the CLI and page do)."""
    report = ImportReport(dry_run=dry_run)
    if not rows:
        raise ImportFileError("the file is empty (no header row)")
    columns = _header_map(rows[0])
    parsed: dict[str, tuple[int, dict[str, Any]]] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(str(cell).strip() for cell in row):
            continue
        try:
            values = parse_row(row, columns)
        except ValueError as error:
            report.rejected.append(RejectedRow(number, str(error)))
            continue
        if values["uscc"] in parsed:
            first = parsed[values["uscc"]][0]
            report.rejected.append(
                RejectedRow(number, f"USCC {values['uscc']} already appears in row {first}")
            )
            continue
        parsed[values["uscc"]] = (number, values)
    existing = _existing(parsed)
    now = utcnow()
    for uscc, (_, values) in parsed.items():
        enterprise = existing.get(uscc)
        fields = {key: values[key] for key in IMPORTED_FIELDS if key in values}
        if enterprise is None:
            report.created += 1
            if not dry_run:
                db.session.add(
                    Enterprise(
                        uscc=uscc,
                        status="approved",
                        origin="imported",
                        above_designated_size=fields.pop("above_designated_size", False),
                        approved_at=now,
                        **fields,
                    )
                )
            continue
        changes = {key: value for key, value in fields.items() if getattr(enterprise, key) != value}
        if not changes:
            report.unchanged += 1
            continue
        report.updated += 1
        if not dry_run:
            for key, value in changes.items():
                setattr(enterprise, key, value)
    if not dry_run:
        db.session.flush()
    return report


def _existing(parsed: dict[str, Any]) -> dict[str, Enterprise]:
    found: dict[str, Enterprise] = {}
    codes = list(parsed)
    for start in range(0, len(codes), 1000):
        for enterprise in db.session.scalars(
            select(Enterprise).where(Enterprise.uscc.in_(codes[start : start + 1000]))
        ):
            found[enterprise.uscc] = enterprise
    return found


def import_enterprises(
    stream: BinaryIO | bytes, filename: str, *, dry_run: bool = False, commit: bool = True
) -> ImportReport:
    """Read, validate and upsert an uploaded file; commits unless dry_run or commit=False."""
    data = stream if isinstance(stream, bytes) else stream.read()
    report = import_rows(read_rows(data, filename), dry_run=dry_run)
    if commit and not dry_run:
        db.session.commit()
    return report


def import_enterprises_file(path: Path | str, *, dry_run: bool = False) -> ImportReport:
    """Import a CSV or XLSX file from disk (see import_enterprises)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ImportFileError(f"cannot read {path}: {error.strerror}") from error
    return import_enterprises(data, path.name, dry_run=dry_run)


def header_names() -> Iterable[str]:
    """The accepted header names, for help texts and the upload page."""
    return (name for names in HEADERS.values() for name in names)
