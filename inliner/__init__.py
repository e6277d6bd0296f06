"""inline-solvers: a defensive inliner of local variables in generated Python.

The public API::

    from inliner import InlineOptions, InlineResult, inline_source, inline_variables
    from inliner import canonical_digest, canonicalise, store_canonical
"""

from .collector import tune_garbage_collector
from .digest import (
    CanonicalFunction,
    DigestError,
    RenamedFunction,
    canonical_digest,
    canonical_form,
    canonicalise,
    renamed_functions,
)
from .driver import BatchResults, InlineBatch, RunStats, inline_many, set_thread_limit
from .engine import inline_source, inline_variables
from .options import CANONICAL, InlineOptions
from .reasons import FallbackReason, KeepReason
from .result import FunctionReport, InlineResult, KeptVariable
from .store import prepare_store, store_canonical, store_text

__version__ = "0.4.0"

__all__ = [
    "BatchResults",
    "CANONICAL",
    "CanonicalFunction",
    "DigestError",
    "FallbackReason",
    "FunctionReport",
    "InlineBatch",
    "InlineOptions",
    "InlineResult",
    "KeepReason",
    "KeptVariable",
    "RenamedFunction",
    "RunStats",
    "__version__",
    "canonical_digest",
    "canonical_form",
    "canonicalise",
    "inline_many",
    "inline_source",
    "inline_variables",
    "prepare_store",
    "renamed_functions",
    "set_thread_limit",
    "store_canonical",
    "store_text",
    "tune_garbage_collector",
]
