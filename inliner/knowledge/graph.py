"""The call graph reachable from a module's names: one node per function (or class, or
lambda passed as an argument), built by a worklist, never by recursion, within budget."""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass

from .decorators import gives_back, stored_names
from .facts import ANYTHING, Does
from .memo import by_syntax, summary_of
from .module_scope import ModuleScope
from .resolve import (
    BuiltinTarget,
    ClassTarget,
    EitherTarget,
    FunctionTarget,
    MissingTarget,
    ModuleTarget,
    Resolver,
    Target,
    UnknownTarget,
    ValueTarget,
)
from .summary import own_nodes
from .summary_records import ArgLambda, ArgParam, ArgStatic, ArgTarget, ArgValue, Summary


@dataclass(frozen=True, slots=True)
class Static:
    """A callee (or argument) whose facts need no fixpoint: a builtin, an unknown."""

    does: Does
    why: str
    qualname: str
    calls: tuple[int | str, ...] = ()


@dataclass(frozen=True, slots=True)
class NodeRef:
    key: str
    lambda_of_caller: bool = False
    """A lambda written at the call: the parameters it calls belong to the caller."""


@dataclass(frozen=True, slots=True)
class ParamRef:
    index: int


Arg = NodeRef | Static | ParamRef | None
"""``None``: a value we cannot see (calling it is UNKNOWN)."""


@dataclass(frozen=True, slots=True)
class SiteSpec:
    callees: tuple[NodeRef | Static | ParamRef, ...]
    positional: tuple[Arg, ...]
    keywords: tuple[tuple[str, Arg], ...]
    spread: bool
    where: str
    """``path:line (function)`` of the call, for origin lines."""


@dataclass(frozen=True, slots=True)
class NodeSpec:
    key: str
    qualname: str
    """Dotted name declarations match (``dsl.rot90``); lambdas have their function's."""
    where: str
    evidence: tuple[tuple[Does, str], ...]
    sites: tuple[SiteSpec, ...]
    param_calls: frozenset[int]
    params: tuple[str, ...]
    positional_count: int
    defaults: tuple[tuple[int, Arg], ...]
    pinned: tuple[Does, str] | None = None
    """Facts decided without the fixpoint (UNKNOWN for an opaque decorator, budget)."""


RESULT = "#result"
"""The key suffix of the node for calling what a function returns."""

_SAFE_BASES = frozenset("object tuple list dict set frozenset int float str bytes".split())


def static_of(target: Target) -> Static | None:
    """Facts of a target that is not a function or class in source (None for those)."""
    if isinstance(target, BuiltinTarget):
        entry = target.entry
        return Static(entry.does, f"builtin {target.qualname} ({entry.why})", target.qualname, entry.calls)
    if isinstance(target, UnknownTarget):
        return Static(ANYTHING, f"unknown: {target.why}", target.qualname)
    if isinstance(target, MissingTarget):
        return Static(Does.FAILS, f"fails: {target.why}", target.qualname)
    if isinstance(target, ModuleTarget):
        return Static(Does.FAILS, f"fails: module {target.name} is not callable", target.name)
    if isinstance(target, ValueTarget):
        if target.immutable:
            return Static(Does.FAILS, f"calls constant {target.qualname} ({target.where})", target.qualname)
        return Static(ANYTHING, f"unknown: {target.qualname} is bound to a value at {target.where}", target.qualname)
    return None


def result_static(target: Target) -> Static:
    """What calling the value a target that is not a function in source returns does: a
    call that cannot succeed builds nothing to call; anything else is UNKNOWN."""
    if isinstance(target, ClassTarget):
        why = f"unknown: calls an instance of {target.scope.name}.{target.name}"
        return Static(ANYTHING, why, f"{target.name}{RESULT}")
    static = static_of(target)
    assert static is not None, "functions have result nodes"
    if isinstance(target, (MissingTarget, ModuleTarget)) or (isinstance(target, ValueTarget) and target.immutable):
        return Static(Does.FAILS, static.why, f"{static.qualname}{RESULT}")
    return Static(ANYTHING, f"unknown: calls what {static.qualname} returns", f"{static.qualname}{RESULT}")


class Graph:
    """Nodes for every function reachable from the targets asked for."""

    def __init__(self, resolver: Resolver, max_functions: int) -> None:
        self.resolver = resolver
        self.max_functions = max_functions
        self.specs: dict[str, NodeSpec] = {}
        self._pending: list[tuple[str, FunctionTarget | ClassTarget]] = []
        self._queued: set[str] = set()
        """Every key ever queued (a key popped is built before anything else is popped)."""
        self._summarised = 0
        self._summaries: dict[str, Summary] = {}

    def callee(self, target: Target) -> tuple[NodeRef | Static, ...]:
        """The callee(s) a target stands for, queueing nodes to build."""
        if isinstance(target, EitherTarget):
            return self.callee(target.first) + self.callee(target.second)
        if isinstance(target, (FunctionTarget, ClassTarget)):
            key = f"{target.scope.name}.{target.name}"
            if key not in self.specs and key not in self._queued:
                self._queued.add(key)
                self._pending.append((key, target))
            return (NodeRef(key),)
        static = static_of(target)
        assert static is not None
        return (static,)

    def result_callee(self, target: Target) -> tuple[NodeRef | Static, ...]:
        """What calling the value ``target(...)`` returns stands for (see :mod:`.returns`):
        a ``#result`` node for a function in source; UNKNOWN for anything else."""
        if isinstance(target, EitherTarget):
            return self.result_callee(target.first) + self.result_callee(target.second)
        if isinstance(target, FunctionTarget):
            key = f"{target.scope.name}.{target.name}{RESULT}"
            if key not in self.specs and key not in self._queued:
                self._queued.add(key)
                self._pending.append((key, target))
            return (NodeRef(key),)
        return (result_static(target),)

    def build(self) -> None:
        """Build every queued node and whatever they call (iteratively)."""
        while self._pending:
            key, target = self._pending.pop()
            if key in self.specs:
                continue
            if key.endswith(RESULT):
                assert isinstance(target, FunctionTarget)
                self.specs[key] = self._result(key, target)
            elif isinstance(target, FunctionTarget):
                self.specs[key] = self._function(key, target)
            else:
                self.specs[key] = self._class(key, target)

    # -- functions ---------------------------------------------------------------

    def _budget(self) -> str | None:
        self._summarised += 1
        if self._summarised > self.max_functions:
            return f"budget: more than {self.max_functions} functions"
        return None

    def _function(self, key: str, target: FunctionTarget) -> NodeSpec:
        node = target.binding.node
        where = target.scope.where(node.lineno)
        over = self._budget()
        if over is not None:
            return _pinned(key, where, ANYTHING, over)
        for decorator in node.decorator_list:
            if not self._transparent(target.scope, decorator):
                text = _text(decorator)
                return _pinned(key, where, ANYTHING,
                               f"unknown: {where} ({target.name}) is decorated by {text}, which may replace it")
        summary = summary_of(self.resolver, self.resolver.library, target.scope, target.name, node)
        self._summaries[key] = summary
        spec = self._spec(key, summary, offset=0)
        living: list[tuple[Does, str]] = []
        if isinstance(node, ast.AsyncFunctionDef):
            living.append((Does.LIVING_RESULT, f"{where} ({target.name}) is a coroutine function"))
        elif summary.generator:
            living.append((Does.LIVING_RESULT, f"{where} ({target.name}) is a generator function"))
        return _with_evidence(spec, tuple(living))

    def _result(self, key: str, target: FunctionTarget) -> NodeSpec:
        """The node for calling what ``target`` returns: its result summary as a node
        with the function's own parameters."""
        base = key.removesuffix(RESULT)
        if base not in self.specs:
            self.specs[base] = self._function(base, target)
        summary = self._summaries.get(base)
        if summary is None or summary.result is None:
            pinned = self.specs[base].pinned
            why = pinned[1].removeprefix("unknown: ") if pinned is not None else "not summarised"
            return _pinned(key, self.specs[base].where, ANYTHING,
                           f"unknown: what {target.name} returns is not known: {why}")
        return self._spec(key, summary.result, offset=0)

    def _spec(self, key: str, summary: Summary, offset: int) -> NodeSpec:
        """Turn a summary into a node, numbering parameters from ``offset`` (1 for an
        ``__init__`` seen through its class: ``self`` is not the caller's argument)."""
        sites: list[SiteSpec] = []
        lambdas = 0
        for site in summary.sites:
            callee: tuple[NodeRef | Static | ParamRef, ...]
            if isinstance(site.callee, ArgParam):
                shifted = site.callee.index - offset
                callee = (ParamRef(shifted),) if shifted >= 0 else (Static(ANYTHING, "unknown: calls self", "self"),)
            elif site.of_result:
                callee = self.result_callee(site.callee)
            else:
                callee = self.callee(site.callee)
            args: list[Arg] = []
            for value in site.positional:
                arg, lambdas = self._arg(key, summary, value, offset, lambdas)
                args.append(arg)
            keywords: list[tuple[str, Arg]] = []
            for name, value in site.keywords:
                arg, lambdas = self._arg(key, summary, value, offset, lambdas)
                keywords.append((name, arg))
            where = f"{summary.where.rpartition(':')[0]}:{site.line} ({summary.qualname})"
            sites.append(SiteSpec(callee, tuple(args), tuple(keywords), site.spread, where))
        defaults: list[tuple[int, Arg]] = []
        for index, value in summary.defaults:
            arg, lambdas = self._arg(key, summary, value, 0, lambdas)
            if index - offset >= 0:
                defaults.append((index - offset, arg))
        calls = frozenset(i - offset for i in summary.param_calls)
        evidence = summary.evidence
        if any(i < 0 for i in calls):
            evidence += ((ANYTHING, f"{summary.where} ({summary.qualname}) calls self"),)
        return NodeSpec(
            key=key,
            qualname=key.split("#")[0],
            where=summary.where,
            evidence=evidence,
            sites=tuple(sites),
            param_calls=frozenset(i for i in calls if i >= 0),
            params=summary.params[offset:],
            positional_count=summary.positional_count - offset,
            defaults=tuple(defaults),
        )

    def _arg(self, key: str, summary: Summary, value: ArgValue | None, offset: int, lambdas: int) -> tuple[Arg, int]:
        if value is None:
            return None, lambdas
        if isinstance(value, ArgParam):
            shifted = value.index - offset
            return (ParamRef(shifted) if shifted >= 0 else None), lambdas
        if isinstance(value, ArgStatic):
            return Static(value.does, value.why, value.why), lambdas
        if isinstance(value, ArgLambda):
            lambda_key = f"{key}#lambda{lambdas}"
            self.specs[lambda_key] = self._spec(lambda_key, value.summary, offset)
            return NodeRef(lambda_key, lambda_of_caller=True), lambdas + 1
        assert isinstance(value, ArgTarget)
        callees = self.callee(value.target)
        if len(callees) != 1:
            return None, lambdas
        only = callees[0]
        if isinstance(only, Static) and only.calls:
            # A builtin like map passed as a value: what it calls is not known here.
            return Static(ANYTHING, f"unknown: {only.qualname} passed as a value", only.qualname), lambdas
        return only, lambdas

    # -- decorators ----------------------------------------------------------------

    def _transparent(self, scope: ModuleScope, decorator: ast.expr) -> bool:
        """A decorator that gives back the very function it gets: an identity function,
        or a call of a factory whose result is one (``@_sig(...)`` registering ``fn`` in a
        dict and returning it). Registering happens at import time, not at each call."""
        factory = isinstance(decorator, ast.Call)
        expression = decorator.func if isinstance(decorator, ast.Call) else decorator
        target = self._expression_target(scope, expression)
        if not isinstance(target, FunctionTarget):
            return False
        definition = target.binding.node
        kind = "gives back what its result gets" if factory else "gives back what it gets"
        return by_syntax(definition, kind, lambda: gives_back(definition, factory))

    def _expression_target(self, scope: ModuleScope, node: ast.expr) -> Target | None:
        attrs: list[str] = []
        while isinstance(node, ast.Attribute):
            attrs.insert(0, node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        return self.resolver.chain(self.resolver.free_name(scope, node.id), attrs)

    # -- classes -------------------------------------------------------------------

    def _class(self, key: str, target: ClassTarget) -> NodeSpec:
        where = target.scope.where(target.binding.node.lineno)
        over = self._budget()
        if over is not None:
            return _pinned(key, where, ANYTHING, over)
        living: tuple[tuple[Does, str], ...] = ()
        constructor: tuple[ClassTarget, ast.FunctionDef] | None = None
        current: ClassTarget = target
        seen: set[str] = set()
        while True:
            node = current.binding.node
            here = current.scope.where(node.lineno)
            if f"{current.scope.name}.{current.name}" in seen:
                return _pinned(key, where, ANYTHING, f"unknown: {here} class hierarchy loops")
            seen.add(f"{current.scope.name}.{current.name}")
            if node.decorator_list or node.keywords:
                return _pinned(key, where, ANYTHING, f"unknown: {here} ({current.name}) has a decorator or metaclass")
            members = _class_members(node)
            if "__new__" in members:
                return _pinned(key, where, ANYTHING, f"unknown: {here} ({current.name}) defines __new__")
            for finaliser in ("__del__", "__exit__", "__aexit__"):
                if finaliser in members and not living:
                    living = ((Does.LIVING_RESULT, f"{here} ({current.name}) defines {finaliser}"),)
            if constructor is None and "__init__" in members:
                init = members["__init__"]
                if init is None:
                    return _pinned(key, where, ANYTHING, f"unknown: {here} ({current.name}) binds __init__ to a value")
                constructor = (current, init)
            if not node.bases:
                break
            if len(node.bases) > 1:
                return _pinned(key, where, ANYTHING, f"unknown: {here} ({current.name}) has several bases")
            base = self._expression_target(current.scope, node.bases[0])
            if isinstance(base, ClassTarget):
                current = base
                continue
            if isinstance(base, BuiltinTarget) and _safe_base(base.qualname):
                break
            text = _text(node.bases[0])
            return _pinned(key, where, ANYTHING, f"unknown: {here} ({current.name}) derives from {text}")
        if constructor is not None:
            return self._constructor(key, constructor[0], constructor[1], living, target)
        # Construction runs object.__init__ (or a builtin base's): fails on bad arguments.
        return NodeSpec(key, key, where, living + ((Does.FAILS, f"{where} constructs {target.name}"),), (),
                        frozenset(), (), 0, ())

    def _constructor(
        self,
        key: str,
        owner: ClassTarget,
        init: ast.FunctionDef,
        living: tuple[tuple[Does, str], ...],
        target: ClassTarget,
    ) -> NodeSpec:
        if init.decorator_list:
            return _pinned(key, owner.scope.where(init.lineno), ANYTHING, "unknown: decorated __init__")
        summary = summary_of(self.resolver, self.resolver.library, owner.scope, f"{owner.name}.__init__", init,
                             init_self=True)
        spec = self._spec(key, summary, offset=1)
        return _with_evidence(spec, living)


def _text(node: ast.expr) -> str:
    """Source text of a short expression for an origin line (unparse recurses)."""
    try:
        text = ast.unparse(node)
    except (RecursionError, ValueError):
        return "an expression"
    return text if len(text) <= 80 else text[:77] + "..."


def _safe_base(name: str) -> bool:
    """Builtin bases whose construction and death run no code of their own."""
    value = getattr(builtins, name, None)
    return name in _SAFE_BASES or (isinstance(value, type) and issubclass(value, BaseException))


def _pinned(key: str, where: str, does: Does, why: str) -> NodeSpec:
    return NodeSpec(key, key, where, (), (), frozenset(), (), 0, (), pinned=(does, why))


def _with_evidence(spec: NodeSpec, extra: tuple[tuple[Does, str], ...]) -> NodeSpec:
    if not extra:
        return spec
    return NodeSpec(
        spec.key, spec.qualname, spec.where, extra + spec.evidence, spec.sites,
        spec.param_calls, spec.params, spec.positional_count, spec.defaults, spec.pinned,
    )


def _class_members(node: ast.ClassDef) -> dict[str, ast.FunctionDef | None]:
    """Names a class body binds: its plain methods, or None for anything else."""
    members: dict[str, ast.FunctionDef | None] = {}
    for statement in node.body:
        if isinstance(statement, ast.FunctionDef):
            members[statement.name] = statement if statement.name not in members else None
        else:
            for child in own_nodes([statement]):
                for name in stored_names(child):
                    members[name] = None
            if isinstance(statement, (ast.AsyncFunctionDef, ast.ClassDef)):
                members[statement.name] = None
    return members
