"""The canonical form as the pipeline defines it, written as plainly as possible and
independently of the library (no tests in here): in each function, replace every read of a
plainly assigned local with a copy of its (already substituted) expression, delete those
assignments, ``ast.unparse`` the module. The tests hold ``inline_variables`` to it.
(benchmarks/run.py keeps a copy of its own, as the per-call timing reference: a benchmark
does not import the tests.)"""

from __future__ import annotations

import ast
import copy


def reference_canonical(source: str) -> str:
    tree = ast.parse(source)
    for function in [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]:
        values: dict[str, ast.expr] = {}

        class Substitute(ast.NodeTransformer):
            def visit_Name(self, node: ast.Name) -> ast.expr:
                if isinstance(node.ctx, ast.Load) and node.id in values:
                    return copy.deepcopy(values[node.id])
                return node

        body = []
        for statement in function.body:
            statement = Substitute().visit(statement)
            if (isinstance(statement, ast.Assign) and len(statement.targets) == 1
                    and isinstance(statement.targets[0], ast.Name)):
                values[statement.targets[0].id] = statement.value
            else:
                body.append(statement)
        function.body = body
    return ast.unparse(tree)
