"""Precision and recall of the abuse classifier on labelled posts (JSON lines, see tests/fixtures/abuse)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from inbox.detection.evaluation import evaluate, load_corpus
from inbox.detection.rules import BrandDetectors


class Command(BaseCommand):
    help = "Measure the abuse classifier (with a brand's own terms, if given) against labelled posts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--brand", type=int, help="Include this brand's abuse terms.")
        parser.add_argument("--errors", action="store_true", help="List every post classified wrongly.")

    def handle(self, *args: Any, **options: Any) -> None:
        detectors = BrandDetectors(options["brand"])
        report = evaluate(load_corpus(*options["paths"]), lambda text, lang: detectors.abuse(text, language=lang))
        self.stdout.write(report.table())
        if options["errors"]:
            for sample, predicted in report.errors:
                self.stdout.write(f"{sample.id}\t{sorted(sample.labels)} -> {sorted(predicted)}\t{sample.text}")
