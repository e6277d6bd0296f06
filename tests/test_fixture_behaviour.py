"""Fixture solvers run on sample grids give the same results before and after inlining."""

from __future__ import annotations

import pytest

from fixture_runner import fixture_modules, run_functions
from inliner import InlineOptions, inline_source

OPTIONS = [
    InlineOptions(),
    InlineOptions(preserve_format=False),
    InlineOptions(policy="pure", expand="all"),
    InlineOptions(policy="pure", expand="all", preserve_format=False, drop_dead=True),
]


@pytest.fixture(scope="module", params=fixture_modules(), ids=lambda p: p.name)
def module(request):
    source = request.param.read_text()
    return source, run_functions(source)


@pytest.mark.parametrize(
    "options", OPTIONS,
    ids=lambda o: f"{o.policy}-{o.expand}-{'libcst' if o.preserve_format else 'ast'}{'-dead' if o.drop_dead else ''}",
)
def test_inlined_fixtures_behave_the_same(module, options):
    source, before = module
    result = inline_source(source, options)
    assert result.status == "inlined", result.reason
    assert result.inlined > 0
    assert run_functions(result.code) == before
