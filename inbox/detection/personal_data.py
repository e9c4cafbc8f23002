"""Personal data that must never stand in a public answer (and is flagged in public posts).

What counts: e-mail addresses; phone numbers in Belgian, Dutch, Danish and
international formats; IBANs (mod 97); Belgian national numbers (mod 97); and
each brand's own customer-number formats (admin patterns, see safe_regex).

The hard part is what must *not* count: amounts, prices, dates, times, order and
invoice numbers, postcodes. Dates, times and amounts are blanked out before
phone numbers are looked for; a digit run preceded by an order or invoice word is
not a phone number; and a bare run of eight digits is a Danish number only when
it is grouped like one or a phone word stands before it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

EMAIL, PHONE, IBAN, NATIONAL_NUMBER, CUSTOMER_NUMBER = "email", "phone", "iban", "national_number", "customer_number"


@dataclass(frozen=True, slots=True)
class PersonalDataMatch:
    kind: str  # "email" | "phone" | "iban" | "national_number" | "customer_number"
    start: int
    end: int


_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}\b", re.UNICODE)

# IBAN lengths per country (ISO 13616), for the countries customers of our brands use.
_IBAN_LENGTHS = {
    "BE": 16, "NL": 18, "DK": 18, "FR": 27, "DE": 22, "LU": 20, "GB": 22, "ES": 24, "IT": 27, "PT": 25, "AT": 20,
    "CH": 21, "IE": 22, "PL": 28, "SE": 24, "NO": 15, "FI": 18, "FO": 18, "GL": 18, "MA": 28, "TR": 26, "RO": 24,
}
_IBAN = re.compile(r"(?<![A-Z0-9])([A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,30})(?![A-Z0-9])")
_BE_NATIONAL = re.compile(r"(?<![\d.-])(\d{2})[. ]?(\d{2})[. ]?(\d{2})[-. ]?(\d{3})[-. ]?(\d{2})(?![\d])")

# Spans that look numeric but are never a phone number; blanked out before the phone search.
_DATE = re.compile(r"(?<![\d][ ./-])(?<!\d)(\d{1,2})[./-](\d{1,2})[./-](\d{4}|\d{2})(?![\d])")
_NOT_PHONE = re.compile(
    r"""
    \b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?\b  # 2024-03-12, ISO timestamps
    | \b\d{1,2}\s?(?::|[uUhH])\s?\d{2}\b                  # 14:30, 14u30, 14h30
    | (?:€|eur\b|euro\b|kr\.?|dkk|\$|£|usd)\s?\d[\d.,\s]{0,15}\d   # € 1.234,56
    | \d[\d.,\s]{0,15}\d\s?(?:€|eur\b|euro|euros|kr\b|kr\.|kroner|dkk|\$|£|%|procent|pct)  # 1 234,56 euro
    | \b\d{1,3}(?:[.,]\d{3})+,\d{1,2}\b                    # 1.234.567,89
    """,
    re.IGNORECASE | re.VERBOSE,
)
# A phone-shaped run: digits and the separators people type (one character class,
# so the search is linear); split afterwards where two numbers stand side by side.
_PHONE_CANDIDATE = re.compile(r"(?<![\w+])\+?\(?\d[\d ./()-]{5,40}\d(?!\w)")
_BETWEEN_NUMBERS = re.compile(r"\s[-/]\s|\s{2,}|\s(?=\+|00)")
_SEPARATORS = re.compile(r"[ ./()-]")
# Words before a number that make it an order, invoice or case reference, not a phone.
_REFERENCE_WORDS = re.compile(
    r"(?:order|bestelling|bestel|ordre|commande|factuur|facture|invoice|faktura|regning|referentie|référence|"
    r"reference|ref|dossier|ticket|case|zaak|sag|klacht|plainte|tracking|colis|pakket|pakke|serie|serial|"
    r"imei|contract|contrat|kontrakt|abonnement|bon|btw|tva|vat|moms|cvr|kbo|bce|ondernemingsnummer|"
    r"nr\.?\s?de\s?commande|n°|no\.|#)\W{0,3}(?:\w+\W{1,3}){0,2}$",
    re.IGNORECASE,
)
_PHONE_WORDS = re.compile(
    r"(?:tel|tél|tlf|telefoon|telefon|téléphone|telephone|phone|mobiel|mobil|mobile|gsm|portable|nummer|numéro|"
    r"number|bel|bellen|ring|ringe|call|appel|appelez|rappelez|sms|whatsapp)\W{0,3}(?:\w+\W{1,3}){0,3}$",
    re.IGNORECASE,
)


def _iban_valid(candidate: str) -> bool:
    compact = candidate.replace(" ", "")
    expected = _IBAN_LENGTHS.get(compact[:2])
    if expected is not None and len(compact) != expected:
        return False
    if expected is None and not 15 <= len(compact) <= 34:
        return False
    rearranged = compact[4:] + compact[:4]
    digits = "".join(str(int(char, 36)) for char in rearranged)
    return int(digits) % 97 == 1


def _iban_end(candidate: str) -> int | None:
    """Length of the valid IBAN at the start of ``candidate`` (which may run on into words), or None."""
    # Cut after each group of characters: "BE68 5390 0754 7034 TAK" is an IBAN and a word.
    ends = [index for index, char in enumerate(candidate) if char == " "] + [len(candidate)]
    for end in reversed(ends):
        if _iban_valid(candidate[:end]):
            return end
    return None


def _be_national_valid(match: re.Match[str]) -> bool:
    yy, mm, dd, serial, check = match.groups()
    if not (0 <= int(mm) <= 12 and 0 <= int(dd) <= 31) or serial in ("000", "999"):
        return False
    body = yy + mm + dd + serial
    return 97 - int(body) % 97 == int(check) or 97 - int("2" + body) % 97 == int(check)


def _phone_digits(candidate: str) -> tuple[str, bool]:
    """The digits a caller dials, and whether they started with an international prefix."""
    international = candidate.startswith(("+", "00"))
    body = candidate[1:] if candidate.startswith("+") else candidate[2:] if candidate.startswith("00") else candidate
    # "+32 (0)470 …": the trunk zero in brackets is not dialled from abroad.
    body = re.sub(r"\(0\)", "", body)
    return _SEPARATORS.sub("", body), international


def _is_phone(candidate: str, before: str) -> bool:
    digits, international = _phone_digits(candidate)
    if not digits.isdigit():
        return False
    if international:
        if digits.startswith("32"):
            return len(digits) in (10, 11)  # BE: 8 digits (landline) or 9 (mobile) after 32
        if digits.startswith("31"):
            return len(digits) == 11
        if digits.startswith("45"):
            return len(digits) == 10
        return 8 <= len(digits) <= 15
    if _REFERENCE_WORDS.search(before):
        return False
    if digits.startswith("0"):
        if len(digits) == 10:
            # BE mobile 04xx, NL mobile 06 and NL landlines (0xx-xxxxxxx).
            return digits[1] != "0"
        if len(digits) == 9:
            return digits[1] != "0"  # BE landline: 02, 03, 09, 0xx
        return False
    if len(digits) == 8 and digits[0] in "23456789":
        grouped = re.fullmatch(r"\d{2}([ .-]?)\d{2}\1\d{2}\1\d{2}|\d{4}[ .-]\d{4}", candidate.strip())
        return bool(grouped and (grouped.group(1) or " " in candidate or "-" in candidate or "." in candidate)) or bool(
            _PHONE_WORDS.search(before)
        )
    return False


def _blank(text: str, pattern: re.Pattern[str]) -> str:
    return pattern.sub(lambda m: " " * len(m.group()), text)


def find_personal_data(text: str, *, customer_patterns: Sequence[re.Pattern[str]] = ()) -> list[PersonalDataMatch]:
    """Every piece of personal data in ``text``, in order. ``customer_patterns``: the brand's own formats."""
    if not text:
        return []
    found: list[PersonalDataMatch] = []
    taken: list[tuple[int, int]] = []

    def add(kind: str, start: int, end: int) -> None:
        if not any(start < t_end and t_start < end for t_start, t_end in taken):
            found.append(PersonalDataMatch(kind, start, end))
            taken.append((start, end))

    for match in _EMAIL.finditer(text):
        add(EMAIL, match.start(), match.end())
    upper = text.upper()
    for match in _IBAN.finditer(upper):
        end = _iban_end(match.group(1))
        if end is not None:
            add(IBAN, match.start(1), match.start(1) + end)
    for pattern in customer_patterns:
        for match in pattern.finditer(text):
            if match.end() > match.start():
                add(CUSTOMER_NUMBER, match.start(), match.end())
    for match in _BE_NATIONAL.finditer(text):
        if _be_national_valid(match):
            add(NATIONAL_NUMBER, match.start(), match.end())
    searchable = _blank(_DATE.sub(_blank_date, text), _NOT_PHONE)
    for match in _PHONE_CANDIDATE.finditer(searchable):
        offset = match.start()
        for part in _BETWEEN_NUMBERS.split(match.group()):
            start = searchable.index(part, offset)
            offset = start + len(part)
            candidate = part.strip(" ./-")
            start += len(part) - len(part.lstrip(" ./-"))
            if candidate and _is_phone(candidate, searchable[max(0, start - 40) : start]):
                add(PHONE, start, start + len(candidate))
    return sorted(found, key=lambda m: m.start)


def _blank_date(match: re.Match[str]) -> str:
    day, month, _year = match.groups()
    if 1 <= int(day) <= 31 and 1 <= int(month) <= 12:
        return " " * len(match.group())
    return match.group()


MASKS = {
    EMAIL: "[email]",
    PHONE: "[phone]",
    IBAN: "[iban]",
    NATIONAL_NUMBER: "[national number]",
    CUSTOMER_NUMBER: "[customer number]",
}


def mask_personal_data(text: str, *, customer_patterns: Sequence[re.Pattern[str]] = ()) -> str:
    """``text`` with every piece of personal data replaced by its kind in brackets."""
    matches = find_personal_data(text, customer_patterns=customer_patterns)
    if not matches:
        return text
    parts, position = [], 0
    for match in matches:
        parts.append(text[position : match.start])
        parts.append(MASKS[match.kind])
        position = match.end
    parts.append(text[position:])
    return "".join(parts)


def compile_customer_pattern(pattern: str) -> re.Pattern[str]:
    """An admin's customer-number pattern, validated, anchored so it never matches inside a longer word."""
    from inbox.detection.safe_regex import validate_pattern

    validate_pattern(pattern)
    return re.compile(rf"(?<![A-Za-z0-9])(?:{pattern})(?![A-Za-z0-9])")
