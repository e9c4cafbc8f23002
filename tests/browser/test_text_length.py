"""The composer's live counter (static/js/xlength.js) counts exactly as the server does (inbox/policies.py)."""

import pytest

from inbox.policies import sign, x_weighted_length
from inbox.text import clean_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAMPLES = [
    "",
    "Hallo",
    "Sorry! We kijken het meteen na.",
    "Ελληνικά και кириллица",
    "日本語のテキスト",
    "emoji 😀👍🏽👨‍👩‍👧‍👦 and flags 🇧🇪",
    "e\u0301 composed by NFC to é",
    "Zie https://example.com/a?b=c#d en http://x.y",
    "HTTPS://EXAMPLE.COM/SHOUTING",
    "httpſ://long-s.example",  # Python and JavaScript both case-fold ſ to s
    "https://example.com\u3000after an ideographic space",
    "https://example.com\u0085after a next-line",
    "https://example.com\u001cafter a file separator",
    "https://example.com\ufeffzero-width no-break",
    "no url: https:// alone",
    "curly ‘quotes’ — dashes … and • bullets ′ primes",
    "\u2000\u200a\u200b\u200d\u2010\u201f\u2032\u2037\u2038",
    "ascii control \x07 and tab\tand newline\n",
    "Arabic العربية and Hebrew עברית",
    "a" * 300,
    "x" * 270 + "😀",
]
ANSWERS = [
    ("  Sorry!  ", "^AV"),
    ("Al ondertekend ^AV", "^AV"),
    ("\u3000\u0085 trailing python whitespace \u001f", "^LM"),
    ("\ufeffBOM is not whitespace in Python\ufeff", "^AV"),
    ("nul \x00 byte", "^AV"),
    ("", "^AV"),
    ("   ", "^AV"),
    ("no signature", ""),
    ("😀" * 5, "Mvh Lise fra kundeservice"),
]


def _server_answer_length(text: str, signature: str, weighted: bool) -> int:
    body = clean_text(text).strip()
    if not body:
        return 0
    final = sign(body, signature)
    return x_weighted_length(final) if weighted else len(final)


def test_the_browser_and_the_server_count_x_length_alike(open_page):
    page = open_page(None, "/login/").page
    page.wait_for_function("window.WebcareLength !== undefined")

    in_browser = page.evaluate("(samples) => samples.map((s) => window.WebcareLength.xWeightedLength(s))", SAMPLES)

    assert in_browser == [x_weighted_length(sample) for sample in SAMPLES]


@pytest.mark.parametrize("weighted", [True, False])
def test_the_browser_and_the_server_measure_a_signed_answer_alike(open_page, weighted):
    page = open_page(None, "/login/").page
    page.wait_for_function("window.WebcareLength !== undefined")

    in_browser = page.evaluate(
        "([answers, weighted]) => answers.map(([t, s]) => window.WebcareLength.answerLength(t, s, weighted))",
        [ANSWERS, weighted],
    )

    assert in_browser == [_server_answer_length(text, signature, weighted) for text, signature in ANSWERS]
