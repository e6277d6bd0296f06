import os

from hypothesis import HealthCheck, settings

# The default example counts keep the suite fast; INLINE_SOLVERS_EXAMPLES raises them.
settings.register_profile(
    "project",
    max_examples=int(os.environ.get("INLINE_SOLVERS_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.load_profile("project")
