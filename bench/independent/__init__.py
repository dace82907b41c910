"""An evaluation set written apart from training: cases for both shops and roles, checked on the shop's data.

    from bench.independent import load_cases, score_answer
    verdict = score_answer(case, {"answers": [...], "tool_calls": [...]}, store, profile, customer_id)
"""

from bench.independent.cases import load_cases
from bench.independent.checks import Verdict, score_answer

__all__ = ["Verdict", "load_cases", "score_answer"]
