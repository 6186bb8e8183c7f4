"""The assistant's question set (`data/questions.json`, written for this project): top-1 and top-3 accuracy.

Each question lists the procedure codes that answer it; a question counts at top-k when one of them is among
the first k matches the assistant offers.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

from .answers import answer

QUESTIONS_FILE = Path(__file__).parent / "data" / "questions.json"


@dataclass
class Report:
    total: int = 0
    top1: int = 0
    top3: int = 0
    misses: list[tuple[str, list[str], list[str]]] = field(default_factory=list)

    def rate(self, hits: int) -> float:
        return hits / self.total if self.total else 0.0

    def __str__(self) -> str:
        lines = [f"{self.total} questions: top-1 {self.rate(self.top1):.1%}, top-3 {self.rate(self.top3):.1%}"]
        lines += [f"  miss: {q!r} expected {exp}, got {got}" for q, exp, got in self.misses]
        return "\n".join(lines)


def load_questions(path: Path = QUESTIONS_FILE) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))


def evaluate(questions: list[dict], ask=None) -> Report:
    """`ask(question) -> [codes]` defaults to the assistant's matches."""
    ask = ask or (lambda q: [m.code for m in answer(q).matches])
    report = Report()
    for item in questions:
        got = ask(item["q"])
        report.total += 1
        report.top1 += bool(got[:1]) and got[0] in item["codes"]
        if set(got[:3]) & set(item["codes"]):
            report.top3 += 1
        else:
            report.misses.append((item["q"], item["codes"], got[:3]))
    return report
