"""The live chats of one app, kept server-side by browser session: one turn at a time per session, and a
bounded number of sessions per process (the least recently used leaves memory; its conversation stays in
the history database and comes back from there on its next turn).

    chats = ChatSessions("customer", forget=lambda chat: ...)
    with chats.turn(request.session_hash) as chat:   # waits for the session's previous turn to end
        ...
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tools.registry import Role
from ui.chat_session import ChatInputError, ChatSession

CAPACITY = 500  # live chats per app and process
TURN_WAIT_S = 300.0  # how long a turn waits for the same session's previous turn


class ChatSessions:
    """One app's chats by session key, least recently used first out; `forget` frees what an evicted chat
    holds elsewhere (the agent's memory of its thread)."""

    def __init__(self, role: Role, forget: Callable[[ChatSession], None], capacity: int = CAPACITY):
        self.role = role
        self.capacity = capacity
        self._forget = forget
        self._chats: OrderedDict[str, ChatSession] = OrderedDict()
        self._turns: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._chats)

    def get(self, key: str | None) -> ChatSession:
        """The session's chat (a new one the first time); a request without a session gets a throwaway."""
        if not key:
            return ChatSession(self.role)
        with self._lock:
            chat = self._chats.get(key)
            if chat is None:
                chat = self._chats[key] = ChatSession(self.role)
                self._turns[key] = threading.Lock()
            self._chats.move_to_end(key)
            evicted = self._evict()
        for old in evicted:
            self._forget(old)
        return chat

    @contextmanager
    def turn(self, key: str | None) -> Iterator[ChatSession]:
        """The session's chat, held for one turn: a parallel turn of the same session waits for this one."""
        chat = self.get(key)
        lock = self._turns.get(key or "")
        if lock is None:
            yield chat
            return
        if not lock.acquire(timeout=TURN_WAIT_S):
            raise ChatInputError("Your previous question is still being answered; try again in a moment.")
        try:
            yield chat
        finally:
            lock.release()

    def _evict(self) -> list[ChatSession]:
        """Drop the least recently used idle chats beyond capacity (called with the registry locked)."""
        evicted: list[ChatSession] = []
        for key in list(self._chats):
            if len(self._chats) <= self.capacity:
                break
            if self._turns[key].locked():
                continue  # mid-turn: it stays until its turn ends
            evicted.append(self._chats.pop(key))
            del self._turns[key]
        return evicted
