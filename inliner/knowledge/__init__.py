"""What the functions a module calls may do, inferred from the source that can be read.

``knowledge_for(tree, path)`` reads the analysed module and, without importing anything,
the modules it imports (beside it, in project roots, on ``sys.path``), summarises the
functions its calls can reach and runs a fixpoint over the call graph.
``Knowledge.of_call_node`` then answers what one call may do (:class:`Does`) and why, and
``Knowledge.of_result_call`` what calling the value a call returns may do.
``Knowledge.snapshot`` gives the same answers for chosen names as plain picklable data,
answered by :func:`facts_of_call` and :func:`facts_of_result_call` in any process.
"""

from .facade import NO_KNOWLEDGE, Knowledge, knowledge_for
from .facts import ANYTHING, CallFacts, Does, KnowledgeSettings
from .module_scan import call_spellings
from .snapshot import CallSnapshot, facts_of_call, facts_of_result_call

__all__ = [
    "ANYTHING",
    "CallFacts",
    "CallSnapshot",
    "Does",
    "Knowledge",
    "KnowledgeSettings",
    "NO_KNOWLEDGE",
    "call_spellings",
    "facts_of_call",
    "facts_of_result_call",
    "knowledge_for",
]
