"""What evaluating a piece of code may do, as bit flags, and which flags each policy
treats as a barrier that an expression must not be moved across."""

from __future__ import annotations

from enum import IntFlag


class Effect(IntFlag):
    NONE = 0
    MAY_RAISE = 1
    """An operator, attribute or subscript read, a truth test, a hash, or a read of a
    local that may be unbound."""
    CALL = 2
    """A call, including implicit ones (iteration, formatting, unpacking), and a store that
    rebinds a local (the object it held may die, and its finalizer run)."""
    SUSPEND = 4
    """``await``, ``yield``, ``yield from``."""
    BINDS = 8
    """An assignment expression (``:=``)."""
    STORE = 16
    """An attribute or subscript store, ``del``, ``global``/``nonlocal``."""
    JUMP = 32
    """``return``, ``raise``, ``break``, ``continue``, ``assert``."""
    OPAQUE = 64
    """A compound statement, class body or import: anything may happen inside."""
    NEW_MUTABLE = 128
    """Builds a new mutable object (list, dict, set display or comprehension)."""
    SHARED_STORE = 256
    """A store to a name that code other than the straight line after it can see: declared
    ``global`` or ``nonlocal``, captured by a nested scope, or read where an exception
    raised before the store can lead (see :mod:`inliner.analysis.visibility`)."""
    VOLATILE_READ = 512
    """A read of a name that a call may rebind (a global some function declares
    ``global``, a name some function declares ``nonlocal``, any global when the module
    uses ``globals()``) or that is bound nowhere and may raise ``NameError``."""
    FRAME_READ = 1024
    """A call known to read its callers' frames (``sys._getframe(1).f_locals``): every
    local alive there is seen by name."""
    ESCAPE = 2048
    """An explicit call of something not known to only compute: it may keep a reference
    (a weak one too) to what it is given, and see it die later. (Implicit calls of an
    object's own protocol methods, such as formatting or iteration, are taken to compute,
    as operators are.)"""


ALL_EFFECTS = Effect(0xFF) & ~Effect.NEW_MUTABLE

OBSERVES_DEATH = ALL_EFFECTS | Effect.SHARED_STORE | Effect.VOLATILE_READ
"""Events after which an object's death may be seen to have come early: anything that may
run code, fail (a handler then sees the object dead), or touch state others share."""

# An expression may not be moved across any of these.
STRICT_BARRIER = ALL_EFFECTS
PURE_BARRIER = Effect.SUSPEND | Effect.BINDS | Effect.STORE | Effect.JUMP | Effect.OPAQUE

# An expression containing any of these may not be copied (expand="all") or dropped.
STRICT_UNCOPYABLE = ALL_EFFECTS | Effect.NEW_MUTABLE
PURE_UNCOPYABLE = PURE_BARRIER | Effect.NEW_MUTABLE
STRICT_UNDROPPABLE = ALL_EFFECTS
PURE_UNDROPPABLE = PURE_BARRIER


# Ordering points of their own (so that a variable kept for them says why): a store that
# other code can see, and (strict only) a read of a name a call may change. Under ``pure``
# calls change no name, but they may still raise, and a handler or a caller then sees
# whether the store happened.
STRICT_SHARED_BARRIER = Effect.SHARED_STORE | Effect.VOLATILE_READ
PURE_SHARED_BARRIER = Effect.SHARED_STORE


def barrier_for(policy: str) -> Effect:
    return STRICT_BARRIER if policy == "strict" else PURE_BARRIER


def uncopyable_for(policy: str) -> Effect:
    return STRICT_UNCOPYABLE if policy == "strict" else PURE_UNCOPYABLE


def undroppable_for(policy: str) -> Effect:
    return STRICT_UNDROPPABLE if policy == "strict" else PURE_UNDROPPABLE


def shared_barrier_for(policy: str) -> Effect:
    return STRICT_SHARED_BARRIER if policy == "strict" else PURE_SHARED_BARRIER
