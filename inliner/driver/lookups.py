"""The cache policy: what is cached, under which keys, and one source through the cache;
shared by every executor.

Lookups and writes happen in the process that called :func:`inliner.inline_many`, never
in a worker, so workers on other machines need no shared disk.
"""

from __future__ import annotations

import functools
import importlib.metadata
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

import inliner

from ..engine import inline_source, inline_unit
from ..options import InlineOptions
from ..reasons import CIRCUMSTANTIAL
from ..result import InlineResult
from ..units import ModuleParts, Unit, assemble, split_module
from .gate import COMPUTE_GATE
from .records import result_from_json, result_to_json

if TYPE_CHECKING:  # the cache module (and diskcache) is imported only when a cache is used
    from .cache import ResultCache


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




def never_cache(result: InlineResult) -> bool:
    """A timeout depends on the machine's load, a shortage of memory on the process's
    limit, not on the code: never remember them."""
    return result.reason_code in CIRCUMSTANTIAL or any(f.reason in CIRCUMSTANTIAL for f in result.functions)


def cached_result(cache: ResultCache, key: str, counts: CacheCounts) -> InlineResult | None:
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


def inline_with_cache(source: str, options: InlineOptions,
                      cache: ResultCache | None) -> tuple[InlineResult, CacheCounts]:
    """One source through the cache: one lookup for a module seen before, then one per
    top-level function or class, so that changing one function recomputes one."""
    counts = CacheCounts()
    if cache is None:
        with COMPUTE_GATE.passage():
            return inline_source(source, options), counts
    parts = split_module(source, options)
    token = options_token(options)
    # What the module's calls do comes from other files too: their facts are in the key.
    whole_key = module_key(source, token if parts is None else f"{token};{parts.names.calls.token()}")
    result = cached_result(cache, whole_key, counts)
    if result is not None:
        return result, counts
    result = None
    if parts is not None and parts.units:
        unit_results = {}
        for unit in parts.units:
            key = unit_key(parts, unit, token)
            unit_result = cached_result(cache, key, counts)
            if unit_result is None:
                with COMPUTE_GATE.passage():
                    unit_result = inline_unit(unit.text, options, parts.flags, parts.names)
                if unit_result.status == "fallback" and not unit_result.functions:
                    break  # the unit could not be handled on its own: do the whole module
                if not never_cache(unit_result):
                    cache.set(key, result_to_json(unit_result))
            unit_results[unit.index] = unit_result
        else:
            result = assemble(source, parts, unit_results, canonical=not options.preserve_format)
    if result is None:
        with COMPUTE_GATE.passage():
            result = inline_source(source, options)
    if not never_cache(result):
        cache.set(whole_key, result_to_json(result))
    return result, counts
