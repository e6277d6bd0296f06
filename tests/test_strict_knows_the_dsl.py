"""Strict is complete on generated code: beside its DSL (read, never run), it inlines within
2% of what pure inlines, because it knows the DSL's functions only compute, and so do the
functions they build (``x5 = rbind(equality, x4); x6 = x5(x4)``, ``matcher(x3, x4)``)."""

from __future__ import annotations

from fixture_runner import fixture_modules
from inliner import InlineOptions, inline_source


def test_strict_beside_its_dsl_inlines_within_two_percent_of_pure():
    strict = pure = 0
    for path in fixture_modules():
        source = path.read_text()
        strict += inline_source(source, InlineOptions(), path=path).inlined
        pure += inline_source(source, InlineOptions(policy="pure")).inlined
    assert strict >= 0.98 * pure, (strict, pure)


def test_without_its_dsl_strict_knows_nothing_of_the_calls():
    """The figure above comes from reading dsl.py: from the same source with no file to
    read beside it, strict keeps most variables (what a call it cannot see returns may be
    watched dying)."""
    path = fixture_modules()[0]
    source = path.read_text()
    known = inline_source(source, InlineOptions(), path=path).inlined
    unknown = inline_source(source, InlineOptions(infer_calls=False)).inlined
    assert unknown < known / 2, (unknown, known)


def test_declaring_the_dsl_pure_inlines_what_pure_inlines():
    for path in fixture_modules():
        source = path.read_text()
        declared = inline_source(source, InlineOptions(pure_calls=("dsl.*",), infer_calls=False))
        assert declared.inlined == inline_source(source, InlineOptions(policy="pure")).inlined, path.name
