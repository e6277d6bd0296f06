"""What one call may do: the flags, the answer for one callee, and the settings that
decide where sources are looked for and which callables the user declares pure."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path


class Does(enum.IntFlag):
    """What one call may do. Bits only grow: a callee's bits are part of its caller's."""

    NOTHING = 0
    FAILS = 1
    """May raise: an explicit ``raise``/``assert``, an operation that may fail (operators,
    subscripts, attribute reads, iteration, hashing), or a callee that fails."""
    READS_STATE = 2
    """Reads state other code may change: a module global that is rebound or bound to a
    mutable value, an attribute of a module other code rebinds, files, the clock, ids."""
    WRITES_STATE = 4
    """Changes state others can see: stores to globals, to attributes or items of an
    object not created in the call (mutating an argument counts), I/O, printing."""
    LIVING_RESULT = 8
    """May return an object whose death can be observed: an instance of a class with
    ``__del__`` or ``__exit__``, a generator or coroutine, a file."""
    READS_FRAMES = 16
    """Reads interpreter frames (``sys._getframe``, ``f_locals``, ``f_back``, ...)."""
    UNKNOWN = 32
    """Anything at all: the callee could not be seen through."""


ANYTHING = (
    Does.FAILS
    | Does.READS_STATE
    | Does.WRITES_STATE
    | Does.LIVING_RESULT
    | Does.READS_FRAMES
    | Does.UNKNOWN
)
"""What an unknown call may do: UNKNOWN always carries every other bit, so a consumer
that tests one bit never has to remember to test UNKNOWN as well."""

EFFECTS = Does.READS_STATE | Does.WRITES_STATE | Does.LIVING_RESULT | Does.READS_FRAMES
"""The bits that make a call more than a computation (FAILS is not an effect here)."""


_UNKNOWN = int(Does.UNKNOWN)
_FAILS = int(Does.FAILS)


def widen(does: Does) -> Does:
    """``does`` with UNKNOWN spread to every bit (the one normal form used everywhere)."""
    return ANYTHING if int.__and__(does, _UNKNOWN) else does


_LABELS = (
    (Does.UNKNOWN, "unknown"),
    (Does.READS_FRAMES, "reads frames"),
    (Does.WRITES_STATE, "writes state"),
    (Does.READS_STATE, "reads state"),
    (Does.LIVING_RESULT, "living result"),
)


_HEADLINE_ORDER = tuple((int(bit), bit) for bit, _ in _LABELS)
"""The labelled bits as plain ints: these run for every entry, and Flag.__and__ is slow."""


def headline(does: Does) -> Does:
    """The one bit an origin line explains: the most far-reaching one present."""
    value = int(does)
    for number, bit in _HEADLINE_ORDER:
        if value & number:
            return bit
    return Does.FAILS if value & _FAILS else Does.NOTHING


def label(bit: Does) -> str:
    """The words an origin line starts with for ``bit`` (see :func:`headline`)."""
    for known, words in _LABELS:
        if bit == known:
            return words
    return "pure"


@dataclass(frozen=True, slots=True)
class CallFacts:
    """What calling one callee may do, and one line saying why."""

    does: Does
    origin: str
    """One line for a human: where the headline bit comes from."""
    declared: bool = False
    """The user's word (``pure_calls``), not inference."""
    calls_parameters: tuple[str, ...] = ()
    """Parameters the callee calls (directly or through its callees). ``does`` then
    includes UNKNOWN, since the arguments are not known; ``Knowledge.of_call_node`` looks at
    the arguments and gives the precise answer."""


@dataclass(frozen=True, slots=True)
class KnowledgeSettings:
    """Where to look for sources, and what the user declares."""

    roots: tuple[Path, ...] = ()
    """Project roots searched for modules, after the module's own directory."""
    pure_calls: tuple[str, ...] = ()
    """fnmatch patterns on dotted names (``"dsl.*"``) of callables declared pure."""
    search_installed: bool = True
    """Also look in the running interpreter's ``sys.path`` for pure-Python modules."""
    max_files: int = 400
    """Source files parsed at most; names that need more are UNKNOWN (origin "budget")."""
    max_functions: int = 20_000
    """Functions summarised at most; beyond, UNKNOWN (origin "budget")."""
