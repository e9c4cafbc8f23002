"""Precision and recall of the abuse classifier on a labelled corpus (JSON lines).

Used by the corpus tests and by ``manage.py abuse_report``, so an admin who adds
terms can measure them against their own labelled posts.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from inbox.detection.abuse import CLASSES, Verdict


@dataclass(frozen=True)
class Sample:
    id: str
    lang: str
    labels: frozenset[str]
    tags: frozenset[str]
    text: str


def load_corpus(*paths: Path) -> list[Sample]:
    samples = []
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            row = json.loads(line)
            unknown = set(row["labels"]) - set(CLASSES)
            if unknown:
                raise ValueError(f"{path}:{number}: unknown labels {sorted(unknown)}")
            samples.append(
                Sample(row["id"], row["lang"], frozenset(row["labels"]), frozenset(row.get("tags", ())), row["text"])
            )
    return samples


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    support: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass
class Report:
    scores: dict[tuple[str, str], Score] = field(default_factory=dict)  # (class or "any", language or "all")
    errors: list[tuple[Sample, frozenset[str]]] = field(default_factory=list)

    def score(self, label: str, lang: str = "all") -> Score:
        return self.scores.setdefault((label, lang), Score())

    def table(self) -> str:
        languages = [*sorted({lang for _label, lang in self.scores if lang != "all"}), "all"]
        lines = ["| class | language | support | precision | recall |", "|---|---|---|---|---|"]
        for label in (*CLASSES, "any"):
            for lang in languages:
                s = self.score(label, lang)
                lines.append(f"| {label} | {lang} | {s.support} | {s.precision:.2f} | {s.recall:.2f} |")
        return "\n".join(lines)


def evaluate(samples: Iterable[Sample], classify: Callable[[str, str], Verdict]) -> Report:
    """Score ``classify(text, language)`` per class and language; "any" is abusive or not."""
    report = Report()
    for sample in samples:
        predicted = classify(sample.text, sample.lang).labels
        if predicted != sample.labels:
            report.errors.append((sample, predicted))
        for label in (*CLASSES, "any"):
            truth = bool(sample.labels) if label == "any" else label in sample.labels
            guess = bool(predicted) if label == "any" else label in predicted
            for lang in (sample.lang, "all"):
                score = report.score(label, lang)
                score.support += truth
                score.tp += truth and guess
                score.fp += guess and not truth
                score.fn += truth and not guess
    return report
