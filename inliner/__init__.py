"""inline-solvers: a defensive inliner of local variables in generated Python.

The public API::

    from inliner import InlineOptions, InlineResult, inline_source, inline_variables
"""

from .engine import inline_source, inline_variables
from .options import CANONICAL, InlineOptions
from .reasons import FallbackReason, KeepReason
from .result import FunctionReport, InlineResult, KeptVariable

__version__ = "0.1.0"

__all__ = [
    "CANONICAL",
    "FallbackReason",
    "FunctionReport",
    "InlineOptions",
    "InlineResult",
    "KeepReason",
    "KeptVariable",
    "__version__",
    "inline_source",
    "inline_variables",
]
