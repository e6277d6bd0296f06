"""What a call evaluates to in the analysis: the effect bits it stands for, and whether the
object it returns may be seen dying. Facts come from the module (see
:attr:`inliner.analysis.visibility.ModuleNames.calls`); a call nothing is known about may do
anything, which is what strict assumes of it."""

from __future__ import annotations

import ast
import hashlib
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from fnmatch import fnmatchcase

from ..effects import Effect
from ..knowledge import CallFacts, CallSnapshot, Does, call_spellings, facts_of_call, facts_of_result_call
from ..knowledge.entries import entry_text


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
    facts: CallFacts | None = None
    """The inferred (or declared) answer this was made from, where a local bound to such a
    function is passed on to a call that calls it (``matcher(x3, x4)``)."""


UNKNOWN_CALL = KnownCall(effect=int(Effect.CALL | Effect.ESCAPE), living=True, origin="unknown callee")
"""A call nothing is known about: it may do anything, and return anything."""


def callee_name(func: ast.expr) -> str | None:
    """The dotted name a call's callee spells (``f``, ``dsl.rot90``, ``os.path.join``), or
    None when it is no plain name or attribute chain on a name."""
    parts: list[str] = []
    while type(func) is ast.Attribute:
        parts.append(func.attr)
        func = func.value
    if type(func) is not ast.Name:
        return None
    parts.append(func.id)
    return ".".join(reversed(parts))


DECLARED_PURE_EFFECT = int(Effect.MAY_RAISE)
"""A callable the user declares pure computes from its arguments, creates only objects
nobody sees die, and may fail."""


class CallTable:
    """What the calls of one module do: callables the user declares pure (``pure_calls``
    patterns, matched against the name a call resolves to through the module's imports),
    then what inference found (a :class:`~inliner.knowledge.CallSnapshot` of the names the
    module spells, which answers for a whole call, arguments included). Immutable; equal,
    hashable and picklable by its contents, so it travels with a module's parts."""

    __slots__ = ("_declared", "_origins", "_snapshot", "_provided", "_resolved", "_frame_readers")

    def __init__(self, declared: tuple[str, ...] = (), origins: Mapping[str, str] | None = None,
                 snapshot: CallSnapshot | None = None, provided: frozenset[str] = frozenset(),
                 frame_readers: tuple[str, ...] = ()) -> None:
        self._declared = declared
        self._frame_readers = frame_readers
        """Patterns of callables the user declares read their callers' frames."""
        self._origins = dict(origins or {})
        """For names the module imports: the dotted name each stands for (``rot90`` from
        ``from dsl import rot90`` is ``dsl.rot90``; ``*`` maps to a star-imported module)."""
        self._snapshot = snapshot
        self._provided = provided
        """Names a fragment leaves to whoever runs it: nothing is known of them."""
        self._resolved: dict[str, KnownCall | None] = {}

    def __bool__(self) -> bool:
        return bool(self._declared or self._frame_readers or self._snapshot is not None)

    @property
    def declares_frame_readers(self) -> bool:
        return bool(self._frame_readers)

    def frame_reader(self, spelled: str) -> KnownCall | None:
        """What calling ``spelled`` does when the user declares it reads its callers' frames
        (``*.query`` matches a method of that name on anything, ``df.query`` included)."""
        if not self._frame_readers:
            return None
        full = self.full_name(spelled)
        for pattern in self._frame_readers:
            if fnmatchcase(full, pattern) or fnmatchcase(spelled, pattern):
                origin = f"declared a frame reader by frame-readers {pattern!r}"
                return KnownCall(effect=int(Effect.CALL | Effect.ESCAPE | Effect.FRAME_READ), living=True,
                                 origin=origin)
        return None

    def full_name(self, name: str) -> str:
        """The dotted name ``name`` stands for, through the module's imports."""
        head, dot, rest = name.partition(".")
        origin = self._origins.get(head)
        if origin is None:
            star = self._origins.get("*")
            return f"{star}.{name}" if star is not None and not dot else name
        return origin + dot + rest

    def declared(self, name: str) -> KnownCall | None:
        """What calling ``name`` does by the user's word, if a pattern names it."""
        if not self._declared:
            return None
        if name in self._resolved:
            return self._resolved[name]
        full = self.full_name(name)
        known = None
        for pattern in self._declared:
            if fnmatchcase(full, pattern) or fnmatchcase(name, pattern):
                origin = f"declared pure by pure-calls {pattern!r}"
                known = KnownCall(effect=DECLARED_PURE_EFFECT, living=False, origin=origin,
                                  returns_pure_callable=True, facts=CallFacts(Does.FAILS, origin, declared=True))
                break
        self._resolved[name] = known
        return known

    def of_call(self, call: ast.Call, local_names: AbstractSet[str],
                local_facts: Mapping[str, CallFacts] | None = None) -> KnownCall:
        """What ``call`` (of a module-scope name or chain) does; its arguments count where
        the callee calls them. The user's declaration wins over inference."""
        name = callee_name(call.func)
        if name is None:
            return UNKNOWN_CALL
        declared = self.declared(name)
        if declared is not None:
            return declared
        if self._snapshot is None or name.partition(".")[0] in self._provided:
            return UNKNOWN_CALL
        return known_call(facts_of_call(self._snapshot, call, local_names, local_facts))

    def of_result(self, building_call: ast.Call, local_names: AbstractSet[str],
                  local_facts: Mapping[str, CallFacts] | None = None) -> KnownCall:
        """What calling the value ``building_call`` returns does (``f = rbind(g, x); f(y)``)."""
        name = callee_name(building_call.func)
        if name is None:
            return UNKNOWN_CALL
        declared = self.declared(name)
        if declared is not None:
            return declared  # a declared builder builds functions as pure as it is
        if self._snapshot is None or name.partition(".")[0] in self._provided:
            return UNKNOWN_CALL
        return known_call(facts_of_result_call(self._snapshot, building_call, local_names, local_facts))

    def _key(self) -> tuple[object, ...]:
        return (self._declared, tuple(sorted(self._origins.items())),
                self._snapshot.token if self._snapshot is not None else None, tuple(sorted(self._provided)),
                self._frame_readers)

    def token(self) -> str:
        """A stable text of everything here that can change an output (for cache keys)."""
        if not self:
            return ""
        snapshot = self._snapshot.token if self._snapshot is not None else "none"
        return (f"declared={','.join(self._declared)};origins={sorted(self._origins.items())};"
                f"inferred={snapshot};provided={','.join(sorted(self._provided))};"
                f"frame-readers={','.join(self._frame_readers)}")

    def token_for(self, unit: ast.AST) -> str:
        """What of this table can change the result for the code ``unit`` (for its cache
        key): for each name and chain it calls or passes to a call, what is known of it."""
        if not self:
            return ""
        parts = [f"frame-readers={','.join(self._frame_readers)}"] if self._frame_readers else []
        for spelled in sorted(call_spellings(unit)):
            declared = self.declared(spelled)
            if declared is not None:
                parts.append(f"{spelled}=declared")
            elif self._snapshot is None or spelled.partition(".")[0] in self._provided:
                parts.append(f"{spelled}=unknown")
            else:
                entry = (self._snapshot.chain_entry(spelled) if "." in spelled
                         else self._snapshot.name_entry(spelled))
                parts.append(f"{spelled}={entry_text(entry) if entry is not None else 'None'}")
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CallTable) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __reduce__(self) -> tuple[object, ...]:
        return CallTable, (self._declared, self._origins, self._snapshot, self._provided, self._frame_readers)

    def __repr__(self) -> str:
        return f"CallTable(declared={self._declared!r}, inferred={self._snapshot is not None})"


def known_call(facts: CallFacts) -> KnownCall:
    """What the analysis makes of one inferred answer: a call that touches state (or may do
    anything) is an ordering point and may keep what it is given; one known to read frames
    keeps every variable alive at it; one that only computes may fail, or does nothing."""
    does = facts.does
    if does & (_STATE | Does.READS_FRAMES):
        # A call that may do anything is an ordering point, as strict always took it to
        # be; only one known to read frames keeps every variable alive at it.
        reads_frames = does & Does.READS_FRAMES and not does & Does.UNKNOWN
        effect = Effect.CALL | Effect.ESCAPE | (Effect.FRAME_READ if reads_frames else Effect.NONE)
    elif does & Does.FAILS:
        effect = Effect.MAY_RAISE
    else:
        effect = Effect.NONE
    return KnownCall(effect=int(effect), living=bool(does & (Does.LIVING_RESULT | Does.UNKNOWN)),
                     origin=facts.origin, returns_pure_callable=facts.declared, facts=facts)


_STATE = Does.READS_STATE | Does.WRITES_STATE | Does.UNKNOWN


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


def built_callables(assignments: Mapping[str, ast.Assign], once: Callable[[str], bool],
                    table: CallTable, local_names: AbstractSet[str]) -> dict[str, KnownCall]:
    """For each local bound once (``once``) to what a call returns, what calling it does,
    where that is known: ``f = rbind(g, x); f(y)`` does what ``g`` does, also when ``g`` is
    itself such a local; a local bound to what a declared-pure built function returns is
    pure too (``k = f(x); k(y)``). In assignment order, so each sees those before it."""
    found: dict[str, KnownCall] = {}
    local_facts: dict[str, CallFacts] = {}  # kept along with found (rebuilt per local, it was quadratic)
    for name, assignment in sorted(assignments.items(), key=lambda item: (item[1].lineno, item[1].col_offset)):
        value = assignment.value
        if not (isinstance(value, ast.Call) and once(name)):
            continue
        func = value.func
        if isinstance(func, ast.Name) and func.id in local_names:
            built = found.get(func.id)
            if built is None or not built.returns_pure_callable:
                continue
            known = built
        else:
            known = table.of_result(value, local_names, local_facts)
        if known is not UNKNOWN_CALL:
            found[name] = KnownCall(effect=known.effect, living=known.living,
                                    origin=f"built by {callee_name(func) or 'a call'} ({known.origin})",
                                    returns_pure_callable=known.returns_pure_callable, facts=known.facts)
            if known.facts is not None:
                local_facts[name] = known.facts
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
