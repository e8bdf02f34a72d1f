"""Maintained aggregates: after a random sequence of submissions, verifications (with corrections),
returns, moves between groups and a rescore, the maintained tables equal a rebuild from scratch, and
the dashboard and the peer benchmark show exactly what the stored rows say."""

from __future__ import annotations

import random
import statistics

import sqlalchemy as sa

import questionnaires
import scoring
from portal.extensions import db
from portal.models import Assessment, Enterprise
from portal.models_aggregates import aggregate_totals, dimension_totals, score_histogram
from portal.services import aggregates, assessments, benchmarks, results, review, stats
from tests.factories import EnterpriseFactory, RoundFactory, enterprise_user, official

DISTRICTS = ("鄂城区", "华容区", "梁子湖区")
DIVISIONS = ("31", "34", "35", "13")


def _tables() -> dict[str, set[tuple]]:
    """Every non-zero row of the three maintained tables."""
    found = {}
    for table, measure in ((score_histogram, "count"), (aggregate_totals, "n"), (dimension_totals, "n")):
        rows = db.session.execute(sa.select(table).where(table.c[measure] != 0)).all()
        found[table.name] = {tuple(row) for row in rows}
    return found


def _draft(enterprise: Enterprise, round_, rng: random.Random) -> Assessment:
    questionnaire_id, version, catalogue_version = results.published_versions()
    questionnaire = questionnaires.load(questionnaire_id, version)
    answers = scoring.random_answers(
        questionnaire, rng, quality=rng.uniform(0.1, 0.9), context=results.scoring_context(enterprise)
    )
    assessment = Assessment(
        enterprise=enterprise,
        round=round_,
        questionnaire_id=questionnaire_id,
        questionnaire_version=version,
        catalogue_version=catalogue_version,
        answers=answers,
    )
    db.session.add(assessment)
    db.session.commit()
    return assessment


def _flip_a_yes_no(assessment: Assessment, reviewer) -> None:
    questionnaire = questionnaires.load(assessment.questionnaire_id, assessment.questionnaire_version)
    for question in questionnaire.questions:
        value = (assessment.answers or {}).get(question.id)
        if isinstance(value, bool):
            review.correct_answer(assessment, reviewer, question.id, not value, "现场核实")
            return


def test_maintained_aggregates_equal_a_rebuild_after_random_operations(app):
    rng = random.Random(7)
    with app.app_context():
        round_ = RoundFactory(year=2095)
        reviewer = official(None, is_reviewer=True)
        enterprises = [
            EnterpriseFactory(district=DISTRICTS[i % 3], industry_division=DIVISIONS[i % 4])
            for i in range(14)
        ]
        users = {enterprise.id: enterprise_user(enterprise) for enterprise in enterprises}
        drafts = {enterprise.id: _draft(enterprise, round_, rng) for enterprise in enterprises}
        aggregates.ensure_rounds([round_.id])  # built (empty) and maintained from now on
        for step in range(40):
            enterprise = rng.choice(enterprises)
            assessment = db.session.get(Assessment, drafts[enterprise.id].id)
            if assessment.status in ("draft", "returned"):
                if assessment.status == "returned" and rng.random() < 0.5:
                    # The profile changed meanwhile: the resubmission moves to other groups.
                    enterprise.district = rng.choice(DISTRICTS)
                    enterprise.industry_division = rng.choice(DIVISIONS)
                    db.session.commit()
                assessments.submit(assessment, users[enterprise.id])
            elif assessment.status == "submitted":
                choice = rng.random()
                if choice < 0.4:
                    if rng.random() < 0.5:
                        _flip_a_yes_no(assessment, reviewer)
                    review.verify(assessment, reviewer, "ok")
                else:
                    review.return_to_enterprise(assessment, reviewer, f"请补充 {step}")
        maintained = _tables()
        aggregates.rebuild_aggregates(round_.id)
        assert maintained == _tables()
        # An engine change: stored results of submitted assessments no longer match (written behind the
        # services' back, then rebuilt), and rescore brings them back through the maintained path.
        submitted = db.session.scalars(sa.select(Assessment).where(Assessment.status == "submitted")).all()
        assert submitted, "the sequence leaves some submitted assessments"
        for assessment in submitted:
            assessment.overall_score = 1.0
            assessment.result_hash = "stale"
        db.session.commit()
        aggregates.rebuild_aggregates(round_.id)
        db.session.commit()
        report = results.rescore(workers=1)
        assert report.changed == len(submitted)

        maintained = _tables()
        aggregates.rebuild_aggregates(round_.id)
        rebuilt = _tables()
        assert maintained == rebuilt
        statuses = {a.status for a in db.session.scalars(sa.select(Assessment))}
        assert {"submitted", "verified", "returned"} <= statuses


def test_dashboard_and_peer_benchmark_follow_one_more_submission_exactly(app):
    rng = random.Random(11)
    with app.app_context():
        round_ = RoundFactory(year=2096)
        enterprises = [EnterpriseFactory(district="华容区", industry_division="31") for _ in range(8)]
        drafts = [_draft(enterprise, round_, rng) for enterprise in enterprises]
        for enterprise, draft in zip(enterprises[:-1], drafts[:-1], strict=True):
            assessments.submit(draft, enterprise_user(enterprise))
        filters = stats.Filters(round_year=2096, round_id=round_.id)
        before = stats.dashboard(filters)
        last = drafts[-1]
        assessments.submit(last, enterprise_user(enterprises[-1]))
        after = stats.dashboard(filters)

        current = db.session.scalars(
            sa.select(Assessment).where(Assessment.round_id == round_.id, Assessment.is_current.is_(True))
        ).all()
        scores = [a.overall_score for a in current]
        assert after["counts"]["submitted"] == before["counts"]["submitted"] + 1 == len(current)
        assert after["mean_score"] == round(statistics.fmean(scores), 1)
        assert after["median_score"] == round(statistics.median(scores), 1)
        level = str(db.session.get(Assessment, last.id).gated_level)
        assert after["levels"][level] == before["levels"][level] + 1

        peer = benchmarks.peer_benchmark(db.session.get(Assessment, last.id))
        assert peer["industry"]["n"] == len(scores)
        assert peer["industry"]["median"] == round(statistics.median(scores), 1)
        assert peer["industry"]["mean"] == round(statistics.fmean(scores), 1)


def test_seeding_adds_its_results_to_the_aggregates_exactly(app):
    from portal.services import demo, demo_assessments

    with app.app_context():
        demo.seed_enterprises(60, 2025)
        rounds = demo.seed_rounds()
        # One round built before: the seeder adds its results to the maintained tables.
        aggregates.ensure_rounds([rounds[0].id])
        demo_assessments.seed_assessments(rounds, 2025, workers=1)
        demo.seed_enterprises(90, 2025)  # a second run adds enterprises to rounds that have results now
        assert demo_assessments.seed_assessments(rounds, 2025, workers=1) > 0
        maintained = _tables()
        assert maintained["aggregate_totals"], "the seeded results are in the totals"
        aggregates.rebuild_aggregates()
        assert maintained == _tables()
