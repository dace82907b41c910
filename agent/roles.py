"""The two roles' system prompts, loaded from agent/prompts/."""

from __future__ import annotations

from datetime import date
from importlib import resources

from tools.registry import ROLES, Role


def system_prompt(role: Role, today: date) -> str:
    """The role's system prompt with the date filled in (operators: the latest data date)."""
    if role not in ROLES:
        raise ValueError(f"Unknown role {role!r}. Roles: {', '.join(ROLES)}.")
    text = resources.files("agent.prompts").joinpath(f"{role}.md").read_text(encoding="utf-8")
    return text.format(today=today.strftime("%A %d %B %Y"))
