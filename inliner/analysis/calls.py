"""What a call evaluates to in the analysis: the effect bits it stands for, and whether the
object it returns may be seen dying. Facts come from the module (see
:attr:`inliner.analysis.shared.ModuleNames.calls`); a call nothing is known about may do
anything, which is what strict assumes of it."""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase

from ..effects import Effect


@dataclass(frozen=True, slots=True)
class KnownCall:
    """What calling one module-level name does."""

    effect: int
    """The :class:`~inliner.effects.Effect` bits a call stands for: ``CALL`` for one that
    may change or read state, ``MAY_RAISE`` for one that only computes and may fail, none
    for one that cannot fail; ``FRAME_READ`` when it reads its callers' frames."""
    living: bool
    """Its result may be an object whose death others can see (a finalizer, a weak
    reference, a generator's ``finally``, a file or lock released)."""
    origin: str
    """Where the fact comes from, in a few words (for ``--explain``)."""
    returns_pure_callable: bool = False
    """A function it returns is pure too (``rbind(f, x)`` of a DSL declared pure builds a
    function as pure as ``f``): calling a local bound to its result is known."""


UNKNOWN_CALL = KnownCall(effect=int(Effect.CALL | Effect.ESCAPE), living=True, origin="unknown callee")
"""A call nothing is known about: it may do anything, and return anything."""


def callee_name(func: ast.expr) -> str | None:
    """The dotted name a call's callee spells (``f``, ``dsl.rot90``, ``os.path.join``), or
    None when it is no plain name or attribute chain on a name."""
    parts: list[str] = []
    while type(func) is ast.Attribute:
        parts.append(func.attr)  # type: ignore[attr-defined]
        func = func.value  # type: ignore[attr-defined]
    if type(func) is not ast.Name:
        return None
    parts.append(func.id)  # type: ignore[attr-defined]
    return ".".join(reversed(parts))


DECLARED_PURE_EFFECT = int(Effect.MAY_RAISE)
"""A callable the user declares pure computes from its arguments, creates only objects
nobody sees die, and may fail."""


class CallTable:
    """What calling each module-level name does, by the dotted name the module spells
    (``rot90``, ``dsl.rot90``): facts inferred from source, and callables the user declares
    pure (``pure_calls`` patterns, matched against the name the call resolves to through
    the module's imports). Immutable; equal, hashable and picklable by its contents."""

    __slots__ = ("_facts", "_declared", "_origins", "_resolved")

    def __init__(self, facts: Mapping[str, KnownCall] | None = None, declared: tuple[str, ...] = (),
                 origins: Mapping[str, str] | None = None) -> None:
        self._facts = dict(facts or {})
        self._declared = declared
        self._origins = dict(origins or {})
        """For names the module imports: the dotted name each stands for (``rot90`` from
        ``from dsl import rot90`` is ``dsl.rot90``; ``*`` maps to a star-imported module)."""
        self._resolved: dict[str, KnownCall | None] = {}

    def __bool__(self) -> bool:
        return bool(self._facts or self._declared)

    def full_name(self, name: str) -> str:
        """The dotted name ``name`` stands for, through the module's imports."""
        head, dot, rest = name.partition(".")
        origin = self._origins.get(head)
        if origin is None:
            star = self._origins.get("*")
            return f"{star}.{name}" if star is not None and not dot else name
        return origin + dot + rest

    def lookup(self, name: str) -> KnownCall | None:
        """What calling ``name`` does, if known: the user's declaration first (their word
        wins over inference), then what was inferred."""
        if not self._declared:
            return self._facts.get(name)
        if name in self._resolved:
            return self._resolved[name]
        full = self.full_name(name)
        known = self._facts.get(name)
        for pattern in self._declared:
            if fnmatchcase(full, pattern) or fnmatchcase(name, pattern):
                known = KnownCall(effect=DECLARED_PURE_EFFECT, living=False,
                                  origin=f"declared pure by pure-calls {pattern!r}",
                                  returns_pure_callable=True)
                break
        self._resolved[name] = known
        return known

    def _key(self) -> tuple[object, ...]:
        return (tuple(sorted(self._facts.items(), key=lambda item: item[0])), self._declared,
                tuple(sorted(self._origins.items())))

    def token(self) -> str:
        """A stable text of everything here that can change an output (for cache keys):
        each known name's effect bits, and the declarations."""
        if not self:
            return ""
        known = ",".join(f"{name}:{fact.effect}:{int(fact.living)}:{int(fact.returns_pure_callable)}"
                         for name, fact in sorted(self._facts.items(), key=lambda item: item[0]))
        return f"calls={known};declared={','.join(self._declared)};origins={sorted(self._origins.items())}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CallTable) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __reduce__(self) -> tuple[object, ...]:
        return CallTable, (self._facts, self._declared, self._origins)

    def __repr__(self) -> str:
        return f"CallTable({len(self._facts)} known, declared={self._declared!r})"


NO_CALLS = CallTable()
"""Nothing known about any call."""


def import_origins(tree: ast.Module) -> dict[str, str]:
    """The dotted name each top-level import binds (see :class:`CallTable`); a single star
    import maps ``*`` to its module (with several, a bare name's origin is unknown)."""
    origins: dict[str, str] = {}
    stars: list[str] = []
    for statement in tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            origins[statement.name] = statement.name  # the module's own, not a star import's
        elif isinstance(statement, ast.Import):
            for alias in statement.names:
                if alias.asname:
                    origins[alias.asname] = alias.name
                else:
                    head = alias.name.split(".")[0]
                    origins[head] = head
        elif isinstance(statement, ast.ImportFrom) and statement.module and not statement.level:
            for alias in statement.names:
                if alias.name == "*":
                    stars.append(statement.module)
                else:
                    origins[alias.asname or alias.name] = f"{statement.module}.{alias.name}"
    if len(stars) == 1:
        origins["*"] = stars[0]
    return origins


def pure_built(assignments: Mapping[str, ast.Assign], once: Callable[[str], bool],
               call: Callable[[ast.expr], KnownCall]) -> dict[str, KnownCall]:
    """The locals bound once (``once``) to what a call returns whose result is a pure
    callable, in assignment order, each with what calling it does (see
    :attr:`KnownCall.returns_pure_callable`); ``call`` gives what a callee does, and is
    asked again as locals are found, so a chain ``f = compose(g, h); k = f(x)`` is followed."""
    found: dict[str, KnownCall] = {}
    for name, assignment in sorted(assignments.items(), key=lambda item: (item[1].lineno, item[1].col_offset)):
        value = assignment.value
        if not (isinstance(value, ast.Call) and once(name)):
            continue
        func = value.func
        known = found.get(func.id) if isinstance(func, ast.Name) else None
        if known is None:
            known = call(func)
        if known.returns_pure_callable:
            found[name] = KnownCall(effect=known.effect, living=False,
                                    origin=f"built by a pure call ({known.origin})", returns_pure_callable=True)
    return found


def called_names(tree: ast.Module) -> set[str]:
    """Every name and dotted chain the module may call or pass on: the keys a call table
    needs for it."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            dotted = callee_name(node.func)
            if dotted is not None:
                names.add(dotted)
    return names
