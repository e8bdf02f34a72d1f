"""import-enterprises: English/Chinese headers, CSV/XLSX, rejected rows reported, malformed files import nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from portal.cli_data import register
from portal.extensions import db
from portal.models import Enterprise
from portal.services import imports
from tests.factories import EnterpriseFactory

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Enterprise)) or 0


def _get(uscc: str) -> Enterprise:
    return db.session.scalars(select(Enterprise).where(Enterprise.uscc == uscc)).one()


def test_good_csv_with_english_header_imports_every_row(app):
    register(app)
    result = app.test_cli_runner().invoke(args=["import-enterprises", str(FIXTURES / "enterprises_en.csv")])
    assert result.exit_code == 0, result.output
    assert "3 created, 0 updated, 0 unchanged, 0 rejected" in result.output
    with app.app_context():
        steel = _get("91420703MA8000028M")
        assert (steel.name, steel.district, steel.industry_division) == (
            "鄂州市鄂东钢材有限公司",
            "鄂城区",
            "31",
        )
        assert (steel.size_class, steel.above_designated_size, steel.employees) == ("large", True, 1500)
        assert (steel.origin, steel.status) == ("imported", "approved")


def test_reimport_is_idempotent(app):
    with app.app_context():
        first = imports.import_enterprises_file(FIXTURES / "enterprises_en.csv")
        total = _count()
        again = imports.import_enterprises_file(FIXTURES / "enterprises_en.csv")
        assert (first.created, again.created, again.updated, again.unchanged) == (3, 0, 0, 3)
        assert _count() == total


def test_chinese_header_and_bad_rows_are_reported_with_row_numbers(app):
    register(app)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import-enterprises", str(FIXTURES / "enterprises_zh_with_errors.csv")])
    assert result.exit_code == 3, result.output
    assert "2 created, 0 updated, 0 unchanged, 3 rejected" in result.output
    assert "row 3: invalid USCC '91420704MA80000950'" in result.output
    assert "row 5: USCC 91420703MA80000526 already appears in row 4" in result.output
    assert "row 6: industry '51' is not a manufacturing division" in result.output
    with app.app_context():
        farm = _get("91420703MA8000044B")
        assert (farm.district, farm.industry_division, farm.size_class) == ("梁子湖区", "13", "small")
        assert farm.above_designated_size is True
        assert _get("91420703MA80000526").above_designated_size is False
        assert db.session.scalar(select(Enterprise).where(Enterprise.uscc == "91420704MA80000950")) is None


@pytest.mark.parametrize(
    ("name", "message"),
    [("missing_column.csv", "district/所属区"), ("not_utf8.csv", "not UTF-8")],
)
def test_malformed_file_imports_nothing(app, name, message):
    register(app)
    with app.app_context():
        before = _count()
    result = app.test_cli_runner().invoke(args=["import-enterprises", str(FIXTURES / name)])
    assert result.exit_code == 1
    assert "Nothing imported" in result.output and message in result.output
    with app.app_context():
        assert _count() == before


def test_xlsx_with_chinese_header(app, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["统一社会信用代码", "企业名称", "所属区", "行业代码", "企业规模", "是否规上", "从业人数"])
    sheet.append(["91420703MA800001XM", "鄂州市华容精工机械有限公司", "华容区", "C34", "中型", "是", 320])
    sheet.append(["91420703MA8000028M", "鄂州市鄂东钢材有限公司", "鄂城区", 31, "大型", "否", 1500.0])
    path = tmp_path / "规上企业名单.xlsx"
    workbook.save(path)
    with app.app_context():
        report = imports.import_enterprises_file(path)
        assert (report.created, report.rejected) == (2, [])
        steel = _get("91420703MA8000028M")
        assert (steel.industry_division, steel.size_class, steel.employees) == ("31", "large", 1500)
        assert steel.above_designated_size is False


def test_broken_xlsx_imports_nothing(app, tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not a workbook")
    with app.app_context():
        with pytest.raises(imports.ImportFileError, match="XLSX"):
            imports.import_enterprises_file(path)


def test_existing_registered_enterprise_is_updated_only_in_imported_fields(app):
    with app.app_context():
        registered = EnterpriseFactory(
            uscc="91420703MA800001XM",
            name="旧名称有限公司",
            industry_division="35",
            contact_name="李娜",
            revenue_band="2000-10000",
            status="pending",
        )
        db.session.commit()
        report = imports.import_enterprises_file(FIXTURES / "enterprises_en.csv")
        assert (report.created, report.updated) == (2, 1)
        db.session.expire_all()
        updated = _get("91420703MA800001XM")
        assert (updated.name, updated.industry_division, updated.employees) == (
            "鄂州市华容精工机械有限公司",
            "34",
            320,
        )
        assert (updated.origin, updated.status, updated.contact_name, updated.revenue_band) == (
            "registered",
            "pending",
            "李娜",
            "2000-10000",
        )
        assert updated.id == registered.id
