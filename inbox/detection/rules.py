"""Admins' additions to the detectors, loaded from the database per brand.

The built-in lexicon is compiled once per process; a brand's own terms and
customer-number patterns are a handful of rows, read once per ingest batch or
reply and compiled through a small cache keyed on their text.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils.translation import gettext as _

from inbox.detection.abuse import Rule, Verdict, builtin_classifier, compile_expression
from inbox.detection.personal_data import PersonalDataMatch, compile_customer_pattern, find_personal_data
from inbox.detection.safe_regex import UnsafePattern, validate_pattern

if TYPE_CHECKING:
    from inbox.models import AbuseTerm


def abuse_rule_for(term: AbuseTerm, *, compile_now: bool = False) -> Rule:
    """The classifier rule of an admin's term; ``compile_now`` raises ValueError when it is unusable."""
    rule = Rule(
        label=term.abuse_class,
        expression=term.expression.strip(),
        language=term.language,
        exception=term.is_exception,
        regex=term.kind == "regex",
        source=f"term:{term.pk or 'new'}",
    )
    if compile_now:
        try:
            validate_pattern(rule.expression) if rule.regex else re.compile(compile_expression(rule.expression))
        except UnsafePattern as exc:
            raise ValueError(str(exc)) from None
        except re.error as exc:
            raise ValueError(_("not a usable pattern: %(error)s") % {"error": exc}) from None
    return rule


def abuse_rules_for_brand(brand_id: int | None) -> tuple[Rule, ...]:
    from inbox.models import AbuseTerm

    terms = AbuseTerm.objects.filter(Q(brand__isnull=True) | Q(brand_id=brand_id), is_active=True).order_by("pk")
    rules = []
    for term in terms:
        try:
            rules.append(abuse_rule_for(term, compile_now=True))
        except ValueError:
            continue  # saved before validation existed, or edited in the database: skip, never crash ingest
    return tuple(rules)


@lru_cache(maxsize=64)
def _customer_patterns(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(compile_customer_pattern(pattern))
        except UnsafePattern:
            continue
    return tuple(compiled)


def customer_patterns_for_brand(brand_id: int | None) -> tuple[re.Pattern[str], ...]:
    from inbox.models import CustomerNumberPattern

    if brand_id is None:
        return ()
    rows = CustomerNumberPattern.objects.filter(brand_id=brand_id, is_active=True).order_by("pk")
    return _customer_patterns(tuple(rows.values_list("pattern", flat=True)))


class BrandDetectors:
    """The detectors as one brand configured them; build once per batch."""

    def __init__(self, brand_id: int | None) -> None:
        self.customer_patterns = customer_patterns_for_brand(brand_id)
        self._classifier = builtin_classifier().extended(abuse_rules_for_brand(brand_id))

    def personal_data(self, text: str) -> list[PersonalDataMatch]:
        return find_personal_data(text, customer_patterns=self.customer_patterns)

    def abuse(self, text: str, *, language: str = "") -> Verdict:
        return self._classifier.classify(text, language=language)
