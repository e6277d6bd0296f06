"""A callee that reads its caller's local variables by name through code no reading
resolves (a method of an object, as ``df.query('@x')`` is): the user declares it, and
strict keeps every variable alive at its call. One inference can see needs no word."""

from __future__ import annotations

import sys
import types

import pytest

from command import cli
from helpers import code
from inliner import InlineOptions, inline_source

MODULE = code("""
    import sys

    class Frame:
        def query(self, expression):
            name = expression.lstrip("@")
            return sys._getframe(1).f_locals.get(name, "gone")

    def f(a):
        df = Frame()
        threshold = 6
        return df.query("@threshold")

    def entry():
        return f(3)
    """)


def outcome(source: str) -> object:
    module = types.ModuleType("frame_reader_case")
    sys.modules[module.__name__] = module
    try:
        exec(compile(source, "<case>", "exec"), module.__dict__)  # noqa: S102 - the test's own code
        return module.entry()
    finally:
        del sys.modules[module.__name__]


@pytest.mark.parametrize("preserve_format", [True, False])
def test_a_declared_frame_reader_keeps_what_it_reads_by_name(preserve_format):
    plain = inline_source(MODULE, InlineOptions(drop_dead=True, preserve_format=preserve_format))
    assert "threshold" in {n for f in plain.functions for n in f.dropped}  # never read in code
    assert outcome(plain.code) != outcome(MODULE)  # so the query finds nothing
    declared = inline_source(MODULE, InlineOptions(drop_dead=True, preserve_format=preserve_format,
                                                   frame_readers=("*.query",)))
    kept = {k.name: (k.reason.value, k.detail) for k in declared.kept}
    assert kept["threshold"][0] == "frame-read", kept
    assert outcome(declared.code) == outcome(MODULE) == 6


def test_the_declaration_is_part_of_the_cache_token():
    assert InlineOptions(frame_readers=("*.query",)).cache_token() != InlineOptions().cache_token()


def test_the_command_line_takes_the_declaration(tmp_path):
    path = tmp_path / "m.py"
    path.write_text(MODULE)
    done = cli("--no-cache", "--drop-dead", "--frame-readers", "*.query", path, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "threshold = 6" in path.read_text()
    done = cli("--no-cache", "--drop-dead", path, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "threshold = 6" not in path.read_text()


def test_counting_reads_and_the_full_plan_give_the_same_reasons_beside_a_frame_reader(monkeypatch):
    """A variable read twice next to a declared frame reader: counting reads (the quick
    verdict) and the full plan both say multiple-reads, as the frame read comes later."""
    from inliner import engine

    source = code("""
        def f(df):
            twice = 6
            return df.query("@twice"), twice, twice
        """)
    options = InlineOptions(frame_readers=("*.query",))
    quick = inline_source(source, options)
    monkeypatch.setattr(engine, "count_reads", lambda node: None)
    full = inline_source(source, options)
    assert quick.functions == full.functions
    assert [k.reason.value for k in full.kept] == ["multiple-reads"]
