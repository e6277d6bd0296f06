import os

from hypothesis import HealthCheck, settings

from helpers import sized

# The default example counts keep the suite fast; INLINE_SOLVERS_EXAMPLES sets them, and
# INLINE_SOLVERS_LONG=1 raises them (as it raises every suite's size, see helpers.sized).
settings.register_profile(
    "project",
    max_examples=int(os.environ.get("INLINE_SOLVERS_EXAMPLES") or sized(60, 300)),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.load_profile("project")
