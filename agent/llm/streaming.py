"""Token ids -> text pieces that are safe to show while a reply is still being written.

Two small state machines, both pure given a tokenizer:

- `IncrementalDetokenizer` turns token ids into text deltas without ever emitting half a UTF-8 character
  (byte-level BPE splits characters across tokens).
- `VisibleText` decides how much of the reply so far can be shown: everything a tool call might start
  with, a stop sequence might start with, or final whitespace is held back, so what was shown is always
  a prefix of the final `content` (the same content a non-streamed call returns).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class IncrementalDetokenizer:
    """Feeds token ids, returns the new text each one completes (empty while a character is unfinished)."""

    def __init__(self, tokenizer: Any):
        self._tokenizer = tokenizer
        self._ids: list[int] = []
        self._prefix_offset = 0  # decode from here: a few tokens of context keep spacing right
        self._read_offset = 0  # text up to here was returned already

    def push(self, token_id: int) -> str:
        self._ids.append(token_id)
        decode = self._tokenizer.decode
        before = decode(self._ids[self._prefix_offset : self._read_offset], skip_special_tokens=False)
        after = decode(self._ids[self._prefix_offset :], skip_special_tokens=False)
        if len(after) > len(before) and not after.endswith("\ufffd"):
            self._prefix_offset, self._read_offset = self._read_offset, len(self._ids)
            return after[len(before) :]
        return ""


class VisibleText:
    """Accumulates a reply and tells which new text may be shown now."""

    def __init__(self, triggers: Sequence[str] = (), stop: Sequence[str] = ()):
        self.triggers = tuple(triggers)
        self.stop = tuple(s for s in stop if s)
        self.raw = ""  # the reply so far, cut at the first stop sequence
        self.shown = ""
        self.stopped = False

    def feed(self, piece: str) -> str:
        """Add `piece` of the reply; returns the text that became showable."""
        if self.stopped:
            return ""
        self.raw += piece
        cut = min((i for i in (self.raw.find(s) for s in self.stop) if i >= 0), default=-1)
        if cut >= 0:
            self.raw, self.stopped = self.raw[:cut], True
        visible = self.raw[: self._showable_end()].strip()
        new = visible[len(self.shown) :] if visible.startswith(self.shown) else ""
        self.shown += new
        return new

    def _showable_end(self) -> int:
        end = min((i for i in (self.raw.find(t) for t in self.triggers) if i >= 0), default=len(self.raw))
        if end == len(self.raw) and not self.stopped:
            end -= _partial_suffix(self.raw, (*self.triggers, *self.stop))
        return end


def _partial_suffix(text: str, markers: Sequence[str]) -> int:
    """Length of the longest end of `text` that is a proper beginning of one of `markers`."""
    longest = 0
    for marker in markers:
        for k in range(min(len(marker) - 1, len(text)), longest, -1):
            if text.endswith(marker[:k]):
                longest = k
                break
    return longest
