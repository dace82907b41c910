"""ChatModelTranslator: the agent's own model puts a question into English for document search; with the
real model, questions in German, French, Spanish and Italian find their passage on two shops' documents."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from langchain_core.messages import AIMessage, SystemMessage

from agent.config import Settings
from agent.query_translation import ChatModelTranslator, chat_messages, plain_text, translation_prompt
from tests.agent.scripted_model import LocalScriptedChatModel, ScriptedChatModel
from tests.documents import NORTHWIND_DOCS
from tests.knowledge.conftest import DATA, SLICE
from tests.knowledge.test_translation import DEMO, SECOND, sections
from tools.knowledge import KnowledgeBase

REPO = Path(__file__).resolve().parents[2]


class CharTokenizer:
    """One token per character."""

    def decode(self, ids: list[int], skip_special_tokens: bool = False) -> str:
        return "".join(map(chr, ids))


class ScriptedRuntime:
    """A local model's runtime that writes `reply` after any prompt and records the prompts and tokens."""

    def __init__(self, reply: str) -> None:
        self.tokenizer, self.reply = CharTokenizer(), reply
        self.prompts: list[str] = []
        self.written = 0

    def encode(self, text: str) -> list[int]:
        return [ord(c) for c in text]

    def decode_tokens(self, prompt_ids: list[int], *, max_new_tokens: int) -> Iterator[int]:
        self.prompts.append("".join(map(chr, prompt_ids)))
        for c in self.reply[:max_new_tokens]:
            self.written += 1
            yield ord(c)


def test_the_examples_are_in_the_four_languages_with_their_english() -> None:
    system, examples = translation_prompt()
    assert "English" in system and len(examples) >= 4
    assert {source.split(":")[0] for source, _ in examples} == {"German", "French", "Spanish", "Italian"}
    assert all(english and "English:" not in english for _, english in examples)


def test_a_local_model_continues_the_examples_as_text_up_to_the_end_of_the_line() -> None:
    runtime = ScriptedRuntime(' "Can I return opened headphones?"\nGerman: Und noch etwas')
    model = LocalScriptedChatModel(replies=[], runtime=runtime)
    english = ChatModelTranslator(model)("Kann ich  geöffnete Kopfhörer\nzurückgeben?", "de")
    assert english == "Can I return opened headphones?"
    _, examples = translation_prompt()
    assert runtime.prompts == [plain_text(examples, "German: Kann ich geöffnete Kopfhörer zurückgeben?")]
    assert runtime.prompts[0].startswith(examples[0][0]) and runtime.prompts[0].endswith(
        "zurückgeben?\nEnglish:")
    assert runtime.written < len(runtime.reply)  # stopped after the first line, not at the token cap
    assert model.prompts == []  # no chat turn


def test_a_server_model_is_asked_in_chat_turns_and_an_empty_reply_is_an_error() -> None:
    model = ScriptedChatModel(replies=[AIMessage("English: Where is my parcel?"), AIMessage("  \n ")])
    translator = ChatModelTranslator(model)
    assert translator("Wo ist mein Paket?", "de") == "Where is my parcel?"
    system, examples = translation_prompt()
    assert model.prompts[0] == chat_messages(system, examples, "German: Wo ist mein Paket?")
    assert isinstance(model.prompts[0][0], SystemMessage) and isinstance(model.prompts[0][2], AIMessage)
    assert "controls" not in model.invocation_kwargs[0]
    with pytest.raises(ValueError, match="no English translation"):
        translator("Wo ist mein Paket?", "de")


@pytest.fixture(scope="module")
def real_translator() -> ChatModelTranslator:
    """The product's model (0.5B with the shipped adapter), as the agent runs it."""
    from agent.llm.chat_model import LocalChatModel

    settings = Settings(model_cache_dir=REPO / ".chronotope" / "models")
    return ChatModelTranslator(LocalChatModel.from_options(settings.model_options()))


def _index(root: Path, files: dict[str, str], state: Path, embedder) -> KnowledgeBase:
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")
    kb = KnowledgeBase(state, embedder)
    kb.index(root, progress=False)
    return kb


@pytest.mark.slow
@pytest.mark.parametrize("shop", ["demo", "second"])
def test_each_language_finds_its_passage_with_the_real_model(shop: str, real_translator, embedder,
                                                             tmp_path: Path) -> None:
    files = ({relative: (DATA / relative).read_text(encoding="utf-8") for relative in SLICE} if shop == "demo"
             else NORTHWIND_DOCS)
    kb = _index(tmp_path / "docs", files, tmp_path / "chroma", embedder)
    translated = KnowledgeBase(kb.chroma_dir, embedder, translate=real_translator)
    for question, _, section in DEMO if shop == "demo" else SECOND:
        result = translated.search(question, k=5)
        assert result.translation, question
        assert section in sections(result), (question, result.translation, sections(result))


def test_the_composition_root_hands_the_translator_to_the_agents_knowledge_base(settings: Settings) -> None:
    from chronotope.wiring import shop_engines

    translator = ChatModelTranslator(ScriptedChatModel(replies=[]))
    assert shop_engines(settings, translator).kb.translate is translator
    assert shop_engines(settings).kb.translate is None
