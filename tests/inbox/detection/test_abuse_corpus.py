"""The classifier against the labelled corpus (tests/fixtures/abuse, see its README).

The held-out part was written before the lexicon and never tuned on; the bars
below are what the report states. Precision and recall per class and language:
``python manage.py abuse_report tests/fixtures/abuse/*.jsonl``.
"""

from pathlib import Path

import pytest

from inbox.detection.abuse import classify_abuse
from inbox.detection.evaluation import Report, evaluate, load_corpus

CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "abuse"
TUNING = load_corpus(CORPUS / "tuning.jsonl")
HELDOUT = load_corpus(CORPUS / "heldout.jsonl")


def run(samples) -> Report:
    return evaluate(samples, lambda text, language: classify_abuse(text, language=language))


@pytest.fixture(scope="module")
def everything() -> Report:
    return run(TUNING + HELDOUT)


@pytest.fixture(scope="module")
def heldout() -> Report:
    return run(HELDOUT)


def test_the_corpus_has_at_least_400_posts_in_each_of_the_four_languages_with_hard_negatives():
    samples = TUNING + HELDOUT
    assert len(samples) >= 400
    assert len({sample.id for sample in samples}) == len(samples)
    for language in ("nl", "fr", "en", "da"):
        in_language = [s for s in samples if s.lang == language]
        assert len(in_language) >= 100
        assert sum("hard_negative" in s.tags for s in in_language) >= 20
        assert {label for s in in_language for label in s.labels} == {"threat", "hate", "insult"}


def test_threats_are_found_with_recall_095_and_precision_09(everything):
    threat = everything.score("threat")
    assert threat.recall >= 0.95
    assert threat.precision >= 0.9


def test_threats_in_the_held_out_part_are_found_with_recall_09_and_precision_09(heldout):
    threat = heldout.score("threat")
    assert threat.recall >= 0.9
    assert threat.precision >= 0.9


@pytest.mark.parametrize(
    ("label", "precision", "recall"), [("hate", 0.9, 0.85), ("insult", 0.9, 0.9), ("any", 0.95, 0.9)]
)
def test_hate_and_insults_meet_their_bars(everything, heldout, label, precision, recall):
    for report in (everything, heldout):
        assert report.score(label).precision >= precision
        assert report.score(label).recall >= recall


def test_each_language_finds_threats_with_recall_085(everything):
    for language in ("nl", "fr", "en", "da"):
        assert everything.score("threat", language).recall >= 0.85


def test_hard_negatives_are_almost_never_flagged():
    negatives = [s for s in TUNING + HELDOUT if "hard_negative" in s.tags]
    flagged = [s.id for s in negatives if classify_abuse(s.text, language=s.lang).labels]

    assert len(flagged) <= 0.03 * len(negatives), flagged


def test_dodged_posts_are_found():
    dodged = [s for s in TUNING + HELDOUT if "dodge" in s.tags]
    missed = [s.id for s in dodged if not classify_abuse(s.text, language=s.lang).labels & s.labels]

    assert len(missed) <= 0.1 * len(dodged), missed
