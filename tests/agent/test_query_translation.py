"""ChatModelTranslator: the agent's own model puts a question into English for document search; with the
real model, questions in German, French, Spanish and Italian find their passage on two shops' documents."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from agent.config import Settings
from agent.llm.reply_controls import ReplyControls
from agent.query_translation import MAX_NEW_TOKENS, ChatModelTranslator, translation_messages
from tests.agent.scripted_model import LocalScriptedChatModel, ScriptedChatModel
from tests.documents import NORTHWIND_DOCS
from tests.knowledge.conftest import DATA, SLICE
from tests.knowledge.test_translation import DEMO, SECOND, sections
from tools.knowledge import KnowledgeBase

REPO = Path(__file__).resolve().parents[2]


def test_the_prompt_is_a_system_text_then_worked_examples_as_turns() -> None:
    messages = translation_messages()
    assert isinstance(messages[0], SystemMessage) and "English" in messages[0].content
    examples = messages[1:]
    assert len(examples) >= 8 and len(examples) % 2 == 0
    for asked, answered in zip(examples[::2], examples[1::2]):
        assert isinstance(asked, HumanMessage) and asked.content.split(":")[0] in (
            "German", "French", "Spanish", "Italian")
        assert isinstance(answered, AIMessage) and answered.content and "English:" not in answered.content


def test_the_question_goes_last_named_by_its_language_and_the_first_line_comes_back() -> None:
    model = LocalScriptedChatModel(replies=[AIMessage('English: "Can I return opened headphones?"\nSure!')])
    english = ChatModelTranslator(model)("Kann ich  geöffnete Kopfhörer\nzurückgeben?", "de")
    assert english == "Can I return opened headphones?"
    assert model.prompts[0][-1].content == "German: Kann ich geöffnete Kopfhörer zurückgeben?"
    assert model.invocation_kwargs[0]["controls"] == ReplyControls(max_new_tokens=MAX_NEW_TOKENS)


def test_a_server_model_gets_no_local_controls_and_an_empty_reply_is_an_error() -> None:
    model = ScriptedChatModel(replies=[AIMessage("  \n ")])
    with pytest.raises(ValueError, match="no English translation"):
        ChatModelTranslator(model)("Wo ist mein Paket?", "de")
    assert "controls" not in model.invocation_kwargs[0]


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
