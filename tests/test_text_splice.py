"""The format-preserving fast path writes exactly what the libcst rewriter writes.

Every fixture module and every row of the rewrite table is inlined twice, with the text
path and with it switched off (libcst for every unit): the texts and reports must be
equal. (Rows reading a variable inside an f-string are left out: only the text path
inlines those, the libcst path keeps them.) And on the generated solvers the text path
really is the one taken."""

from __future__ import annotations

import pytest

import inliner.rewrite.preserving as preserving
from fixture_runner import fixture_modules
from helpers import code
from inliner import InlineOptions, inline_source
from test_rewrite_table import ROWS

OPTION_SETS = [
    InlineOptions(),
    InlineOptions(expand="all"),
    InlineOptions(policy="pure"),
    InlineOptions(policy="pure", expand="all", drop_dead=True),
]


def _libcst_only(monkeypatch):
    monkeypatch.setattr(preserving, "plain_unit", lambda text: False)


def _both(monkeypatch, source: str, options: InlineOptions):
    fast = inline_source(source, options)
    with monkeypatch.context() as patch:
        _libcst_only(patch)
        slow = inline_source(source, options)
    return fast, slow


@pytest.mark.parametrize("options", OPTION_SETS, ids=lambda o: f"{o.policy}-{o.expand}")
def test_fixture_modules_are_written_alike(monkeypatch, options):
    for path in fixture_modules():
        fast, slow = _both(monkeypatch, path.read_text(), options)
        assert fast == slow, path.name


@pytest.mark.parametrize(("options", "source"),
                         [pytest.param(o, s, id=n) for n, o, s, e in ROWS
                          if o.get("preserve_format", True) and 'f"' not in s and "f'" not in s])
def test_table_rows_are_written_alike(monkeypatch, options, source):
    fast, slow = _both(monkeypatch, code(source), InlineOptions(**options))
    assert fast == slow


def test_generated_solvers_never_need_libcst(monkeypatch):
    """With libcst's parser made to fail, the fixture modules still inline in full."""
    def refuse(*args, **kwargs):
        raise AssertionError("libcst was asked to parse a unit")

    monkeypatch.setattr(preserving, "ParsedUnit", refuse)
    for path in fixture_modules():
        result = inline_source(path.read_text(), InlineOptions(policy="pure", expand="all"))
        assert result.status == "inlined", (path.name, result.reason)
        assert not result.fallbacks, path.name
