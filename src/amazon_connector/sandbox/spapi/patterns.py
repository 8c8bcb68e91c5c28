"""Strings that match a model's ``pattern``, drawn from a seeded generator.

The models' patterns are small regular expressions (character classes, repeats, groups, alternatives,
anchors); they are walked as Python's own parser reads them. Open repeats (``*``, ``+``) stay short.
"""

from __future__ import annotations

import importlib
import random
import re
import string
from typing import Any

# Python's own regular-expression parser and its opcodes (``sre_parse`` before 3.11): not public API,
# but the one parser that reads a pattern exactly as ``re`` does.
parser: Any = importlib.import_module("re._parser")
sre: Any = importlib.import_module("re._constants")

OPEN_REPEAT_EXTRA = 8
"""How many repetitions beyond the minimum an open repeat (``*``, ``+``, ``{n,}``) takes at most."""
CANDIDATES = string.ascii_letters + string.digits + "-_"
"""Characters tried for a negated class or ``.``."""
_CATEGORIES = {
    sre.CATEGORY_DIGIT: string.digits,
    sre.CATEGORY_NOT_DIGIT: string.ascii_letters,
    sre.CATEGORY_WORD: string.ascii_letters + string.digits,
    sre.CATEGORY_NOT_WORD: "-.",
    sre.CATEGORY_SPACE: " ",
    sre.CATEGORY_NOT_SPACE: string.ascii_letters + string.digits,
}


def _in_class(char: str, items: list[tuple[Any, Any]]) -> bool:
    code = ord(char)
    for op, arg in items:
        if (
            (op is sre.LITERAL and code == arg)
            or (op is sre.RANGE and arg[0] <= code <= arg[1])
            or (op is sre.CATEGORY and char in _CATEGORIES.get(arg, ""))
        ):
            return True
    return False


def _class_char(items: list[tuple[Any, Any]], rng: random.Random) -> str:
    if items and items[0][0] is sre.NEGATE:
        allowed = [c for c in CANDIDATES if not _in_class(c, items[1:])]
        return rng.choice(allowed)
    op, arg = rng.choice(items)
    if op is sre.LITERAL:
        return chr(arg)
    if op is sre.RANGE:
        return chr(rng.randint(arg[0], arg[1]))
    return rng.choice(_CATEGORIES.get(arg, "x"))


def _emit(items: Any, rng: random.Random, out: list[str]) -> None:
    for op, arg in items:
        if op is sre.LITERAL:
            out.append(chr(arg))
        elif op is sre.NOT_LITERAL:
            out.append(rng.choice([c for c in CANDIDATES if ord(c) != arg]))
        elif op is sre.ANY:
            out.append(rng.choice(CANDIDATES))
        elif op is sre.IN:
            out.append(_class_char(arg, rng))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            low, high, sub = arg
            top = low + OPEN_REPEAT_EXTRA if high is sre.MAXREPEAT else high
            for _ in range(rng.randint(max(low, min(1, top)), top)):
                _emit(sub, rng, out)
        elif op is sre.SUBPATTERN:
            _emit(arg[-1], rng, out)
        elif op is sre.BRANCH:
            _emit(rng.choice(arg[1]), rng, out)
        elif op is sre.CATEGORY:
            out.append(rng.choice(_CATEGORIES.get(arg, "x")))
        # AT (anchors) and anything else add nothing


def sample(pattern: str, rng: random.Random) -> str:
    """A string that ``pattern`` matches (found with ``re.search``, as JSON Schema does)."""
    out: list[str] = []
    _emit(parser.parse(pattern), rng, out)
    return "".join(out)


def matches(pattern: str, value: str) -> bool:
    return re.search(pattern, value) is not None
