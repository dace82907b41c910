"""What the agent loop may ask of one reply of a local model, beyond the bound tools and `tool_choice`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from agent.llm.runtime import LocalRuntime


@dataclass(frozen=True)
class ReplyControls:
    """Per-reply controls of a local chat model, passed as the `controls` kwarg of `invoke` or `stream`."""

    # With tool_choice "auto": the reply is a tool call or nothing. If the model's first token does not open a
    # call, decoding stops there (finish_reason "no_call"), at the cost of the prefill alone.
    calls_only: bool = False
    # With calls_only: a call naming one of these tools stops as soon as its name is out (finish_reason
    # "answered_tool") and the reply is empty. The agent asks for both after tool results when it composes
    # the answer itself: a small model tends to call the same tool again.
    answered_tools: frozenset[str] = frozenset()
    pin_prefix: bool = False  # the prompt's KV cache stays cached for good (each role's warm-up prefix)
    max_new_tokens: int | None = None  # this reply's limit; None: the chat model's own


@runtime_checkable
class TakesReplyControls(Protocol):
    """A chat model decoding on a `LocalRuntime` in this process, which reads `ReplyControls`.

    The agent loop checks for it with isinstance: only such a model is passed controls (a server's API
    would reject the unknown argument) or warmed up (the prefix cache it fills is the runtime's).
    """

    runtime: LocalRuntime
