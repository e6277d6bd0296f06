"""Written code is never slower: in the format-preserving form no function holds more calls
than it did, whatever the options (a call copied to several reads runs once per read)."""

from __future__ import annotations

import ast
import itertools

import pytest

from fixture_runner import fixture_modules
from inliner import InlineOptions, inline_source

OPTIONS = [
    InlineOptions(policy=policy, expand=expand, drop_dead=drop_dead)
    for policy, expand, drop_dead in itertools.product(("strict", "pure"), ("single", "all"), (False, True))
]


def calls_per_function(source: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            counts[f"{node.name}:{node.lineno}"] = sum(isinstance(inner, ast.Call) for inner in ast.walk(node))
    return counts


def by_name(counts: dict[str, int]) -> dict[str, int]:
    return {key.split(":")[0]: value for key, value in counts.items()}


@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: f"{o.policy}-{o.expand}{'-dead' if o.drop_dead else ''}")
@pytest.mark.parametrize("path", fixture_modules(), ids=lambda p: p.name)
def test_no_written_function_holds_more_calls(path, options):
    source = path.read_text()
    before = by_name(calls_per_function(source))
    after = by_name(calls_per_function(inline_source(source, options, path=path).code))
    grown = {name: (before[name], count) for name, count in after.items() if count > before[name]}
    assert grown == {}


def test_the_canonical_form_may_copy_calls():
    """The canonical form is for identity, not for running: there a value read twice is
    copied (the check above is about written code, and is not vacuous)."""
    source = "def f(a):\n    x = g(a)\n    return k(x, x)\n"
    written = inline_source(source, InlineOptions(policy="pure", expand="all"))
    canonical = inline_source(source, InlineOptions(policy="pure", expand="all", preserve_format=False))
    assert calls_per_function(written.code) == calls_per_function(source)
    assert sum(calls_per_function(canonical.code).values()) > sum(calls_per_function(source).values())
