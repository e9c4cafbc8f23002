"""Threats, hate and insults in Dutch, French, English and Danish: lexicons and rules.

Short, angry customer posts defeat statistical models and a moderation decision
must be explainable to the customer and the team lead, so this is a rule engine:

1. ``canonical()`` turns a post into lower-case words that survive the usual
   dodges: Unicode look-alikes (NFKC), zero-width and bidi characters, accents,
   leetspeak (``1d10t``), repeated letters (``idiooooot``, and every doubled letter
   is collapsed, in the rules too), letters spaced or dotted apart (``k l o o t``,
   ``b.l.a.a.s``), punctuation inside words (``kl*0tzak``: a ``*`` is matched
   against the known vocabulary) and words split in two (``id iot``).
2. Rules are written in a small phrase language (see ``compile_expression``) and
   compiled to regular expressions over that canonical text. Multi-word rules
   carry the context that separates a threat from a figure of speech: "I'll kill
   you" is a threat, "this is killing me" is not.
3. Exceptions are rules too: they blank out a span before the rules of one class
   look at it ("he called me an idiot", "killer deal", "ik ben een sukkel").

Admins add terms, phrases, patterns and exceptions per brand or globally
(``inbox.models.AbuseTerm``); they are compiled the same way.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from inbox.detection.safe_regex import validate_pattern

THREAT, HATE, INSULT = "threat", "hate", "insult"
CLASSES = (THREAT, HATE, INSULT)

# --- Canonical text -------------------------------------------------------------

# Zero-width, joiners, soft hyphen, bidi controls, variation selectors, tag characters.
_INVISIBLE = re.compile("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
                        "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e007f]")
_LETTER_MAP = str.maketrans({"æ": "ae", "ø": "o", "œ": "oe", "ß": "ss", "ł": "l", "đ": "d", "ð": "d",
                             "þ": "th", "ı": "i"})
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "9": "g", "@": "a", "$": "s",
                       "€": "e", "!": "i", "|": "i", "£": "l"})
_HAS_LETTER = re.compile(r"[a-z]")
# "i.d.i.o.t", "i-d-i-o-t", "k*l*o*o*t": single characters with one separator between each.
_SPELLED_OUT = re.compile(r"^(?:[a-z0-9@$€!|][^a-z0-9\s]){2,}[a-z0-9@$€!|][^a-z0-9\s]?$")
# Joined away inside a word ("brain-dead", "b.l.a.a.s"); everything else that is not a
# letter or digit separates words, apostrophes included (l'agence, I'll).
_JOINERS = re.compile(r"(?<=[a-z0-9*])[-_.·•~^](?=[a-z0-9*])")
_SEPARATORS = re.compile(r"[^a-z0-9*]+")
_REPEATS = re.compile(r"(.)\1+")


def _collapse_repeats(word: str) -> str:
    """Repeated letters collapsed ("idiooooot", and "been" too: the rules are written the same way)."""
    # A function, not the r"\1" template: re expands a template in Python for every match.
    return _REPEATS.sub(_first_group, word)


def _first_group(match: re.Match[str]) -> str:
    return match[1]
_MASK = "*"
MAX_WORD_CHARS = 48
#: Longer posts are judged on their beginning; a tirade does not start on page ten.
MAX_TEXT_CHARS = 20_000
_SPACING = re.compile(r"(\s+)")


def _characters(text: str) -> str:
    """Look-alikes unified, invisible characters dropped, lower case."""
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).casefold()


def _fold(text: str) -> str:
    """Letters without accents (å is a, ø is o, æ is ae)."""
    text = unicodedata.normalize("NFD", text.translate(_LETTER_MAP))
    return "".join(char for char in text if unicodedata.category(char) != "Mn")


_HANDLE = re.compile(r"@[a-z0-9_]{1,30}[.,:;!?)]*")


def _is_link_or_handle(token: str) -> bool:
    # "@telvio" names someone; "@$$hole" is leetspeak.
    return bool(_HANDLE.fullmatch(token)) or token.startswith(("http:", "https:", "www."))


def _token_words(token: str) -> list[str]:
    """One whitespace-separated token to its canonical words."""
    # No word in any of our languages is longer; a 200,000-character "word" must
    # not reach the rules' ``\S*`` (quadratic time).
    token = token[:MAX_WORD_CHARS]
    token = token.strip(".,;:!?\"'()[]{}<>«»“”„‘’`")
    if not token:
        return []
    if _SPELLED_OUT.match(token):
        token = re.sub(r"[^a-z0-9@$€!|]", "", token)
    if _HAS_LETTER.search(token):
        # Leetspeak only inside words: prices, dates and times keep their digits.
        token = token.translate(_LEET)
    token = _JOINERS.sub("", token)
    words = []
    for word in _SEPARATORS.split(token):
        word = _collapse_repeats(word).strip(_MASK) if word.strip(_MASK) else ""
        if word:
            words.append(word)
    return words


def canonical_words(text: str) -> list[str]:
    """The words of ``text`` after undoing the usual dodges (see the module docstring)."""
    words: list[str] = []
    letters: list[str] = []  # a run of letters typed with spaces between them: "k l o o t"

    def flush() -> None:
        if len(letters) >= 3:
            words.append(_collapse_repeats("".join(letters).translate(_LEET)))
        else:
            for letter in letters:
                words.extend(_token_words(letter))
        letters.clear()

    for piece in _SPACING.split(_characters(text[:MAX_TEXT_CHARS])):
        if not piece or piece.isspace():
            if piece and piece != " ":
                flush()  # a double space or a line break ends a word typed letter by letter
            continue
        if _is_link_or_handle(piece):
            flush()
            continue
        bare = piece.strip(".,;:!?\"'()[]{}<>«»“”„‘’`-*")
        if len(bare) == 1 and bare not in "&+=/":
            letters.append(_fold(bare))
            continue
        flush()
        if piece.isascii() and piece.isalpha():
            # Most words: nothing to undo but repeated letters (what _token_words would do too).
            words.append(_collapse_repeats(piece[:MAX_WORD_CHARS]))
            continue
        words.extend(_token_words(_fold(piece)))
    flush()
    return words


def canonical(text: str) -> str:
    return " ".join(canonical_words(text))


# --- The phrase language ----------------------------------------------------------

_GAP = re.compile(r"^~(\d)$")


_INFLECTION = "(?:s|e|en|er|es|ing|ed|ne|ar|n|r)?"


@lru_cache(maxsize=4096)
def _alternative(raw: str, joined: bool = False) -> str:
    """One alternative of a slot ("kill", "i'll", "idiot*", "*zak") as a regex fragment.

    ``joined``: for words glued back from two halves ("id iot"), a wildcard only
    stands for an inflection, so "you treat" never becomes a word starting "youtre".
    """
    prefix = raw.endswith("*")
    suffix = raw.startswith("*") and len(raw) > 1
    core = raw.strip("*")
    words = canonical_words(core)
    if not words:
        raise ValueError(f"{raw!r} has no letters after normalisation")
    body = " ".join(re.escape(word) for word in words)
    if joined:
        return body + (_INFLECTION if prefix else "")
    return (r"\S*" if suffix else "") + body + (r"\S*" if prefix else "")


def compile_expression(expression: str, *, joined: bool = False) -> str:
    """A rule in the phrase language to a regular expression over canonical text.

    Words are separated by spaces; ``a|b`` is a choice between words (or between
    phrases written with ``_`` for the space: ``i_will|i'll``); ``word*`` matches
    words starting with ``word``, ``*word`` words ending with it; ``~N`` (N ≤ 9)
    skips up to N words. Every word is normalised like customer text, so
    ``jullie`` is written as it is spelled and still matches ``julie``. The text it
    runs on is `` w1 w2 … wn `` (a space before and after every word).
    """
    parts: list[str] = []
    for slot in expression.split():
        gap = _GAP.match(slot)
        if gap:
            parts.append(rf"(?: \S+){{0,{int(gap.group(1))}}}")
            continue
        # Longest first: "m_a_dit_que_j_etais" must win over "m_a_dit" in an exception.
        alternatives = sorted(
            {_alternative(alt.replace("_", " "), joined) for alt in slot.split("|") if alt}, key=lambda a: (-len(a), a)
        )
        if not alternatives:
            raise ValueError(f"empty slot in {expression!r}")
        parts.append(" (?:" + "|".join(alternatives) + ")")
    if all(_GAP.match(slot) for slot in expression.split()):
        raise ValueError(f"{expression!r} has no words")
    return "".join(parts) + "(?= )"


# --- Rules ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    label: str  # one of CLASSES
    expression: str
    language: str = ""  # "" for every language
    exception: bool = False  # blanks out what it matches for rules of ``label``
    regex: bool = False  # an admin's regular expression over canonical text
    source: str = "builtin"


@dataclass(frozen=True)
class _Compiled:
    rule: Rule
    pattern: re.Pattern[str]
    joined: re.Pattern[str] | None  # one-word rules: tried on words that were split in two
    #: One of these must occur in any text the rule matches; () when none is known.
    literals: tuple[tuple[str, str], ...] = ()


class _LiteralIndex:
    """Which rules can possibly match a text, from the words they require.

    A required word is a whole word of the text, or the start or the end of one
    (joined halves included), so the text's words, their prefixes and suffixes,
    intersected with the rules' words, name the candidate rules.
    """

    def __init__(self, rules: dict[str, list[_Compiled]]) -> None:
        self.rules: dict[str, dict[str, list[tuple[str, int]]]] = {"word": {}, "prefix": {}, "suffix": {}}
        self.always: dict[str, set[int]] = {label: set() for label in CLASSES}
        for label, compiled_rules in rules.items():
            for index, compiled in enumerate(compiled_rules):
                if not compiled.literals:
                    self.always[label].add(index)
                for kind, word in compiled.literals:
                    self.rules[kind].setdefault(word, []).append((label, index))
        self.words = {kind: frozenset(words) for kind, words in self.rules.items()}
        self.prefix_lengths = sorted({len(word) for word in self.words["prefix"]})
        self.suffix_lengths = sorted({len(word) for word in self.words["suffix"]})

    def rules_for(self, words: list[str]) -> dict[str, set[int]]:
        unique = set(words)
        found = {
            "word": unique & self.words["word"],
            "prefix": {w[:n] for w in unique for n in self.prefix_lengths if n <= len(w)} & self.words["prefix"],
            "suffix": {w[-n:] for w in unique for n in self.suffix_lengths if n <= len(w)} & self.words["suffix"],
        }
        possible = {label: set(indices) for label, indices in self.always.items()}
        for kind, present in found.items():
            for word in present:
                for label, index in self.rules[kind][word]:
                    possible[label].add(index)
        return possible


def _compile_rule(rule: Rule) -> _Compiled:
    if rule.regex:
        return _Compiled(rule, validate_pattern(rule.expression), None)
    joined = None
    if len(rule.expression.split()) == 1:
        joined = re.compile(compile_expression(rule.expression, joined=True))
    return _Compiled(rule, re.compile(compile_expression(rule.expression)), joined, _required_literals(rule.expression))


def _required_literals(expression: str) -> tuple[tuple[str, str], ...]:
    """What a text must contain for the rule to match: the alternatives of its most selective slot.

    Each is (kind, word): "word" a whole word, "prefix" the start of a word
    (``idiot*``), "suffix" its end (``*zak``). The slot with the longest shortest
    word is chosen: "kill" says more than "i". () when no slot qualifies.
    """
    best: tuple[tuple[str, str], ...] = ()
    best_score = 0
    for slot in expression.split():
        if _GAP.match(slot):
            continue
        literals = []
        for alternative in slot.split("|"):
            prefix, suffix = alternative.endswith("*"), alternative.startswith("*") and len(alternative) > 1
            words = canonical_words(alternative.replace("_", " ").strip("*")) if alternative else []
            if not words or (prefix and suffix and len(words) == 1):
                literals = []
                break
            if len(words) > 1:
                literals.append(("word", max(words[:-1] if prefix else words[1:] if suffix else words, key=len)))
            else:
                literals.append(("prefix" if prefix else "suffix" if suffix else "word", words[0]))
        score = min((len(word) for _kind, word in literals), default=0)
        if score > best_score:
            best, best_score = tuple(sorted(set(literals))), score
    return best


@dataclass(frozen=True)
class Hit:
    label: str
    source: str
    expression: str


@dataclass(frozen=True)
class Verdict:
    labels: frozenset[str]
    hits: tuple[Hit, ...]

    @property
    def is_abusive(self) -> bool:
        return bool(self.labels)

    @property
    def is_threat(self) -> bool:
        return THREAT in self.labels


class Classifier:
    """Compiled rules; build once and reuse (the built-in one is module-level)."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self._rules: dict[str, list[_Compiled]] = {label: [] for label in CLASSES}
        self._exceptions: dict[str, list[_Compiled]] = {label: [] for label in CLASSES}
        vocabulary: set[str] = set()
        for rule in rules:
            compiled = _compile_rule(rule)
            (self._exceptions if rule.exception else self._rules)[rule.label].append(compiled)
            if not rule.regex:
                vocabulary.update(_literal_words(rule.expression))
        self._vocabulary = sorted(vocabulary)
        self._by_letter: dict[str, list[str]] | None = None
        self._literal_index: _LiteralIndex | None = None

    def extended(self, extra: Sequence[Rule]) -> Classifier:
        """This classifier plus ``extra`` (an admin's rules), sharing the compiled built-ins."""
        if not extra:
            return self
        clone = Classifier(())
        clone._rules = {label: [*compiled] for label, compiled in self._rules.items()}
        clone._exceptions = {label: [*compiled] for label, compiled in self._exceptions.items()}
        for rule in extra:
            compiled = _compile_rule(rule)
            (clone._exceptions if rule.exception else clone._rules)[rule.label].append(compiled)
        added = {word for rule in extra if not rule.regex for word in _literal_words(rule.expression)}
        clone._vocabulary = sorted({*self._vocabulary, *added})
        clone._by_letter = None
        clone._literal_index = None
        return clone

    @property
    def _literals(self) -> _LiteralIndex:
        if self._literal_index is None:
            self._literal_index = _LiteralIndex(self._rules)
        return self._literal_index

    def _unmask(self, words: list[str]) -> list[list[str]]:
        """The text once for each reading of its masked words (``p*te``: pute or pete), at most ``_MAX_READINGS``."""
        readings: list[list[str]] = [[]]
        seen: dict[str, list[str]] = {}
        for word in words:
            options = [word]
            if _MASK in word:
                if word not in seen:
                    # Bounded: a post of a thousand different masked words is not worth a second of CPU.
                    seen[word] = self._unmask_word(word) if len(seen) < 50 else [word.replace(_MASK, "")]
                options = seen[word]
            readings = [reading + [option] for reading in readings for option in options][:_MAX_READINGS]
        return readings

    def _unmask_word(self, word: str) -> list[str]:
        if len(word.replace(_MASK, "")) < 2:
            return [word.replace(_MASK, "")]
        pattern = re.compile("".join("[a-z]{0,3}" if c == _MASK else re.escape(c) for c in word))
        candidates = self._vocabulary_by_letter.get(word[0], ())
        found = [v for v in candidates if pattern.fullmatch(v)]
        found += [v + s for v in candidates for s in _SUFFIXES if pattern.fullmatch(v + s)]
        # A "*" usually stands for one letter: the closest lengths are the likeliest readings.
        found.sort(key=lambda v: (abs(len(v) - len(word)), v))
        return found[:_MAX_READINGS] or [word.replace(_MASK, "")]

    @property
    def _vocabulary_by_letter(self) -> dict[str, list[str]]:
        if self._by_letter is None:
            self._by_letter = {}
            for word in self._vocabulary:
                self._by_letter.setdefault(word[0], []).append(word)
        return self._by_letter

    def classify(self, text: str, *, language: str = "") -> Verdict:
        hits: dict[str, Hit] = {}
        for words in self._unmask(canonical_words(text or "")):
            if words:
                for hit in self._classify_words(words, language, skip=set(hits)):
                    hits.setdefault(hit.label, hit)
        return Verdict(frozenset(hits), tuple(hits.values()))

    def _classify_words(self, words: list[str], language: str, skip: set[str]) -> list[Hit]:
        plain = " " + " ".join(words) + " "
        # Exceptions only blank text out, so a rule whose words are nowhere in the
        # text cannot match after them either: most posts stop here.
        possible = self._literals.rules_for([*words, *_split_words(plain).split()])
        hits: list[Hit] = []
        for label in CLASSES:
            if label in skip or not possible[label]:
                continue
            candidates = [
                compiled for compiled in (self._rules[label][index] for index in sorted(possible[label]))
                if _applies(compiled.rule, language)
            ]
            if not candidates:
                continue
            text_for_label = plain
            for exception in self._exceptions[label]:
                if _applies(exception.rule, language):
                    text_for_label = exception.pattern.sub(_blank, text_for_label)
            split_words = _split_words(text_for_label)
            for compiled in candidates:
                if compiled.pattern.search(text_for_label) or (
                    split_words and compiled.joined is not None and compiled.joined.search(split_words)
                ):
                    hits.append(Hit(label, compiled.rule.source, compiled.rule.expression))
                    break
        return hits


_SUFFIXES = ("s", "e", "en", "er", "es", "ing", "ed", "ne", "ar")
_MAX_READINGS = 4


def _split_words(text: str) -> str:
    """Neighbouring words joined, for words split in two ("id iot", "kan ker").

    Built after the exceptions blanked their spans, so a blanked word never
    comes back glued to its neighbour ("idiot for").
    """
    words = text.split()
    joined = [a + b for a, b in pairwise(words) if min(len(a), len(b)) <= 3 and (a + b).isalpha()]
    return (" " + " ".join(joined) + " ") if joined else ""


def _applies(rule: Rule, language: str) -> bool:
    # Rules run on every text unless they are tied to a language and we know the
    # text is in another one: short posts are often detected wrongly, and
    # customers switch language mid-sentence.
    return not rule.language or not language or rule.language == language


def _blank(match: re.Match[str]) -> str:
    return re.sub(r"\S", "_", match.group())


def _literal_words(expression: str) -> set[str]:
    words = set()
    for slot in expression.split():
        if _GAP.match(slot):
            continue
        for alternative in slot.split("|"):
            for word in canonical_words(alternative.replace("_", " ").strip("*")):
                if word.isalpha() and len(word) >= 3:
                    words.add(word)
    return words


@lru_cache(maxsize=1)
def builtin_classifier() -> Classifier:
    from inbox.detection.lexicon import BUILTIN_RULES

    return Classifier(BUILTIN_RULES)


def classify_abuse(text: str, *, language: str = "", extra_rules: Sequence[Rule] = ()) -> Verdict:
    """Which abuse classes ``text`` falls in; ``extra_rules`` are an admin's additions."""
    return builtin_classifier().extended(extra_rules).classify(text, language=language)
