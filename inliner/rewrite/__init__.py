"""The two rewriters, both driven by the same :class:`inliner.plan.FunctionPlan`."""
