"""The answer composed from tools' results: a document search contributes its first passage's quote, cited."""

from __future__ import annotations

from agent.composition import compose_answer
from tools.registry import Citation, ToolOutput, ToolStep

TEXT = "Returns are free. Refunds take 14 days."


def docs_step(citation: Citation) -> ToolStep:
    output = ToolOutput("search_docs", "1 passage found", citations=[citation])
    return ToolStep("search_docs", {}, "done", 0.0, output=output)


def test_the_answer_quotes_the_citations_quote_and_not_the_passage_lead() -> None:
    quoted = Citation("returns#refunds", "Returns > Refunds", "returns.md", TEXT,
                      quote="Refunds take 14 days.")
    answer = compose_answer([docs_step(quoted)], "en")
    assert "Refunds take 14 days. [returns#refunds]" in answer and "Returns are free" not in answer


def test_a_citation_without_a_quote_is_quoted_from_its_lead() -> None:
    plain = Citation("returns#refunds", "Returns > Refunds", "returns.md", TEXT)
    assert f"{TEXT} [returns#refunds]" in compose_answer([docs_step(plain)], "en")
