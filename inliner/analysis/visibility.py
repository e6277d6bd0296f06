"""Names that code other than the straight line of a function can see or change.

Moving a value that may raise or run code is only safe across stores and reads that
nothing else observes. This module finds the names for which that does not hold:

- a store is *shared* when the name is declared ``global`` or ``nonlocal``, is mentioned
  by a nested scope (a closure may read the new value), or is read where an exception
  raised before the store can lead: an ``except`` or ``finally`` block, the code after a
  handler that falls through, or the next round of a loop (:func:`names_seen_after_exceptions`);
- a read is *volatile* when a call may rebind the name (a global some function of the
  module declares ``global``; every global and builtin when the module reaches module
  objects indirectly: ``globals()``, ``__globals__``, ``f_globals``, ``sys.modules`` or a
  ``modules`` imported from ``sys``, ``importlib.import_module``, ``__import__``,
  ``builtins``/``__builtins__``; a name some function of the top-level statement declares
  ``nonlocal``; a free variable, which its enclosing function binds when it likes; any
  name not local to a function that suspends, since other code runs at each ``await`` or
  ``yield``) or when the read may raise ``NameError``: the name is bound nowhere in the
  module, is no builtin, and no star import may bind it; or it is bound at module level
  only conditionally (inside ``if``/``try``/a loop/``with``) or only after code ran at
  import time (a call, a decorator, a class body) that could call a function reading it.

Assumed: other modules do not assign to this module's attributes (except through the
spellings above, in this module), and a star import binds only what its module defines.
Source with no import at all is taken as a fragment (one generated function, a snippet)
whose free names its runner provides, as the pipeline's canonicaliser does: only a module
that imports what it uses can have a name bound nowhere.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..effects import Effect
from ..knowledge import CallFacts
from ..options import InlineOptions
from .calls import NO_CALLS, UNKNOWN_CALL, CallTable, KnownCall, built_callables, callee_name, import_origins

BUILTIN_NAMES = frozenset(dir(builtins)) | frozenset({
    "__name__", "__file__", "__doc__", "__spec__", "__loader__", "__package__", "__path__",
    "__cached__", "__builtins__", "__annotations__", "__dict__", "__module__", "__qualname__",
    "__class__",
})
_TRY = (ast.Try, ast.TryStar)
_WITH = (ast.With, ast.AsyncWith)
_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


@dataclass(frozen=True, slots=True)
class ModuleNames:
    """What a whole module says about its global names."""

    declared_global: frozenset[str] = frozenset()
    """Names some function of the module declares ``global``."""
    uses_globals: bool = False
    """The module reaches its globals indirectly (``globals()``, ``__globals__``,
    ``f_globals``, ``sys.modules``): any global may be changed by any call."""
    star_import: bool = False
    bound: frozenset[str] | None = None
    """The module's global names (None with a star import, or in a fragment with no
    import at all: no name is known to be missing)."""
    maybe_unbound: frozenset[str] = frozenset()
    """Global names a function may find unbound: bound at module level only inside a
    compound statement, or only after import-time code that could call the function."""
    calls: CallTable = field(default=NO_CALLS)
    """What calling each module-level name is known to do (empty: nothing is known)."""

    def read_effect(self, name: str) -> int:
        """The effect bits of reading ``name`` as a global."""
        effect = 0
        if self.uses_globals or name in self.declared_global:
            effect = int(Effect.VOLATILE_READ)
        if name in self.maybe_unbound or (
                self.bound is not None and name not in self.bound and name not in BUILTIN_NAMES):
            effect |= int(Effect.VOLATILE_READ | Effect.MAY_RAISE)
        return effect

    @property
    def any_volatile(self) -> bool:
        """Whether a global's read may be volatile at all (a fast path for generated code)."""
        return bool(self.uses_globals or self.declared_global or self.bound is not None or self.maybe_unbound)

    def context_token(self, unit: ast.AST) -> str:
        """What of these facts can change the result for ``unit`` (for cache keys): each
        name it reads whose read is volatile, with the effect its read has."""
        if not (self.any_volatile or self.calls):
            return ""  # no read can be volatile, no call is known
        effects = {
            node.id: self.read_effect(node.id) for node in ast.walk(unit) if isinstance(node, ast.Name)
        }
        token = ",".join(f"{name}:{effect}" for name, effect in sorted(effects.items()) if effect)
        return f"{token};{self.calls.token_for(unit)}" if self.calls else token


UNKNOWN_MODULE = ModuleNames(star_import=True)
"""Facts for code seen without its module: nothing is known to be volatile."""



_OPENING_NAMES = frozenset({"globals", "__globals__", "f_globals", "import_module", "__import__",
                            "builtins", "__builtins__"})
"""Names and attributes through which code reaches a module object or its namespace, so
that a call may rebind any global or builtin: ``globals()``, ``f.__globals__``, a frame's
``f_globals``, ``importlib.import_module``, ``__import__``, the ``builtins`` module (and
``sys.modules``, ``modules`` imported from ``sys`` and ``importlib.reload``, which
:func:`_opens_globals` recognises by what they are attributes of)."""

_OPENING_TEXT = ("global", "modules", "import_module", "__import__", "builtins", "reload")
"""Substrings of the source that every spelling :func:`_opens_globals` finds contains."""


def _opens_globals(node: ast.AST, module_aliases: dict[str, str]) -> bool:
    """Whether ``node`` reaches a module object or namespace (see :data:`_OPENING_NAMES`);
    ``module_aliases`` maps each name the module binds to ``sys`` or ``importlib`` by
    import."""
    if isinstance(node, ast.Name):
        return node.id in _OPENING_NAMES or module_aliases.get(node.id) == "sys.modules"
    if isinstance(node, ast.Attribute):
        if node.attr in _OPENING_NAMES:
            return True
        owner = module_aliases.get(node.value.id) if isinstance(node.value, ast.Name) else None
        return (owner == "sys" and node.attr == "modules") or (owner == "importlib" and node.attr == "reload")
    if isinstance(node, ast.alias):
        return node.name in _OPENING_NAMES
    return False


def _module_aliases(tree: ast.Module) -> dict[str, str]:
    """The names bound anywhere to ``sys``, ``importlib`` or ``sys.modules`` by an import."""
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in ("sys", "importlib"):
                    aliases[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module == "sys" and not node.level:
            for alias in node.names:
                if alias.name == "modules":
                    aliases[alias.asname or alias.name] = "sys.modules"
    return aliases


def _own_scope(root: ast.AST) -> list[ast.AST]:
    """The nodes of ``root``'s own scope: nested functions, classes and lambdas are left out
    (their names and decorators count, their bodies do not)."""
    nodes: list[ast.AST] = []
    stack = list(ast.iter_child_nodes(root))
    while stack:
        node = stack.pop()
        nodes.append(node)
        if isinstance(node, _SCOPES):
            stack.extend(getattr(node, "decorator_list", ()))
            continue
        stack.extend(ast.iter_child_nodes(node))
    return nodes


def _bound_names(nodes: list[ast.AST]) -> set[str]:
    names: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update(a.asname or a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            names.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            names.add(node.rest)
    return names


def global_bindings(tree: ast.Module) -> set[str]:
    """The module's global names: bound in the module's own scope, or bound by a function
    that declares them ``global`` (class attributes, parameters and other functions'
    locals are not globals)."""
    bound = _bound_names(_own_scope(tree))
    for function in ast.walk(tree):
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            nodes = _own_scope(function)
            declared = {name for node in nodes if isinstance(node, ast.Global) for name in node.names}
            if declared:
                bound |= declared & _bound_names(nodes)
    return bound


def scan_module(tree: ast.Module, source: str) -> ModuleNames:
    """The module's facts, looking for the rare constructs only where the text mentions them."""
    star_import = any(
        isinstance(statement, ast.ImportFrom) and any(a.name == "*" for a in statement.names)
        for statement in tree.body
    )
    maybe_unbound = _maybe_unbound(tree)
    wants_globals = any(text in source for text in _OPENING_TEXT)
    if not wants_globals and (star_import or "import" not in source):
        # Nothing is declared global, and no name is known missing.
        return ModuleNames(star_import=True, maybe_unbound=maybe_unbound) if maybe_unbound else UNKNOWN_MODULE
    declared: set[str] = set()
    uses_globals = False
    imports = False
    aliases = _module_aliases(tree) if wants_globals else {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Global):
            declared.update(node.names)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            imports = True
            if not uses_globals and wants_globals:
                uses_globals = any(_opens_globals(alias, aliases) for alias in node.names)
        elif not uses_globals and wants_globals and _opens_globals(node, aliases):
            uses_globals = True
    known = imports and not star_import
    return ModuleNames(
        declared_global=frozenset(declared), uses_globals=uses_globals, star_import=star_import,
        bound=frozenset(global_bindings(tree)) if known else None, maybe_unbound=maybe_unbound,
    )


def module_facts(tree: ast.Module, source: str, options: InlineOptions, path: Path | None = None) -> ModuleNames:
    """Everything the analysis of a function needs to know about its module: its names
    (:func:`scan_module`) and, under strict, what its calls do, inferred from the sources
    it imports (``options.infer_calls``) or declared by the user (``options.pure_calls``,
    ``options.frame_readers``)."""
    names = scan_module(tree, source)
    if options.policy != "strict":
        return names  # pure takes every call to be pure: what calls do changes nothing
    if options.infer_calls:
        from .inferred import inferred_calls  # the inference reads files: only when asked

        try:
            calls = inferred_calls(tree, options.search_paths, options.pure_calls, path, options.frame_readers)
        except (RecursionError, MemoryError):
            raise  # the function at hand falls back for these, as for the analysis itself
        except Exception:  # noqa: BLE001 - inference that fails only knows less
            calls = CallTable(declared=options.pure_calls, origins=import_origins(tree),
                              frame_readers=options.frame_readers)
    elif options.pure_calls or options.frame_readers:
        calls = CallTable(declared=options.pure_calls, origins=import_origins(tree),
                          frame_readers=options.frame_readers)
    else:
        return names
    return replace(names, calls=calls)


_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_UNCONDITIONAL = (*_DEFINITIONS, ast.Import, ast.ImportFrom, ast.Assign, ast.AnnAssign, ast.AugAssign,
                  ast.Expr, ast.Pass)
"""Top-level statements whose bindings hold once they ran (others bind only on some paths)."""


def _runs_code_at_import(statement: ast.stmt) -> bool:
    """Whether executing the top-level ``statement`` runs code that could call the module's
    functions: a call, a decorator, a class body (a function's body does not run when it is
    defined; its decorators and defaults do). Imports are taken not to call back."""
    if isinstance(statement, (ast.Import, ast.ImportFrom)):
        return False
    if isinstance(statement, ast.ClassDef):
        return True
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
        parts: list[ast.AST] = [*statement.decorator_list, *statement.args.defaults,
                                *(d for d in statement.args.kw_defaults if d is not None)]
        return any(isinstance(node, ast.Call) for part in parts for node in ast.walk(part)) or bool(
            statement.decorator_list)
    return any(isinstance(node, ast.Call) for node in _own_scope(statement))


def _maybe_unbound(tree: ast.Module) -> frozenset[str]:
    """Global names a function may read before they are bound (see
    :attr:`ModuleNames.maybe_unbound`): bound at module level only inside a compound
    statement, bound by a statement that runs code once some function of the module
    exists (or after such a statement), or deleted at module level."""
    surely: set[str] = set()
    maybe: set[str] = set()
    code_ran = defined_function = False
    for statement in tree.body:
        if defined_function and _runs_code_at_import(statement):
            code_ran = True
        if isinstance(statement, _DEFINITIONS):
            names = {statement.name}
            defined_function = True
        elif isinstance(statement, ast.Delete):
            maybe.update(node.id for node in ast.walk(statement) if isinstance(node, ast.Name))
            continue
        else:
            names = _bound_names(_own_scope(statement))
        if code_ran or not isinstance(statement, _UNCONDITIONAL):
            maybe.update(names - surely)
        else:
            surely.update(names)
            maybe.difference_update(names)
    return frozenset(maybe)


def enclosing_names(enclosing: tuple[ast.FunctionDef | ast.AsyncFunctionDef, ...]) -> frozenset[str]:
    """The names the functions around a nested function bind in their own scopes
    (parameters included): where its free variables come from. Class bodies bind no
    names a method can read bare."""
    names: set[str] = set()
    for function in enclosing:
        nodes = _own_scope(function)
        names |= _bound_names(nodes)
        names.update(node.arg for node in nodes if isinstance(node, ast.arg))
    return frozenset(names)


def nonlocal_names(unit: ast.AST) -> frozenset[str]:
    """Names some function inside the top-level statement ``unit`` declares ``nonlocal``
    (``nonlocal`` cannot reach outside a top-level statement)."""
    return frozenset(
        name for node in ast.walk(unit) if isinstance(node, ast.Nonlocal) for name in node.names
    )


def names_seen_after_exceptions(function: ast.FunctionDef | ast.AsyncFunctionDef) -> frozenset[str]:
    """Names stored inside a ``try`` body (or a ``with`` body, whose manager may swallow the
    exception) and read where control can go when an exception stops the body early.

    Each store is judged against its innermost protected region: a read outside that
    region (a handler, ``finally``, code after the statement) sees the store's absence
    after an exception. Inside a loop the next round may read it anywhere, so there any
    read counts. Mentions in nested scopes count as reads from outside.
    """
    reads: dict[str, set[tuple[int, ...]]] = {}
    stores: list[tuple[str, int, bool]] = []
    next_region = 0
    # (node, enclosing regions (innermost last), inside a loop)
    stack: list[tuple[ast.AST, tuple[int, ...], bool]] = [
        (statement, (), False) for statement in function.body
    ]
    while stack:
        node, regions, looped = stack.pop()
        if isinstance(node, _SCOPES):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Name):
                    reads.setdefault(inner.id, set()).add(())
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and regions:
                stores.append((node.name, regions[-1], looped))
            continue
        if isinstance(node, _TRY):
            outer = regions
            if node.finalbody:
                next_region += 1
                outer = (*regions, next_region)
                stack.extend((s, regions, looped) for s in node.finalbody)
            guarded = outer
            if node.handlers:
                next_region += 1
                guarded = (*outer, next_region)
            stack.extend((s, guarded, looped) for s in node.body)
            stack.extend((s, outer, looped) for s in node.orelse)
            for handler in node.handlers:
                if handler.type is not None:
                    stack.append((handler.type, outer, looped))
                if handler.name and outer:
                    stores.append((handler.name, outer[-1], looped))
                stack.extend((s, outer, looped) for s in handler.body)
            continue
        if isinstance(node, _WITH):
            for item in node.items:
                stack.append((item.context_expr, regions, looped))
                if item.optional_vars is not None:
                    stack.append((item.optional_vars, regions, looped))
            next_region += 1
            stack.extend((s, (*regions, next_region), looped) for s in node.body)
            continue
        if isinstance(node, _LOOPS):
            for field in ("target", "iter", "test"):
                part = getattr(node, field, None)
                if part is not None:
                    stack.append((part, regions, True))
            stack.extend((s, regions, True) for s in node.body)
            stack.extend((s, regions, looped) for s in node.orelse)
            continue
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load):
                reads.setdefault(node.id, set()).add(regions)
            elif regions:
                stores.append((node.id, regions[-1], looped))
            continue
        if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            reads.setdefault(node.target.id, set()).add(regions)
        stack.extend((child, regions, looped) for child in ast.iter_child_nodes(node))
    seen: set[str] = set()
    for name, region, looped in stores:
        chains = reads.get(name)
        if name in seen or not chains:
            continue
        if looped or any(region not in chain for chain in chains):
            seen.add(name)
    return frozenset(seen)


class NameVisibility:
    """For one function: the effect bits of storing and of reading each name."""

    __slots__ = ("_stores", "_declared", "_locals", "_nonlocal", "_enclosing", "_module", "_read_effects",
                 "_suspends", "_pure_locals", "_local_facts", "_calls", "reads_matter")

    def __init__(self, *, declared: frozenset[str] | set[str], captured: frozenset[str] | set[str],
                 seen_after_exceptions: frozenset[str], locals_: frozenset[str] | set[str],
                 unit_nonlocal: frozenset[str], enclosing: frozenset[str], module: ModuleNames,
                 suspends: bool = False) -> None:
        self._stores = frozenset(declared) | frozenset(captured) | seen_after_exceptions
        self._declared = frozenset(declared)
        self._locals = locals_
        self._nonlocal = unit_nonlocal
        self._enclosing = enclosing
        self._module = module
        self._suspends = suspends
        self._read_effects: dict[str, int] = {}
        self._pure_locals: dict[str, KnownCall] = {}
        self._local_facts: dict[str, CallFacts] = {}
        self._calls: dict[int, KnownCall] = {}
        """Per call node (by id, while the function's tree lives): what it does. The walk
        asks for its event, the value's lifetime and its origin."""
        self.reads_matter = bool(
            self._declared or unit_nonlocal or enclosing or suspends or module.any_volatile
        )
        """Whether any read may be volatile at all (a fast path for generated code)."""

    def store_effect(self, name: str) -> int:
        return int(Effect.SHARED_STORE) if name in self._stores else 0

    def learn_pure_locals(self, assignments: Mapping[str, ast.Assign], once: Callable[[str], bool]) -> None:
        """Note what calling each local bound once to a built function does (see
        :func:`calls.built_callables`)."""
        if self._module.calls:
            self._pure_locals = built_callables(assignments, once, self._module.calls, self._locals)
            self._local_facts = {name: known.facts for name, known in self._pure_locals.items()
                                 if known.facts is not None}

    @property
    def knows_calls(self) -> bool:
        """Whether any call's effects are known (else every call may do anything)."""
        return bool(self._module.calls)

    def call(self, node: ast.Call) -> KnownCall:
        """What the call ``node`` does: known for names of the module's own scope (not a
        local, a free variable or a name declared ``global``/``nonlocal`` here) and for
        locals bound to a function a known call built."""
        if not self._module.calls:
            return UNKNOWN_CALL
        known = self._calls.get(id(node))
        if known is None:
            known = self._calls[id(node)] = self._call(node)
        return known

    def _call(self, node: ast.Call) -> KnownCall:
        calls = self._module.calls
        func = root = node.func
        while type(root) is ast.Attribute:
            root = root.value
        if type(root) is not ast.Name:
            return UNKNOWN_CALL
        reader = calls.frame_reader(callee_name(func) or "") if calls.declares_frame_readers else None
        if reader is not None:
            return reader
        name = root.id
        if name in self._locals:
            known = self._pure_locals.get(name) if root is func else None
            return UNKNOWN_CALL if known is None else known
        if name in self._enclosing or name in self._declared:
            return UNKNOWN_CALL
        return calls.of_call(node, self._locals, self._local_facts)

    def read_effect(self, name: str) -> int:
        """The effect bits of reading ``name`` here (remembered: a walker asks per read)."""
        effect = self._read_effects.get(name)
        if effect is None:
            effect = self._read_effects[name] = self._read_effect(name)
        return effect

    def _read_effect(self, name: str) -> int:
        if name in self._declared or name in self._nonlocal:
            return int(Effect.VOLATILE_READ)
        if name in self._locals:
            return 0
        # Other code runs at each suspension point, and may rebind any name but the locals.
        effect = int(Effect.VOLATILE_READ) if self._suspends else 0
        if name in self._enclosing:
            # A free variable: its function may not have bound it yet, or rebind it.
            return effect | int(Effect.VOLATILE_READ | Effect.MAY_RAISE)
        return effect | self._module.read_effect(name)
