"""Facts for every node of the call graph: a worklist fixpoint.

Every node starts at NOTHING and only grows: a node's facts are its own evidence, plus
its callees' facts, plus, for each parameter a callee calls, whatever the argument at
that call does. All of these are monotone in the callees' facts, and the lattice (six
bits, a finite set of parameters per node) is finite, so the worklist empties. Recursion
and mutual recursion need nothing special: a cycle just converges. No Python recursion.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from .facts import ANYTHING, Does
from .graph import RESULT, Arg, NodeRef, NodeSpec, ParamRef, SiteSpec, Static


@dataclass(frozen=True, slots=True)
class State:
    """What one node may do, and which of its parameters it calls."""

    does: Does
    calls: frozenset[int]
    why: tuple[tuple[Does, str], ...]
    """For each bit set, the first reason found (the root cause, not the path)."""
    declared: str | None = None
    """The pure-calls pattern that pinned this node, if one did."""

    def reason(self, bit: Does) -> str:
        for known, text in self.why:
            if int.__and__(known, bit):  # plain int arithmetic: Flag.__and__ is slow
                return text
        return ""


Declared = Callable[[str], str | None]
"""Maps a dotted name to the pure-calls pattern that declares it pure (or None)."""

_DECLARED_PURE = Does.FAILS


def solve(specs: dict[str, NodeSpec], declared: Declared) -> dict[str, State]:
    """The least fixpoint of the node equations, with declared nodes pinned to FAILS."""
    states: dict[str, State] = {}
    dependents: dict[str, set[str]] = {key: set() for key in specs}
    for key, spec in specs.items():
        for site in spec.sites:
            for ref in _refs(site):
                dependents.setdefault(ref, set()).add(key)
            for callee in site.callees:
                # A callee's defaults are arguments this caller may pass by omission.
                if isinstance(callee, NodeRef):
                    for _, arg in specs[callee.key].defaults:
                        if isinstance(arg, NodeRef):
                            dependents.setdefault(arg.key, set()).add(key)
    for key in sorted(specs):
        states[key] = State(Does.NOTHING, frozenset(), ())
    queue = deque(sorted(specs))
    queued = set(queue)
    while queue:
        key = queue.popleft()
        queued.discard(key)
        new = _evaluate(specs[key], specs, states, declared)
        old = states[key]
        states[key] = new
        if new.does != old.does or new.calls != old.calls:
            for dependent in sorted(dependents.get(key, ())):
                if dependent not in queued:
                    queued.add(dependent)
                    queue.append(dependent)
    return states


def _refs(site: SiteSpec) -> list[str]:
    refs = [c.key for c in site.callees if isinstance(c, NodeRef)]
    refs += [a.key for a in site.positional if isinstance(a, NodeRef)]
    refs += [a.key for _, a in site.keywords if isinstance(a, NodeRef)]
    return refs


_BITS = tuple((int(bit), bit) for bit in Does if bit)
"""Each flag as a plain int beside its member: flag arithmetic on the enum is slow, and
this loop runs for every callee of every node on every round."""
_ANYTHING = int(ANYTHING)
_UNKNOWN = int(Does.UNKNOWN)


class _Accumulator:
    def __init__(self) -> None:
        self.does = 0
        self.calls: set[int] = set()
        self.why: dict[Does, str] = {}

    def add(self, does: Does, why: str | Callable[[Does], str]) -> None:
        value = int(does)
        if value & _UNKNOWN:
            value = _ANYTHING  # UNKNOWN carries every bit (see facts.widen)
        if not value & ~self.does:
            return  # every bit already has its first reason
        for number, bit in _BITS:
            if value & number and bit not in self.why:
                self.why[bit] = why(bit) if callable(why) else why
        self.does |= value

    def state(self, declared: str | None = None) -> State:
        ordered = tuple((bit, self.why[bit]) for _, bit in _BITS if bit in self.why)
        return State(Does(self.does), frozenset(self.calls), ordered, declared)


def _evaluate(spec: NodeSpec, specs: dict[str, NodeSpec], states: dict[str, State], declared: Declared) -> State:
    result = spec.key.endswith(RESULT)
    pattern = declared(spec.qualname) if "#" not in spec.key or result else None
    if pattern is not None and not result:
        acc = _Accumulator()
        acc.add(_DECLARED_PURE, f"declared pure by pure-calls '{pattern}'")
        return acc.state(pattern)
    acc = _Accumulator()
    if spec.pinned is not None:
        acc.add(*spec.pinned)
    else:
        for does, why in spec.evidence:
            acc.add(does, why)
        acc.calls.update(spec.param_calls)
        for site in spec.sites:
            for callee in site.callees:
                _call(acc, spec, site, callee, specs, states, declared)
    if pattern is not None:
        # The user vouches for what a declared function builds as for its body; the
        # functions passed to it still do what they do, so its calls stay.
        pinned = _Accumulator()
        pinned.add(_DECLARED_PURE, f"declared pure by pure-calls '{pattern}'")
        pinned.calls = acc.calls
        return pinned.state(pattern)
    return acc.state()


def _call(
    acc: _Accumulator,
    spec: NodeSpec,
    site: SiteSpec,
    callee: NodeRef | Static | ParamRef,
    specs: dict[str, NodeSpec],
    states: dict[str, State],
    declared: Declared,
) -> None:
    if isinstance(callee, ParamRef):
        acc.calls.add(callee.index)
        return
    if isinstance(callee, Static):
        pattern = declared(callee.qualname)
        if pattern is not None:
            acc.add(_DECLARED_PURE, f"declared pure by pure-calls '{pattern}'")
        else:
            acc.add(callee.does, _calling(site, callee))
        called: list[int | str] = [] if pattern is not None else list(callee.calls)
        params: tuple[str, ...] = ()
        positional_count = 1 << 30
        defaults: dict[int, Arg] = {}
    else:
        state = states[callee.key]
        acc.add(state.does, state.reason)
        target = specs[callee.key]
        called = sorted(state.calls)
        params, positional_count = target.params, target.positional_count
        defaults = dict(target.defaults)
    for parameter in called:
        found, arg = _argument(site, parameter, params, positional_count, defaults)
        if not found:
            acc.add(Does.FAILS, f"{spec.where} ({spec.qualname}) leaves out an argument its callee calls")
        elif site.spread:
            acc.add(ANYTHING,
                    f"unknown: {spec.where} ({spec.qualname}) passes *args/**kwargs to a callee that calls them")
        else:
            _argument_facts(acc, spec, arg, states)


def _calling(site: SiteSpec, callee: Static) -> str:
    """Why a call of a callee without source matters, said at the call."""
    if callee.why.startswith("builtin"):
        return f"{site.where} calls {callee.why}"
    reason = callee.why.split(": ", 1)[-1]
    return f"{site.where} calls {callee.qualname}: {reason}"


def _argument(
    site: SiteSpec, parameter: int | str, params: tuple[str, ...], positional_count: int, defaults: dict[int, Arg]
) -> tuple[bool, Arg]:
    """The argument passed for ``parameter`` (an index, or a keyword of a builtin)."""
    if isinstance(parameter, str):
        for name, value in site.keywords:
            if name == parameter:
                return True, value
        return not site.spread, Static(Does.NOTHING, "not passed", "")
    if parameter < len(site.positional) and parameter < positional_count:
        return True, site.positional[parameter]
    if parameter < len(params):
        for name, value in site.keywords:
            if name == params[parameter]:
                return True, value
    if parameter in defaults:
        return True, defaults[parameter]
    return site.spread, None


def _argument_facts(acc: _Accumulator, spec: NodeSpec, arg: Arg, states: dict[str, State]) -> None:
    """What calling the argument does, as seen from the caller ``spec``."""
    if arg is None:
        acc.add(ANYTHING, f"unknown: {spec.where} ({spec.qualname}) passes a value that is not a known function "
                          "to a callee that calls it")
    elif isinstance(arg, ParamRef):
        acc.calls.add(arg.index)
    elif isinstance(arg, Static):
        acc.add(arg.does, arg.why)
    else:
        state = states[arg.key]
        acc.add(state.does, state.reason)
        if arg.lambda_of_caller:
            acc.calls.update(state.calls)
        elif state.calls:
            acc.add(ANYTHING, f"unknown: {spec.where} ({spec.qualname}) passes {arg.key}, which calls its own "
                              "arguments, as a value")
