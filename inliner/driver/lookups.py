"""What the driver asks the cache, and under which keys: shared by every executor.

Lookups and writes happen in the process that called :func:`inliner.inline_many`, never
in a worker, so workers on other machines need no shared disk.
"""

from __future__ import annotations

import functools
import importlib.metadata
import sys
from dataclasses import dataclass

import inliner

from ..options import InlineOptions
from ..reasons import FallbackReason
from ..result import InlineResult
from .records import result_from_json
from .units import ModuleParts, Unit


@dataclass
class CacheCounts:
    hits: int = 0
    misses: int = 0
    errors: int = 0


@functools.lru_cache(maxsize=1)
def environment_token() -> str:
    """What besides the options decides the output: ``ast.unparse`` and libcst's code
    generation may change between versions."""
    try:
        libcst_version = importlib.metadata.version("libcst")
    except importlib.metadata.PackageNotFoundError:
        libcst_version = "unknown"
    return f"python={sys.version_info.major}.{sys.version_info.minor};libcst={libcst_version}"


def identity() -> str:
    """Everything a result and its cache key depend on besides the input and the options:
    a worker must report the same as the caller for its results to be used."""
    return f"inline-solvers={inliner.__version__};{environment_token()}"


_CIRCUMSTANTIAL = (FallbackReason.TIMEOUT, FallbackReason.OUT_OF_MEMORY)


def never_cache(result: InlineResult) -> bool:
    """A timeout depends on the machine's load, a shortage of memory on the process's
    limit, not on the code: never remember them."""
    return result.reason_code in _CIRCUMSTANTIAL or any(f.reason in _CIRCUMSTANTIAL for f in result.functions)


def cached_result(cache, key: str, counts: CacheCounts) -> InlineResult | None:  # type: ignore[no-untyped-def]
    data = cache.get(key)
    if data is None:
        counts.misses += 1
        return None
    try:
        result = result_from_json(data)
    except ValueError:
        counts.misses += 1
        return None
    counts.hits += 1
    return result


def options_token(options: InlineOptions) -> str:
    return f"{options.cache_token()};{environment_token()}"


def module_key(source: str, token: str) -> str:
    from .cache import cache_key  # local: the cache module is only needed with a cache

    return cache_key("module", source, token)


def unit_key(parts: ModuleParts, unit: Unit, token: str) -> str:
    from .cache import cache_key

    context = parts.names.context_token(parts.tree.body[unit.index])
    return cache_key("unit", unit.text, f"{token};flags={parts.flags};names={context}")
