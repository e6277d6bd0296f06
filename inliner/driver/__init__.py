"""Many sources at once: the calling thread, bounded pools, worker processes or any
executor (a cluster), a disk cache, telemetry."""

from .batch import BatchResults, InlineBatch, inline_many
from .chunks import RemoteOptions
from .pool import set_thread_limit
from .scheduler import BadSchedulerAddress, Cluster, SchedulerUnavailable, connect_scheduler
from .telemetry import RunStats

__all__ = ["BadSchedulerAddress", "BatchResults", "Cluster", "InlineBatch", "RemoteOptions", "RunStats",
           "SchedulerUnavailable", "connect_scheduler", "inline_many", "set_thread_limit"]
