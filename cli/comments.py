"""Counting the comments ``--canonical`` drops (``ast.unparse`` writes none)."""

from __future__ import annotations

import io
import tokenize


def count_comments(text: str) -> int:
    """The ``#`` comments of a module (not ``#`` inside strings); 0 for text the tokenizer
    refuses, which the inliner has refused too and left as it was."""
    count = 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            count += token.type == tokenize.COMMENT
    except (tokenize.TokenError, SyntaxError):
        return 0
    return count
