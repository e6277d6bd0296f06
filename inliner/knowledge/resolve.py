"""What a name means: follow imports, re-exports and star imports across modules to the
statement that binds it, or to the reason it cannot be known.

Every walk here is a loop over an explicit stack with a visited set: import cycles and
long re-export chains cost iterations, never Python recursion.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from typing import Protocol

from .builtins import BUILTINS, Entry, stdlib_entry
from .library import Library, Unavailable
from .module_scope import (
    ClassBinding,
    DefBinding,
    FromImport,
    ModuleImport,
    ModuleScope,
    ValueBinding,
)


@dataclass(frozen=True, slots=True)
class FunctionTarget:
    scope: ModuleScope
    name: str
    binding: DefBinding


@dataclass(frozen=True, slots=True)
class ClassTarget:
    scope: ModuleScope
    name: str
    binding: ClassBinding


@dataclass(frozen=True, slots=True)
class ModuleTarget:
    name: str


@dataclass(frozen=True, slots=True)
class ValueTarget:
    """A name bound to a value: ``immutable`` values read as NOTHING."""

    qualname: str
    immutable: bool
    where: str


@dataclass(frozen=True, slots=True)
class BuiltinTarget:
    qualname: str
    entry: Entry


@dataclass(frozen=True, slots=True)
class UnknownTarget:
    qualname: str
    why: str


@dataclass(frozen=True, slots=True)
class MissingTarget:
    """Not bound at all: using it raises (NameError, AttributeError)."""

    qualname: str
    why: str


@dataclass(frozen=True, slots=True)
class EitherTarget:
    """One of two (a name a computed ``__all__`` may or may not export)."""

    first: Target
    second: Target


Target = (
    FunctionTarget
    | ClassTarget
    | ModuleTarget
    | ValueTarget
    | BuiltinTarget
    | UnknownTarget
    | MissingTarget
    | EitherTarget
)

BUILTIN_NAMES = frozenset(dir(builtins))
"""Every name the builtins module binds (with a table entry or not)."""


class NameResolver(Protocol):
    """The two questions a function summary asks about names (see :class:`Resolver`)."""

    def free_name(self, scope: ModuleScope, name: str) -> Target:
        """What a free name means in ``scope``."""
        ...

    def chain(self, target: Target, attrs: list[str]) -> Target:
        """What ``target.a.b`` is."""
        ...


class Resolver:
    """Resolves names against a :class:`Library`, given which ``(module, attr)`` pairs
    some loaded module rebinds from outside."""

    def __init__(self, library: Library, rebound: frozenset[tuple[str, str]]) -> None:
        self.library = library
        self.rebound = rebound
        # A module once read never changes, so a name's meaning is fixed: remember it.
        self._known: dict[tuple[str, str, bool], Target] = {}
        self.consulted: set[str] = set()
        """Modules whose bindings some answer depended on."""

    def free_name(self, scope: ModuleScope, name: str) -> Target:
        """What a free name means in ``scope`` (its globals, then builtins)."""
        return self._walk(scope.name, name, free=True)

    def attribute(self, module: str, attr: str) -> Target:
        """What ``module.attr`` is (an attribute, or a submodule)."""
        return self._walk(module, attr, free=False)

    def chain(self, target: Target, attrs: list[str]) -> Target:
        """Follow ``target.a.b``: only modules have attributes we can see through."""
        for attr in attrs:
            if isinstance(target, ModuleTarget):
                target = self.attribute(target.name, attr)
            elif isinstance(target, (UnknownTarget, MissingTarget)):
                return target
            else:
                return UnknownTarget(attr, "an attribute of an object that is not a module")
        return target

    def _walk(self, module: str, name: str, free: bool) -> Target:
        key = (module, name, free)
        if key not in self._known:
            self._known[key] = self._follow(module, name, free)
        return self._known[key]

    def _follow(self, module: str, name: str, free: bool) -> Target:
        seen: set[tuple[str, str]] = set()
        either: Target | None = None
        while True:
            qualname = f"{module}.{name}" if module else name
            if (module, name) in seen:
                return UnknownTarget(qualname, "an import cycle binds no value")
            seen.add((module, name))
            step = self._step(module, name, free)
            free = False
            if isinstance(step, tuple):
                module, name = step[0], step[1]
                if step[2] is not None and either is None:
                    either = step[2]
                continue
            return step if either is None else EitherTarget(step, either)

    def _step(
        self, module: str, name: str, free: bool
    ) -> Target | tuple[str, str, Target | None]:
        """One link: a final target, or ``(module, name, alternative)`` to go on with."""
        qualname = f"{module}.{name}"
        self.consulted.add(module)
        entry = stdlib_entry(qualname)
        if entry is not None:
            return BuiltinTarget(qualname, entry)
        scope = self.library.module(module)
        if isinstance(scope, Unavailable):
            return UnknownTarget(qualname, scope.why)
        if scope.escaped is not None:
            return UnknownTarget(qualname, f"module '{module}': {scope.escaped}")
        if (module, name) in self.rebound or (module, "*") in self.rebound:
            return UnknownTarget(qualname, f"another module rebinds {qualname}")
        if name in scope.ambiguous:
            return UnknownTarget(qualname, f"{qualname} is {scope.ambiguous[name]}")
        binding = scope.bindings.get(name)
        if binding is not None:
            later = [s for s in scope.stars if s.index > scope.binding_index[name]]
            for star in later:
                if self.exports(star.module, name) != "no":
                    return UnknownTarget(qualname, f"{qualname} may be rebound by a star import")
            if isinstance(binding, DefBinding):
                return FunctionTarget(scope, name, binding)
            if isinstance(binding, ClassBinding):
                return ClassTarget(scope, name, binding)
            if isinstance(binding, ModuleImport):
                return ModuleTarget(binding.module)
            if isinstance(binding, ValueBinding):
                return ValueTarget(qualname, binding.immutable, scope.where(binding.line))
            assert isinstance(binding, FromImport)
            if not binding.module:
                return UnknownTarget(qualname, "a relative import that leaves its package")
            return (binding.module, binding.attr, None)
        sources: list[tuple[str, str]] = []
        for star in scope.stars:
            verdict = self.exports(star.module, name)
            if verdict.startswith("unknown"):
                return UnknownTarget(qualname, verdict.removeprefix("unknown: "))
            if verdict != "no":
                sources.append((star.module, verdict))
        if len(sources) > 1:
            return UnknownTarget(qualname, f"{name} is bound by two star imports")
        fallback = self._unbound(scope, name, free)
        if sources:
            source, verdict = sources[0]
            return (source, name, fallback if verdict == "maybe" else None)
        return fallback

    def _unbound(self, scope: ModuleScope, name: str, free: bool) -> Target:
        """A name the module does not bind: a builtin (for a free name), a submodule (for
        an attribute), or missing."""
        if free:
            if name in BUILTINS:
                return BuiltinTarget(name, BUILTINS[name])
            if name in BUILTIN_NAMES:
                return UnknownTarget(name, f"builtin {name} has no entry in the table")
            return MissingTarget(name, f"{name} is not bound in '{scope.name}' (NameError)")
        if scope.is_package:
            sub = self.library.module(f"{scope.name}.{name}")
            if not isinstance(sub, Unavailable):
                return ModuleTarget(sub.name)
        return MissingTarget(f"{scope.name}.{name}", f"'{scope.name}' has no {name}")

    def exports(self, module: str, name: str) -> str:
        """Whether ``from module import *`` binds ``name``: ``yes``, ``no``, ``maybe`` (a
        computed ``__all__``), or ``unknown: why``."""
        verdicts: set[str] = set()
        stack = [module]
        seen: set[str] = set()
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            self.consulted.add(current)
            scope = self.library.module(current)
            if isinstance(scope, Unavailable):
                return f"unknown: star import of '{current}': {scope.why}"
            if scope.escaped is not None:
                return f"unknown: star import of '{current}': {scope.escaped}"
            own = scope.exports(name)
            if name in scope.bindings or name in scope.ambiguous:
                verdicts.add({True: "yes", False: "no", None: "maybe"}[own])
                continue
            if own is False:
                continue
            stack.extend(star.module for star in scope.stars)
        for verdict in ("yes", "maybe"):
            if verdict in verdicts:
                return verdict
        return "no"

    def exported_names(self, module: str) -> tuple[list[str], str | None]:
        """Names ``from module import *`` may bind, and why the list is incomplete (an
        unreadable module in the star chain), if it is."""
        names: set[str] = set()
        stack = [module]
        seen: set[str] = set()
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            scope = self.library.module(current)
            if isinstance(scope, Unavailable):
                return sorted(names), scope.why
            bound = list(scope.bindings) + list(scope.ambiguous)
            if scope.all_names is not None:
                names.update(scope.all_names)
            else:
                names.update(n for n in bound if scope.exports(n) is not False)
            stack.extend(star.module for star in scope.stars)
        return sorted(names), None
