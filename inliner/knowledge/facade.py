"""The public face: what each name a module can call may do, computed once per module."""

from __future__ import annotations

import ast
import fnmatch
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from .builtins import BUILTINS, TABLE_VERSION
from .facts import ANYTHING, EFFECTS, CallFacts, Does, KnowledgeSettings, headline, label, widen
from .fixpoint import State, solve
from .graph import Arg, Graph, NodeRef, NodeSpec, ParamRef, Static, static_of
from .library import Library
from .module_scan import dotted
from .module_scope import read_scope
from .resolve import ClassTarget, EitherTarget, FunctionTarget, ModuleTarget, Resolver, Target
from .sources import module_name_of, package_home, search_dirs, tree_digest
from .summary import READ_ONLY_METHODS



@dataclass(frozen=True, slots=True)
class _Callable:
    """One name the module can call, with what is needed to look at a call's arguments."""

    facts: CallFacts
    """The facts for a call whose arguments are not looked at."""
    own: CallFacts
    """The facts apart from the parameters it calls."""
    called: tuple[int | str, ...] = ()
    params: tuple[str, ...] = ()
    positional_count: int = 0
    defaults: tuple[tuple[int, CallFacts], ...] = ()


@dataclass(frozen=True, slots=True)
class _Tables:
    names: MappingProxyType[str, _Callable]
    chains: MappingProxyType[str, _Callable]
    unresolved: str | None
    """Why a name the module does not bind is UNKNOWN (an unreadable star import), if so."""
    token: str
    warnings: tuple[str, ...]
    patterns: tuple[str, ...] = ()
    missing_is_unknown: bool = field(default=False)


class Knowledge:
    """What each function a module can call may do. Immutable after construction, so one
    instance may be shared between threads."""

    __slots__ = ("_tables",)

    def __init__(self, tables: _Tables) -> None:
        self._tables = tables

    def of_name(self, name: str) -> CallFacts:
        """Facts for calling the module-scope name ``name``."""
        return self._callable_of_name(name).facts

    def of_call(self, func: ast.expr) -> CallFacts:
        """Facts for a call whose callee is ``func`` in the module's own scope (a name, or
        an attribute chain on an imported module); anything else is UNKNOWN. A callee that
        calls one of its parameters is UNKNOWN here: use :meth:`of_call_node`."""
        return self._callable_of(func).facts

    def of_call_node(self, call: ast.Call, local_names: AbstractSet[str]) -> CallFacts:
        """Facts for ``call``, looking at its arguments: a callee that calls a parameter
        gets the facts of the function passed for it (a module-scope name, not one of
        ``local_names``, which are the enclosing function's parameters and locals)."""
        if isinstance(call.func, ast.Name) and call.func.id in local_names:
            return CallFacts(ANYTHING, f"unknown: calls local {call.func.id}")
        entry = self._callable_of(call.func)
        if not entry.called:
            return entry.facts
        parts = [entry.own]
        for parameter in entry.called:
            parts.append(self._argument(call, entry, parameter, local_names))
        does = Does.NOTHING
        for part in parts:
            does |= part.does
        does = widen(does)
        top = headline(does)
        if top in (Does.NOTHING, Does.FAILS):
            origin = entry.own.origin + ", with the functions passed to it"
        else:
            origin = next(p.origin for p in parts if headline(p.does) == top)
        return CallFacts(does, origin, declared=entry.facts.declared and does == entry.facts.does)

    def token(self) -> str:
        """Stable text for cache keys: every name the module can call with its bits, and
        a content hash of every source consulted."""
        return self._tables.token

    def warnings(self) -> tuple[str, ...]:
        """Declared-pure callables in which inference sees an effect."""
        return self._tables.warnings

    # -- lookups ---------------------------------------------------------------------

    def _callable_of(self, func: ast.expr) -> _Callable:
        if isinstance(func, ast.Name):
            return self._callable_of_name(func.id)
        spelled = dotted(func)
        if spelled is not None and spelled in self._tables.chains:
            return self._tables.chains[spelled]
        if spelled is not None and spelled.partition(".")[0] in self._tables.names:
            why = f"unknown: {spelled} is not a function of an imported module"
        else:
            why = "unknown: the callee is not a module-scope name or module attribute"
        return _unknown(why)

    def _callable_of_name(self, name: str) -> _Callable:
        found = self._tables.names.get(name)
        if found is not None:
            return found
        if self._tables.unresolved is not None:
            return _unknown(f"unknown: {name} may come from {self._tables.unresolved}")
        entry = BUILTINS.get(name)
        if entry is not None:
            static = static_of_builtin(name)
            pattern = _declared(self._tables.patterns, name)
            if pattern is not None:
                return _declared_callable(pattern)
            return _static_callable(static)
        if self._tables.missing_is_unknown:
            return _unknown(f"unknown: nothing is known about {name}")
        return _unknown(f"unknown: builtin {name} has no entry in the table") if name in dir(__builtins__) else _Callable(
            CallFacts(Does.FAILS, f"fails: {name} is not bound (NameError)"), CallFacts(Does.FAILS, "")
        )

    def _argument(self, call: ast.Call, entry: _Callable, parameter: int | str, local_names: AbstractSet[str]) -> CallFacts:
        spread = any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords)
        expr: ast.expr | None = None
        if isinstance(parameter, str):
            expr = next((k.value for k in call.keywords if k.arg == parameter), None)
            if expr is None and not spread:
                return CallFacts(Does.NOTHING, "not passed")
        else:
            if parameter < len(call.args) and parameter < entry.positional_count and not spread:
                expr = call.args[parameter]
            elif parameter < len(entry.params):
                expr = next((k.value for k in call.keywords if k.arg == entry.params[parameter]), None)
            if expr is None and not spread:
                default = dict(entry.defaults).get(parameter)
                return default if default is not None else CallFacts(Does.FAILS, "fails: an argument it calls is missing")
        if expr is None or spread:
            return CallFacts(ANYTHING, "unknown: arguments passed with * or **")
        if isinstance(expr, ast.Name) and expr.id in local_names:
            return CallFacts(ANYTHING, f"unknown: passes local {expr.id} to a callee that calls it")
        if isinstance(expr, ast.Constant):
            return CallFacts(Does.NOTHING if expr.value is None else Does.FAILS, "a constant")
        if isinstance(expr, ast.Attribute) and dotted(expr) not in self._tables.chains and expr.attr in READ_ONLY_METHODS:
            return CallFacts(Does.FAILS, f".{expr.attr} (taken to only read)")
        if isinstance(expr, (ast.Name, ast.Attribute)):
            passed = self._callable_of(expr)
            if passed.called:
                return CallFacts(ANYTHING, f"unknown: passes {dotted(expr)}, which calls its own arguments")
            return passed.facts
        return CallFacts(ANYTHING, "unknown: passes a value that is not a known function to a callee that calls it")


def static_of_builtin(name: str) -> Static:
    entry = BUILTINS[name]
    return Static(entry.does, f"builtin {name} ({entry.why})", name, entry.calls)


def _unknown(why: str) -> _Callable:
    facts = CallFacts(ANYTHING, why)
    return _Callable(facts, facts)


def _declared_callable(pattern: str) -> _Callable:
    facts = CallFacts(Does.FAILS, f"declared pure by pure-calls '{pattern}'", declared=True)
    return _Callable(facts, facts)


def _static_callable(static: Static) -> _Callable:
    own = CallFacts(widen(static.does), static.why)
    if not static.calls:
        return _Callable(own, own)
    names = tuple(str(c) for c in static.calls)
    bare = CallFacts(ANYTHING, f"unknown: {static.why} calls its argument(s) {', '.join(names)}", calls_parameters=names)
    return _Callable(bare, own, static.calls, (), 1 << 30, ())


def _either(first: _Callable, second: _Callable) -> _Callable:
    """One of two callables (a name a computed ``__all__`` may or may not export)."""
    if first.called and second.called:
        return _unknown("unknown: one of two callables that both call their arguments")
    main, other = (second, first) if second.called else (first, second)
    does = widen(main.facts.does | other.facts.does)
    own_does = widen(main.own.does | other.own.does)
    if headline(own_does) in (Does.NOTHING, Does.FAILS):
        origin = f"{first.own.origin}; or it fails: a computed __all__ may leave it out"
    else:
        origin = main.own.origin if headline(main.own.does) == headline(own_does) else other.own.origin
    facts = CallFacts(does, main.facts.origin if main.called else origin, calls_parameters=main.facts.calls_parameters)
    own = CallFacts(own_does, origin)
    return _Callable(facts, own, main.called, main.params, main.positional_count, main.defaults)


def _declared(patterns: tuple[str, ...], qualname: str) -> str | None:
    for pattern in patterns:
        if fnmatch.fnmatchcase(qualname, pattern):
            return pattern
    return None


def _origin(does: Does, reason: str, pure: str) -> str:
    top = headline(does)
    if top in (Does.NOTHING, Does.FAILS):
        return pure
    words = label(top)
    for prefix in ("unknown: ", f"{words}: "):
        reason = reason.removeprefix(prefix)
    return f"{words}: {reason}"


class _Builder:
    """Everything computed once for one module."""

    def __init__(self, tree: ast.Module, path: Path | None, settings: KnowledgeSettings) -> None:
        self.settings = settings
        name = module_name_of(path) if path is not None else "__main__"
        home = path.parent if path is not None else None
        dirs = search_dirs(home, settings.roots, settings.search_installed)
        if path is not None and package_home(path) != path.parent:
            dirs = (dirs[0], package_home(path)) + dirs[1:]
        project = tuple(d for d in (home, *settings.roots) if d is not None)
        self.library = Library(dirs, settings.max_files, project)
        self.scope = read_scope(tree, name, path, path is not None and path.name == "__init__.py")
        self.library.add(self.scope, tree_digest(tree))
        self.tree = tree

    def build(self) -> _Tables:
        self.library.load_project_imports()
        rebound = frozenset(pair for m in self.library.loaded() for pair in m.outside_rebinds)
        # Each round that finds new rebinds found them in modules the previous round
        # loaded first; loads are bounded by the file budget, so the loop ends.
        while True:
            resolver = Resolver(self.library, rebound)
            graph = Graph(resolver, self.settings.max_functions)
            names, chains, unresolved = self._targets(resolver)
            for target in list(names.values()) + list(chains.values()):
                graph.callee(target)
            graph.build()
            self.library.load_project_imports()
            seen = frozenset(pair for m in self.library.loaded() for pair in m.outside_rebinds)
            if not {module for module, _ in seen - rebound} & resolver.consulted:
                break  # no answer looked at a module whose names turned out rebound
            rebound = rebound | seen
        patterns = self.settings.pure_calls
        inferred = solve(graph.specs, lambda q: None)
        declared = solve(graph.specs, lambda q: _declared(patterns, q))
        self.inferred = inferred
        name_facts = {n: self._callable(t, graph.specs, declared) for n, t in sorted(names.items())}
        chain_facts = {c: self._callable(t, graph.specs, declared) for c, t in sorted(chains.items())}
        warnings = self._warnings(list(names.values()) + list(chains.values()), graph.specs, inferred)
        token = self._token(name_facts, chain_facts, unresolved)
        return _Tables(
            MappingProxyType(name_facts), MappingProxyType(chain_facts), unresolved, token, warnings, patterns
        )

    def _targets(self, resolver: Resolver) -> tuple[dict[str, Target], dict[str, Target], str | None]:
        scope = self.scope
        names = set(scope.bindings) | set(scope.ambiguous)
        unresolved: str | None = None
        for star in scope.stars:
            exported, why = resolver.exported_names(star.module)
            names.update(exported)
            if why is not None and unresolved is None:
                unresolved = f"a star import of '{star.module}' ({why})"
        if scope.escaped is not None:
            unresolved = f"a namespace that escapes: {scope.escaped}"
        targets = {name: resolver.free_name(scope, name) for name in sorted(names)}
        chains: dict[str, Target] = {}
        for spelled in sorted(scope.chains):
            head, *attrs = spelled.split(".")
            base = targets.get(head)
            if isinstance(base, ModuleTarget):
                chains[spelled] = resolver.chain(base, attrs)
        return targets, chains, unresolved

    def _callable(self, target: Target, specs: dict[str, NodeSpec], states: dict[str, State]) -> _Callable:
        patterns = self.settings.pure_calls
        if isinstance(target, EitherTarget):
            return _either(
                self._callable(target.first, specs, states), self._callable(target.second, specs, states)
            )
        static = static_of(target)
        if static is not None:
            pattern = _declared(patterns, static.qualname)
            if pattern is not None:
                return _declared_callable(pattern)
            return _static_callable(static)
        assert isinstance(target, (FunctionTarget, ClassTarget))  # static_of covers the rest
        key = f"{target.scope.name}.{target.name}"
        spec, state = specs[key], states[key]
        if state.declared is not None:
            # The user vouches for the body; a function passed to it still does what it
            # does, so a declared higher-order function keeps the parameters it calls.
            declared = _declared_callable(state.declared)
            calls = tuple(sorted(self.inferred[key].calls))
            if not calls:
                return declared
            defaults = tuple((i, self._arg_facts(a, states)) for i, a in spec.defaults)
            return _Callable(declared.facts, declared.own, calls, spec.params, spec.positional_count, defaults)
        own_does = state.does
        pure = f"pure, inferred from {spec.where} ({target.name})"
        own = CallFacts(own_does, _origin(own_does, state.reason(headline(own_does)), pure))
        if not state.calls:
            return _Callable(own, own)
        names = tuple(spec.params[i] if i < len(spec.params) else str(i) for i in sorted(state.calls))
        bare = CallFacts(
            ANYTHING,
            f"unknown: {spec.where} ({target.name}) calls its parameter(s) {', '.join(names)}"
            " (whatever the argument does: see of_call_node)",
            calls_parameters=names,
        )
        defaults = tuple(
            (index, self._arg_facts(arg, states)) for index, arg in spec.defaults
        )
        return _Callable(bare, own, tuple(sorted(state.calls)), spec.params, spec.positional_count, defaults)

    def _arg_facts(self, arg: Arg, states: dict[str, State]) -> CallFacts:
        if isinstance(arg, Static):
            return CallFacts(widen(arg.does), arg.why)
        if isinstance(arg, NodeRef):
            state = states[arg.key]
            if state.calls:
                return CallFacts(ANYTHING, f"unknown: default {arg.key} calls its own arguments")
            return CallFacts(state.does, _origin(state.does, state.reason(headline(state.does)), f"pure default {arg.key}"))
        if isinstance(arg, ParamRef):
            return CallFacts(ANYTHING, "unknown: a default that is a parameter")
        return CallFacts(ANYTHING, "unknown: a default that is not a known function")

    def _warnings(self, targets: list[Target], specs: dict[str, NodeSpec], inferred: dict[str, State]) -> tuple[str, ...]:
        patterns = self.settings.pure_calls
        found: set[str] = set()
        stack = list(targets)
        while stack:
            target = stack.pop()
            if isinstance(target, EitherTarget):
                stack.extend((target.first, target.second))
                continue
            if not isinstance(target, (FunctionTarget, ClassTarget)):
                continue
            key = f"{target.scope.name}.{target.name}"
            pattern = _declared(patterns, key)
            state = inferred.get(key)
            if pattern is None or state is None or state.does & Does.UNKNOWN or not state.does & EFFECTS:
                continue
            top = headline(state.does)
            reason = state.reason(top).removeprefix(f"{label(top)}: ")
            found.add(f"{key} is declared pure (pure-calls '{pattern}') but {label(top)}: {reason}")
        return tuple(sorted(found))

    def _token(self, names: dict[str, _Callable], chains: dict[str, _Callable], unresolved: str | None) -> str:
        settings = self.settings
        lines = [
            f"knowledge table={TABLE_VERSION} pure_calls={list(settings.pure_calls)} "
            f"installed={settings.search_installed} max_files={settings.max_files} "
            f"max_functions={settings.max_functions}",
            f"unresolved {unresolved}",
        ]
        for kind, table in (("name", names), ("chain", chains)):
            for name, entry in sorted(table.items()):
                calls = ",".join(str(c) for c in entry.called)
                lines.append(f"{kind} {name} {int(entry.facts.does)} {int(entry.own.does)} [{calls}] {int(entry.facts.declared)}")
        for module, text in sorted(self.library.digests.items()):
            lines.append(f"file {module} {text}")
        return "\n".join(lines) + "\n"


def knowledge_for(
    tree: ast.Module, path: Path | None, settings: KnowledgeSettings = KnowledgeSettings()
) -> Knowledge:
    """What the module at ``path`` (None: source without a file) can call. Reads sources
    beside it, in ``settings.roots`` and (if allowed) on ``sys.path``; imports nothing."""
    return Knowledge(_Builder(tree, path, settings).build())


def _no_knowledge() -> Knowledge:
    text = f"knowledge table={TABLE_VERSION} none\n"
    return Knowledge(
        _Tables(MappingProxyType({}), MappingProxyType({}), None, text, (), (), missing_is_unknown=True)
    )


NO_KNOWLEDGE: Knowledge = _no_knowledge()
"""Nothing resolvable except the builtin table: any other name is UNKNOWN."""

