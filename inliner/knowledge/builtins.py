"""What builtins and a few C-implemented stdlib functions may do.

Stdlib functions written in Python are inferred from their source; this table is only for
what has no source to read: the ``builtins`` module and C modules (``math``, ``sys``,
``itertools``, ...). Each entry carries one word saying why, shown in origin lines.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from types import MappingProxyType

from .facts import ANYTHING, Does

TABLE_VERSION = "1"
"""Part of every knowledge token: bump it when an entry changes."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One callable without source."""

    does: Does
    why: str
    """One word: ``computes``, ``prints``, ``dynamic``, ..."""
    calls: tuple[int | str, ...] = ()
    """Arguments (by position, or by keyword) that the callable calls: ``map``'s function,
    ``sorted``'s ``key``. A call's facts include what those arguments do."""


_F = Does.FAILS
_COMPUTES = Entry(_F, "computes")
_BUILDS = Entry(Does.NOTHING, "builds")
_DYNAMIC = Entry(ANYTHING, "dynamic")
_KEYED = Entry(_F, "computes", ("key",))

_BUILTIN_ENTRIES: dict[str, Entry] = {
    **{
        name: _COMPUTES
        for name in (
            "len abs sum tuple list dict set frozenset range enumerate zip int float str bool "
            "repr isinstance issubclass type hash divmod round pow ord chr any all reversed "
            "iter getattr hasattr format bin oct hex ascii bytes bytearray complex memoryview "
            "slice"
        ).split()
    },
    **{name: _BUILDS for name in "callable object staticmethod classmethod property".split()},
    **{name: _KEYED for name in ("min", "max", "sorted")},
    "map": Entry(_F, "computes", (0,)),
    "filter": Entry(_F, "computes", (0,)),
    "next": Entry(ANYTHING, "resumes"),
    "print": Entry(_F | Does.WRITES_STATE, "prints"),
    "input": Entry(_F | Does.READS_STATE | Does.WRITES_STATE, "reads-input"),
    "open": Entry(_F | Does.READS_STATE | Does.WRITES_STATE | Does.LIVING_RESULT, "opens-file"),
    "setattr": Entry(_F | Does.WRITES_STATE, "stores"),
    "delattr": Entry(_F | Does.WRITES_STATE, "stores"),
    "id": Entry(Does.READS_STATE, "identity"),
    **{
        name: _DYNAMIC
        for name in (
            "globals locals vars exec eval compile __import__ breakpoint super help aiter anext "
            "dir __build_class__"
        ).split()
    },
}
# Exception classes build a value and run no user code.
_BUILTIN_ENTRIES.update(
    {
        name: _BUILDS
        for name, value in sorted(vars(builtins).items())
        if isinstance(value, type) and issubclass(value, BaseException)
    }
)

BUILTINS: MappingProxyType[str, Entry] = MappingProxyType(_BUILTIN_ENTRIES)
"""Builtin names and what calling them may do."""

_STATEFUL = Entry(_F | Does.READS_STATE | Does.WRITES_STATE, "random-state")

_MODULE_DEFAULTS: dict[str, Entry] = {
    "math": _COMPUTES,
    "cmath": _COMPUTES,
    "operator": _COMPUTES,
    "itertools": _COMPUTES,
    # Each draw reads and advances the shared generator: two draws must keep their order.
    "random": _STATEFUL,
    "os": _DYNAMIC,
    "sys": _DYNAMIC,
    "time": Entry(_F | Does.READS_STATE, "clock"),
}
MODULE_DEFAULTS: MappingProxyType[str, Entry] = MappingProxyType(_MODULE_DEFAULTS)
"""C-module functions not listed in :data:`C_FUNCTIONS`, by module."""

_C_FUNCTIONS: dict[str, Entry] = {
    "sys._getframe": Entry(_F | Does.READS_FRAMES, "frames"),
    "sys.exc_info": Entry(Does.READS_STATE, "exception"),
    "sys.exception": Entry(Does.READS_STATE, "exception"),
    "sys.intern": _COMPUTES,
    "sys.getsizeof": _COMPUTES,
    "inspect.currentframe": Entry(Does.READS_FRAMES, "frames"),
    "inspect.stack": Entry(_F | Does.READS_FRAMES, "frames"),
    "time.sleep": Entry(_F | Does.READS_STATE | Does.WRITES_STATE, "clock"),
    "operator.setitem": Entry(_F | Does.WRITES_STATE, "stores"),
    "operator.delitem": Entry(_F | Does.WRITES_STATE, "stores"),
    "operator.iadd": Entry(_F | Does.WRITES_STATE, "stores"),
    "operator.methodcaller": _DYNAMIC,
    "itertools.starmap": Entry(_F, "computes", (0,)),
    "itertools.filterfalse": Entry(_F, "computes", (0,)),
    "itertools.takewhile": Entry(_F, "computes", (0,)),
    "itertools.dropwhile": Entry(_F, "computes", (0,)),
    "itertools.groupby": Entry(_F, "computes", (1, "key")),
    "itertools.accumulate": _DYNAMIC,
    "random.Random": _BUILDS,
}
C_FUNCTIONS: MappingProxyType[str, Entry] = MappingProxyType(_C_FUNCTIONS)
"""Dotted names of C functions (or of functions whose source hides C behind a rebinding,
like ``operator`` and ``random``), checked before any source."""


def stdlib_entry(dotted: str) -> Entry | None:
    """The table's entry for ``module.name``, if the table knows that module."""
    if dotted in C_FUNCTIONS:
        return C_FUNCTIONS[dotted]
    module, _, _ = dotted.rpartition(".")
    return MODULE_DEFAULTS.get(module)
