"""A deterministic stand-in for the LLM, so the apps can be tested end to end through the real agent loop,
real tools and a real server in seconds.

It picks a tool by keywords in the question, then answers from the tool's result (a cited sentence for
passages, the summary otherwise), streaming the answer word by word like a real model.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

_PASSAGE = re.compile(r'<quoted_document citation="([^"]+)"[^>]*>\n(.*?)\n</quoted_document>', re.DOTALL)


@dataclass(frozen=True)
class Rule:
    """When the question contains any of `keywords`, call `tool` with `arguments`."""

    keywords: tuple[str, ...]
    tool: str
    arguments: dict[str, Any] = field(default_factory=dict)


SHOP_RULES: tuple[Rule, ...] = (
    Rule(("spike", "friday"), "find_spikes", {"day": "Friday", "start_hour": 20, "end_hour": 24}),
    Rule(("return", "refund", "deliver", "shipping", "warranty"), "search_docs", {"query": "{question}"}),
    Rule(("my order", "my latest order", "where is my"), "my_orders", {}),
    Rule(("top categories",), "top_items",
         {"metric": "revenue", "group_by": "category", "period": "last_30_days"}),
)


class RuleChatModel(BaseChatModel):
    """Keyword rules -> one tool call -> an answer quoting the tool result; streams with `word_delay_s`."""

    rules: tuple[Rule, ...] = SHOP_RULES
    word_delay_s: float = 0.0

    @property
    def _llm_type(self) -> str:
        return "rules"

    def bind_tools(self, tools: list[dict], **kwargs: Any) -> RuleChatModel:
        return self

    def reply(self, messages: list[BaseMessage]) -> AIMessage:
        """The next message: a tool call for a new question, or the answer once the tool has replied."""
        last_human = max(i for i, m in enumerate(messages) if isinstance(m, HumanMessage))
        question = str(messages[last_human].content)
        results = [m for m in messages[last_human + 1:] if isinstance(m, ToolMessage)]
        if not results:
            for rule in self.rules:
                if any(k in question.lower() for k in rule.keywords):
                    arguments = {k: (v.format(question=question) if isinstance(v, str) else v)
                                 for k, v in rule.arguments.items()}
                    return AIMessage("", tool_calls=[{"name": rule.tool, "args": arguments,
                                                      "id": f"call_{rule.tool}", "type": "tool_call"}])
            return AIMessage("I can help with delivery, returns, payment and your orders.")
        return AIMessage(_answer_from(str(results[-1].content)))

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self.reply(messages))])

    def _stream(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any
    ) -> Iterator[ChatGenerationChunk]:
        message = self.reply(messages)
        if message.tool_calls:
            call = message.tool_calls[0]
            yield ChatGenerationChunk(message=AIMessageChunk(content="", tool_call_chunks=[
                {"name": call["name"], "args": json.dumps(call["args"]), "id": call["id"], "index": 0}
            ]))
            return
        words = str(message.content).split(" ")
        for i, word in enumerate(words):
            if self.word_delay_s:
                time.sleep(self.word_delay_s)
            # langchain reports each chunk to the callbacks (LangGraph's token stream) itself
            yield ChatGenerationChunk(
                message=AIMessageChunk(content=word + (" " if i < len(words) - 1 else ""))
            )


def _answer_from(result: str) -> str:
    """The first passage's opening sentence plus its first sentence with a figure, cited; else the summary."""
    body = re.sub(r"</?tool_result[^>]*>", "", result).strip()
    passage = _PASSAGE.search(body)
    if passage:
        citation = passage.group(1)
        text = passage.group(2)
        prose = " ".join(line.lstrip("-* ")
                         for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#"))
        sentences = [s.strip().rstrip(".") for s in re.split(r"(?<=\.)\s+", prose) if s.strip()]
        chosen = sentences[:1] + [s for s in sentences[1:] if re.search(r"\d", s)][:1]
        return ". ".join(chosen) + f". [{citation}]"
    return body.splitlines()[0] if body else "I could not find that."
