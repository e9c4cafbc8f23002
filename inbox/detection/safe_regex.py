"""Regular expressions that admins type in, made safe to run on hostile text.

Python's ``re`` has no time limit, and a pattern such as ``(\\d+)+$`` takes
exponential time on a long run of digits that does not match: one customer post
could stall an ingest worker. Admin patterns are therefore checked when they are
saved, on the parsed pattern rather than on its spelling:

- every repetition is bounded (no ``*``, ``+`` or ``{n,}``), at most ``MAX_REPEAT``;
- no repetition inside another repetition, and no alternation inside one
  (the two shapes that make backtracking explode);
- no back-references, no look-around, no conditionals;
- the product of the widths of variable repetitions stays under ``MAX_BACKTRACK``
  (``\\d{1,20}\\d{1,20}\\d{1,20}`` is bounded but still slow);
- at most ``MAX_LENGTH`` characters and ``MAX_BRANCHES`` alternatives.

Together these bound the work per starting position to a small constant, so a
pattern's cost is linear in the length of the text.
"""

from __future__ import annotations

import re
from re import _constants as sre_constants  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MAX_LENGTH = 200
MAX_REPEAT = 40
MAX_BACKTRACK = 2_000
MAX_BRANCHES = 20


class UnsafePattern(ValueError):
    """The pattern is refused; the message says why, in words an admin understands."""


_REPEATS = {sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, getattr(sre_constants, "POSSESSIVE_REPEAT", None)}
_FORBIDDEN = {
    sre_constants.GROUPREF: gettext_lazy("back-references (\\1) are not allowed"),
    sre_constants.GROUPREF_EXISTS: gettext_lazy("conditional groups are not allowed"),
    sre_constants.ASSERT: gettext_lazy("look-ahead and look-behind are not allowed"),
    sre_constants.ASSERT_NOT: gettext_lazy("look-ahead and look-behind are not allowed"),
}


def _subpatterns(op: object, value: object) -> list[object]:
    """The nested sub-patterns of one parsed node."""
    if op in _REPEATS:
        return [value[2]]  # type: ignore[index]
    if op is sre_constants.SUBPATTERN:
        return [value[-1]]  # type: ignore[index]
    if op is sre_constants.BRANCH:
        return list(value[1])  # type: ignore[index]
    if op is sre_constants.ATOMIC_GROUP:
        return [value]
    return []


def _walk(pattern: object, *, in_repeat: bool, state: dict[str, int]) -> None:
    for op, value in pattern:  # type: ignore[attr-defined]
        if op in _FORBIDDEN:
            raise UnsafePattern(str(_FORBIDDEN[op]))
        if op is sre_constants.BRANCH:
            if in_repeat:
                raise UnsafePattern(_("an alternation (a|b) inside a repetition is not allowed"))
            state["branches"] += len(value[1])
            if state["branches"] > MAX_BRANCHES:
                raise UnsafePattern(_("at most %(count)d alternatives") % {"count": MAX_BRANCHES})
        if op in _REPEATS:
            low, high = value[0], value[1]
            if in_repeat:
                raise UnsafePattern(_("a repetition inside another repetition is not allowed"))
            if high is sre_constants.MAXREPEAT or high > MAX_REPEAT:
                raise UnsafePattern(
                    _("every repetition needs an upper bound of at most %(max)d (use {1,%(max)d}, not + or *)")
                    % {"max": MAX_REPEAT}
                )
            state["backtrack"] *= high - low + 1
            if state["backtrack"] > MAX_BACKTRACK:
                raise UnsafePattern(_("too many variable-length repetitions in a row; make the lengths fixed"))
        for sub in _subpatterns(op, value):
            _walk(sub, in_repeat=in_repeat or op in _REPEATS, state=state)


def validate_pattern(pattern: str) -> re.Pattern[str]:
    """Compile ``pattern`` if it is safe to run on any text; raise UnsafePattern otherwise."""
    if not pattern or not pattern.strip():
        raise UnsafePattern(_("the pattern is empty"))
    if len(pattern) > MAX_LENGTH:
        raise UnsafePattern(_("at most %(count)d characters") % {"count": MAX_LENGTH})
    try:
        parsed = sre_parse.parse(pattern, 0)
        compiled = re.compile(pattern)
    except re.error as exc:
        raise UnsafePattern(_("not a valid regular expression: %(error)s") % {"error": exc}) from None
    if compiled.groups > 5:
        raise UnsafePattern(_("at most %(count)d groups") % {"count": 5})
    _walk(parsed, in_repeat=False, state={"branches": 0, "backtrack": 1})
    if compiled.fullmatch(""):
        raise UnsafePattern(_("the pattern matches empty text"))
    return compiled
