"""One pass over a whole module tree: what can rebind its names behind the syntax's back,
which modules it imports, and which names it calls or passes to calls.

The analysed module is scanned on every ``knowledge_for``, so this is the one walk over
all of it: breadth first like ``ast.walk`` (the first escape found is the one reported),
but without visiting the context and operator leaves that make up a third of
a tree and tell nothing here.
"""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

_SKIPPED_FIELDS = frozenset({"ctx", "op", "ops"})
_CHILD_FIELDS: dict[type[ast.AST], tuple[str, ...]] = {}


def dotted(node: ast.expr) -> str | None:
    """``a.b.c`` for an attribute chain on a name (None for any other expression)."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def call_spellings(root: ast.AST) -> frozenset[str]:
    """The names and dotted chains spelled as a callee or as an argument of a call under
    ``root``: all a :class:`~.snapshot.CallSnapshot` needs for the calls there."""
    found: set[str] = set()
    for node in ast.walk(root):
        if isinstance(node, ast.Call):
            _add_call_spellings(node, found)
    return frozenset(found)


def _add_call_spellings(call: ast.Call, found: set[str]) -> None:
    for used in (call.func, *call.args, *[k.value for k in call.keywords]):
        if used.__class__ is ast.Name:
            found.add(used.id)
        elif used.__class__ is ast.Attribute:
            spelled = dotted(used)
            if spelled is not None:
                found.add(spelled)


def absolute_module(module: str | None, level: int, name: str, is_package: bool) -> str:
    """The absolute name of ``from <level dots><module> import``; empty if it leaves the
    package tree (or the importing module has no package)."""
    if level == 0:
        return module or ""
    parts = name.split(".") if name else []
    keep = len(parts) - level + (1 if is_package else 0)
    if keep < 1:
        return ""
    base = ".".join(parts[:keep])
    return f"{base}.{module}" if module else base


@dataclass
class ModuleScan:
    """What the walk found (filled in place, then frozen into the module's scope)."""

    escaped: str | None = None
    globals_declared: dict[str, int] = field(default_factory=dict)
    outside_rebinds: set[tuple[str, str]] = field(default_factory=set)
    all_mutated: bool = False
    imports: set[str] = field(default_factory=set)
    used: set[str] = field(default_factory=set)
    """Every name spelled, and the dotted chains spelled as a callee or as an argument of
    a call: whatever its code can call, directly, through a local, or through a function
    it passes them to."""
    chains: set[str] = field(default_factory=set)
    """Every dotted chain spelled anywhere (``a.b.c`` and ``a.b``)."""


_ESCAPING_CALLS = frozenset({"globals", "exec", "eval", "__import__"})
_ESCAPING_ATTRS = frozenset({"__globals__", "f_globals", "__builtins__"})
_ALL_MUTATORS = frozenset({"append", "extend", "remove", "insert", "clear", "pop"})


class _Scanner:
    def __init__(self, modules: dict[str, str], bound: set[str], name: str, is_package: bool) -> None:
        self.modules = modules
        """Names bound by ``import m`` (to module ``m``)."""
        self.bound = bound
        self.name = name
        self.is_package = is_package
        self.scan = ModuleScan()
        self.attribute_bases: set[int] = set()
        self.handlers: dict[type[ast.AST], Callable[[Any], None]] = {
            ast.Subscript: self.subscript,
            ast.Call: self.call,
            ast.Global: self.global_node,
            ast.Import: self.import_node,
            ast.ImportFrom: self.import_from,
            ast.Attribute: self.attribute,
        }
        if modules:
            # Only a name bound to a module can pass the module on; most trees have none.
            self.handlers[ast.Name] = self.name_node
        else:
            self.handlers[ast.Name] = self.name_used

    def escape(self, why: str, node: ast.AST) -> None:
        if self.scan.escaped is None:
            self.scan.escaped = f"{why} (line {getattr(node, 'lineno', '?')})"

    def name_used(self, node: ast.Name) -> None:
        self.scan.used.add(node.id)

    def name_node(self, node: ast.Name) -> None:
        self.scan.used.add(node.id)
        # Parents come first in the walk, so every attribute base is known by now.
        if node.id in self.modules and isinstance(node.ctx, ast.Load) and id(node) not in self.attribute_bases:
            # The module object itself is passed on: whoever gets it may rebind its
            # names (setattr, attribute stores) behind the syntax's back.
            self.scan.outside_rebinds.add((self.modules[node.id], "*"))

    def subscript(self, node: ast.Subscript) -> None:
        self.named_module(node)

    def call(self, node: ast.Call) -> None:
        self.named_module(node)
        scan = self.scan
        _add_call_spellings(node, scan.used)
        if not isinstance(node.func, ast.Name):
            return
        called = node.func.id
        if called in _ESCAPING_CALLS and called not in self.bound:
            self.escape(f"the module namespace escapes: {called}()", node)
        elif called == "vars" and not node.args:
            self.escape("the module namespace escapes: vars()", node)
        elif called == "vars" and isinstance(node.args[0], ast.Name) and node.args[0].id in self.modules:
            scan.outside_rebinds.add((self.modules[node.args[0].id], "*"))
        elif called in ("setattr", "delattr") and node.args:
            target = node.args[0]
            if isinstance(target, ast.Name) and target.id in self.modules:
                scan.outside_rebinds.add((self.modules[target.id], "*"))
            elif not isinstance(target, ast.Name):
                self.escape(f"{called}() on an object that may be a module", node)

    def global_node(self, node: ast.Global) -> None:
        for declared in node.names:
            self.scan.globals_declared.setdefault(declared, node.lineno)

    def import_node(self, node: ast.Import) -> None:
        names = [alias.name for alias in node.names]
        self.scan.imports.update(names)
        if any(n.partition(".")[0] == "importlib" for n in names):
            self.escape("the module uses importlib", node)

    def import_from(self, node: ast.ImportFrom) -> None:
        module = absolute_module(node.module, node.level, self.name, self.is_package)
        if module:
            self.scan.imports.add(module)
            self.scan.imports.update(f"{module}.{a.name}" for a in node.names if a.name != "*")
        names = [node.module or ""] + [alias.name for alias in node.names]
        if any(n.partition(".")[0] == "importlib" for n in names):
            self.escape("the module uses importlib", node)

    def attribute(self, node: ast.Attribute) -> None:
        scan = self.scan
        self.attribute_bases.add(id(node.value))
        spelled = dotted(node)
        if spelled is not None:
            scan.chains.add(spelled)
        if node.attr in _ESCAPING_ATTRS:
            self.escape(f"the module namespace escapes: .{node.attr}", node)
        elif node.attr == "modules" and isinstance(node.value, ast.Name) and self.modules.get(node.value.id) == "sys":
            self.escape("the module namespace escapes: sys.modules", node)
        elif isinstance(node.value, ast.Name) and node.value.id in self.modules:
            if isinstance(node.ctx, (ast.Store, ast.Del)):
                scan.outside_rebinds.add((self.modules[node.value.id], node.attr))
            elif node.attr == "__dict__":
                scan.outside_rebinds.add((self.modules[node.value.id], "*"))
        if node.attr in _ALL_MUTATORS and isinstance(node.value, ast.Name) and node.value.id == "__all__":
            scan.all_mutated = True

    def named_module(self, node: ast.AST) -> None:
        """A module reached by a constant name: ``sys.modules["m"]``,
        ``importlib.import_module("m")``, ``__import__("m")``."""
        key: ast.expr | None = None
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute):
            if node.value.attr == "modules":
                key = node.slice
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name in ("import_module", "__import__", "reload"):
                key = node.args[0]
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            self.scan.outside_rebinds.add((key.value, "*"))


def scan_module(tree: ast.Module, modules: dict[str, str], bound: set[str], name: str, is_package: bool) -> ModuleScan:
    """Walk ``tree`` (module ``name``) once. ``modules`` maps the names ``import`` binds to
    their modules; ``bound`` is every name bound at the top level (a module that binds
    ``eval`` itself does not escape by calling it)."""
    scanner = _Scanner(modules, bound, name, is_package)
    handlers = scanner.handlers
    # ast.walk's breadth-first order, written out (this loop is most of the cost of a
    # knowledge_for); ctx and operator leaves have no children, so skipping them leaves
    # the order of the rest as it was.
    todo: deque[ast.AST] = deque([tree])
    pop, push = todo.popleft, todo.append
    fields_of = _CHILD_FIELDS
    while todo:
        node = pop()
        kind = type(node)
        handler = handlers.get(kind)
        if handler is not None:
            handler(node)
        fields = fields_of.get(kind)
        if fields is None:
            fields = fields_of[kind] = tuple(f for f in kind._fields if f not in _SKIPPED_FIELDS)
        for field_name in fields:
            value = getattr(node, field_name, None)
            if value.__class__ is list:
                for item in value:
                    if isinstance(item, ast.AST):
                        push(item)
            elif isinstance(value, ast.AST):
                push(value)
    return scanner.scan
