"""What one function's own statements may do, and whom it calls: a summary read from its
syntax tree with stdlib ``ast`` (never executed). The fixpoint adds the callees.

Two assumptions, the ones the caller-side analysis already makes for operators, keep the
summaries useful: an operator, subscript, attribute read, comparison or iteration on any
value runs a dunder that computes and may fail (FAILS, nothing else); and a method named
like a read-only method of a builtin container (``count``, ``get``, ``union``, ...) only
reads, while one named like a mutating method (``append``, ``add``, ...) writes its
receiver. Everything else that runs code not in view is UNKNOWN.
"""

from __future__ import annotations

import ast

from .builtins import BUILTINS
from .facts import ANYTHING, Does
from .module_scope import ModuleScope
from .resolve import (
    BuiltinTarget,
    EitherTarget,
    MissingTarget,
    ModuleTarget,
    NameResolver,
    Target,
    UnknownTarget,
    ValueTarget,
)
from .returns import result_summary
from .summary_records import ArgLambda, ArgParam, ArgStatic, ArgTarget, ArgValue, Site, Summary

FRAME_ATTRS = frozenset(
    "f_back f_locals f_code f_lineno f_lasti f_trace tb_frame tb_next gi_frame cr_frame "
    "ag_frame f_builtins".split()
)
"""Attributes that reach interpreter frames."""

READ_ONLY_METHODS = frozenset(
    "count index get keys values items copy union intersection difference "
    "symmetric_difference issubset issuperset isdisjoint startswith endswith find rfind "
    "join split rsplit strip lstrip rstrip lower upper casefold replace splitlines isdigit "
    "isalpha isalnum isspace isupper islower title capitalize zfill ljust rjust center "
    "partition rpartition encode decode bit_length is_integer conjugate".split()
)
MUTATING_METHODS = frozenset(
    "append extend insert pop remove clear sort reverse add discard update setdefault "
    "popitem intersection_update difference_update symmetric_difference_update".split()
)
_CONTAINER_METHODS = {
    "list": frozenset(
        "append extend insert pop remove clear sort reverse copy count index".split()
    ),
    "set": frozenset(
        "add discard remove pop clear update union intersection difference "
        "symmetric_difference issubset issuperset isdisjoint copy intersection_update "
        "difference_update symmetric_difference_update".split()
    ),
    "dict": frozenset("get setdefault pop popitem update keys values items copy clear".split()),
}
_MAX_LAMBDA_DEPTH = 8
"""Lambdas passed inside lambdas are summarised this deep (each level is a few Python
frames; the parser allows far deeper nesting than the interpreter's stack)."""

_CONSTANT_C_MODULES = frozenset({"math", "cmath", "operator", "itertools"})
"""C modules whose attributes are constants or functions (``math.pi``): reading is free."""

_NON_RETAINING = frozenset(
    "len tuple frozenset sorted set list dict sum min max any all bool str repr".split()
)
"""Builtins that read a container and keep no reference to it."""

_FAILING_NODES = (
    ast.BinOp,
    ast.UnaryOp,
    ast.Compare,
    ast.BoolOp,
    ast.IfExp,
    ast.If,
    ast.While,
    ast.Assert,
    ast.Raise,
    ast.For,
    ast.AsyncFor,
    ast.comprehension,
    ast.Starred,
    ast.FormattedValue,
    ast.Subscript,
    ast.Attribute,
    ast.Set,
    ast.Dict,
    ast.AugAssign,
    ast.Delete,
    ast.Await,
    ast.Match,
)
"""Nodes whose evaluation may raise (a dunder runs, a truth test, a hash, a raise)."""


def function_params(args: ast.arguments) -> tuple[tuple[str, ...], int]:
    positional = [a.arg for a in args.posonlyargs + args.args]
    return tuple(positional + [a.arg for a in args.kwonlyargs]), len(positional)


def is_generator(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> bool:
    """Whether ``node``'s own body yields (yields inside nested scopes do not count)."""
    body: list[ast.AST] = [node.body] if isinstance(node, ast.Lambda) else list(node.body)
    return any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in own_nodes(body))


def own_nodes(roots: list[ast.AST]) -> list[ast.AST]:
    """Every node of a scope, not entering nested functions, lambdas or classes (their
    decorators, defaults and bases are evaluated here, so they are included)."""
    found: list[ast.AST] = []
    stack = list(reversed(roots))
    while stack:
        node = stack.pop()
        found.append(node)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            stack.extend(node.decorator_list)
            stack.extend(node.args.defaults)
            stack.extend(d for d in node.args.kw_defaults if d is not None)
            continue
        if isinstance(node, ast.Lambda):
            stack.extend(node.args.defaults)
            stack.extend(d for d in node.args.kw_defaults if d is not None)
            continue
        if isinstance(node, ast.ClassDef):
            stack.extend(node.decorator_list + node.bases + [k.value for k in node.keywords])
            continue
        if isinstance(node, ast.arg):
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(node))))
    return found


class _Summariser:
    """Summarises one function body (or one lambda) of module ``scope``."""

    def __init__(
        self,
        resolver: NameResolver,
        scope: ModuleScope,
        qualname: str,
        node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda,
        outer: _Summariser | None = None,
        init_self: bool = False,
    ) -> None:
        self.resolver = resolver
        self.scope = scope
        self.qualname = qualname
        self.node = node
        self.outer = outer
        self.evidence: list[tuple[Does, str]] = []
        self.sites: list[Site] = []
        self.param_calls: set[int] = set()
        self.failing_noted = False
        self.depth: int = 0 if outer is None else outer.depth + 1
        self.params, self.positional_count = function_params(node.args)
        body: list[ast.AST] = [node.body] if isinstance(node, ast.Lambda) else list(node.body)
        self.nodes = own_nodes(body)
        self.parents = {
            id(child): parent for parent in self.nodes for child in ast.iter_child_nodes(parent)
        }
        self.globals: set[str] = set()
        self.nonlocals: set[str] = set()
        """Names of an enclosing function's scope this one rebinds: a closure's state."""
        bound: dict[str, list[ast.AST]] = {}
        for n in self.nodes:
            if isinstance(n, ast.Global):
                self.globals.update(n.names)
            elif isinstance(n, ast.Nonlocal):
                self.nonlocals.update(n.names)
            for name in _names_bound_by(n):
                # A name is bound by the statement around its Name node (an assignment,
                # a for loop, ...), which says what it is bound to.
                binder = self.parents.get(id(n), n) if isinstance(n, ast.Name) else n
                bound.setdefault(name, []).append(binder)
        self.locals = set(bound) - self.globals - self.nonlocals
        self.binders = bound
        """Each local name with the statements that bind it."""
        # A name bound only by comprehension targets is local to the comprehension: the
        # same name read outside it is a global, so a read is classified as both.
        in_targets = {
            id(n)
            for c in self.nodes
            if isinstance(c, ast.comprehension)
            for n in ast.walk(c.target)
            if isinstance(n, ast.Name)
        }
        bound_outside = {
            n.id for n in self.nodes if isinstance(n, ast.Name) and id(n) not in in_targets
            and not isinstance(n.ctx, ast.Load)
        } | {name for n in self.nodes if not isinstance(n, ast.Name) for name in _names_bound_by(n)}
        self.comprehension_only = set(bound) - bound_outside
        if node.args.vararg:
            self.locals.add(node.args.vararg.arg)
        if node.args.kwarg:
            self.locals.add(node.args.kwarg.arg)
        # A parameter that is rebound is a local like any other.
        self.param_index = {p: i for i, p in enumerate(self.params) if p not in bound}
        self.locals.update(p for p in self.params if p in bound)
        self.generator = any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in self.nodes)
        nested = _names_in_nested_scopes(self.nodes)
        self.fresh = self._fresh_containers(bound, nested)
        self.plain_locals = {
            name
            for name, binders in bound.items()
            if name not in nested
            and name not in self.params
            and all(_binds_constant(b, name) for b in binders)
            and not all(isinstance(b, ast.AugAssign) for b in binders)
        }
        self.self_name = self.params[0] if init_self and self.params else None
        self.init_self = init_self
        self.cells: frozenset[str] = (
            _rebound_by_closures(self.nodes) if outer is None else outer.cells
        )
        """Locals of the top-level function that a nested function rebinds (nonlocal)."""

    def where(self, node: ast.AST) -> str:
        return self.scope.where(getattr(node, "lineno", 0))

    def note(self, does: Does, why: str, node: ast.AST) -> None:
        self.evidence.append((does, f"{self.where(node)} ({self.qualname}) {why}"))

    # -- the walk ------------------------------------------------------------

    def summarise(self) -> Summary:
        for node in self.nodes:
            if isinstance(node, _FAILING_NODES):
                self._failing(node)
            if isinstance(node, ast.Name):
                self._name(node)
            elif isinstance(node, ast.Attribute):
                self._attribute(node)
            elif isinstance(node, ast.Subscript) and not isinstance(node.ctx, ast.Load):
                if not self._is_fresh(node.value):
                    self.note(Does.WRITES_STATE | Does.FAILS, "stores an item of an object it did not create", node)
            elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
                self._augmented(node.target)
            elif isinstance(node, ast.Assign) and not all(isinstance(t, ast.Name) for t in node.targets):
                if any(isinstance(t, (ast.Tuple, ast.List)) for t in node.targets):
                    self.note(Does.FAILS, "unpacks", node)
            elif isinstance(node, ast.Call):
                self._call(node)
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                # __enter__/__exit__ exist to change state, and may swallow exceptions.
                self.note(ANYTHING, "enters a context manager", node)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                self.note(ANYTHING, "imports at call time", node)
            elif isinstance(node, ast.ClassDef):
                self.note(ANYTHING, "defines a class at call time", node)
            elif isinstance(node, (ast.Yield, ast.YieldFrom)) and isinstance(self.node, ast.Lambda):
                self.note(ANYTHING, "yields in a lambda", node)
        return Summary(
            qualname=self.qualname,
            where=self.where(self.node),
            evidence=tuple(self.evidence),
            sites=tuple(self.sites),
            param_calls=frozenset(self.param_calls),
            params=self.params,
            positional_count=self.positional_count,
            defaults=self._defaults(),
            generator=self.generator,
            result=result_summary(self) if self.outer is None and not self.init_self else None,
        )

    def _failing(self, node: ast.AST) -> None:
        if isinstance(node, ast.Raise):
            self.note(Does.FAILS, "raises", node)
        elif isinstance(node, ast.Assert):
            self.note(Does.FAILS, "asserts", node)
        elif not self.failing_noted:
            # One operation is enough to say why the function may fail.
            self.failing_noted = True
            self.note(Does.FAILS, f"may fail ({type(node).__name__.lower()})", node)

    def _name(self, node: ast.Name) -> None:
        name = node.id
        if name in self.globals:
            if isinstance(node.ctx, ast.Load):
                self.note(Does.READS_STATE | Does.FAILS, f"reads global {name}", node)
            else:
                self.note(Does.WRITES_STATE, f"stores global {name}", node)
            return
        if name in self.nonlocals:
            if isinstance(node.ctx, ast.Load):
                self.note(Does.READS_STATE | Does.FAILS, f"reads {name} of an enclosing function, which it rebinds",
                          node)
            else:
                self.note(Does.WRITES_STATE, f"rebinds {name} of an enclosing function (nonlocal)", node)
            return
        if self._is_local(name) and name not in self.comprehension_only:
            if (
                self.outer is not None
                and name in self.cells
                and name not in self.locals
                and name not in self.param_index
                and isinstance(node.ctx, ast.Load)
            ):
                self.note(Does.READS_STATE, f"reads {name} of an enclosing function, which a closure rebinds", node)
            return
        if not isinstance(node.ctx, ast.Load):
            return
        parent = self.parents.get(id(node))
        if isinstance(parent, ast.Call) and parent.func is node:
            return  # the call decides
        self._global_read(self.resolver.free_name(self.scope, name), name, node)

    def _global_read(self, target: Target, name: str, node: ast.AST) -> None:
        stack = [target]
        while stack:
            current = stack.pop()
            if isinstance(current, EitherTarget):
                stack.extend((current.first, current.second))
            elif isinstance(current, ValueTarget) and not current.immutable:
                self.note(Does.READS_STATE,
                          f"reads {current.qualname}, bound at {current.where} to a value that may change", node)
            elif isinstance(current, UnknownTarget):
                self.note(Does.READS_STATE | Does.FAILS, f"reads {name}: {current.why}", node)
            elif isinstance(current, MissingTarget):
                self.note(Does.FAILS, f"reads {name}: {current.why}", node)
            elif isinstance(current, BuiltinTarget) and "." in current.qualname:
                module = current.qualname.rpartition(".")[0]
                if module not in _CONSTANT_C_MODULES:
                    self.note(Does.READS_STATE, f"reads {current.qualname}, state of a C module", node)

    def _is_local(self, name: str) -> bool:
        return name in self.locals or name in self.param_index or (
            self.outer is not None and self.outer._is_local(name)
        )

    def _attribute(self, node: ast.Attribute) -> None:
        if node.attr in FRAME_ATTRS:
            self.note(Does.READS_FRAMES | Does.FAILS, f"reads frames (.{node.attr})", node)
        if not isinstance(node.ctx, ast.Load):
            if not (self._is_fresh(node.value) or self._is_self(node.value)):
                self.note(Does.WRITES_STATE | Does.FAILS,
                          f"stores attribute .{node.attr} of an object it did not create", node)
            return
        parent = self.parents.get(id(node))
        if isinstance(parent, ast.Call) and parent.func is node:
            return
        module_target = self._module_chain(node)
        if module_target is not None:
            self._global_read(module_target, _dotted(node), node)

    def _module_chain(self, node: ast.expr) -> Target | None:
        """What ``a.b.c`` is when ``a`` is a module-level name bound to a module."""
        attrs: list[str] = []
        while isinstance(node, ast.Attribute):
            attrs.insert(0, node.attr)
            node = node.value
        if not isinstance(node, ast.Name) or self._is_local(node.id) or node.id in self.globals:
            return None
        head = self.resolver.free_name(self.scope, node.id)
        if not isinstance(head, ModuleTarget):
            return None
        return self.resolver.chain(head, attrs)

    def _augmented(self, target: ast.Name) -> None:
        name = target.id
        if name in self.globals or name in self.nonlocals:
            return  # the store is noted by _name
        if name in self.params:
            self.note(Does.WRITES_STATE | Does.FAILS, f"may change argument {name} in place (augmented assignment)",
                      target)
        elif name not in self.fresh and name not in self.plain_locals:
            self.note(Does.WRITES_STATE | Does.FAILS,
                      f"may change the object in {name} in place (augmented assignment)", target)

    # -- calls -----------------------------------------------------------------

    def _call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Name):
            name = func.id
            if name in self.globals:
                self.note(ANYTHING, f"calls {name}, a global some function rebinds", node)
            elif name in self.param_index and self.outer is None:
                self.param_calls.add(self.param_index[name])
            elif (self.outer is not None and name not in self.locals and name not in self.param_index
                  and self.outer._param_of(name) is not None):
                index = self.outer._param_of(name)
                assert index is not None
                self.param_calls.add(index)
            elif self._is_local(name):
                self.note(ANYTHING, f"calls local {name}", node)
            else:
                self._site(self.resolver.free_name(self.scope, name), node)
            return
        if isinstance(func, ast.Attribute):
            target = self._module_chain(func)
            if target is not None:
                self._site(target, node)
            elif self._is_fresh(func.value):
                kind = self.fresh[func.value.id] if isinstance(func.value, ast.Name) else ""
                if func.attr == "sort":
                    self._site(BuiltinTarget(f"{kind}.sort", BUILTINS["sorted"]), node)
                else:
                    self.note(Does.FAILS, f"calls .{func.attr} of a {kind} it created", node)
            elif func.attr in READ_ONLY_METHODS:
                self.note(Does.FAILS, f"calls .{func.attr} (taken to only read)", node)
            elif func.attr in MUTATING_METHODS:
                self.note(Does.WRITES_STATE | Does.FAILS, f"calls .{func.attr} on an object it did not create", node)
            else:
                self.note(ANYTHING, f"calls method .{func.attr} of an object", node)
            return
        self.note(ANYTHING, "calls the value of an expression", node)

    def _param_of(self, name: str) -> int | None:
        if self.outer is None:
            return self.param_index.get(name) if name not in self.locals else None
        if name in self.locals or name in self.param_index:
            return None
        return self.outer._param_of(name)

    def _site(self, callee: Target, node: ast.Call) -> None:
        if isinstance(callee, BuiltinTarget) and callee.qualname == "getattr" and len(node.args) >= 2:
            name_arg, obj = node.args[1], node.args[0]
            if not isinstance(name_arg, ast.Constant) and (
                isinstance(obj, ast.Name)
                and not self._is_local(obj.id)
                and isinstance(self.resolver.free_name(self.scope, obj.id), (ModuleTarget, UnknownTarget))
            ):
                self.note(ANYTHING, "getattr with a computed name on a module", node)
                return
        self.sites.append(self.call_site(callee, node))

    def call_site(self, callee: Target, node: ast.Call, of_result: bool = False) -> Site:
        """The site of ``node`` (a call of ``callee``, or of what it returns)."""
        positional: list[ArgValue | None] = []
        spread = False
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                spread = True
                continue
            positional.append(self._arg_value(arg))
        keywords: list[tuple[str, ArgValue | None]] = []
        for keyword in node.keywords:
            if keyword.arg is None:
                spread = True
            else:
                keywords.append((keyword.arg, self._arg_value(keyword.value)))
        return Site(callee, tuple(positional), tuple(keywords), spread, node.lineno, of_result)

    def nested(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda, qualname: str) -> Summary:
        """The summary of a function or lambda written inside this one (its calls of this
        function's parameters are this function's, as for a lambda passed on)."""
        return _Summariser(self.resolver, self.scope, qualname, node, outer=self).summarise()

    def _arg_value(self, arg: ast.expr) -> ArgValue | None:
        if isinstance(arg, ast.Name):
            index = self._param_of(arg.id) if self.outer is None else (
                None if arg.id in self.locals or arg.id in self.param_index else self.outer._param_of(arg.id)
            )
            if index is not None:
                return ArgParam(index)
            if self._is_local(arg.id) or arg.id in self.globals:
                return None
            return ArgTarget(self.resolver.free_name(self.scope, arg.id))
        if isinstance(arg, ast.Attribute):
            target = self._module_chain(arg)
            if target is not None:
                return ArgTarget(target)
            if arg.attr in READ_ONLY_METHODS:
                return ArgStatic(Does.FAILS, f".{arg.attr} (taken to only read)")
            return None
        if isinstance(arg, ast.Lambda):
            if self.depth >= _MAX_LAMBDA_DEPTH:
                return None  # deeper lambdas are not looked into: calling one is UNKNOWN
            inner = _Summariser(self.resolver, self.scope, f"lambda in {self.qualname}", arg, outer=self)
            return ArgLambda(inner.summarise())
        if isinstance(arg, ast.Constant):
            return ArgStatic(Does.FAILS if arg.value is not None else Does.NOTHING, "a constant")
        return None

    def _defaults(self) -> tuple[tuple[int, ArgValue | None], ...]:
        """Defaults are evaluated where the function is defined: module scope."""
        args = self.node.args
        positional = args.posonlyargs + args.args
        pairs: list[tuple[int, ast.expr]] = [
            (len(positional) - len(args.defaults) + i, d) for i, d in enumerate(args.defaults)
        ]
        pairs += [
            (len(positional) + i, d) for i, d in enumerate(args.kw_defaults) if d is not None
        ]
        values: list[tuple[int, ArgValue | None]] = []
        for index, default in pairs:
            if isinstance(default, ast.Name):
                values.append((index, ArgTarget(self.resolver.free_name(self.scope, default.id))))
            elif isinstance(default, ast.Constant):
                values.append((index, ArgStatic(Does.FAILS if default.value is not None else Does.NOTHING,
                                                "a constant")))
            else:
                values.append((index, None))
        return tuple(values)

    # -- objects created here ----------------------------------------------------

    def _is_fresh(self, node: ast.expr) -> bool:
        return isinstance(node, ast.Name) and node.id in self.fresh

    def _is_self(self, node: ast.expr) -> bool:
        return isinstance(node, ast.Name) and node.id == self.self_name and self.self_name in self.param_index

    def _fresh_containers(self, bound: dict[str, list[ast.AST]], nested: set[str]) -> dict[str, str]:
        """Locals bound once to a new list, set or dict that never leaves the function
        before it returns: changing them changes nothing anyone else can see."""
        fresh: dict[str, str] = {}
        for name, binders in bound.items():
            if name in nested or name in self.globals or len(binders) != 1:
                continue
            kind = self._container_kind(binders[0], name)
            if kind is not None:
                fresh[name] = kind
        uses: dict[str, list[ast.Name]] = {}
        for n in self.nodes:
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id in fresh:
                uses.setdefault(n.id, []).append(n)
        return {
            name: kind
            for name, kind in fresh.items()
            if all(self._stays_inside(use, kind) for use in uses.get(name, []))
        }

    def _container_kind(self, binder: ast.AST, name: str) -> str | None:
        if isinstance(binder, ast.Assign) and len(binder.targets) == 1:
            target, value = binder.targets[0], binder.value
        elif isinstance(binder, ast.AnnAssign) and binder.value is not None:
            target, value = binder.target, binder.value
        else:
            return None
        if not (isinstance(target, ast.Name) and target.id == name):
            return None
        if isinstance(value, (ast.List, ast.ListComp)):
            return "list"
        if isinstance(value, (ast.Set, ast.SetComp)):
            return "set"
        if isinstance(value, (ast.Dict, ast.DictComp)):
            return "dict"
        if (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Name)
            and value.func.id in _CONTAINER_METHODS
            and not self._is_local(value.func.id)
            and isinstance(self.resolver.free_name(self.scope, value.func.id), BuiltinTarget)
        ):
            return value.func.id
        return None

    def _stays_inside(self, use: ast.Name, kind: str) -> bool:
        parent = self.parents.get(id(use))
        if isinstance(parent, ast.Attribute) and parent.value is use:
            grand = self.parents.get(id(parent))
            return (
                isinstance(grand, ast.Call)
                and grand.func is parent
                and parent.attr in _CONTAINER_METHODS[kind]
            )
        if isinstance(parent, ast.Subscript) and parent.value is use:
            return True
        if isinstance(parent, ast.Compare):
            return True
        if isinstance(parent, (ast.For, ast.AsyncFor, ast.comprehension)) and parent.iter is use:
            return True
        if isinstance(parent, (ast.If, ast.While, ast.IfExp, ast.Assert)) and parent.test is use:
            return True
        if isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.Not):
            return True
        if isinstance(parent, ast.Return):
            return not self.generator
        if isinstance(parent, ast.Call) and use in parent.args and isinstance(parent.func, ast.Name):
            called = parent.func.id
            return (
                called in _NON_RETAINING
                and not self._is_local(called)
                and isinstance(self.resolver.free_name(self.scope, called), BuiltinTarget)
            )
        return False


def _names_bound_by(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
        return [node.id]
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return [(a.asname or a.name).partition(".")[0] for a in node.names if a.name != "*"]
    if isinstance(node, ast.ExceptHandler) and node.name:
        return [node.name]
    if isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
        return [node.name]
    return []


def _binds_constant(binder: ast.AST, name: str) -> bool:
    """Whether ``binder`` binds ``name`` to a constant (or is an augmented assignment,
    which keeps whatever kind the other bindings give)."""
    if isinstance(binder, ast.Assign):
        return isinstance(binder.value, ast.Constant) and all(isinstance(t, ast.Name) for t in binder.targets)
    if isinstance(binder, ast.AnnAssign):
        return isinstance(binder.value, ast.Constant)
    if isinstance(binder, ast.AugAssign):
        return True
    return False


def _rebound_by_closures(nodes: list[ast.AST]) -> frozenset[str]:
    """Names some function nested in a scope declares ``nonlocal``, given the scope's
    own nodes."""
    return frozenset(
        name
        for inner in nodes
        if isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef))
        for n in ast.walk(inner)
        if isinstance(n, ast.Nonlocal)
        for name in n.names
    )


def _names_in_nested_scopes(nodes: list[ast.AST]) -> set[str]:
    """Names mentioned inside nested functions, lambdas and classes (captured names),
    given the nodes of the enclosing scope."""
    names: set[str] = set()
    inner: list[ast.AST] = []
    for node in nodes:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            inner.extend(node.body)
        elif isinstance(node, ast.Lambda):
            inner.append(node.body)
    for root in inner:
        names.update(n.id for n in ast.walk(root) if isinstance(n, ast.Name))
    return names


def _dotted(node: ast.expr) -> str:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.insert(0, node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.insert(0, node.id)
    return ".".join(parts)


def summarise(
    resolver: NameResolver,
    scope: ModuleScope,
    qualname: str,
    node: ast.FunctionDef | ast.AsyncFunctionDef,
    init_self: bool = False,
) -> Summary:
    """The summary of one top-level function (or ``__init__`` method) of ``scope``."""
    return _Summariser(resolver, scope, qualname, node, init_self=init_self).summarise()

