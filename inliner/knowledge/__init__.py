"""What the functions a module calls may do, inferred from the source that can be read.

``knowledge_for(tree, path)`` reads the analysed module and, without importing anything,
the modules it imports (beside it, in project roots, on ``sys.path``), summarises every
function it can reach and runs a fixpoint over the call graph. ``Knowledge.of_call`` then
answers, for a callee expression, what one call may do (:class:`Does`) and why.
"""

from .facade import NO_KNOWLEDGE, Knowledge, knowledge_for
from .facts import ANYTHING, CallFacts, Does, KnowledgeSettings

__all__ = ["ANYTHING", "CallFacts", "Does", "Knowledge", "KnowledgeSettings", "NO_KNOWLEDGE", "knowledge_for"]
