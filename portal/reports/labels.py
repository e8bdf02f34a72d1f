"""Fixed report labels, translated through the portal's catalog (msgctxt "report"); no Flask app needed."""

from __future__ import annotations

from functools import lru_cache

from portal.i18n import normalize_lang, translator


def labels_for(lang: str) -> dict[str, str]:
    """Return every label in `lang` ("zh" or "en"; anything else falls back to Chinese)."""
    return dict(_labels(normalize_lang(lang)))


@lru_cache(maxsize=2)
def _labels(lang: str) -> dict[str, str]:
    pgettext = translator(lang).pgettext
    labels = {
        "report_title": pgettext("report", "Digital Maturity Diagnostic Report"),
        "report_subtitle": pgettext("report", "Ezhou manufacturing digital transformation self-assessment"),
        "enterprise_name": pgettext("report", "Enterprise"),
        "uscc": pgettext("report", "Unified social credit code"),
        "district": pgettext("report", "District"),
        "industry": pgettext("report", "Industry"),
        "size_class": pgettext("report", "Size class"),
        "contact": pgettext("report", "Contact"),
        "round": pgettext("report", "Assessment round"),
        "submitted_on": pgettext("report", "Submitted on"),
        "questionnaire_version": pgettext("report", "Questionnaire version"),
        "report_number": pgettext("report", "Report number"),
        "generated_on": pgettext("report", "Generated on"),
        "status": pgettext("report", "Status"),
        "unverified": pgettext("report", "Self-assessment, not verified"),
        "verified_by": pgettext("report", "Verified ({by}, {on})"),
        "verify_hint": pgettext("report", "Check this report's authenticity at:"),
        "page_of": pgettext("report", "Page {page} of {pages}"),
        "summary": pgettext("report", "1. Summary"),
        "maturity_level": pgettext("report", "Digital maturity level"),
        "band_level": pgettext("report", "Level by score band"),
        "gated_level": pgettext("report", "Level awarded (gates applied)"),
        "blocked_by": pgettext("report", "To reach level {level} you still need: "),
        "top_level": pgettext("report", "The highest level is reached."),
        "overall_index": pgettext("report", "Overall index"),
        "radar_title": pgettext("report", "Dimension scores"),
        "enterprise_series": pgettext("report", "This enterprise"),
        "peer_median": pgettext("report", "Peer median"),
        "peer_group": pgettext("report", "Peer group"),
        "peer_group_text": pgettext(
            "report",
            "{group} ({n} enterprises); overall index at percentile {percentile}",
        ),
        "no_peer_group": pgettext("report", "Fewer than 5 peer enterprises: peer data is not shown."),
        "strongest": pgettext("report", "Strongest dimensions"),
        "weakest": pgettext("report", "Weakest dimensions"),
        "plan_flags": pgettext("report", "Plan flags"),
        "yes": pgettext("report", "Yes"),
        "no": pgettext("report", "No"),
        "na": pgettext("report", "Not applicable"),
        "unanswered": pgettext("report", "Not answered"),
        "indicators": pgettext("report", "2. Key indicators"),
        "indicator": pgettext("report", "Indicator"),
        "this_enterprise": pgettext("report table", "Enterprise"),
        "city_value": pgettext("report table", "City"),
        "industry_value": pgettext("report table", "Industry"),
        "plan_target": pgettext("report", "Plan target"),
        "formula": pgettext("report", "Definition"),
        "suppressed_note": pgettext(
            "report",
            "“—” means no data, or fewer than 5 enterprises (not disclosed).",
        ),
        "measures": pgettext("report", "3. Recommended measures"),
        "do_next": pgettext("report", "Do next"),
        "all_measures": pgettext("report", "All applicable measures by dimension"),
        "see_do_next": pgettext("report", "see Do next above"),
        "no_measures": pgettext("report", "No measures apply."),
        "plan_clause": pgettext("report", "Plan clause"),
        "plan_name": pgettext("report", "Ezhou 14th Five-Year Digital Economy Plan"),
        "policy": pgettext("report", "Policy or service"),
        "why": pgettext("report", "Why"),
        "why_level": pgettext(
            "report",
            "{dimension} is at level {current}; this measure aims at level {target}",
        ),
        "priority": pgettext("report", "Priority"),
        "dimensions": pgettext("report", "4. Dimension by dimension"),
        "score": pgettext("report", "Score"),
        "level": pgettext("report", "Level"),
        "weight": pgettext("report", "Weight"),
        "earned": pgettext("report", "Points earned"),
        "lost": pgettext("report", "Points lost"),
        "na_items": pgettext("report", "Not applicable (not counted)"),
        "points": pgettext("report", "pts"),
        "none": pgettext("report", "None"),
        "comparison": pgettext("report", "5. Change since the previous round"),
        "previous": pgettext("report", "Previous"),
        "current": pgettext("report", "Current"),
        "change": pgettext("report", "Change"),
        "measures_done": pgettext("report", "Measures done"),
        "measures_new": pgettext("report", "New measures"),
        "free_text": pgettext("report", "Notes from the enterprise"),
        "methodology": pgettext("report", "Appendix: methodology"),
        "method_dimensions": pgettext("report", "Dimensions and weights"),
        "method_levels": pgettext("report", "Level bands and gates"),
        "min_score": pgettext("report", "Minimum index"),
        "gates": pgettext("report", "Gates"),
        "method_scoring": pgettext(
            "report",
            "Each scored question earns a share (0-1) of its points from the answer given; "
            "'not applicable' leaves the question out of the denominator. Dimension score = "
            "100 × points earned / points possible; the overall index is the weighted mean of "
            "the dimension scores. The level follows the index band, then the gates of every "
            "level up to it must hold (lower levels first).",
        ),
        "data_sources": pgettext("report", "Data sources"),
        "data_sources_text": pgettext(
            "report",
            "The enterprise's own answers (questionnaire {questionnaire} {version}); scoring "
            "engine {engine}; peer data from assessments submitted in the city, groups under "
            "5 enterprises not disclosed; targets from the Ezhou 14th Five-Year Digital "
            "Economy Plan.",
        ),
        "disclaimer": pgettext("report", "Disclaimer"),
        "disclaimer_text": pgettext(
            "report",
            "This report is generated automatically from the enterprise's own answers. It "
            "helps the enterprise understand its digital maturity and plan improvements; it "
            "is not a certification. An unverified report cannot be used in applications.",
        ),
        "signature": pgettext("report", "Signature and seal"),
        "enterprise_seal": pgettext("report", "Enterprise (seal)"),
        "reviewer_seal": pgettext("report", "Reviewing office (seal)"),
        "signatory": pgettext("report", "Signed:"),
        "date": pgettext("report", "Date:"),
        "not_yet_verified": pgettext("report", "(not yet verified)"),
        "contents_note": pgettext(
            "report",
            "Contents: summary, key indicators, recommended measures, dimensions, methodology, signatures.",
        ),
    }
    # "Level {n}" / "{n}级": the macros print a prefix and a suffix around the number.
    level_prefix, _, level_suffix = pgettext("report", "Level {n}").partition("{n}")
    labels["level_prefix"] = level_prefix
    labels["level_suffix"] = level_suffix
    labels["priority_names"] = "|".join(
        (
            pgettext("report", "normal"),
            pgettext("report", "high"),
            pgettext("report", "urgent"),
        )
    )
    return labels
