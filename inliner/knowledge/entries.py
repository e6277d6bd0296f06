"""What is known about one callee, as plain frozen data: enough to answer a call of it with
its arguments looked at (see :mod:`.compose`), picklable for worker processes."""

from __future__ import annotations

from dataclasses import dataclass

from .facts import ANYTHING, CallFacts, Does, headline, widen
from .graph import Static


@dataclass(frozen=True, slots=True)
class CallEntry:
    """What calling one callee may do, with what is needed to look at a call's arguments."""

    facts: CallFacts
    """The facts for a call whose arguments are not looked at."""
    own: CallFacts
    """The facts apart from the parameters it calls."""
    called: tuple[int | str, ...] = ()
    """Parameters it calls: positions (numbered as ``params``), or keywords of a builtin."""
    params: tuple[str, ...] = ()
    positional_count: int = 0
    defaults: tuple[tuple[int, CallFacts], ...] = ()
    """For a called parameter with a default: what calling the default does."""


@dataclass(frozen=True, slots=True)
class Callee:
    """One callee: what calling it does, and what calling the value it returns does (for a
    function that builds functions: ``rbind(f, x)`` returns a callable that calls ``f``).
    ``result`` numbers parameters as ``call`` does: they are the building call's."""

    call: CallEntry
    result: CallEntry


def unknown_callee(why: str) -> Callee:
    """A callee nothing is known about, nor about what it returns."""
    entry = unknown_entry(why)
    return Callee(entry, entry)


def unknown_entry(why: str) -> CallEntry:
    """A callee nothing is known about (``why`` is the origin line)."""
    facts = CallFacts(ANYTHING, why)
    return CallEntry(facts, facts)


def declared_entry(pattern: str) -> CallEntry:
    """A callee the user declares pure with ``pattern``."""
    facts = CallFacts(Does.FAILS, f"declared pure by pure-calls '{pattern}'", declared=True)
    return CallEntry(facts, facts)


def failing_entry(why: str) -> CallEntry:
    """A callee whose call can only raise (a name that is not bound)."""
    return CallEntry(CallFacts(Does.FAILS, why), CallFacts(Does.FAILS, ""))


def static_entry(static: Static) -> CallEntry:
    """A callee without source (a builtin, a C function) or one that is not a function."""
    own = CallFacts(widen(static.does), static.why)
    if not static.calls:
        return CallEntry(own, own)
    names = tuple(str(c) for c in static.calls)
    bare = CallFacts(ANYTHING, f"unknown: {static.why} calls its argument(s) {', '.join(names)}",
                     calls_parameters=names)
    return CallEntry(bare, own, static.calls, (), 1 << 30, ())


def either_entry(first: CallEntry, second: CallEntry) -> CallEntry:
    """One of two callees (a name a computed ``__all__`` may or may not export)."""
    if first.called and second.called:
        return unknown_entry("unknown: one of two callables that both call their arguments")
    main, other = (second, first) if second.called else (first, second)
    does = widen(main.facts.does | other.facts.does)
    own_does = widen(main.own.does | other.own.does)
    if headline(own_does) in (Does.NOTHING, Does.FAILS):
        origin = f"{first.own.origin}; or it fails: a computed __all__ may leave it out"
    else:
        origin = main.own.origin if headline(main.own.does) == headline(own_does) else other.own.origin
    facts = CallFacts(does, main.facts.origin if main.called else origin, calls_parameters=main.facts.calls_parameters)
    own = CallFacts(own_does, origin)
    return CallEntry(facts, own, main.called, main.params, main.positional_count, main.defaults)


def entry_text(entry: Callee) -> str:
    """An entry as one stable line (for tokens): the same in every process."""
    return repr(_plain(entry))


def _plain(value: object) -> object:
    """``value`` as nested tuples of str, int and bool: a repr that no process changes."""
    if isinstance(value, Does):
        return int(value)
    if isinstance(value, CallFacts):
        return (int(value.does), value.origin, value.declared, value.calls_parameters)
    if isinstance(value, Callee):
        return (_plain(value.call), _plain(value.result))
    if isinstance(value, CallEntry):
        return (
            _plain(value.facts),
            _plain(value.own),
            value.called,
            value.params,
            value.positional_count,
            tuple((i, _plain(f)) for i, f in value.defaults),
        )
    raise TypeError(f"no plain form for {type(value).__name__}")
