"""What both apps share in one process: settings, the one agent (one model instance), the event store,
the conversation store, and the demo customers a visitor can sign in as."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from agent.config import Settings
from ui.conversations import ConversationStore

if TYPE_CHECKING:
    from agent.graph import ShopAgent
    from tools.events.store import EventStore

DEMO_CUSTOMERS = 6


@dataclass(frozen=True)
class DemoCustomer:
    """A real customer from the store's users table, offered on the demo sign-in."""

    user_id: str
    name: str
    city: str | None
    orders: int

    @property
    def label(self) -> str:
        where = f", {self.city}" if self.city else ""
        return f"{self.name}{where} ({self.orders} orders)"


class UnknownCustomer(LookupError):
    """A sign-in for a customer who is not among the demo customers."""


class AppBackend:
    """The process-wide pieces behind both apps; the agent is built on first use, then shared."""

    def __init__(self, settings: Settings, agent_factory: Callable[[], ShopAgent] | None = None):
        self.settings = settings
        self._agent_factory = agent_factory
        self._lock = threading.Lock()

    @cached_property
    def agent(self) -> ShopAgent:
        with self._lock:
            if self._agent_factory is not None:
                return self._agent_factory()
            from chronotope.wiring import build_agent

            return build_agent(self.settings)

    @cached_property
    def conversations(self) -> ConversationStore:
        return ConversationStore(self.settings.conversations_path)

    @cached_property
    def store(self) -> EventStore:
        from tools.events.store import EventStore

        return EventStore(self.settings.store_path)

    @cached_property
    def demo_customers(self) -> list[DemoCustomer]:
        """The customers with the most orders (stable order): they make the richest demo."""
        rows = self.store.connect().execute(
            """SELECT u.user_id, u.name, u.home_city, count(o.order_id) AS n
               FROM users u JOIN orders o USING (user_id)
               GROUP BY ALL ORDER BY n DESC, u.user_id LIMIT ?""",
            [DEMO_CUSTOMERS],
        ).fetchall()
        return [DemoCustomer(user_id, name or user_id, city, int(n)) for user_id, name, city, n in rows]

    def demo_customer(self, user_id: str) -> DemoCustomer:
        """The demo customer with this id; anyone else is refused (the demo sign-in is not a login)."""
        for customer in self.demo_customers:
            if customer.user_id == user_id:
                return customer
        valid = ", ".join(c.user_id for c in self.demo_customers) or "none (the store has no customers yet)"
        raise UnknownCustomer(f"{user_id!r} is not a demo customer. Demo customers: {valid}.")
