"""What the engine asks of a rewriter (:class:`~.canonical.CanonicalRewrite` or
:class:`~.preserving.PreservingRewrite`) for one module."""

from __future__ import annotations

from typing import Protocol

from ..work import FunctionWork


class Rewriter(Protocol):
    """The rewrite of one module's text.

    The engine plans each function in order of position and hands it over at once with
    :meth:`take`; then it calls :meth:`write` once with every function of the module.
    A rewriter that must keep a planned variable (the preserving one keeps those its
    comments pin) sets ``work.pins`` and calls the :data:`~inliner.work.Replan` it was
    built with, which plans that function again. A function the rewriter cannot write,
    or whose text fails verification, falls back (:meth:`FunctionWork.fall_back`) and
    keeps its original text; :meth:`write` never raises for one function's sake.
    """

    def take(self, work: FunctionWork) -> None:
        """``work`` is planned (or has fallen back): apply its plan now, or hold it for
        :meth:`write`, and release what is no longer needed (:meth:`FunctionWork.release`)."""
        ...

    def write(self, works: list[FunctionWork]) -> str:
        """The module's new text, with every function in ``works`` that still changes
        rewritten and verified."""
        ...
