"""The records a function summary is made of (see :mod:`.summary`): plain frozen data,
remembered between analyses (:mod:`.memo`)."""

from __future__ import annotations

from dataclasses import dataclass

from .facts import Does
from .resolve import Target


@dataclass(frozen=True, slots=True)
class ArgParam:
    """An argument that is a parameter of the function being summarised."""

    index: int


@dataclass(frozen=True, slots=True)
class ArgTarget:
    """An argument that is a module-level name (or module attribute), resolved."""

    target: Target


@dataclass(frozen=True, slots=True)
class ArgLambda:
    """A lambda written as the argument; its body runs only if the callee calls it."""

    summary: Summary


@dataclass(frozen=True, slots=True)
class ArgStatic:
    """An argument whose call, if made, does ``does`` (a constant, a read-only method)."""

    does: Does
    why: str


ArgValue = ArgParam | ArgTarget | ArgLambda | ArgStatic


@dataclass(frozen=True, slots=True)
class Site:
    """One call whose callee's facts are only known after the fixpoint."""

    callee: Target | ArgParam
    positional: tuple[ArgValue | None, ...]
    """None for an argument that is no function we can see (calling it is UNKNOWN)."""
    keywords: tuple[tuple[str, ArgValue | None], ...]
    spread: bool
    """``*args`` or ``**kwargs`` at the call: arguments cannot be matched to parameters."""
    line: int
    of_result: bool = False
    """The call is of what ``callee(arguments)`` returns (a returned ``rbind(f, x)``)."""


@dataclass(frozen=True, slots=True)
class Summary:
    """A function's own contribution (or a lambda's)."""

    qualname: str
    where: str
    evidence: tuple[tuple[Does, str], ...]
    sites: tuple[Site, ...]
    param_calls: frozenset[int]
    """Parameters of the summarised function (for a lambda: of the enclosing function)
    that are called directly."""
    params: tuple[str, ...]
    """Parameters that can be passed by position, then keyword-only ones."""
    positional_count: int
    defaults: tuple[tuple[int, ArgValue | None], ...]
    generator: bool = False
    """Its own body yields: calling it makes a generator (for a lambda: it yields)."""
    result: Summary | None = None
    """What calling the value it returns does, as a summary of its own (parameters
    numbered as this function's): the body of a lambda or nested function it returns, a
    parameter it returns, the result of a call it returns. None for lambdas and methods."""
