"""The agent loop (LangGraph): model -> validated, role-checked tool calls -> model ... -> grounded answer.

The session (role, user id) travels in the run's config, never in what the model writes. Tool errors are
fed back to the model once so it can repair its call; after that the user gets one clear sentence. The final
answer is checked: every number and identifier must come from a tool result, and policy answers carry
citations; a draft that fails is replaced by an answer composed from the tools' own summaries. A reply
without tool results (small talk, a refusal, "I don't know") is shown only when it is clean, in the user's
language, and what the model meant to write (a decision head that chose words where the model wanted a call
gets noise); otherwise it is said with the agent's own sentences in that language (agent/phrases.py).

With `draft_answers=False` the model writes no draft after tool results: it only decides whether to call
another tool (a multi-step question), and the answer is composed from the tools' summaries and passages.
A small local model's drafts were nearly always replaced anyway, after seconds of decoding.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from typing import Annotated, TypedDict

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages

from agent.answer import AgentAnswer, AgentEvent, joined
from agent.composition import compose_answer
from agent.docs_query import DOCS_TOOL, docs_query
from agent.first_reply import forced_tool, second_look
from agent.grounding import acceptable_draft, citations_in, ungrounded_numbers
from agent.llm.referents import RANKED, last_ranking
from agent.llm.reply_controls import ReplyControls, TakesReplyControls
from agent.llm.wire_format import strip_markup
from agent.multi_part import question_parts
from agent.phrases import Kind, clean_reply, composed_reply, declines, phrase, turn_language
from agent.product_query import product_args
from agent.roles import refusal, system_prompt
from tools.registry import Session, ToolRegistry, ToolStep, run_step

# How close (cosine, search_docs' `closest_similarity`) a passage must be to answer a question the model
# said no to. Measured on the customer passages: 0.45 keeps 101 of the 113 shop questions of
# bench/knowledge_eval.jsonl and none of bench/knowledge.py's 60 off-topic ones (highest 0.423).
DECLINED_SIMILARITY = 0.45
HISTORY_MESSAGES = 6  # earlier-turn messages kept in the prompt; a small model has a small context


class AgentState(TypedDict):
    messages: Annotated[list[AnyMessage], add_messages]
    turn_start: int  # index of this turn's question in `messages`
    rounds: int
    repairs: int
    seen_calls: list[str]  # names of the tools that answered this turn
    stop: bool  # the model called a tool again that already answered: answer from what we have


class ShopAgent:
    """A chat model plus the tool registry, run as a LangGraph loop with memory per conversation."""

    def __init__(
        self,
        chat_model: BaseChatModel,
        registry: ToolRegistry,
        max_steps: int = 4,
        today: date | None = None,
        draft_answers: bool = True,
    ):
        self.chat_model = chat_model
        self.registry = registry
        self.max_steps = max_steps
        self.today = today or date.today()
        self.draft_answers = draft_answers
        self._schemas = {role: registry.schemas(role) for role in ("customer", "operator")}
        self._bound = {role: chat_model.bind_tools(schemas) for role, schemas in self._schemas.items()}
        self._graph = self._build().compile(checkpointer=InMemorySaver())

    # ------------------------------------------------------------------ graph
    def _build(self) -> StateGraph:
        graph = StateGraph(AgentState)
        graph.add_node("model", self._model_node)
        graph.add_node("tools", self._tools_node)
        graph.add_edge(START, "model")
        graph.add_conditional_edges("model", self._after_model, {"tools": "tools", "end": END})
        graph.add_conditional_edges("tools", lambda state: "end" if state["stop"] else "model",
                                    {"model": "model", "end": END})
        return graph

    def _prompt(self, state: AgentState, session: Session) -> list[AnyMessage]:
        messages = state["messages"]
        start = state["turn_start"]
        history = [m for m in messages[:start] if isinstance(m, HumanMessage) or _is_final(m)]
        return [
            SystemMessage(system_prompt(session.role, self.today)),
            *history[-HISTORY_MESSAGES:],
            *messages[start:],
        ]

    def _model_node(self, state: AgentState, config: RunnableConfig) -> dict:
        session: Session = config["configurable"]["session"]
        deciding = not self.draft_answers and bool(state["seen_calls"])
        prompt, bound = self._prompt(state, session), self._bound[session.role]
        if deciding and isinstance(self.chat_model, TakesReplyControls):
            # After tool results without drafts, a local model stops at the first token unless it calls a
            # tool, and at the tool's name if that tool already answered.
            controls = ReplyControls(calls_only=True, answered_tools=frozenset(state["seen_calls"]))
            reply = bound.invoke(prompt, config, controls=controls)
        else:
            schemas, first = self._schemas[session.role], not state["rounds"]
            question = str(state["messages"][state["turn_start"]].content)
            refused = config["configurable"]["refused"] if first else None
            if refused:  # whatever the model would call
                return {"messages": [AIMessage(phrase(refused, turn_language(question, state["messages"])))],
                        "rounds": 1}
            forced = first and forced_tool(state["messages"], state["turn_start"], schemas, session.role)
            reply = (self.chat_model.bind_tools(schemas, tool_choice=forced) if forced else bound).invoke(
                prompt, config)
            tool = second_look(state["messages"], state["turn_start"], reply, schemas) if (
                first and not forced) else None
            if tool:  # asked again (the same prompt), a call to that tool required
                reply = self.chat_model.bind_tools(schemas, tool_choice=tool).invoke(prompt, config)
        if deciding and reply.content:  # a server model wrote a draft anyway: the answer is composed
            reply = reply.model_copy(update={"content": ""})
        return {"messages": [reply], "rounds": state["rounds"] + 1}

    def _after_model(self, state: AgentState) -> str:
        last = state["messages"][-1]
        if isinstance(last, AIMessage) and _calls(last) and state["rounds"] <= self.max_steps:
            return "tools"
        return "end"

    def _tools_node(self, state: AgentState, config: RunnableConfig) -> dict:
        session: Session = config["configurable"]["session"]
        trace: list[ToolStep] = config["configurable"]["trace"]
        on_step = config["configurable"].get("on_step")
        last = state["messages"][-1]
        results: list[ToolMessage] = []
        repairs = state["repairs"]
        crashed = False
        seen = list(state["seen_calls"])
        names = [c["name"] for c in last.tool_calls]
        if names and not last.invalid_tool_calls and all(name in seen for name in names):
            # Small models tend to call a tool again after seeing its result (the same call, or another search
            # in other words), a prefill and a decode per round; the answer is composed from the results
            # instead. Several calls of one tool fit in one reply.
            return {"stop": True}
        for call in last.invalid_tool_calls:  # unparseable calls: an error the model may repair
            step = ToolStep(call.get("name") or "?", {}, "error", 0.0,
                            error=f"the call could not be parsed: {call.get('error')}")
            trace.append(step)
            if on_step:
                on_step(step)
            repairs += 1
            content = (f"Error: your call to '{call.get('name')}' was not valid JSON ({call.get('error')}). "
                       "Please try again.")
            results.append(ToolMessage(content, tool_call_id=call.get("id") or uuid.uuid4().hex,
                                       name=call.get("name") or "?"))
        question = str(state["messages"][state["turn_start"]].content)
        session = replace(session, language=turn_language(question, state["messages"]))
        for call in last.tool_calls:
            args = call.get("args") or {}
            if call["name"] == DOCS_TOOL:  # the user's words, not the model's shortened guess
                args = {**args, "query": docs_query(self.registry, question, str(args.get("query") or ""),
                                                    state["messages"])}
            else:  # "120 dollari", "günstigeres": what the price is for; "was passt dazu?": to what
                args = product_args(call["name"], args, question, state["messages"])
            step = run_step(self.registry, call["name"], args, session)
            trace.append(step)
            if on_step:
                on_step(step)
            if step.status == "done" and step.output is not None:
                content = step.output.as_message_text(max_rows=0)
                seen.append(call["name"])
            elif step.status == "crashed":  # our bug, not the model's: no repair, the turn ends on it
                content = f"Error: {step.error}"
                crashed = True
            else:
                repairs += 1
                content = (
                    f"Error executing tool '{call['name']}' with arguments "
                    f"{json.dumps(call.get('args') or {})}: {step.error} Please fix the arguments or use "
                    "another tool."
                )
            results.append(ToolMessage(content, tool_call_id=call.get("id") or uuid.uuid4().hex,
                                       name=call["name"]))
        # One repair attempt: after a second failure (or a tool that crashed), stop calling tools and answer.
        rounds = state["rounds"] if repairs <= 1 and not crashed else self.max_steps + 1
        return {"messages": results, "repairs": repairs, "rounds": rounds, "seen_calls": seen}

    # ------------------------------------------------------------------ public
    def warm_up(self, roles: tuple[str, ...] = ("customer", "operator")) -> None:
        """Fill a local model's prefix cache with each role's system prompt and tools.

        The first question after start-up otherwise pays the whole prompt's prefill (over a minute for the
        operator's tools on a small CPU); later questions reuse it. The prefixes are pinned, so other
        conversations never evict them. Servers have no such cost to pay.
        """
        if not isinstance(self.chat_model, TakesReplyControls):
            return
        for role in roles:
            prompt = [SystemMessage(system_prompt(role, self.today)), HumanMessage("hi")]  # type: ignore[arg-type]
            self._bound[role].invoke(prompt, controls=ReplyControls(pin_prefix=True, max_new_tokens=1))

    def ask(self, question: str, session: Session, thread_id: str | None = None) -> AgentAnswer:
        """Answer one question in the conversation `thread_id` (a new one when None)."""
        events = list(self.stream(question, session, thread_id))
        answer = events[-1].answer
        if answer is None:  # pragma: no cover - stream always ends with an answer
            raise RuntimeError("agent produced no answer")
        return answer

    def remember(self, session: Session, thread_id: str, turns: list[tuple[str, str]]) -> None:
        """Add earlier (question, answer) turns to the conversation `thread_id`, as later questions see them.

        A chat that retries its last answer starts a new thread from the turns it keeps, so the rejected
        answer never reaches the prompt and the earlier turns still do.
        """
        config = {"configurable": {"thread_id": _thread_key(session, thread_id)}}
        messages = [m for question, answer in turns for m in (HumanMessage(question), AIMessage(answer))]
        if messages:
            self._graph.update_state(config, {"messages": messages})

    def forget(self, session: Session, thread_id: str) -> None:
        """Drop the conversation `thread_id` from memory (a chat that retried or restarted no longer needs
        it)."""
        self._graph.checkpointer.delete_thread(_thread_key(session, thread_id))

    def stream(self, question: str, session: Session, thread_id: str | None = None) -> Iterator[AgentEvent]:
        """Run one turn, yielding draft tokens and tool steps as they happen, then the final answer. A message
        that asks two things (agent/multi_part.py) is answered part by part, as turns, in one answer."""
        thread_id = thread_id or uuid.uuid4().hex
        parts = question_parts(question)
        if len(parts) == 1:
            yield from self._turn(question, session, thread_id)
            return
        answers = []
        for part in parts:
            for event in self._turn(part, session, thread_id):
                if event.answer is None:
                    yield event
                else:
                    answers.append(event.answer)
        yield AgentEvent("answer", answer=joined(answers))

    def _turn(self, question: str, session: Session, thread_id: str) -> Iterator[AgentEvent]:
        started = time.perf_counter()
        refused = refusal(question, session, self._schemas)
        trace: list[ToolStep] = []
        pending_steps: list[ToolStep] = []
        config = {
            "configurable": {
                "thread_id": _thread_key(session, thread_id),
                "session": session,
                "refused": refused,  # the turn's refusal before any tool runs (agent/roles.refusal), or None
                "trace": trace,
                "on_step": pending_steps.append,
            },
            "recursion_limit": 4 * self.max_steps + 8,
        }
        existing = self._graph.get_state(config).values.get("messages", [])
        state_in = {
            "messages": [HumanMessage(question)],
            "turn_start": len(existing),
            "rounds": 0,
            "repairs": 0,
            "seen_calls": [],
            "stop": False,
        }
        for mode, chunk in self._graph.stream(state_in, config, stream_mode=["messages", "updates"]):
            while pending_steps:
                yield AgentEvent("step", step=pending_steps.pop(0))
            if mode == "messages":
                message, meta = chunk
                if (meta.get("langgraph_node") == "model" and isinstance(message, AIMessage)
                        and message.content):
                    yield AgentEvent("token", token=str(message.content))
        while pending_steps:
            yield AgentEvent("step", step=pending_steps.pop(0))
        messages = self._graph.get_state(config).values["messages"]
        fallback = self._retrieval_fallback(question, messages, trace, session, refused)
        if fallback is not None:
            yield AgentEvent("step", step=fallback)
        answer = self._finish(question, messages, trace, refused)
        answer.model_calls = [
            dict(m.response_metadata) for m in messages[state_in["turn_start"] :] if isinstance(m, AIMessage)
        ]
        answer.latency_s = time.perf_counter() - started
        # The checked answer replaces the draft in memory, so later turns build on what the user saw, with the
        # ranking its tools gave ("forecast demand there" points at its first row: agent/llm/referents.py).
        last, ranked = messages[-1], last_ranking(trace)
        kept = last.id if isinstance(last, AIMessage) and not _calls(last) else None
        kept_answer = AIMessage(answer.text, id=kept, response_metadata={RANKED: ranked} if ranked else {})
        self._graph.update_state(config, {"messages": [kept_answer]})
        yield AgentEvent("answer", answer=answer)

    # ------------------------------------------------------------------ grounding
    def _retrieval_fallback(
        self, question: str, messages: list[AnyMessage], trace: list[ToolStep], session: Session,
        refused: Kind | None,
    ) -> ToolStep | None:
        """Search the documents ourselves when the model answered from memory with figures of its own, or
        said no without looking.

        A small model often skips the tool and states delivery times or fees it made up; the passage found
        then either backs the draft's numbers or replaces the draft (see `_finish`). It also declines
        questions its documents answer ("Was kostet der Standardversand nach Deutschland?"): a reply that
        would refuse or not know (`declines`) is replaced by a passage only as close as DECLINED_SIMILARITY.
        """
        last = messages[-1]
        if trace or not isinstance(last, AIMessage) or _calls(last):
            return None
        if DOCS_TOOL not in {t.name for t in self.registry.for_role(session.role)} or refused:
            return None  # no documents, or a message refused outright: the "no" stands
        draft = str(last.content)
        declined = _no_answer(last) or declines(question, draft, turn_language(question, messages))
        if not declined and not ungrounded_numbers(draft, [question]):
            return None  # an answer in words with no figures of its own (or small talk): nothing to check
        query = docs_query(self.registry, question, "", messages)
        step = run_step(self.registry, DOCS_TOOL, {"query": query}, session)
        closest = step.output.facts.get("closest_similarity", 0.0) if step.output is not None else 0.0
        if declined and closest < DECLINED_SIMILARITY:
            return None  # no passage close enough to overrule the model's "no"
        trace.append(step)
        return step

    def _finish(self, question: str, messages: list[AnyMessage], trace: list[ToolStep],
                refused: Kind | None) -> AgentAnswer:
        last = messages[-1]
        draft = ""
        if isinstance(last, AIMessage) and not _calls(last):
            draft = strip_markup(str(last.content)).strip()
        done = [s for s in trace if s.status == "done" and s.output is not None]
        failed = [s for s in trace if s.status != "done"]
        citations = [c for s in done for c in s.output.citations]
        answer = AgentAnswer(
            text=draft,
            steps=trace,
            citations=citations,
            charts=[s.output.chart for s in done if s.output.chart is not None],
            cards=[card for s in done for card in s.output.cards],
            draft=draft,
        )
        rendered = [(s, s.output.as_message_text(max_rows=50)) for s in done]  # rendered once, used twice
        # A failed tool's error is its result: the sentence that reports it may repeat its figures.
        sources = [question] + [text for _, text in rendered] + [s.error for s in failed if s.error]
        answer.sources = sources
        language = turn_language(question, messages)
        if not done and failed:
            answer.text = phrase("failed", language, error=failed[-1].error or "")
            answer.grounded = not draft
            return answer
        no_answer = _no_answer(last)
        if not trace and draft and (no_answer or refused or not clean_reply(draft, question, language)):
            # words the model wanted a call instead of are no refusal: the question may well be the shop's
            answer.text = phrase(refused, language) if refused else composed_reply(
                question, "" if no_answer else draft, language)
            answer.grounded = False
            answer.composed = True
            return answer
        figures = [question] + [text for s, text in rendered if not s.output.citations]  # analytics results
        # words written where the model wanted a call, or stopped in a loop, are noise beside the results
        if done and (no_answer or not acceptable_draft(draft, sources, figures)
                     or declines(question, draft, language)):
            answer.text = compose_answer(done, language)
            answer.grounded = not draft  # no draft (draft_answers off): composed by design
            answer.composed = True
        if citations:
            known = {c.citation_id for c in citations}
            for bogus in set(citations_in(answer.text)) - known:
                answer.text = answer.text.replace(f"[{bogus}]", "")
            if not set(citations_in(answer.text)) & known:
                answer.text += "\n\nSources: " + " ".join(f"[{c.citation_id}]" for c in citations[:3])
        if not answer.text:
            answer.text = phrase("dont_know", language)
        return answer


def _thread_key(session: Session, thread_id: str) -> str:
    """The checkpointer's key of a conversation: one user's thread can never be read from another session."""
    return f"{session.role}:{session.user_id}:{thread_id}"


def _no_answer(message: AnyMessage) -> bool:
    """Whether a reply's words are no answer: written where the model's own first token wanted a call, or
    stopped in a loop ("Ile-de-France is a city, region, and country. Ile-de-France is located in ...")."""
    meta = message.response_metadata if isinstance(message, AIMessage) else {}
    return bool(meta.get("wanted_call")) or meta.get("finish_reason") == "repetition"


def _calls(message: AIMessage) -> bool:
    return bool(message.tool_calls or message.invalid_tool_calls)


def _is_final(message: AnyMessage) -> bool:
    return isinstance(message, AIMessage) and not _calls(message)
