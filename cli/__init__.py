"""The ``inline-solvers`` command line."""
