"""Questions in the shop's other languages, put into English for document search by the agent's own model.

The knowledge base is indexed with an English-only embedder, so a German or Italian question finds little on
its own. `ChatModelTranslator` is the `QueryTranslator` (tools/knowledge/translation.py) that the composition
root hands to the knowledge base: it asks the model the agent already runs, so no second model is loaded.

The prompt is agent/prompts/translate_query.md: worked examples ("German: ..." then "English: ..."), and a
system text for a server's chat model. A local model continues the examples as plain text instead of
answering in a chat turn: the shop adapter taught it to answer chat turns as the shop's assistant, and in
a chat turn it replied "I'm sorry, I can only help with your order." to 4 of 20 questions it was asked to
translate (bench/knowledge.py's cross-lingual set), as plain text to none of them.
"""

from __future__ import annotations

from importlib import resources

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from agent.llm.reply_controls import TakesReplyControls
from agent.llm.runtime import LocalRuntime
from agent.llm.streaming import IncrementalDetokenizer

LANGUAGE_NAMES = {"de": "German", "fr": "French", "es": "Spanish", "it": "Italian", "en": "English"}
# A translation is about as long as its source; the cap stops a model that answers instead of translating.
MAX_NEW_TOKENS = 64


def translation_prompt() -> tuple[str, list[tuple[str, str]]]:
    """The system text and the worked examples (source line, English) of agent/prompts/translate_query.md."""
    text = resources.files("agent.prompts").joinpath("translate_query.md").read_text(encoding="utf-8")
    system, _, examples = text.partition("\n---\n")
    lines = [line.strip() for line in examples.splitlines() if line.strip()]
    return system.strip(), [(source, english.removeprefix("English:").strip())
                            for source, english in zip(lines[::2], lines[1::2])]


def chat_messages(system: str, examples: list[tuple[str, str]], question: str) -> list[BaseMessage]:
    """The prompt as chat turns: the system text, each example as a user turn and its reply, the question."""
    messages: list[BaseMessage] = [SystemMessage(system)]
    for source, english in examples:
        messages += [HumanMessage(source), AIMessage(english)]
    return [*messages, HumanMessage(question)]


def plain_text(examples: list[tuple[str, str]], question: str) -> str:
    """The prompt as a text to continue: the examples, then the question and "English:"."""
    shown = "".join(f"{source}\nEnglish: {english}\n\n" for source, english in examples)
    return f"{shown}{question}\nEnglish:"


class ChatModelTranslator:
    """Translate a short message into English with the agent's model (local: as plain text; a server: as a
    chat)."""

    def __init__(self, model: BaseChatModel) -> None:
        self.model = model
        self.system, self.examples = translation_prompt()

    def __call__(self, text: str, language: str) -> str:
        """`text`, written in `language` (an ISO 639-1 code), in English; ValueError for an empty reply."""
        question = f"{LANGUAGE_NAMES.get(language, language)}: {' '.join(text.split())}"
        if isinstance(self.model, TakesReplyControls):
            reply = continue_text(self.model.runtime, plain_text(self.examples, question))
        else:
            messages = chat_messages(self.system, self.examples, question)
            reply = str(self.model.invoke(messages, stop=["\n"]).content)
        english = _first_line(reply)
        if not english:
            raise ValueError(f"The model gave no English translation of {text!r}.")
        return english


def continue_text(runtime: LocalRuntime, prompt: str, max_new_tokens: int = MAX_NEW_TOKENS) -> str:
    """The model's greedy continuation of `prompt` up to the end of its first non-empty line."""
    detokenizer = IncrementalDetokenizer(runtime.tokenizer)
    tokens = runtime.decode_tokens(runtime.encode(prompt), max_new_tokens=max_new_tokens)
    reply = ""
    try:
        for token in tokens:
            reply += detokenizer.push(token)
            if "\n" in reply.strip():
                break
    finally:
        tokens.close()  # releases the model's lock
    return reply


def _first_line(reply: str) -> str:
    """The translation out of a reply: its first non-empty line, without a repeated 'English:' or quotes."""
    for line in reply.strip().splitlines():
        line = line.strip().removeprefix("English:").strip().strip('"“”«»')
        if line:
            return line
    return ""
