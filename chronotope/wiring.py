"""Settings -> objects: the one place that turns `Settings` into engines, the agent and the apps' parts.

Everything below (engines, tools, the agent, the UI) takes plain values and ready objects; only this module
and the CLI read `Settings`.
"""

from __future__ import annotations

import logging
import threading
from datetime import date
from typing import TYPE_CHECKING

from agent.config import Settings, get_settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from agent.graph import ShopAgent
    from tools.agent_tools import ShopEngines
    from tools.embeddings import TextEmbedder
    from tools.events.store import EventStore
    from tools.knowledge import KnowledgeBase, QueryTranslator
    from tools.recommend.engine import Recommender
    from ui.app import ServeOptions
    from ui.customer_token import CustomerTokens
    from ui.operator_accounts import OperatorAccounts
    from ui.services import AppServices

logger = logging.getLogger(__name__)
_lock = threading.Lock()
_agents: dict[int, ShopAgent] = {}


def event_store(settings: Settings) -> EventStore:
    """The shop's event store."""
    from tools.events.store import EventStore

    return EventStore(settings.store_path)


def text_embedder(settings: Settings) -> TextEmbedder:
    """The text embedder of the knowledge base, the recommender and the review classifier."""
    from tools.embeddings import TextEmbedder

    return TextEmbedder(settings.model_cache_path, settings.embedding_weights)


def knowledge_base(settings: Settings, translate: QueryTranslator | None = None) -> KnowledgeBase:
    """The shop's documents and products index; with `translate`, questions in other languages are searched
    in English too."""
    from tools.knowledge import KnowledgeBase

    return KnowledgeBase(settings.chroma_path, text_embedder(settings), docs_dir=settings.docs_dir,
                         uploads_dir=settings.data_dir / "documents", translate=translate)


def recommender(settings: Settings, store: EventStore | None = None) -> Recommender:
    """The latest trained recommender, trained (and saved) first when there is none."""
    from tools.recommend.engine import Recommender

    return Recommender.load_or_train(store or event_store(settings), settings.recommender_path,
                                     text_embedder(settings))


def shop_engines(settings: Settings, translate: QueryTranslator | None = None) -> ShopEngines:
    """The engines the agent's tools run on; the knowledge base (searching questions in other languages in
    English too, with `translate`) and the recommender open on first use."""
    from tools.agent_tools import ShopEngines

    store = event_store(settings)
    return ShopEngines(
        store=store,
        embedder=text_embedder(settings),
        anomaly_dir=settings.anomaly_path,
        open_knowledge_base=lambda: knowledge_base(settings, translate),
        open_recommender=lambda: recommender(settings, store),
    )


def data_date(settings: Settings) -> date:
    """The date (UTC) of the latest event in the store (today when the store is empty)."""
    latest = event_store(settings).latest_event_time()
    return latest.date() if latest is not None else date.today()


def chat_model(settings: Settings) -> BaseChatModel:
    """The chat model the agent runs on: the OpenAI-compatible server when one is set, else the local
    model."""
    server = settings.server_options()
    if server is not None:
        from agent.llm.openai_server import server_chat_model

        return server_chat_model(server)
    from agent.llm.chat_model import LocalChatModel

    return LocalChatModel.from_options(settings.model_options())


def build_agent(settings: Settings | None = None) -> ShopAgent:
    """One agent per settings object and process: the model is loaded once and shared by every session."""
    settings = settings or get_settings()
    with _lock:
        if id(settings) not in _agents:
            from agent.graph import ShopAgent
            from agent.query_translation import ChatModelTranslator
            from tools.agent_tools import build_registry

            logger.info("Starting the agent")
            model = chat_model(settings)  # one model: it also translates questions for document search
            logger.info("Reading the shop's places, categories and latest date")
            _agents[id(settings)] = ShopAgent(
                model,
                build_registry(shop_engines(settings, ChatModelTranslator(model)),
                               timeout_s=settings.tool_timeout_s),
                max_steps=settings.agent_max_steps,
                today=data_date(settings),
                draft_answers=bool(settings.draft_answers),
            )
        return _agents[id(settings)]


def app_services(settings: Settings) -> AppServices:
    """What both apps share: the agent (built on first use), the store, the knowledge base, the chats."""
    from ui.conversations import ConversationStore
    from ui.services import AppServices
    from ui.uploads import UploadArea

    return AppServices(
        store=event_store(settings),
        conversations=ConversationStore(settings.conversations_path),
        open_agent=lambda: build_agent(settings),
        open_knowledge_base=lambda: knowledge_base(settings),
        uploads=UploadArea(settings.data_dir / "uploads", settings.max_upload_mb * 2**20),
    )


def customer_tokens(settings: Settings) -> CustomerTokens:
    """How the widget checks who is signed in: the shop's signing key (from the settings, or made on first
    start under the data dir); the demo sign-in counts only for the demo shop served on loopback."""
    from tools.events.simulate.shop import MANIFEST
    from ui.app import is_loopback
    from ui.customer_token import CustomerTokens, load_or_create_key, parse_key

    given = settings.customer_token_key
    key = (parse_key(given.get_secret_value()) if given is not None
           else load_or_create_key(settings.secrets_path / "customer-token.key"))
    demo = (settings.store_path / MANIFEST).is_file() and is_loopback(settings.host)
    return CustomerTokens(key, accept_demo=demo)


def operator_accounts(settings: Settings) -> OperatorAccounts:
    """The console's accounts (`chronotope operator add`); while there are none, the settings' one."""
    from ui.operator_accounts import OperatorAccounts

    accounts = OperatorAccounts.load(settings.operators_path)
    if not accounts.hashes:
        accounts.add(settings.operator_user, settings.operator_password.get_secret_value(), allow_short=True)
    return accounts


def serve_options(settings: Settings) -> ServeOptions:
    """Where the apps listen, who may sign in to the console, how the widget checks its customers, the host
    names visitors use; raises UnsafeServeOptions for a public host with a default password."""
    from ui.app import ServeOptions

    return ServeOptions(
        settings.host, settings.port, operator_accounts(settings), customer_tokens(settings),
        allowed_hosts=tuple(settings.allowed_hosts), embed_origins=tuple(settings.embed_origins),
    )
