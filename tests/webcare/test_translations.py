"""The Dutch, French and Danish catalogues: complete, placeholder-true, and what agents really see.

The catalogues are parsed here rather than through a library: the format is small, and the
checks must see exactly what is in the file (fuzzy flags, empty plural forms).
"""

from __future__ import annotations

import ast
import re
import shutil
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from inbox.services import mentions as mention_services
from inbox.templatetags.inbox_tags import state_label
from tests.factories import mention_for
from tests.inbox.conftest import agent, brand, team, x_account  # noqa: F401 - the domain fixtures, shared

LOCALE = Path(settings.BASE_DIR) / "locale"
LANGUAGES = ["nl", "fr", "da"]
PLURAL_FORMS = {
    "nl": "nplurals=2; plural=(n != 1);",
    "fr": "nplurals=2; plural=(n > 1);",
    "da": "nplurals=2; plural=(n != 1);",
}


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    obsolete: bool = False

    def __str__(self) -> str:
        context = f" [{self.msgctxt}]" if self.msgctxt else ""
        return f"line {self.line}: {self.msgid!r}{context}"


def parse_po(path: Path) -> list[Entry]:
    """Every entry of a .po file, the header (msgid "") included, obsolete ones marked."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] = ("", 0)
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            if current is not None and current.msgid is not None:
                entries.append(current)
            current = None
            continue
        if current is None:
            current = Entry(line=number)
        if line.startswith("#~"):
            current.obsolete = True
        elif line.startswith("#,"):
            current.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            name, index = target
            text = ast.literal_eval(line)
            if name == "msgstr":
                current.msgstr[index] += text
            else:
                setattr(current, name, getattr(current, name) + text)
        else:
            keyword, _space, value = line.partition(" ")
            text = ast.literal_eval(value)
            if keyword.startswith("msgstr"):
                index = int(keyword[7:-1]) if keyword.startswith("msgstr[") else 0
                target = ("msgstr", index)
                current.msgstr[index] = text
            else:
                target = (keyword, 0)
                setattr(current, keyword, text)
    if current is not None and current.msgid is not None:
        entries.append(current)
    return entries


def catalogues() -> list[Path]:
    return sorted(LOCALE.glob("*/LC_MESSAGES/*.po"))


def messages(path: Path) -> list[Entry]:
    return [entry for entry in parse_po(path) if entry.msgid and not entry.obsolete]


def header(path: Path) -> dict[str, str]:
    first = next(entry for entry in parse_po(path) if entry.msgid == "")
    pairs = (line.partition(":") for line in first.msgstr[0].splitlines() if ":" in line)
    return {name.strip(): value.strip() for name, _colon, value in pairs}


#: %(name)s, %s, %d …; {initials}, {1,12}; and HTML tags, which scripts and styles rely on.
_PLACEHOLDER = re.compile(
    r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[sdifrx]"
    r"|%[-#0 +]*\d*(?:\.\d+)?[sdifrx]"
    r"|\{[^{}\s]*\}"
    r"|</?[a-zA-Z][^<>]*>"
)


def placeholders(text: str) -> Counter[str]:
    return Counter(_PLACEHOLDER.findall(text.replace("%%", "")))


# --- The catalogues -------------------------------------------------------------------------


def test_every_interface_language_has_a_catalogue() -> None:
    expected = {code for code, _name in settings.LANGUAGES if code != "en"}

    assert expected == set(LANGUAGES)
    for language in LANGUAGES:
        assert (LOCALE / language / "LC_MESSAGES" / "django.po").is_file(), f"no catalogue for {language}"


def test_the_parser_sees_fuzzy_empty_and_mismatched_entries(tmp_path: Path) -> None:
    sample = tmp_path / "django.po"
    sample.write_text(
        'msgid ""\nmsgstr "Language: nl\\n"\n\n'
        '#, fuzzy, python-format\nmsgid "Hello %(name)s"\nmsgstr "Hallo %(naam)s"\n\n'
        'msgid "One"\nmsgid_plural "Many"\nmsgstr[0] "Een"\nmsgstr[1] ""\n\n'
        'msgctxt "tab"\nmsgid "Long "\n"text"\nmsgstr ""\n"Lange tekst"\n\n'
        '#~ msgid "Gone"\n#~ msgstr "Weg"\n',
        encoding="utf-8",
    )

    entries = messages(sample)

    assert [(e.msgctxt, e.msgid) for e in entries] == [(None, "Hello %(name)s"), (None, "One"), ("tab", "Long text")]
    assert "fuzzy" in entries[0].flags
    assert placeholders(entries[0].msgid) != placeholders(entries[0].msgstr[0])
    assert entries[1].msgstr == {0: "Een", 1: ""}
    assert entries[2].msgstr == {0: "Lange tekst"}


@pytest.mark.parametrize("path", catalogues(), ids=lambda path: f"{path.parts[-3]}/{path.name}")
def test_the_catalogue_header_names_the_language_and_its_plural_forms(path: Path) -> None:
    language = path.parts[-3]
    fields = header(path)

    assert fields.get("Language") == language
    assert fields.get("Plural-Forms") == PLURAL_FORMS[language]
    assert fields.get("Content-Type") == "text/plain; charset=UTF-8"


@pytest.mark.parametrize("path", catalogues(), ids=lambda path: f"{path.parts[-3]}/{path.name}")
def test_every_entry_is_translated_and_none_is_fuzzy(path: Path) -> None:
    nplurals = int(re.search(r"nplurals=(\d+)", header(path)["Plural-Forms"]).group(1))  # type: ignore[union-attr]
    problems = []
    for entry in messages(path):
        if "fuzzy" in entry.flags:
            problems.append(f"{entry}: fuzzy")
        forms = nplurals if entry.msgid_plural is not None else 1
        if sorted(entry.msgstr) != list(range(forms)) or not all(v.strip() for v in entry.msgstr.values()):
            problems.append(f"{entry}: untranslated")

    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", catalogues(), ids=lambda path: f"{path.parts[-3]}/{path.name}")
def test_every_translation_keeps_the_placeholders_of_its_source(path: Path) -> None:
    problems = []
    for entry in messages(path):
        for index, text in entry.msgstr.items():
            source = entry.msgid if index == 0 or entry.msgid_plural is None else entry.msgid_plural
            if text and placeholders(text) != placeholders(source):
                problems.append(f"{entry} [{index}]: {dict(placeholders(source))} -> {dict(placeholders(text))}")

    assert not problems, "\n".join(problems)


def test_the_catalogues_hold_the_same_messages() -> None:
    keys = {
        language: {(e.msgctxt, e.msgid) for e in messages(LOCALE / language / "LC_MESSAGES" / "django.po")}
        for language in LANGUAGES
    }

    assert keys["nl"] == keys["fr"] == keys["da"]


#: What `make messages` leaves out (the Makefile's --ignore list) and what is not source.
_NOT_EXTRACTED = (
    ".venv", ".lock-venv", ".git", "tests", "bench", "var", "staticfiles", "locale", "node_modules", "__pycache__",
    ".*_cache", "test-artifacts",
)


def test_the_catalogues_hold_every_string_the_code_marks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A string wrapped in the code but missing from the catalogues would show in English."""
    source = tmp_path / "source"
    shutil.copytree(settings.BASE_DIR, source, ignore=shutil.ignore_patterns(*_NOT_EXTRACTED, "*.pyc"))
    monkeypatch.chdir(source)
    with override_settings(LOCALE_PATHS=[str(source / "locale")]):
        call_command("makemessages", locale=["nl"], domain="django", verbosity=0)

    def keys(path: Path) -> set[tuple[str | None, str | None, str | None]]:
        return {(e.msgctxt, e.msgid, e.msgid_plural) for e in messages(path)}

    wanted = keys(source / "locale" / "nl" / "LC_MESSAGES" / "django.po")
    for language in LANGUAGES:
        held = keys(LOCALE / language / "LC_MESSAGES" / "django.po")
        missing = sorted(wanted - held, key=str)
        assert not missing, f"not in the {language} catalogue yet (run `make messages`): {missing}"


# --- What a Dutch, French or Danish agent sees ----------------------------------------------


class _VisibleText(HTMLParser):
    """The text nodes and the attributes people read or hear (labels, buttons, aria-labels)."""

    READ_ATTRIBUTES = {"aria-label", "title", "placeholder", "alt", "data-done-text"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.html_lang = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "html":
            self.html_lang = values.get("lang") or ""
        for name, value in attrs:
            if value and (name in self.READ_ATTRIBUTES or (name == "value" and values.get("type") == "submit")):
                self.texts.append(value.strip())

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.texts.append(" ".join(data.split()))


def visible_text(response) -> _VisibleText:
    parser = _VisibleText()
    parser.feed(response.content.decode())
    return parser


def english_left_over(texts: list[str], language: str) -> list[str]:
    """Texts that are a source string whose translation differs, and no translation of anything.

    ("Tag" is the Danish claim button and also an English msgid: it is Danish here.)
    """
    entries = messages(LOCALE / language / "LC_MESSAGES" / "django.po")
    translations = {value for entry in entries for value in entry.msgstr.values()}
    untranslated = {
        entry.msgid for entry in entries
        if entry.msgid_plural is None and entry.msgstr.get(0) and entry.msgstr[0] != entry.msgid
    }
    return sorted({text for text in texts if text in untranslated - translations})


#: What each page must show, written out by hand: the catalogue cannot be its own oracle
#: (a msgstr that repeats the English would pass any check that reads the catalogue).
EXPECTED = {
    "login": {
        "nl": ["Aanmelden", "Gebruikersnaam", "Wachtwoord", "Taal", "Wisselen"],
        "fr": ["Se connecter", "Nom d'utilisateur", "Mot de passe", "Langue", "Changer"],
        "da": ["Log ind", "Brugernavn", "Adgangskode", "Sprog", "Skift"],
    },
    "queue": {
        "nl": ["Volgende claimen", "Voorkeuren", "Sneltoetsen", "Niet geclaimd", "Van mij", "Mijn teams",
               "Wacht op klant", "Geëscaleerd", "Afgesloten", "Claimen", "Filteren", "Prioriteit"],
        "fr": ["Prendre la suivante", "Préférences", "Raccourcis", "Non prises en charge", "Les miennes",
               "Mes équipes", "En attente du client", "Escaladées", "Clôturées", "Prendre en charge", "Filtrer",
               "Priorité"],
        "da": ["Tag næste", "Indstillinger", "Genveje", "Ledige", "Mine", "Mine teams", "Venter på kunden",
               "Eskalerede", "Lukkede", "Tag", "Filtrér", "Prioritet"],
    },
    "mention": {
        "nl": ["Vrijgeven", "Je antwoord", "Naar privé", "Interne notitie", "Wat er gebeurde", "Klant",
               "Afsluiten", "Sluiten", "Geclaimd", "Wachtrij"],
        "fr": ["Libérer", "Votre réponse", "Passer en privé", "Note interne", "Historique", "Client", "Clôturer",
               "Fermer", "Prise en charge", "File"],
        "da": ["Frigiv", "Dit svar", "Flyt til privat", "Intern note", "Hvad der er sket", "Kunde", "Luk",
               "Taget", "Kø"],
    },
}
#: English that none of the three languages keeps as is.
ENGLISH = {
    "login": ["Log in", "Username", "Password", "Language", "Switch", "Skip to content",
              "The social inbox of your web care team."],
    "queue": ["Claim next", "Preferences", "Shortcuts", "Unclaimed", "My teams", "Waiting on customer", "Escalated",
              "Closed", "Claim", "Filter", "Language", "Switch", "Priority", "Any", "Personal data", "Abuse",
              "Keyboard shortcuts", "Skip to content"],
    "mention": ["Release", "Your answer", "Move to private", "Internal note", "What happened", "Customer", "Close",
                "Claimed", "Queue", "Add note", "Save tags", "Send public answer", "Keyboard shortcuts"],
}


def assert_speaks(page: _VisibleText, name: str, language: str) -> None:
    assert page.html_lang == language
    missing = [text for text in EXPECTED[name][language] if text not in page.texts]
    english = [text for text in ENGLISH[name] if text in page.texts]
    assert not missing, f"missing from the {language} {name} page: {missing}"
    assert not english, f"English left on the {language} {name} page: {english}"
    assert english_left_over(page.texts, language) == []


@pytest.fixture
def compiled_catalogues() -> None:
    for po in catalogues():
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            pytest.fail(f"{mo} is missing or older than its .po: run `make test` (it compiles the catalogues)")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_login_page_speaks_the_browsers_language(client, db, compiled_catalogues, language):
    page = visible_text(client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE=language))

    assert_speaks(page, "login", language)


@pytest.fixture
def agent_with_a_mention(x_account, agent):  # noqa: F811
    mention = mention_for(x_account, platform_id="7001", author_id="501", text="Mijn internet ligt plat sinds gisteren")
    return agent, mention


def speaking(client, agent, language: str):
    agent.language = language
    agent.save(update_fields=["language"])
    client.force_login(agent)
    return client


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_queue_page_speaks_the_agents_language(client, compiled_catalogues, agent_with_a_mention, language):
    agent, _mention = agent_with_a_mention

    # The agent's own language beats the browser's.
    page = visible_text(speaking(client, agent, language).get(reverse("inbox:queue"), HTTP_ACCEPT_LANGUAGE="en"))

    assert_speaks(page, "queue", language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_mention_page_speaks_the_agents_language(client, compiled_catalogues, agent_with_a_mention, language):
    agent, mention = agent_with_a_mention
    mention_services.mention_claim(user=agent, mention_id=mention.pk)

    page = visible_text(speaking(client, agent, language).get(reverse("inbox:mention", args=[mention.pk])))

    assert_speaks(page, "mention", language)


def test_the_history_names_code_of_conduct_steps_in_the_agents_language(compiled_catalogues):
    with translation.override("nl"):
        labels = [state_label("flagged"), state_label("warned"), state_label("escalated"), state_label("claimed")]

    assert labels == ["Gemarkeerd", "Huisregels verstuurd", "Geëscaleerd", "Geclaimd"]
