"""Print the plan-clause traceability table (clause -> questions -> flags -> measures) as Markdown.

Usage: python tools/traceability.py [QUESTIONNAIRE_ID] [--version V] [--root DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import questionnaires  # noqa: E402


def render_table(rows: list[questionnaires.TraceRow]) -> str:
    """Render traceability rows as a Markdown table."""
    lines = ["| Clause | Heading | Questions | Flags | Measures |", "|---|---|---|---|---|"]
    for row in rows:
        cells = [
            row.clause_id,
            row.heading,
            *(", ".join(ids) or "—" for ids in (row.question_ids, row.flag_ids, row.measure_ids)),
        ]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("questionnaire", nargs="?", default="ezhou-dmi")
    parser.add_argument("--version", help="questionnaire version (default: newest)")
    parser.add_argument("--root", type=Path, default=None, help="questionnaires folder")
    args = parser.parse_args(argv)
    if args.version:
        questionnaire = questionnaires.load(args.questionnaire, args.version, root=args.root)
    else:
        questionnaire = questionnaires.current(args.questionnaire, root=args.root)
    catalogue = None
    if questionnaires.catalogue_versions(args.questionnaire, root=args.root):
        catalogue = questionnaires.current_catalogue(args.questionnaire, root=args.root)
    print(render_table(questionnaires.traceability(questionnaire, catalogue)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
