"""Walk a function's statements in evaluation order and record what the planner needs:
every read of a candidate variable (where it is, what is evaluated before it, how deep it
sits), every statement's effects and bindings, and every candidate's value.

Statements are walked iteratively; only expressions recurse, and their depth is bounded
by the parser (a ``RecursionError`` makes the caller fall back for that function).
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from ..deadline import Deadline
from ..effects import Effect
from ..precedence import site_context
from ..reasons import FallbackReason, KeepReason
from .lifetime import holds_living, origin_of, settle
from .model import Candidate, FunctionAnalysis, Site, Statement, Suite
from .scope import ScopeFacts, is_frame_marker, not_a_candidate, parameters, scan_scope
from .straight import analyse_straight_line
from .visibility import UNKNOWN_MODULE, ModuleNames, NameVisibility, names_seen_after_exceptions

_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp)
_ENDS_BLOCK = (ast.Return, ast.Raise, ast.Break, ast.Continue)
"""Statements after which the rest of their block never runs."""

Measure = tuple[int, int]  # (height, size) of an expression tree


class _Walker:
    def __init__(self, facts: ScopeFacts, candidate_names: frozenset[str],
                 visibility: NameVisibility) -> None:
        self.facts = facts
        self.candidate_names = candidate_names
        self.visibility = visibility
        self.reads_matter = visibility.reads_matter
        """Whether any read may be volatile (else reads are no events of their own)."""
        self.suites: list[Suite] = []
        self.statements: list[Statement] = []
        self.sites: list[Site] = []
        self.candidates: list[Candidate] = []
        self.parent_of: dict[int, tuple[Suite, int] | None] = {}
        self.bound_at: dict[str, tuple[Suite, int]] = {}
        # State of the statement being walked.
        self.suite: Suite
        self.statement: Statement
        self.order = 0
        self.prefix = 0
        self.binds: set[str] = set()
        self.names: set[str] | None = None
        self.fstring = 0
        self.nested = 0
        """Depth of nested scopes around the expression being walked."""
        self.starred_in: ast.AST | None = None
        """The parent of the ``*expr`` being walked, whose operand's context depends on it."""
        self.pending: list[tuple[ast.AST, str]] = []
        """The blocks of the statement being walked, to walk after it: (owner, field)."""
        self.event_orders: list[int] = []
        self.event_bits: list[int] = []
        """The events of the statement being walked that have effect bits, in order."""
        # By node class; each handler takes that class's nodes (which a dict cannot type).
        self._expr: dict[type[ast.expr], Callable[..., Measure]] = {
            ast.Name: self._name,
            ast.Constant: self._leaf,
            ast.Call: self._call,
            ast.Attribute: self._attribute,
            ast.Subscript: self._subscript,
            ast.BinOp: self._binop,
            ast.UnaryOp: self._unaryop,
            ast.BoolOp: self._boolop,
            ast.Compare: self._compare,
            ast.IfExp: self._ifexp,
            ast.Tuple: self._sequence,
            ast.List: self._sequence,
            ast.Set: self._sequence,
            ast.Dict: self._dict,
            ast.Starred: self._starred,
            ast.Lambda: self._lambda,
            ast.NamedExpr: self._namedexpr,
            ast.Await: self._suspend,
            ast.Yield: self._suspend,
            ast.YieldFrom: self._suspend,
            ast.ListComp: self._comprehension,
            ast.SetComp: self._comprehension,
            ast.DictComp: self._comprehension,
            ast.GeneratorExp: self._comprehension,
            ast.JoinedStr: self._joinedstr,
            ast.FormattedValue: self._formatted,
            ast.Slice: self._slice,
        }

    # -- events ---------------------------------------------------------------------------

    def event(self, effect: Effect | int) -> None:
        self.order += 1
        if effect:
            bits = int(effect)  # plain ints: flag arithmetic on IntFlag is slow
            self.prefix |= bits
            self.event_orders.append(self.order)
            self.event_bits.append(bits)

    def definitely_bound(self, name: str) -> bool:
        """Whether ``name`` is bound whenever the current statement runs: a parameter, or a
        name a plain assignment bound earlier in this block or a block around it (and
        never deleted, which an ``except ... as`` name is at the end of its handler)."""
        facts = self.facts
        if name in facts.deleted:
            return False
        if name in facts.params:
            return True
        where = self.bound_at.get(name)
        if where is None:
            return False
        suite, index = where
        current: tuple[Suite, int] | None = (self.suite, self.statement.index)
        while current is not None:
            if current[0] is suite:
                return index < current[1]
            current = self.parent_of[id(current[0])]
        return False

    # -- expressions ----------------------------------------------------------------------

    def expr(self, node: ast.expr, parent: ast.AST, field: str, index: int | None,
             depth: int, safe_position: bool) -> Measure:
        handler = self._expr.get(type(node))
        if handler is None:
            return self._unknown(node, depth)
        return handler(node, parent, field, index, depth, safe_position)

    def _leaf(self, node: ast.expr, parent: ast.AST, field: str, index: int | None, depth: int,
              safe_position: bool) -> Measure:
        return 1, 1

    def _name(self, node: ast.Name, parent: ast.AST, field: str, index: int | None, depth: int,
              safe_position: bool) -> Measure:
        if not isinstance(node.ctx, ast.Load):
            return 1, 1
        name = node.id
        if self.names is not None:
            self.names.add(name)
        if name in self.candidate_names:
            self.order += 1
            self.sites.append(Site(
                uid=len(self.sites), name=name, node=node, parent=parent, field=field,
                index=index, statement=self.statement, order=self.order, prefix=self.prefix,
                depth=depth, safe_position=safe_position,
                context=site_context(parent, field, index,
                                     self.starred_in if isinstance(parent, ast.Starred) else None),
                in_fstring=self.fstring > 0, captured=self.nested > 0,
            ))
            self.statement.sites.append(self.sites[-1])
        if self.facts.is_local(name) and not self.definitely_bound(name):
            self.event(Effect.MAY_RAISE)
        if self.reads_matter:
            effect = self.visibility.read_effect(name)
            if effect:
                self.event(effect)
        return 1, 1

    def store_name(self, name: str) -> None:
        self.binds.add(name)
        effect = self.visibility.store_effect(name)
        if effect:
            self.event(effect)
        elif self.facts.rebinds(name):
            # The object the name held may die here: its finalizer, or whatever its life
            # guarded (a lock, a temporary file), runs or ends at this point. (A shared
            # store is an ordering point under both policies already.)
            self.event(Effect.CALL)

    def _call(self, node: ast.Call, parent: ast.AST, field: str, index: int | None, depth: int,
              safe_position: bool) -> Measure:
        h, s = self.expr(node.func, node, "func", None, depth + 1, safe_position)
        for i, argument in enumerate(node.args):
            ah, asz = self.expr(argument, node, "args", i, depth + 1, safe_position)
            h, s = max(h, ah), s + asz
        for keyword in node.keywords:
            kh, ks = self.expr(keyword.value, keyword, "value", None, depth + 1, safe_position)
            h, s = max(h, kh), s + ks + 1
            if keyword.arg is None:
                self.event(Effect.CALL)
        self.event(self.visibility.call(node).effect)
        return h + 1, s + 1

    def _attribute(self, node: ast.Attribute, parent: ast.AST, field: str, index: int | None, depth: int,
                   safe_position: bool) -> Measure:
        h, s = self.expr(node.value, node, "value", None, depth + 1, safe_position)
        self.event(Effect.MAY_RAISE if isinstance(node.ctx, ast.Load) else Effect.STORE)
        return h + 1, s + 1

    def _subscript(self, node: ast.Subscript, parent: ast.AST, field: str, index: int | None, depth: int,
                   safe_position: bool) -> Measure:
        h, s = self.expr(node.value, node, "value", None, depth + 1, safe_position)
        sh, ss = self.expr(node.slice, node, "slice", None, depth + 1, safe_position)
        self.event(Effect.MAY_RAISE if isinstance(node.ctx, ast.Load) else Effect.STORE)
        return max(h, sh) + 1, s + ss + 1

    def _binop(self, node: ast.BinOp, parent: ast.AST, field: str, index: int | None, depth: int,
               safe_position: bool) -> Measure:
        h, s = self.expr(node.left, node, "left", None, depth + 1, safe_position)
        rh, rs = self.expr(node.right, node, "right", None, depth + 1, safe_position)
        self.event(Effect.MAY_RAISE)
        return max(h, rh) + 1, s + rs + 1

    def _unaryop(self, node: ast.UnaryOp, parent: ast.AST, field: str, index: int | None, depth: int,
                 safe_position: bool) -> Measure:
        h, s = self.expr(node.operand, node, "operand", None, depth + 1, safe_position)
        self.event(Effect.MAY_RAISE)
        return h + 1, s + 1

    def _boolop(self, node: ast.BoolOp, parent: ast.AST, field: str, index: int | None, depth: int,
                safe_position: bool) -> Measure:
        h, s = self.expr(node.values[0], node, "values", 0, depth + 1, safe_position)
        self.event(Effect.MAY_RAISE)
        for i in range(1, len(node.values)):
            vh, vs = self.expr(node.values[i], node, "values", i, depth + 1, False)
            h, s = max(h, vh), s + vs
        return h + 1, s + 1

    def _compare(self, node: ast.Compare, parent: ast.AST, field: str, index: int | None, depth: int,
                 safe_position: bool) -> Measure:
        h, s = self.expr(node.left, node, "left", None, depth + 1, safe_position)
        for i, comparator in enumerate(node.comparators):
            ch, cs = self.expr(comparator, node, "comparators", i, depth + 1, safe_position and i == 0)
            self.event(Effect.MAY_RAISE)
            h, s = max(h, ch), s + cs
        return h + 1, s + 1

    def _ifexp(self, node: ast.IfExp, parent: ast.AST, field: str, index: int | None, depth: int,
               safe_position: bool) -> Measure:
        h, s = self.expr(node.test, node, "test", None, depth + 1, safe_position)
        self.event(Effect.MAY_RAISE)
        bh, bs = self.expr(node.body, node, "body", None, depth + 1, False)
        oh, os = self.expr(node.orelse, node, "orelse", None, depth + 1, False)
        return max(h, bh, oh) + 1, s + bs + os + 1

    def _sequence(self, node: ast.Tuple | ast.List | ast.Set, parent: ast.AST, field: str, index: int | None,
                  depth: int, safe_position: bool) -> Measure:
        h, s = 0, 1
        for i, element in enumerate(node.elts):
            eh, es = self.expr(element, node, "elts", i, depth + 1, safe_position)
            h, s = max(h, eh), s + es
        if isinstance(node, ast.Set):
            self.event(Effect.MAY_RAISE | Effect.NEW_MUTABLE)
        elif isinstance(node, ast.List):
            self.event(Effect.NEW_MUTABLE)
        return h + 1, s

    def _dict(self, node: ast.Dict, parent: ast.AST, field: str, index: int | None, depth: int,
              safe_position: bool) -> Measure:
        h, s = 0, 1
        for i, (key, value) in enumerate(zip(node.keys, node.values, strict=True)):
            if key is not None:
                kh, ks = self.expr(key, node, "keys", i, depth + 1, safe_position)
                h, s = max(h, kh), s + ks
            vh, vs = self.expr(value, node, "values", i, depth + 1, safe_position)
            h, s = max(h, vh), s + vs
            if key is None:
                self.event(Effect.CALL)
        self.event(Effect.MAY_RAISE | Effect.NEW_MUTABLE)
        return h + 1, s

    def _starred(self, node: ast.Starred, parent: ast.AST, field: str, index: int | None, depth: int,
                 safe_position: bool) -> Measure:
        saved, self.starred_in = self.starred_in, parent
        try:
            h, s = self.expr(node.value, node, "value", None, depth + 1, safe_position)
        finally:
            self.starred_in = saved
        self.event(Effect.CALL)
        return h + 1, s + 1

    def mention_nested(self, roots: list[ast.AST]) -> int:
        """Record every mention of a candidate inside nested scopes as a captured read;
        returns the number of nodes seen."""
        size = 0
        names = self.candidate_names
        for root in roots:
            for node in ast.walk(root):
                size += 1
                if isinstance(node, ast.Name):
                    mentioned = [node.id]
                elif isinstance(node, ast.arg):
                    mentioned = [node.arg]
                elif isinstance(node, (ast.Global, ast.Nonlocal)):
                    mentioned = list(node.names)
                else:
                    continue
                for name in mentioned:
                    if name in names:
                        self.order += 1
                        site = Site(
                            uid=len(self.sites), name=name, node=node, parent=root, field="",
                            index=None, statement=self.statement, order=self.order,
                            prefix=self.prefix, depth=1, context=site_context(root, "", None),
                            safe_position=False, in_fstring=False, captured=True,
                        )
                        self.sites.append(site)
                        self.statement.sites.append(site)
        return size

    def _lambda(self, node: ast.Lambda, parent: ast.AST, field: str, index: int | None, depth: int,
                safe_position: bool) -> Measure:
        h, s = self._arguments(node.args, depth)
        body = self.mention_nested([node.body, *parameters(node.args)])
        if self.names is not None:
            self.names.update(n.id for n in ast.walk(node.body) if isinstance(n, ast.Name))
        return h + 1, s + body + 1

    def _arguments(self, arguments: ast.arguments, depth: int) -> Measure:
        """Default values: evaluated now, but never a place a variable may move into."""
        h, s = 0, 1
        for i, default in enumerate(arguments.defaults):
            dh, ds = self.expr(default, arguments, "defaults", i, depth + 1, False)
            h, s = max(h, dh), s + ds
        for i, kw_default in enumerate(arguments.kw_defaults):
            if kw_default is not None:
                dh, ds = self.expr(kw_default, arguments, "kw_defaults", i, depth + 1, False)
                h, s = max(h, dh), s + ds
        return h, s

    def _namedexpr(self, node: ast.NamedExpr, parent: ast.AST, field: str, index: int | None, depth: int,
                   safe_position: bool) -> Measure:
        h, s = self.expr(node.value, node, "value", None, depth + 1, safe_position)
        self.event(Effect.BINDS)
        self.binds.add(node.target.id)
        return h + 1, s + 2

    def _suspend(self, node: ast.Await | ast.Yield | ast.YieldFrom, parent: ast.AST, field: str,
                 index: int | None, depth: int, safe_position: bool) -> Measure:
        h, s = 0, 1
        if node.value is not None:
            h, s = self.expr(node.value, node, "value", None, depth + 1, safe_position)
            s += 1
        self.event(Effect.SUSPEND | Effect.CALL)
        return h + 1, s

    def _comprehension(self, node: ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp,
                       parent: ast.AST, field: str, index: int | None, depth: int,
                       safe_position: bool) -> Measure:
        first = node.generators[0]
        h, s = self.expr(first.iter, first, "iter", None, depth + 2, safe_position)
        self.event(Effect.CALL)
        # The body runs in its own scope: nothing may move into it, but a list, set or
        # dict comprehension runs it now, so its effects count.
        parts: list[ast.expr] = [first.target, *first.ifs]
        for generator in node.generators[1:]:
            parts.extend((generator.target, generator.iter, *generator.ifs))
        parts.extend((node.key, node.value) if isinstance(node, ast.DictComp) else (node.elt,))
        run_now = isinstance(node, _COMPREHENSIONS)
        saved_prefix = self.prefix
        self.nested += 1
        try:
            for part in parts:
                ph, ps = self.expr(part, node, "", None, depth + 2, False)
                h, s = max(h, ph), s + ps
        finally:
            self.nested -= 1
        if not run_now:
            self.prefix = saved_prefix
        # Each evaluation builds a new object; a generator can be used up only once.
        self.event(Effect.NEW_MUTABLE)
        return h + 2, s + 1 + len(node.generators)

    def _joinedstr(self, node: ast.JoinedStr, parent: ast.AST, field: str, index: int | None, depth: int,
                   safe_position: bool) -> Measure:
        h, s = 0, 1
        for i, value in enumerate(node.values):
            vh, vs = self.expr(value, node, "values", i, depth + 1, safe_position)
            h, s = max(h, vh), s + vs
        return h + 1, s

    def _formatted(self, node: ast.FormattedValue, parent: ast.AST, field: str, index: int | None, depth: int,
                   safe_position: bool) -> Measure:
        self.fstring += 1
        try:
            h, s = self.expr(node.value, node, "value", None, depth + 1, safe_position)
            if node.format_spec is not None:
                fh, fs = self.expr(node.format_spec, node, "format_spec", None, depth + 1, safe_position)
                h, s = max(h, fh), s + fs
        finally:
            self.fstring -= 1
        self.event(Effect.CALL)
        return h + 1, s + 1

    def _slice(self, node: ast.Slice, parent: ast.AST, field: str, index: int | None, depth: int,
               safe_position: bool) -> Measure:
        h, s = 0, 1
        for name in ("lower", "upper", "step"):
            part = getattr(node, name)
            if part is not None:
                ph, ps = self.expr(part, node, name, None, depth + 1, safe_position)
                h, s = max(h, ph), s + ps
        return h + 1, s

    def _unknown(self, node: ast.AST, depth: int) -> Measure:
        """A node this walker does not model: assume anything, allow nothing."""
        size = 0
        for child in ast.walk(node):
            size += 1
            if isinstance(child, ast.Name) and child.id in self.candidate_names:
                self._name(child, node, "", None, depth, False)
        self.event(Effect.OPAQUE)
        return depth, size

    # -- targets --------------------------------------------------------------------------

    def target(self, node: ast.expr, depth: int = 1) -> int:
        """Evaluate an assignment target (reads in it are never replaced); returns its size."""
        if isinstance(node, ast.Name):
            self.store_name(node.id)
            return 1
        if isinstance(node, (ast.Tuple, ast.List)):
            self.event(Effect.CALL | Effect.MAY_RAISE)  # unpacking iterates
            return 1 + sum(self.target(element, depth + 1) for element in node.elts)
        if isinstance(node, ast.Starred):
            return 1 + self.target(node.value, depth + 1)
        if isinstance(node, ast.Attribute):
            _, s = self.expr(node.value, node, "value", None, depth + 1, False)
            self.event(Effect.STORE)
            return s + 1
        if isinstance(node, ast.Subscript):
            _, s = self.expr(node.value, node, "value", None, depth + 1, False)
            _, ss = self.expr(node.slice, node, "slice", None, depth + 1, False)
            self.event(Effect.STORE)
            return s + ss + 1
        return self._unknown(node, depth)[1]

    # -- statements -----------------------------------------------------------------------

    def walk_suite(self, owner: ast.AST, field: str, body: list[ast.stmt],
                   parent: tuple[Suite, int] | None, deadline: Deadline, reachable: bool = True) -> None:
        suite = Suite(owner=owner, field=field,
                      holder=parent[0].statements[parent[1]] if parent is not None else None)
        self.suites.append(suite)
        self.parent_of[id(suite)] = parent
        for index, node in enumerate(body):
            deadline.check()
            statement = Statement(uid=len(self.statements), index=index, suite=suite, node=node,
                                  reachable=reachable)
            self.statements.append(statement)
            suite.statements.append(statement)
            self.suite, self.statement = suite, statement
            self.order, self.prefix, self.binds = 0, 0, set()
            self.pending = []
            self.event_orders, self.event_bits = [], []
            statement.size = self.walk_statement(node)
            settle(statement.sites, self.event_orders, self.event_bits)
            statement.effects = self.prefix
            statement.binds = frozenset(self.binds)
            suite.has_effects |= self.prefix
            candidate = statement.candidate
            for name in statement.binds:
                # A candidate's own definition counts too: a value may read a name that
                # is bound only later (and fail there), which must not move past it.
                suite.binding_indices.setdefault(name, []).append(index)
            if candidate is not None:
                suite.candidates.append(candidate)
            if type(node) is ast.Assign and len(node.targets) == 1 and type(node.targets[0]) is ast.Name:
                self.bound_at.setdefault(node.targets[0].id, (suite, index))
            pending = self.pending
            for child_owner, child_field in pending:
                self.walk_suite(child_owner, child_field, getattr(child_owner, child_field),
                                (suite, index), deadline, statement.reachable)
            if isinstance(node, _ENDS_BLOCK):
                reachable = False

    def walk_statement(self, node: ast.stmt) -> int:
        if isinstance(node, ast.Assign):
            return self._assign(node)
        if isinstance(node, (ast.Expr, ast.Return)):
            if node.value is None:
                return 1
            return 1 + self.expr(node.value, node, "value", None, 1, True)[1]
        if isinstance(node, ast.AugAssign):
            size = 1
            if isinstance(node.target, ast.Name):
                self._name(ast.Name(node.target.id, ast.Load()), node, "target", None, 1, False)
            else:
                size += self.target(node.target) + 1
                self.event(Effect.MAY_RAISE)
            size += self.expr(node.value, node, "value", None, 1, True)[1]
            self.event(Effect.MAY_RAISE | (Effect.NONE if isinstance(node.target, ast.Name) else Effect.STORE))
            if isinstance(node.target, ast.Name):
                self.store_name(node.target.id)
            return size
        if isinstance(node, ast.AnnAssign):
            size = 1
            if node.value is not None:
                size += self.expr(node.value, node, "value", None, 1, True)[1]
            return size + self.target(node.target)
        if isinstance(node, (ast.Pass,)):
            return 1
        if isinstance(node, (ast.Break, ast.Continue)):
            self.event(Effect.JUMP)
            return 1
        if isinstance(node, ast.Raise):
            size = 1
            for name in ("exc", "cause"):
                part = getattr(node, name)
                if part is not None:
                    size += self.expr(part, node, name, None, 1, True)[1]
            self.event(Effect.JUMP)
            return size
        if isinstance(node, ast.Delete):
            for target in node.targets:
                self.target(target)
                self.event(Effect.STORE)
            return 1 + len(node.targets)
        if isinstance(node, ast.Assert):
            self.expr(node.test, node, "test", None, 1, False)
            if node.msg is not None:
                self.expr(node.msg, node, "msg", None, 1, False)
            self.event(Effect.JUMP | Effect.MAY_RAISE)
            return 2
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                self.binds.add(alias.asname or alias.name.split(".")[0])
            self.event(Effect.OPAQUE | Effect.CALL)
            return 1 + len(node.names)
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            self.event(Effect.STORE)
            return 1
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return self._function_definition(node)
        return self._compound(node)

    def _assign(self, node: ast.Assign) -> int:
        facts = self.facts
        target = node.targets[0]
        candidate_name = target.id if (
            len(node.targets) == 1 and isinstance(target, ast.Name)
            and target.id in self.candidate_names and facts.plain_assignments.get(target.id) is node
        ) else None
        if candidate_name is not None:
            self.names = set()
        try:
            height, size = self.expr(node.value, node, "value", None, 1, True)
        finally:
            names, self.names = self.names, None
        if candidate_name is not None:
            value_effects = self.prefix
            candidate = Candidate(
                name=candidate_name,
                statement=self.statement, value=node.value, effects=value_effects,
                trivial=isinstance(node.value, (ast.Name, ast.Constant)),
                names_read=frozenset(n for n in names or () if n in facts.binding_counts),
                height=height, size=size, living=holds_living(node.value, self.visibility.call),
                origin=origin_of(node.value, self.visibility.call),
            )
            self.statement.candidate = candidate
            self.candidates.append(candidate)
        for t in node.targets:
            size += self.target(t)
        return size + 1

    def _function_definition(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
        size = 1
        for i, decorator in enumerate(node.decorator_list):
            size += self.expr(decorator, node, "decorator_list", i, 1, False)[1]
        size += self._arguments(node.args, 0)[1]
        for argument in parameters(node.args):
            if argument.annotation is not None:
                size += self.expr(argument.annotation, argument, "annotation", None, 1, False)[1]
        if node.returns is not None:
            size += self.expr(node.returns, node, "returns", None, 1, False)[1]
        if node.decorator_list:
            self.event(Effect.CALL)
        self.store_name(node.name)
        return size + self.mention_nested([*node.body, *parameters(node.args)])

    def _compound(self, node: ast.stmt) -> int:
        """Compound statements: their header may be a place to inline into; anything may
        happen in their bodies, so nothing moves across them."""
        size = 1
        if isinstance(node, ast.If):
            size += self.expr(node.test, node, "test", None, 1, True)[1]
            self.pending += [(node, "body"), (node, "orelse")]
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            size += self.expr(node.iter, node, "iter", None, 1, True)[1]
            self.event(Effect.OPAQUE)
            size += self.target(node.target)
            self.pending += [(node, "body"), (node, "orelse")]
        elif isinstance(node, ast.While):
            size += self.expr(node.test, node, "test", None, 1, False)[1]
            self.pending += [(node, "body"), (node, "orelse")]
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                size += self.expr(item.context_expr, item, "context_expr", None, 1, True)[1]
                self.event(Effect.OPAQUE | Effect.CALL)
                if item.optional_vars is not None:
                    size += self.target(item.optional_vars)
            self.pending.append((node, "body"))
        elif isinstance(node, (ast.Try, ast.TryStar)):
            self.pending.append((node, "body"))
            for handler in node.handlers:
                if handler.type is not None:
                    size += self.expr(handler.type, handler, "type", None, 1, False)[1]
                if handler.name:
                    self.binds.add(handler.name)
                self.pending.append((handler, "body"))
            self.pending += [(node, "orelse"), (node, "finalbody")]
        elif isinstance(node, ast.Match):
            size += self.expr(node.subject, node, "subject", None, 1, True)[1]
            self.event(Effect.OPAQUE)
            for case in node.cases:
                for part in ast.walk(case.pattern):
                    size += 1
                    if isinstance(part, ast.expr):
                        self.expr(part, case, "pattern", None, 1, False)
                if case.guard is not None:
                    size += self.expr(case.guard, case, "guard", None, 1, False)[1]
                self.pending.append((case, "body"))
        elif isinstance(node, ast.ClassDef):
            for i, decorator in enumerate(node.decorator_list):
                size += self.expr(decorator, node, "decorator_list", i, 1, False)[1]
            for i, base in enumerate(node.bases):
                size += self.expr(base, node, "bases", i, 1, False)[1]
            for keyword in node.keywords:
                size += self.expr(keyword.value, keyword, "value", None, 1, False)[1]
            self.binds.add(node.name)
            size += self.mention_nested(list(node.body))
        else:
            size += self._unknown(node, 1)[1]
        self.event(Effect.OPAQUE)
        return size


def analyse_function(node: ast.FunctionDef | ast.AsyncFunctionDef, qualname: str,
                     deadline: Deadline, module: ModuleNames = UNKNOWN_MODULE,
                     unit_nonlocal: frozenset[str] = frozenset(),
                     enclosing: frozenset[str] = frozenset()) -> FunctionAnalysis:
    """The shared analysis of one function: what may be inlined and what stands in the way.

    ``module``, ``unit_nonlocal`` and ``enclosing`` (the names the functions around it
    bind, see :func:`inliner.analysis.visibility.enclosing_names`) tell which names other code may change or see (see
    :mod:`inliner.analysis.visibility`); without them nothing outside the function is known
    to be volatile."""
    straight = analyse_straight_line(node, qualname, deadline, module, unit_nonlocal, enclosing)
    if straight is not None:
        return straight
    return analyse_any_function(node, qualname, deadline, module, unit_nonlocal, enclosing)


def analyse_any_function(node: ast.FunctionDef | ast.AsyncFunctionDef, qualname: str,
                         deadline: Deadline, module: ModuleNames = UNKNOWN_MODULE,
                         unit_nonlocal: frozenset[str] = frozenset(),
                         enclosing: frozenset[str] = frozenset()) -> FunctionAnalysis:
    """:func:`analyse_function` by the general walker, whatever the function's shape."""
    facts = scan_scope(node)
    if facts.dynamic_use is not None:
        return FunctionAnalysis(
            node=node, qualname=qualname, suites=[], statements=[], sites=[], candidates=[],
            kept_without_candidate=[], size=0, skipped=FallbackReason.DYNAMIC_SCOPE,
            skip_detail=facts.dynamic_use,
        )
    counts = facts.binding_counts
    candidate_names = frozenset(
        name for name in facts.plain_assignments
        if counts.get(name) == 1 and name not in facts.params and not is_frame_marker(name)
    )
    kept_without_candidate = [
        (name, assignment.lineno, not_a_candidate(name))
        for name, assignment in facts.plain_assignments.items() if name not in candidate_names
    ]
    declared = facts.declared
    visibility = NameVisibility(
        declared=declared, captured=facts.captured,
        seen_after_exceptions=names_seen_after_exceptions(node) if facts.catches else frozenset(),
        locals_={n for n in (*counts, *facts.params) if n not in declared},
        unit_nonlocal=unit_nonlocal, enclosing=enclosing, module=module, suspends=facts.suspends,
    )
    visibility.learn_pure_locals(facts.plain_assignments,
                                 lambda name: counts.get(name) == 1 and name not in facts.params)
    walker = _Walker(facts, candidate_names, visibility)
    walker.walk_suite(node, "body", node.body, None, deadline)
    by_name = {c.name: c for c in walker.candidates}
    for site in walker.sites:
        by_name[site.name].sites.append(site)
    for candidate in walker.candidates:
        candidate.excluded = _static_exclusion(candidate, facts)
    return FunctionAnalysis(
        node=node, qualname=qualname, suites=walker.suites, statements=walker.statements,
        sites=walker.sites, candidates=walker.candidates,
        kept_without_candidate=kept_without_candidate,
        size=1 + sum(s.size for s in walker.statements),
    )


def _static_exclusion(candidate: Candidate, facts: ScopeFacts) -> KeepReason | None:
    """Reasons that hold whatever else is decided (reads are judged by the planner, since
    dropping dead code elsewhere can remove some of them)."""
    name = candidate.name
    if name in facts.declared:
        return KeepReason.GLOBAL_OR_NONLOCAL
    if candidate.effects & Effect.BINDS:
        return KeepReason.VALUE_BINDS_NAME
    return None
