"""Questions in the shop's other languages, put into English for document search by the agent's own model.

The knowledge base is indexed with an English-only embedder, so a German or Italian question finds little on
its own. `ChatModelTranslator` is the `QueryTranslator` (tools/knowledge/translation.py) that the composition
root hands to the knowledge base: it asks the chat model the agent already runs, so no second model is
loaded. The prompt, a system text and worked examples sent as earlier turns (a 0.5B model follows examples
in turns far better than in the system text: it answered the question instead), is
agent/prompts/translate_query.md.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from agent.llm.reply_controls import ReplyControls, TakesReplyControls

LANGUAGE_NAMES = {"de": "German", "fr": "French", "es": "Spanish", "it": "Italian", "en": "English"}
# A translation is about as long as its source; the cap stops a model that answers instead of translating.
MAX_NEW_TOKENS = 64


def translation_messages() -> list[BaseMessage]:
    """The prompt of query translation: its system text, then each example as a user turn and the reply."""
    text = resources.files("agent.prompts").joinpath("translate_query.md").read_text(encoding="utf-8")
    system, _, examples = text.partition("\n---\n")
    lines = [line.strip() for line in examples.splitlines() if line.strip()]
    messages: list[BaseMessage] = [SystemMessage(system.strip())]
    for source, english in zip(lines[::2], lines[1::2]):
        messages += [HumanMessage(source), AIMessage(english.removeprefix("English:").strip())]
    return messages


class ChatModelTranslator:
    """Translate a short message into English with a chat model (the agent's own)."""

    def __init__(self, model: BaseChatModel) -> None:
        self.model = model
        self._prompt = translation_messages()

    def __call__(self, text: str, language: str) -> str:
        """`text`, written in `language` (an ISO 639-1 code), in English; ValueError for an empty reply."""
        name = LANGUAGE_NAMES.get(language, language)
        # Only a local model takes per-reply controls; a server's API would reject the unknown argument.
        kwargs: dict[str, Any] = (
            {"controls": ReplyControls(max_new_tokens=MAX_NEW_TOKENS)}
            if isinstance(self.model, TakesReplyControls) else {}
        )
        question = HumanMessage(f"{name}: {' '.join(text.split())}")
        reply = self.model.invoke([*self._prompt, question], **kwargs)
        english = _first_line(str(reply.content))
        if not english:
            raise ValueError(f"The model gave no English translation of {text!r}.")
        return english


def _first_line(reply: str) -> str:
    """The translation out of a reply: its first non-empty line, without a repeated 'English:' or quotes."""
    for line in reply.strip().splitlines():
        line = line.strip().removeprefix("English:").strip().strip('"“”«»')
        if line:
            return line
    return ""
