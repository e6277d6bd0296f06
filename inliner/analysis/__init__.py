"""The shared analysis: which local variables may be inlined, and what stands in the way."""

from .model import Candidate, FunctionAnalysis, Site, Statement, Suite
from .scan import analyse_function

__all__ = ["Candidate", "FunctionAnalysis", "Site", "Statement", "Suite", "analyse_function"]
