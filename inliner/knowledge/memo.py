"""What one process remembers between ``knowledge_for`` calls besides parsed files:
summaries of library functions, and facts of function nodes that only their syntax decides.

A summary is a function of a function's syntax and of what the names it mentions resolve
to. So it is remembered with the questions it asked the resolver and their answers; it is
reused when the same questions get equal answers now (another analysed module, other
settings, another round of rebinds may give other answers, and then it is made again).
Asking again is cheap: the resolver remembers its answers within one ``knowledge_for``.
"""

from __future__ import annotations

import ast
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from .library import Library
from .module_scope import ModuleScope
from .resolve import NameResolver, Target
from .summary import summarise
from .summary_records import Summary

_T = TypeVar("_T")

_VARIANTS = 4
"""Summaries kept per function (one per distinct set of answers, latest first)."""

_SYNTAX_LOCK = threading.Lock()
_SYNTAX: weakref.WeakKeyDictionary[ast.AST, dict[str, object]] = weakref.WeakKeyDictionary()


def by_syntax(node: ast.AST, kind: str, compute: Callable[[], _T]) -> _T:
    """``compute()``, remembered for as long as ``node`` lives: for facts that depend on
    nothing but the node's own subtree (trees are never changed after parsing)."""
    with _SYNTAX_LOCK:
        known = _SYNTAX.get(node)
        if known is not None and kind in known:
            return known[kind]  # type: ignore[return-value]  # object: each kind is only ever computed as one _T
    value = compute()
    with _SYNTAX_LOCK:
        _SYNTAX.setdefault(node, {})[kind] = value
    return value


@dataclass(frozen=True, slots=True)
class _Question:
    """One question a summary asked: ``free_name(scope, name)`` (``base`` None) or
    ``chain(base, attrs)``, and the answer it got."""

    name: str
    base: Target | None
    attrs: tuple[str, ...]
    answer: Target


class _Recording:
    """A resolver that notes every question asked through it."""

    def __init__(self, resolver: NameResolver) -> None:
        self._resolver = resolver
        self.questions: list[_Question] = []

    def free_name(self, scope: ModuleScope, name: str) -> Target:
        answer = self._resolver.free_name(scope, name)
        self.questions.append(_Question(name, None, (), answer))
        return answer

    def chain(self, target: Target, attrs: list[str]) -> Target:
        answer = self._resolver.chain(target, attrs)
        self.questions.append(_Question("", target, tuple(attrs), answer))
        return answer


def _answers_hold(questions: tuple[_Question, ...], resolver: NameResolver, scope: ModuleScope) -> bool:
    for question in questions:
        if question.base is None:
            now = resolver.free_name(scope, question.name)
        else:
            now = resolver.chain(question.base, list(question.attrs))
        if now != question.answer:
            return False
    return True


def summary_of(
    resolver: NameResolver,
    library: Library,
    scope: ModuleScope,
    qualname: str,
    node: ast.FunctionDef | ast.AsyncFunctionDef,
    init_self: bool = False,
) -> Summary:
    """The summary of a top-level function (or ``__init__``) of ``scope``: remembered
    for a module read from a file, made afresh for the analysed module."""
    memo = library.memo(scope)
    if memo is None:
        return summarise(resolver, scope, qualname, node, init_self=init_self)
    key = ("summary", qualname, init_self)
    with memo.lock:
        variants: list[tuple[tuple[_Question, ...], Summary]] = list(memo.store.get(key, ()))
    for questions, summary in variants:
        # Asking again in the same order asks exactly what summarising would ask: the
        # summariser's path through the body depends only on the answers it got.
        if _answers_hold(questions, resolver, scope):
            return summary
    recording = _Recording(resolver)
    summary = summarise(recording, scope, qualname, node, init_self=init_self)
    with memo.lock:
        kept = [v for v in memo.store.get(key, ()) if v[1] != summary]
        memo.store[key] = [(tuple(recording.questions), summary), *kept][:_VARIANTS]
    return summary
