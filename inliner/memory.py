"""Room left under an address-space limit (``ulimit -v``), to refuse work that would not fit.

libcst's native parser cannot report running out of memory: the allocation failure aborts
the whole process. So before it parses a unit, the engine asks whether the unit can fit.
"""

from __future__ import annotations

import os

LIBCST_BYTES_PER_CHARACTER = 1024
"""Peak memory of ``libcst.parse_module`` per character of source, rounded up from about
880 measured on a 626,693-character function (libcst 1.9, CPython 3.11)."""


def address_space_left() -> int | None:
    """Bytes this process may still map under its soft ``RLIMIT_AS``; None when there is
    no such limit or it cannot be read."""
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        if soft == resource.RLIM_INFINITY:
            return None
        with open("/proc/self/statm", encoding="ascii") as statm:
            mapped = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (ImportError, OSError, ValueError, IndexError):
        return None
    return max(0, soft - mapped)


def libcst_may_not_fit(characters: int) -> bool:
    """Whether parsing ``characters`` of source with libcst could exceed the limit."""
    left = address_space_left()
    return left is not None and characters * LIBCST_BYTES_PER_CHARACTER > left
