"""Many sources at once: a bounded pool, a disk cache, telemetry."""

from .batch import BatchResults, InlineBatch, inline_many
from .pool import set_thread_limit
from .telemetry import RunStats

__all__ = ["BatchResults", "InlineBatch", "RunStats", "inline_many", "set_thread_limit"]
