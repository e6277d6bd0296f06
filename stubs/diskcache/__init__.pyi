# Types for the part of diskcache (which ships none) that inliner/driver/cache.py uses.
# Only what the project calls or overrides is declared; mypy reads these instead of the package.
from typing import Any

from .core import DEFAULT_SETTINGS as DEFAULT_SETTINGS
from .core import Cache as Cache
from .core import Disk as Disk
from .core import Timeout as Timeout

__version__: str
