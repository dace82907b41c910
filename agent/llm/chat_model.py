"""`LocalChatModel`: a LangChain chat model over a local transformers model, with real tool calling.

- `bind_tools` takes LangChain tools, pydantic classes, functions or OpenAI-style dicts; the schemas go into
  the model's own chat template (`tools=`), and `ToolMessage`s come back as the template renders them.
- Replies are parsed into `AIMessage.tool_calls` (see `tool_parsing`), and with `constrained=True` they are
  decoded under a grammar so every call parses and fits its tool's JSON schema (see `constrained`).
- `tool_choice`: "auto" (default), "required"/"any", "none", or a tool name. The grammar enforces it; without
  the grammar only "none" has an effect (no parsing of calls).
- `controls=ReplyControls(...)` (an invocation kwarg, see reply_controls.py): a reply that is a tool call or
  nothing (`calls_only`), stopped at the name of a tool that already answered (`answered_tools`); the
  prompt's KV cache pinned for good (`pin_prefix`, warm-up prefixes); this reply's `max_new_tokens`.
- Tools the adapter never saw (agent/llm/unseen_tools.py): a reply with any of them bound comes from the
  bare model, which calls unseen tools far more reliably; the adapter's own tools keep the adapter.
- Decision heads (agent/llm/decision_head.py): when the model has one for exactly the bound tools, it picks
  the tool (or a plain answer) of the first reply to a user's message, and (with a head for that point) of
  a calls-only reply right after tool results; `response_metadata["decision"]` says which, and
  `["wanted_call"]` whether the model's own first token would have opened a call.
- Tokens stream as `AIMessageChunk`s; text that may be the start of a tool call is held back until the
  reply ends, so the streamed text is exactly the `content` of a non-streamed call.
- A call's place and category (the shop's closed sets) are held to the names the conversation mentions,
  the current turn's first: never one nobody said (agent/llm/turn_values.py). A question whose words name
  one tool's task and no other's ("sus orders?", "Prognose ...") is answered with a call to that tool
  (agent/llm/tool_words.py), whatever the heads would pick.
- Decoding is greedy (deterministic) and reuses the KV cache of the prompt prefix shared with earlier calls.

A call whose JSON cannot be read ends up in `AIMessage.invalid_tool_calls`; its `args` is the raw text the
model wrote, as a JSON string literal, and `response_metadata["tool_call_errors"]` says what was wrong.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.language_models.chat_models import generate_from_stream
from langchain_core.messages import AIMessageChunk, BaseMessage, HumanMessage, ToolMessage
from langchain_core.messages.tool import tool_call_chunk
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from pydantic import ConfigDict, Field

from agent.llm.decision_head import ANSWER, QUESTION, RESULT
from agent.llm.mentions import conversation_mentions
from agent.llm.named_tools import named_tool
from agent.llm.options import ModelOptions
from agent.llm.reply_controls import ReplyControls
from agent.llm.runtime import DecodeStats, LocalRuntime
from agent.llm.schema_check import check_tool_schemas
from agent.llm.streaming import IncrementalDetokenizer, VisibleText
from agent.llm.template import render_prompt
from agent.llm.tool_parsing import ParsedReply, parse_tool_calls
from agent.llm.tool_schema import ToolChoice, ToolLike, normalize_tool_choice, to_openai_tools, tool_names
from agent.llm.turn_values import narrowed_tools
from agent.llm.unseen_tools import UnseenToolsFallback, unseen_tools_fallback
from agent.llm.wire_format import TOOL_CALL_TRIGGERS, first_call_name

if TYPE_CHECKING:
    from agent.llm.load import LoadedModel


class LocalChatModel(BaseChatModel):
    """Chat model running a local transformers model through a shared `LocalRuntime`."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    runtime: LocalRuntime = Field(exclude=True)
    max_new_tokens: int = 384
    constrained: bool = True  # decode tool calls under their JSON schemas
    use_prefix_cache: bool = True
    # replies with a tool bound that the adapter never saw come from the bare model (unseen_tools.py)
    unseen_tools: UnseenToolsFallback | None = Field(default=None, exclude=True)

    @classmethod
    def from_options(cls, options: ModelOptions) -> LocalChatModel:
        """The chat model for `options` (model, adapter, decoding); loads the model once per process."""
        from agent.llm.load import get_runtime

        return cls(
            runtime=get_runtime(options), max_new_tokens=options.max_new_tokens,
            constrained=options.constrained, unseen_tools=unseen_tools_fallback(options)
        )

    @property
    def _llm_type(self) -> str:
        return "chronotope-local"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        loaded = self.runtime.loaded
        return {
            "model": loaded.source.name,
            "adapter": loaded.adapter,
            "max_new_tokens": self.max_new_tokens,
            "constrained": self.constrained,
        }

    def bind_tools(
        self,
        tools: Sequence[ToolLike],
        *,
        tool_choice: Any = None,
        **kwargs: Any,
    ) -> Runnable:
        """Bind tools (as OpenAI-style schemas) and a `tool_choice`, checked now rather than later: a schema
        the call grammar cannot enforce raises `ToolSchemaError` (see schema_check.py)."""
        formatted = to_openai_tools(tools)
        check_tool_schemas(formatted)
        normalize_tool_choice(tool_choice, tool_names(formatted))
        return self.bind(tools=formatted, tool_choice=tool_choice, **kwargs)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        # One code path: a non-streamed reply is the streamed one, summed.
        return generate_from_stream(self._stream(messages, stop=stop, run_manager=run_manager, **kwargs))

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        *,
        controls: ReplyControls | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        controls = controls or ReplyControls()
        tools: list[dict[str, Any]] = list(kwargs.get("tools") or [])
        names = tool_names(tools)
        choice = normalize_tool_choice(kwargs.get("tool_choice"), names)
        calls_possible = bool(tools) and choice.mode != "none"
        calls_only = controls.calls_only and bool(tools) and choice.mode == "auto"
        fallback = self.unseen_tools.runtime_for(names) if self.unseen_tools and names else None
        runtime = fallback or self.runtime
        prompt_ids = runtime.encode(render_prompt(runtime.tokenizer, messages, tools))
        # Heads were fitted on first replies to a user and on calls-only replies right after tool results
        # (the agent's, without drafts): only there do they pick the reply.
        last = messages[-1] if messages else None
        point = (QUESTION if isinstance(last, HumanMessage)
                 else RESULT if isinstance(last, ToolMessage) and calls_only else None)
        if point == QUESTION and choice.mode == "auto":  # the user's words name one tool's task: that call
            told = named_tool(str(last.content), tools)
            choice = ToolChoice("forced", told) if told else choice
        head = runtime.decision_head(names, point) if point else None
        grammar = None
        if self.constrained and tools:
            # a call takes the shop's names the conversation mentions (turn_values.py)
            grammar_tools = narrowed_tools(tools, conversation_mentions(messages))
            grammar = runtime.grammars.for_reply(grammar_tools, choice, head, per_turn=grammar_tools != tools)
        limit = controls.max_new_tokens if controls.max_new_tokens is not None else self.max_new_tokens
        stats = DecodeStats()
        tokens = runtime.decode_tokens(
            prompt_ids,
            max_new_tokens=limit,
            grammar=grammar,
            calls_only=calls_only,
            use_prefix_cache=self.use_prefix_cache,
            pin_prefix=controls.pin_prefix,
            stats=stats,
        )
        detokenizer = IncrementalDetokenizer(runtime.tokenizer)
        visible = VisibleText(TOOL_CALL_TRIGGERS if calls_possible else (), stop or ())
        answered = controls.answered_tools if calls_only else frozenset()
        try:
            for token in tokens:
                piece = visible.feed(detokenizer.push(token))
                if piece:
                    chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece))
                    if run_manager:
                        run_manager.on_llm_new_token(piece, chunk=chunk)
                    yield chunk
                if visible.stopped:
                    stats.finish_reason = "stop"
                    break
                if answered and first_call_name(visible.raw) in answered:
                    stats.finish_reason = "answered_tool"
                    break
        finally:
            tokens.close()  # releases the model lock when the consumer stops early

        if stats.finish_reason == "answered_tool":
            reply = ParsedReply("")
        elif stats.decision == ANSWER:  # the head chose words: nothing in them is a call
            reply = ParsedReply(visible.raw.strip())
        else:
            reply = (parse_tool_calls(visible.raw, names) if calls_possible
                     else ParsedReply(visible.raw.strip()))
        yield _final_chunk(reply, visible.shown, stats, choice, runtime.loaded)


def _final_chunk(
    reply: ParsedReply, shown: str, stats: DecodeStats, choice: ToolChoice, loaded: LoadedModel
) -> ChatGenerationChunk:
    """The last chunk: the rest of the text, the tool calls, token usage and decode figures."""
    rest = reply.content[len(shown) :] if reply.content.startswith(shown) else ""
    chunks = [
        tool_call_chunk(
            name=call.name, args=json.dumps(call.arguments, ensure_ascii=False), id=_call_id(), index=i
        )
        for i, call in enumerate(reply.calls)
    ]
    errors = []
    for bad in reply.invalid:
        call_id = _call_id()
        # A JSON string literal never parses as an arguments object, so LangChain keeps it an invalid call.
        chunks.append(tool_call_chunk(name=bad.name, args=json.dumps(bad.raw), id=call_id, index=len(chunks)))
        errors.append({"id": call_id, "name": bad.name, "error": bad.error})
    finish = "tool_calls" if reply.calls and stats.finish_reason == "stop" else stats.finish_reason
    message = AIMessageChunk(
        content=rest,
        tool_call_chunks=chunks,
        usage_metadata={
            "input_tokens": stats.prompt_tokens,
            "output_tokens": stats.new_tokens,
            "total_tokens": stats.prompt_tokens + stats.new_tokens,
        },
        response_metadata={
            "model_name": loaded.source.name,
            "adapter": loaded.adapter,  # the adapter this reply was decoded with (None: the bare weights)
            "finish_reason": finish,
            "tool_choice": choice.mode if choice.name is None else choice.name,
            "reused_prompt_tokens": stats.reused_tokens,
            "prefilled_prompt_tokens": stats.prefilled_tokens,
            "prefill_s": round(stats.prefill_s, 4),
            "decode_s": round(stats.decode_s, 4),
            "decode_tokens_per_s": round(stats.decode_tokens_per_s, 2),
            "forced_tokens": stats.forced_tokens,
            "decision": stats.decision,
            "wanted_call": stats.wanted_call,
            "tool_call_errors": errors,
        },
        chunk_position="last",
    )
    return ChatGenerationChunk(message=message)


def _call_id() -> str:
    return f"call_{uuid.uuid4().hex[:24]}"
