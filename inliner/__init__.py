"""inline-solvers: a defensive inliner of local variables in generated Python.

The public API::

    from inliner import InlineOptions, InlineResult, inline_source, inline_variables
"""

from .collector import tune_garbage_collector
from .driver import BatchResults, InlineBatch, RunStats, inline_many, set_thread_limit
from .engine import inline_source, inline_variables
from .options import CANONICAL, InlineOptions
from .reasons import FallbackReason, KeepReason
from .result import FunctionReport, InlineResult, KeptVariable

__version__ = "0.2.0"

__all__ = [
    "BatchResults",
    "CANONICAL",
    "FallbackReason",
    "FunctionReport",
    "InlineBatch",
    "InlineOptions",
    "InlineResult",
    "KeepReason",
    "KeptVariable",
    "RunStats",
    "__version__",
    "inline_many",
    "inline_source",
    "inline_variables",
    "set_thread_limit",
    "tune_garbage_collector",
]
