"""What both apps share in one process: the one agent (one model instance), the event store, the knowledge
base, the conversation store, and the demo customers the local demo signs in as."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from tools.events.customers import CustomerSummary, customers_with_most_orders
from ui.conversations import ConversationStore
from ui.uploads import UploadArea

if TYPE_CHECKING:
    from agent.graph import ShopAgent
    from tools.events.store import EventStore
    from tools.knowledge import KnowledgeBase
    from ui.chat_session import ChatSession

DEMO_CUSTOMERS = 6


@dataclass
class AppServices:
    """The process-wide pieces behind both apps; the agent and the knowledge base open on first use."""

    store: EventStore
    conversations: ConversationStore
    open_agent: Callable[[], ShopAgent]
    open_knowledge_base: Callable[[], KnowledgeBase]
    uploads: UploadArea  # the console's uploads (the only files the data panel reads)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @cached_property
    def agent(self) -> ShopAgent:
        with self._lock:
            return self.open_agent()

    @cached_property
    def knowledge_base(self) -> KnowledgeBase:
        with self._lock:
            return self.open_knowledge_base()

    @cached_property
    def demo_customers(self) -> list[CustomerSummary]:
        """The customers with the most orders (stable order): they make the richest demo."""
        return customers_with_most_orders(self.store, DEMO_CUSTOMERS)

    def forget_chat(self, chat: ChatSession) -> None:
        """Free the agent's memory of a chat's thread (a chat left memory, or changed customer)."""
        if "agent" in self.__dict__:  # nothing to free before the agent's first turn
            self.agent.forget(chat.agent_session(), chat.thread_id)
