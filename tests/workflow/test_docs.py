"""The front-end guide states the workflow's rules as the code holds them."""

from __future__ import annotations

from pathlib import Path

from citybrain.workflow import RULES
from tests.workflow.documents import MUTATIONS

GUIDE = Path(__file__).parent.parent.parent / "docs" / "workflow.md"


def test_the_guide_lists_every_rule_and_no_other() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    rows = {
        f"| {r.action.value} | {', '.join(sorted(x.value for x in r.roles))} | "
        f"{' '.join(sorted(r.sources)) or '(new event)'} | {r.target} | {r.reach.value} |"
        for r in RULES
    }
    table = {line for line in text.splitlines() if line.startswith("| ") and "| region |" in line}
    table |= {line for line in text.splitlines() if line.endswith("| whistled department |")}
    assert table == rows


def test_the_guide_names_every_mutation() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    for action, (name, _) in MUTATIONS.items():
        assert f"| `{name}` | {action} " in text
