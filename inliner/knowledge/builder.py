"""Computing the entries of one module's names: resolve, build the call graph, solve.

By default only the names the module mentions, and the module chains it calls or passes
to calls (its *roots*), are computed: the functions nobody mentions (a generated
module's ``solve_*``) are never summarised. The fixpoint's answers for a node depend only on the nodes it reaches, and
the worklist visits those in the same relative order whatever else is in the graph, so
every root gets exactly the entry it gets when everything is computed (``eager``).
"""

from __future__ import annotations

import ast
import fnmatch
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from .builtins import TABLE_VERSION
from .entries import Callee, CallEntry, declared_entry, either_entry, entry_text, static_entry
from .facts import ANYTHING, EFFECTS, CallFacts, Does, KnowledgeSettings, headline, label, widen
from .fixpoint import State, solve
from .graph import RESULT, Arg, Graph, NodeRef, NodeSpec, ParamRef, Static, result_static, static_of
from .library import Library
from .module_scope import read_scope
from .resolve import ClassTarget, EitherTarget, FunctionTarget, ModuleTarget, Resolver, Target
from .sources import module_name_of, package_home, search_dirs


@dataclass(frozen=True, slots=True)
class Tables:
    """The computed entries of one module, and what is needed to tell the names it binds
    but were not computed (asked about later) from the names it does not bind."""

    names: MappingProxyType[str, Callee]
    chains: MappingProxyType[str, Callee]
    bound: frozenset[str]
    """Every module-scope name (its bindings, and what its star imports may bind)."""
    module_chains: frozenset[str]
    """Every dotted chain the module spells whose head is an imported module."""
    unresolved: str | None
    """Why a name the module does not bind is UNKNOWN (an unreadable star import), if so."""
    token: str
    warnings: tuple[str, ...]
    patterns: tuple[str, ...]
    complete: bool
    """Every name in ``bound`` and chain in ``module_chains`` has its entry."""
    missing_is_unknown: bool = False
    """A name not bound is UNKNOWN, not a NameError (nothing was read: NO_KNOWLEDGE)."""


def declared_pattern(patterns: tuple[str, ...], qualname: str) -> str | None:
    """The first pure-calls pattern that declares ``qualname`` pure, if any."""
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


class Builder:
    """Everything computed for one module, in one ``build``."""

    def __init__(self, tree: ast.Module, path: Path | None, settings: KnowledgeSettings, eager: bool) -> None:
        self.settings = settings
        self.eager = eager
        name = module_name_of(path) if path is not None else "__main__"
        home = path.parent if path is not None else None
        dirs = search_dirs(home, settings.roots, settings.search_installed)
        if path is not None and package_home(path) != path.parent:
            dirs = (dirs[0], package_home(path)) + dirs[1:]
        project = tuple(d for d in (home, *settings.roots) if d is not None)
        self.library = Library(dirs, settings.max_files, project)
        self.scope = read_scope(tree, name, path, path is not None and path.name == "__init__.py")
        self.library.add(self.scope)

    def build(self) -> Tables:
        self.library.load_project_imports()
        rebound = frozenset(pair for m in self.library.loaded() for pair in m.outside_rebinds)
        # Each round that finds new rebinds found them in modules the previous round
        # loaded first; loads are bounded by the file budget, so the loop ends.
        while True:
            resolver = Resolver(self.library, rebound)
            graph = Graph(resolver, self.settings.max_functions)
            bound, unresolved = self._bound(resolver)
            names, chains, module_chains = self._roots(resolver, bound)
            for target in list(names.values()) + list(chains.values()):
                graph.callee(target)
                graph.result_callee(target)
            graph.build()
            self.library.load_project_imports()
            seen = frozenset(pair for m in self.library.loaded() for pair in m.outside_rebinds)
            if not {module for module, _ in seen - rebound} & resolver.consulted:
                break  # no answer looked at a module whose names turned out rebound
            rebound = rebound | seen
        patterns = self.settings.pure_calls
        self.inferred = solve(graph.specs, lambda q: None)
        # Without patterns nothing is declared: the second solve would be the first.
        declared = solve(graph.specs, lambda q: declared_pattern(patterns, q)) if patterns else self.inferred
        name_entries = {n: self._callee(t, graph.specs, declared) for n, t in sorted(names.items())}
        chain_entries = {c: self._callee(t, graph.specs, declared) for c, t in sorted(chains.items())}
        warnings = self._warnings(list(names.values()) + list(chains.values()), self.inferred)
        token = self._token(name_entries, chain_entries, bound, module_chains, unresolved, warnings)
        return Tables(
            names=MappingProxyType(name_entries),
            chains=MappingProxyType(chain_entries),
            bound=bound,
            module_chains=module_chains,
            unresolved=unresolved,
            token=token,
            warnings=warnings,
            patterns=patterns,
            complete=self.eager,
        )

    def _bound(self, resolver: Resolver) -> tuple[frozenset[str], str | None]:
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
        return frozenset(names), unresolved

    def _roots(
        self, resolver: Resolver, bound: frozenset[str]
    ) -> tuple[dict[str, Target], dict[str, Target], frozenset[str]]:
        """The names and chains to compute now: every one when eager; else those the
        module mentions (chains: calls or passes), and those a pure-calls pattern names
        (for warnings).

        Every name and chain is resolved either way (resolving is cheap; summarising is
        not), so the same files are read whatever is computed."""
        scope = self.scope
        targets = {name: resolver.free_name(scope, name) for name in sorted(bound)}
        chains: dict[str, Target] = {}
        for spelled in sorted(scope.chains):
            head, *attrs = spelled.split(".")
            base = targets.get(head)
            if isinstance(base, ModuleTarget):
                chains[spelled] = resolver.chain(base, attrs)
        module_chains = frozenset(chains)
        if not self.eager:
            used = scope.used
            targets = {n: t for n, t in targets.items() if n in used or self._declared_anywhere(t)}
            chains = {c: t for c, t in chains.items() if c in used or self._declared_anywhere(t)}
        return targets, chains, module_chains

    def _declared_anywhere(self, target: Target) -> bool:
        """Whether a function or class ``target`` stands for is declared pure (its warning
        needs what inference finds in it)."""
        if not self.settings.pure_calls:
            return False
        stack = [target]
        while stack:
            current = stack.pop()
            if isinstance(current, EitherTarget):
                stack.extend((current.first, current.second))
            elif isinstance(current, (FunctionTarget, ClassTarget)):
                if declared_pattern(self.settings.pure_calls, f"{current.scope.name}.{current.name}") is not None:
                    return True
        return False

    def _callee(self, target: Target, specs: dict[str, NodeSpec], states: dict[str, State]) -> Callee:
        return Callee(self._entry(target, specs, states), self._result_entry(target, specs, states))

    def _entry(self, target: Target, specs: dict[str, NodeSpec], states: dict[str, State]) -> CallEntry:
        patterns = self.settings.pure_calls
        if isinstance(target, EitherTarget):
            return either_entry(self._entry(target.first, specs, states), self._entry(target.second, specs, states))
        static = static_of(target)
        if static is not None:
            pattern = declared_pattern(patterns, static.qualname)
            if pattern is not None:
                return declared_entry(pattern)
            return static_entry(static)
        assert isinstance(target, (FunctionTarget, ClassTarget))  # static_of covers the rest
        return self._node_entry(f"{target.scope.name}.{target.name}", target.name, specs, states)

    def _result_entry(self, target: Target, specs: dict[str, NodeSpec], states: dict[str, State]) -> CallEntry:
        """What calling the value ``target(...)`` returns does (see :mod:`.returns`)."""
        if isinstance(target, EitherTarget):
            first = self._result_entry(target.first, specs, states)
            return either_entry(first, self._result_entry(target.second, specs, states))
        if isinstance(target, FunctionTarget):
            key = f"{target.scope.name}.{target.name}{RESULT}"
            return self._node_entry(key, f"what {target.name} returns", specs, states)
        return static_entry(result_static(target))

    def _node_entry(self, key: str, name: str, specs: dict[str, NodeSpec], states: dict[str, State]) -> CallEntry:
        """The entry of a graph node (``name`` says what it is in origin lines)."""
        spec, state = specs[key], states[key]
        if state.declared is not None:
            # The user vouches for the body; a function passed to it still does what it
            # does, so a declared higher-order function keeps the parameters it calls.
            declared = declared_entry(state.declared)
            calls = tuple(sorted(self.inferred[key].calls))
            if not calls:
                return declared
            defaults = tuple((i, self._arg_facts(a, states)) for i, a in spec.defaults)
            return CallEntry(declared.facts, declared.own, calls, spec.params, spec.positional_count, defaults)
        own_does = state.does
        pure = f"pure, inferred from {spec.where} ({name})"
        own = CallFacts(own_does, _origin(own_does, state.reason(headline(own_does)), pure))
        if not state.calls:
            return CallEntry(own, own)
        names = tuple(spec.params[i] if i < len(spec.params) else str(i) for i in sorted(state.calls))
        bare = CallFacts(
            ANYTHING,
            f"unknown: {spec.where} ({name}) calls its parameter(s) {', '.join(names)}"
            " (whatever the argument does: see of_call_node)",
            calls_parameters=names,
        )
        defaults = tuple((index, self._arg_facts(arg, states)) for index, arg in spec.defaults)
        return CallEntry(bare, own, tuple(sorted(state.calls)), spec.params, spec.positional_count, defaults)

    def _arg_facts(self, arg: Arg, states: dict[str, State]) -> CallFacts:
        if isinstance(arg, Static):
            return CallFacts(widen(arg.does), arg.why)
        if isinstance(arg, NodeRef):
            state = states[arg.key]
            if state.calls:
                return CallFacts(ANYTHING, f"unknown: default {arg.key} calls its own arguments")
            return CallFacts(state.does, _origin(state.does, state.reason(headline(state.does)),
                                                 f"pure default {arg.key}"))
        if isinstance(arg, ParamRef):
            return CallFacts(ANYTHING, "unknown: a default that is a parameter")
        return CallFacts(ANYTHING, "unknown: a default that is not a known function")

    def _warnings(self, targets: list[Target], inferred: dict[str, State]) -> tuple[str, ...]:
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
            pattern = declared_pattern(patterns, key)
            state = inferred.get(key)
            if pattern is None or state is None or state.does & Does.UNKNOWN or not state.does & EFFECTS:
                continue
            top = headline(state.does)
            reason = state.reason(top).removeprefix(f"{label(top)}: ")
            found.add(f"{key} is declared pure (pure-calls '{pattern}') but {label(top)}: {reason}")
        return tuple(sorted(found))

    def _token(
        self,
        names: dict[str, Callee],
        chains: dict[str, Callee],
        bound: frozenset[str],
        module_chains: frozenset[str],
        unresolved: str | None,
        warnings: tuple[str, ...],
    ) -> str:
        """Every answer about the names the module calls, and a content hash of every
        library file read: equal tokens, equal answers for the module's calls."""
        settings = self.settings
        lines = [
            f"knowledge table={TABLE_VERSION} pure_calls={list(settings.pure_calls)} "
            f"installed={settings.search_installed} max_files={settings.max_files} "
            f"max_functions={settings.max_functions}",
            f"unresolved {unresolved!r}",
        ]
        used = self.scope.used
        for kind, table, known in (("name", names, bound), ("chain", chains, module_chains)):
            for name in sorted(used & known):
                lines.append(f"{kind} {name} {entry_text(table[name])}")
        lines.extend(f"warning {warning}" for warning in warnings)
        for module, text in sorted(self.library.digests.items()):
            lines.append(f"file {module} {text}")
        return "\n".join(lines) + "\n"
