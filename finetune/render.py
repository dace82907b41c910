"""Dialogues -> (prompt, completion) training pairs rendered exactly as the agent renders prompts.

Each assistant turn of a dialogue becomes one pair: the prompt is what `agent.llm.template.render_prompt`
gives for the messages before it (same chat template, same tool schemas of the dialogue's role, same
system prompt), and the completion is the text the template renders for that assistant turn, ending in
the end-of-turn token. So the adapter is trained on the very text it is given at inference, and the loss
falls on the assistant's tokens only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage

from agent.roles import system_prompt
from finetune.data import Dialogue

TRAINING_TODAY = date(2026, 11, 15)  # the synthetic dialogues' "today"; the system prompt carries it


@dataclass(frozen=True)
class TrainingPair:
    """One assistant turn to learn: its rendered prompt and rendered completion."""

    conversation_id: str
    role: str
    prompt: str
    completion: str
    turn: int  # index of the assistant turn within its dialogue (0: the first reply)


def to_langchain(messages: list[dict[str, Any]]) -> list[BaseMessage]:
    """OpenAI-style dialogue messages as the LangChain messages the agent sends to the model."""
    converted: list[BaseMessage] = []
    pending_ids: list[str] = []
    for i, message in enumerate(messages):
        role, text = message["role"], str(message.get("content") or "")
        if role == "system":
            converted.append(SystemMessage(text))
        elif role == "user":
            converted.append(HumanMessage(text))
        elif role == "assistant":
            calls = []
            for j, call in enumerate(message.get("tool_calls") or []):
                function = call.get("function", call)
                arguments = function.get("arguments") or {}
                if isinstance(arguments, str):
                    arguments = json.loads(arguments)
                calls.append({"name": function["name"], "args": arguments, "id": f"call_{i}_{j}"})
            pending_ids = [c["id"] for c in calls]
            converted.append(AIMessage(text, tool_calls=calls))
        elif role == "tool":
            call_id = pending_ids.pop(0) if pending_ids else f"call_{i}"
            converted.append(ToolMessage(text, tool_call_id=call_id, name=message.get("name") or ""))
        else:
            raise ValueError(f"Message {i} has role {role!r}; roles must be system, user, assistant or tool.")
    return converted


def with_system_prompt(dialogue: Dialogue, today: date = TRAINING_TODAY) -> list[dict[str, Any]]:
    """The dialogue's messages, with the role's system prompt first when the source had none."""
    if dialogue.messages and dialogue.messages[0]["role"] == "system":
        return dialogue.messages
    return [{"role": "system", "content": system_prompt(dialogue.role, today)}, *dialogue.messages]


def training_pairs(
    dialogue: Dialogue,
    tokenizer: Any,
    tools: list[dict[str, Any]],
    template: str,
    first_turn_only: bool = False,
) -> list[TrainingPair]:
    """One pair per assistant turn (or only the first), rendered with `template` and the role's `tools`."""
    from agent.llm.template import render_conversation, render_prompt

    messages = to_langchain(with_system_prompt(dialogue))
    pairs = []
    turn = 0
    for index, message in enumerate(messages):
        if not isinstance(message, AIMessage):
            continue
        prompt = render_prompt(tokenizer, messages[:index], tools, template)
        full = render_conversation(tokenizer, messages[: index + 1], tools, template)
        if not full.startswith(prompt):
            raise ValueError(
                f"Dialogue {dialogue.conversation_id}: the chat template renders turn {turn} differently "
                "alone and in context, so prompt and completion cannot be split; "
                "use a template that renders prefixes stably."
            )
        # The template ends a turn with "<|im_end|>\n"; the model stops at the end-of-turn token, so the
        # completion ends there (the newline belongs to the next prompt).
        completion = full[len(prompt):].rstrip("\n")
        pairs.append(TrainingPair(dialogue.conversation_id, dialogue.role, prompt, completion, turn))
        turn += 1
        if first_turn_only:
            break
    return pairs
