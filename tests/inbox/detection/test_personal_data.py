"""Personal data per format and country, and the numbers that only look like it."""

import time

import pytest

from inbox.detection.personal_data import compile_customer_pattern, find_personal_data, mask_personal_data
from inbox.detection.safe_regex import UnsafePattern


def kinds(text: str, **kwargs) -> list[tuple[str, str]]:
    return [(m.kind, text[m.start : m.end]) for m in find_personal_data(text, **kwargs)]


@pytest.mark.parametrize(
    ("country", "text", "number"),
    [
        ("BE mobile", "Bel me op 0470 12 34 56 aub", "0470 12 34 56"),
        ("BE mobile", "gsm: 0470/12.34.56", "0470/12.34.56"),
        ("BE mobile", "0470-123456", "0470-123456"),
        ("BE mobile", "mijn nummer is 0470123456", "0470123456"),
        ("BE mobile", "+32 470 12 34 56", "+32 470 12 34 56"),
        ("BE mobile", "+32 (0)470 12 34 56", "+32 (0)470 12 34 56"),
        ("BE mobile", "0032 470 12 34 56", "0032 470 12 34 56"),
        ("BE landline", "02 123 45 67", "02 123 45 67"),
        ("BE landline", "09/234.56.78", "09/234.56.78"),
        ("BE landline", "050 12 34 56", "050 12 34 56"),
        ("BE landline", "+32 2 123 45 67", "+32 2 123 45 67"),
        ("NL mobile", "06-12345678", "06-12345678"),
        ("NL mobile", "06 1234 5678", "06 1234 5678"),
        ("NL mobile", "+31 6 12345678", "+31 6 12345678"),
        ("NL mobile", "+31 (0)6 12345678", "+31 (0)6 12345678"),
        ("NL landline", "020-1234567", "020-1234567"),
        ("NL landline", "010 123 4567", "010 123 4567"),
        ("NL landline", "0031 20 1234567", "0031 20 1234567"),
        ("DK", "Ring til mig på 20 12 34 56", "20 12 34 56"),
        ("DK", "2012 3456", "2012 3456"),
        ("DK", "tlf 20123456", "20123456"),
        ("DK", "+45 20 12 34 56", "+45 20 12 34 56"),
        ("DK", "0045 20123456", "0045 20123456"),
        ("international", "+44 20 7946 0958", "+44 20 7946 0958"),
        ("international", "+33 6 12 34 56 78", "+33 6 12 34 56 78"),
        ("international", "call +1 (415) 555-0132", "+1 (415) 555-0132"),
    ],
)
def test_phone_numbers_are_found_in_every_format_we_serve(country, text, number):
    assert kinds(text) == [("phone", number)], country


def test_two_phone_numbers_side_by_side_are_two_matches():
    assert kinds("0470 12 34 56 - 0471 22 33 44") == [("phone", "0470 12 34 56"), ("phone", "0471 22 33 44")]


@pytest.mark.parametrize(
    "text",
    ["sofie.peeters@example.com", "Mail naar jens+webcare@telenet.be aub", "camille_dupont@mail.example.fr"],
)
def test_email_addresses_are_found(text):
    assert [kind for kind, _ in kinds(text)] == ["email"]


@pytest.mark.parametrize(
    "iban",
    ["BE68 5390 0754 7034", "be68539007547034", "NL91ABNA0417164300", "NL91 ABNA 0417 1643 00",
     "DK50 0040 0440 1162 43", "FR14 2004 1010 0505 0001 3M02 606"],
)
def test_valid_ibans_are_found(iban):
    assert kinds(f"Stort det på {iban} tak") == [("iban", iban)]


def test_an_iban_with_a_wrong_check_digit_is_not_personal_data():
    assert kinds("BE68 5390 0754 7035") == []


@pytest.mark.parametrize("number", ["85.07.30-033.28", "85073003328", "01.01.01-001.26"])
def test_belgian_national_numbers_with_a_valid_check_are_found(number):
    assert [kind for kind, _ in kinds(f"rijksregisternummer {number}")] == ["national_number"]


def test_a_belgian_national_number_with_a_wrong_check_is_not_found():
    assert kinds("85.07.30-033.29") == []


@pytest.mark.parametrize(
    "text",
    [
        "Mijn factuur is € 1.234,56",
        "49,99 euro per maand",
        "Prix : 1.299,00 €",
        "Det koster 299 kr om måneden",
        "1 234 567 euro",
        "op 12/03/2024 om 14:30",
        "op 01/02/2023 14:30 belde ik",
        "2024-03-12T14:30",
        "le 12.03.2024 à 14h30",
        "van 8u tot 17u30",
        "klokken 14.30",
        "ordernummer 123456789",
        "bestelling 0123456789",
        "commande n° 0471234567",
        "invoice 20123456",
        "Order #12345678",
        "ref 0470123456",
        "BTW BE 0123.456.789",
        "IMEI 356938035643809",
        "tracking 00340434161234567890",
        "9000 Gent",
        "1000 Brussel",
        "2100 København Ø",
        "1012 AB Amsterdam",
        "Kerkstraat 12, 9000 Gent",
        "12345678",
        "2,5 GB en 10 GB, 0,5%",
        "1.500 Mbps voor 1.000 klanten",
        "al 3 dagen, 24/7 storing",
        "versie v2.10.3",
        "@telvio_care",
    ],
)
def test_amounts_dates_times_references_and_postcodes_are_not_personal_data(text):
    assert kinds(text) == []


def test_a_brand_customer_number_pattern_finds_that_brands_numbers():
    pattern = compile_customer_pattern(r"CN-\d{8}")

    found = kinds("Mijn klantnummer is CN-12345678.", customer_patterns=[pattern])
    assert found == [("customer_number", "CN-12345678")]
    assert kinds("Mijn klantnummer is CN-12345678.") == []


def test_a_customer_number_pattern_never_matches_inside_a_longer_word():
    pattern = compile_customer_pattern(r"\d{9}")

    assert kinds("serial X123456789Y", customer_patterns=[pattern]) == []


@pytest.mark.parametrize(
    "pattern",
    [r"(\d+)+$", r"(a|aa){1,20}", r"\d*", r"(\w{1,5}){1,5}", r"(?=\d)\d{8}", r"(\d)\1",
     r"\d{1,20}\d{1,20}\d{1,20}", ""],
)
def test_a_customer_number_pattern_that_could_backtrack_or_match_anything_is_refused(pattern):
    with pytest.raises(UnsafePattern):
        compile_customer_pattern(pattern)


def test_a_validated_pattern_runs_in_linear_time_on_hostile_text():
    pattern = compile_customer_pattern(r"[A-Z]{2}\d{6,10}")
    hostile = "AB" + "1" * 100_000 + "!"

    started = time.perf_counter()
    find_personal_data(hostile, customer_patterns=[pattern])

    assert time.perf_counter() - started < 5


def test_masking_replaces_each_kind_with_its_name():
    text = "Mail sofie@example.be of bel 0470 12 34 56, IBAN BE68 5390 0754 7034, klant CN-12345678"

    masked = mask_personal_data(text, customer_patterns=[compile_customer_pattern(r"CN-\d{8}")])

    assert masked == "Mail [email] of bel [phone], IBAN [iban], klant [customer number]"
