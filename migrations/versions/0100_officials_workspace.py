"""officials workspace

Revision ID: 0100_officials
Revises: 0001_initial
Create Date: 2026-11-30 01:01:26.401266

"""

from datetime import date, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0100_officials"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

PLAN = "鄂州市数字经济发展规划(2022-2025年)"
SME_PILOT = "鄂州市中小企业数字化转型城市试点"
# The plan's targets as data (an admin edits them later). value None: tracked without a quantified target.
TARGETS = [
    (
        "cloud_enterprises",
        PLAN,
        "3.4.2",
        "上云企业(分层次)",
        "Cloud enterprises (by layer)",
        1000,
        "enterprises",
        "2025-12-31",
        None,
        "flag:cloud_enterprise",
        "cloud_enterprises",
        False,
    ),
    (
        "integration_demo",
        PLAN,
        "2.3.4",
        "两化融合示范企业",
        "两化融合 demonstration enterprises",
        100,
        "enterprises",
        "2025-12-31",
        75,
        "flag:integration_demo_candidate",
        "integration_demo",
        False,
    ),
    (
        "smart_factory",
        PLAN,
        "3.4.2",
        "智能工厂",
        "Smart factories",
        50,
        "enterprises",
        "2025-12-31",
        None,
        "flag:smart_factory_candidate",
        "smart_factory",
        False,
    ),
    (
        "fiveg_factory",
        PLAN,
        "3.1.1",
        "5G全连接工厂",
        "5G fully connected factories",
        None,
        "enterprises",
        "2025-12-31",
        None,
        "flag:fiveg_factory_candidate",
        "fiveg_factory",
        False,
    ),
    (
        "identifier_adopters",
        PLAN,
        "3.4.1",
        "标识解析应用企业",
        "Identifier-resolution adopters",
        None,
        "enterprises",
        "2025-12-31",
        248,
        "flag:identifier_adopter",
        "identifier_adopters",
        False,
    ),
    (
        "mlps_filed",
        PLAN,
        "3.1.5",
        "等保备案企业",
        "Enterprises with MLPS filing",
        None,
        "enterprises",
        "2025-12-31",
        None,
        "flag:mlps_filed",
        None,
        False,
    ),
    (
        "mlps_passed",
        PLAN,
        "3.1.5",
        "等保测评通过企业",
        "Enterprises that passed MLPS assessment",
        None,
        "enterprises",
        "2025-12-31",
        None,
        "flag:mlps_passed",
        None,
        False,
    ),
    (
        "ads_coverage",
        PLAN,
        "2.3.4",
        "规上企业数字化改造全覆盖",
        "All above-designated-size enterprises transformed",
        100,
        "percent",
        "2025-12-31",
        None,
        "coverage:above_designated_size",
        None,
        False,
    ),
    (
        "erp_rate",
        PLAN,
        "3.4.2",
        "ERP普及率",
        "ERP adoption rate",
        None,
        "percent",
        "2025-12-31",
        None,
        "rate:uses_erp",
        None,
        False,
    ),
    (
        "mes_rate",
        PLAN,
        "3.4.2",
        "MES普及率",
        "MES adoption rate",
        None,
        "percent",
        "2025-12-31",
        None,
        "rate:uses_mes",
        None,
        False,
    ),
    (
        "plm_rate",
        PLAN,
        "3.4.2",
        "PLM普及率",
        "PLM adoption rate",
        None,
        "percent",
        "2025-12-31",
        None,
        "rate:uses_plm",
        None,
        False,
    ),
    (
        "scm_rate",
        PLAN,
        "3.4.2",
        "SCM普及率",
        "SCM adoption rate",
        None,
        "percent",
        "2025-12-31",
        None,
        "rate:uses_scm",
        None,
        False,
    ),
    (
        "nc_rate",
        "湖北省制造业数字化转型目标",
        None,
        "关键工序数控化率(平均)",
        "Key-process NC rate (mean)",
        60,
        "percent",
        "2025-12-31",
        None,
        "mean:nc_rate",
        None,
        False,
    ),
    (
        "sme_miit_level2",
        SME_PILOT,
        None,
        "中小企业达到工信部二级及以上(估算)",
        "SMEs at MIIT level 2 or above (estimate)",
        200,
        "enterprises",
        "2026-12-31",
        None,
        "miit_level_estimate_gte:2",
        "sme_pilot_level2",
        True,
    ),
]


def _seed_targets():
    table = sa.table(
        "plan_targets",
        sa.column("key", sa.String),
        sa.column("plan", sa.String),
        sa.column("clause", sa.String),
        sa.column("name_zh", sa.String),
        sa.column("name_en", sa.String),
        sa.column("value", sa.Float),
        sa.column("unit", sa.String),
        sa.column("deadline", sa.Date),
        sa.column("baseline", sa.Float),
        sa.column("rule", sa.String),
        sa.column("recognised_list", sa.String),
        sa.column("is_estimate", sa.Boolean),
        sa.column("sort_order", sa.Integer),
        sa.column("active", sa.Boolean),
        sa.column("updated_at", sa.DateTime),
    )
    now = datetime(2025, 1, 1)
    rows = []
    for order, (
        key,
        plan,
        clause,
        zh,
        en,
        value,
        unit,
        deadline,
        baseline,
        rule,
        list_id,
        estimate,
    ) in enumerate(TARGETS):
        rows.append(
            {
                "key": key,
                "plan": plan,
                "clause": clause,
                "name_zh": zh,
                "name_en": en,
                "value": value,
                "unit": unit,
                "deadline": date.fromisoformat(deadline),
                "baseline": baseline,
                "rule": rule,
                "recognised_list": list_id,
                "is_estimate": estimate,
                "sort_order": order,
                "active": True,
                "updated_at": now,
            }
        )
    op.bulk_insert(table, rows)


def upgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table(
        "plan_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("plan", sa.String(length=200), nullable=False),
        sa.Column("clause", sa.String(length=32), nullable=True),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("baseline", sa.Float(), nullable=True),
        sa.Column("rule", sa.String(length=64), nullable=False),
        sa.Column("recognised_list", sa.String(length=64), nullable=True),
        sa.Column("is_estimate", sa.Boolean(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_targets")),
        sa.UniqueConstraint("key", name=op.f("uq_plan_targets_key")),
    )
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("result_path", sa.String(length=500), nullable=True),
        sa.Column("result_name", sa.String(length=200), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_jobs_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    op.create_table(
        "recognised_enterprises",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.String(length=64), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_recognised_enterprises_enterprise_id_enterprises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recognised_enterprises")),
        sa.UniqueConstraint(
            "list_id", "enterprise_id", name=op.f("uq_recognised_enterprises_list_id_enterprise_id")
        ),
    )
    with op.batch_alter_table("recognised_enterprises", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recognised_enterprises_enterprise_id"), ["enterprise_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_recognised_enterprises_list_id"), ["list_id"], unique=False)

    op.create_table(
        "answer_corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(length=64), nullable=False),
        sa.Column("self_reported", sa.JSON(), nullable=True),
        sa.Column("corrected", sa.JSON(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("corrected_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_answer_corrections_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["corrected_by_id"],
            ["users.id"],
            name=op.f("fk_answer_corrections_corrected_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer_corrections")),
        sa.UniqueConstraint(
            "assessment_id", "question_id", name=op.f("uq_answer_corrections_assessment_id_question_id")
        ),
    )
    with op.batch_alter_table("answer_corrections", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_answer_corrections_assessment_id"), ["assessment_id"], unique=False
        )

    op.create_table(
        "assessment_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=False),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("self_reported_score", sa.Float(), nullable=True),
        sa.Column("self_reported_level", sa.Integer(), nullable=True),
        sa.Column("reviewed_score", sa.Float(), nullable=True),
        sa.Column("reviewed_level", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_assessment_reviews_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["users.id"],
            name=op.f("fk_assessment_reviews_reviewer_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_reviews")),
    )
    with op.batch_alter_table("assessment_reviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessment_reviews_assessment_id"), ["assessment_id"], unique=False
        )

    op.create_table(
        "site_visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("people", sa.Text(), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_site_visits_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_site_visits_recorded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site_visits")),
    )
    with op.batch_alter_table("site_visits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_site_visits_assessment_id"), ["assessment_id"], unique=False)

    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assessments_current_score", ["round_id", "is_current", "overall_score"], unique=False
        )
        batch_op.create_index("ix_assessments_updated_at", ["updated_at"], unique=False)

    with op.batch_alter_table("enterprises", schema=None) as batch_op:
        batch_op.create_index(
            "ix_enterprises_stats",
            ["status", "district", "above_designated_size", "industry_division", "size_class"],
            unique=False,
        )

    # ### end Alembic commands ###
    _seed_targets()


def downgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table("enterprises", schema=None) as batch_op:
        batch_op.drop_index("ix_enterprises_stats")

    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_index("ix_assessments_updated_at")
        batch_op.drop_index("ix_assessments_current_score")

    with op.batch_alter_table("site_visits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_site_visits_assessment_id"))

    op.drop_table("site_visits")
    with op.batch_alter_table("assessment_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_reviews_assessment_id"))

    op.drop_table("assessment_reviews")
    with op.batch_alter_table("answer_corrections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_answer_corrections_assessment_id"))

    op.drop_table("answer_corrections")
    with op.batch_alter_table("recognised_enterprises", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recognised_enterprises_list_id"))
        batch_op.drop_index(batch_op.f("ix_recognised_enterprises_enterprise_id"))

    op.drop_table("recognised_enterprises")
    op.drop_table("jobs")
    op.drop_table("plan_targets")
    # ### end Alembic commands ###
