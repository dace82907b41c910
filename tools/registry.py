"""The LLM-facing tools: few, flat, small; validated, role-checked and run with a timeout.

A tool is one declaration beside its function (`@shop_tool`): the name is the function's, plus the
description the model reads, a flat pydantic argument model (enums for closed sets, defaults for the rest),
the roles allowed, and whether it runs on the session's own user. The registry, not the prompt, enforces
roles: a customer session only ever sees and runs customer tools, and identity (the user id) comes from the
session, never from the model's arguments.

Errors: an engine's `EngineInputError` (and the registry's own `ToolCallError`) is the model's to fix and goes
back to it as a sentence; any other exception is a bug, logged with its traceback, and the step is marked
"crashed" so the agent stops instead of asking the model to repair a call that was right. Each call runs on
a thread of its own and is cancelled (`tools.cancellation`) when it outlives the registry's time limit.

Tool output goes back to the model as data: `ToolOutput.as_message_text()` wraps it in a marked block that
the system prompt tells the model never to follow as instructions, each retrieved passage inside it in a
`<quoted_document>` block; text that imitates either tag is defused, so data can never close its fence.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError

from tools.cancellation import Cancelled, CancelScope
from tools.errors import EngineInputError
from tools.results import ChartSpec, EngineResult

log = logging.getLogger(__name__)

Role = Literal["customer", "operator"]
ROLES: tuple[Role, ...] = ("customer", "operator")


# A closed set too long to list in a small model's prompt (e.g. 116 place names): a constrained decoder
# enforces it as an `enum`, the prompt shows the plain field. On a string property:
# {"type": "string", GRAMMAR_ENUM: [...]}.
GRAMMAR_ENUM = "x-grammar-enum"
# Choices of an `enum` that the prompt leaves out and the grammar takes (a period's month names: "in March"
# is a choice the user's words name, never one a small model should pick unasked): {"enum": [...shown],
# GRAMMAR_EXTRA: [...grammar only]}.
GRAMMAR_EXTRA = "x-grammar-extra"
# A property the prompt leaves out and the grammar takes, only where the user's words fill it (a ranking's
# product: "how many headlamps did we sell?"): {"anyOf": [...], GRAMMAR_ONLY: True}. The prompt, and the
# decision heads fitted on it, stay as they were.
GRAMMAR_ONLY = "x-grammar-only"
# A closed set that belongs to the shop rather than the code (its places, its categories) is named in the
# argument model, as the string value of `enum` (shown in the prompt) or of GRAMMAR_ENUM (grammar only), and
# each registry fills it in from the shop it serves (`closed_sets`), marking the property with SHOP_SET (the
# set's name): a call decided after tool results narrows such a set to the names its turn mentions
# (agent/llm/turn_values.py).
SHOP_SET = "x-shop-set"
PLACES_SET, CATEGORIES_SET = "places", "categories"  # the shop sets' names: its places, its categories
PRODUCTS_SET = "products"  # and its products' names
# Shop sets read from the user's own words only: a tool result lists products the user did not ask about.
ASKED_SETS = frozenset({PRODUCTS_SET})
# Beside SHOP_SET, the other names of the set's members that a user may write ({"Bayern": "Bavaria"}).
SHOP_ALIASES = "x-shop-aliases"


class ToolArgs(BaseModel):
    """Base of every tool's argument model: unknown fields are refused (a model cannot add `user_id`)."""

    model_config = ConfigDict(extra="forbid")


class ToolCallError(Exception):
    """A tool call the model got wrong (unknown tool, bad arguments): fed back to the model to retry."""


class ToolNotAllowed(ToolCallError):
    """The session's role may not use this tool."""


class ToolTimeout(ToolCallError):
    """The tool ran past its time limit."""


USER_ID = r"U\d+"  # a customer's id, as tools take it and as messages name it ("U000123")
# ToolOutput.facts key: the summary in the language of the user's message (Session.language), for the answer
# the agent composes from the tools' summaries; the model reads the English `summary`
SAID = "said"


@dataclass(frozen=True)
class Session:
    """Who is asking. Set by the app from sign-in, never by the model."""

    role: Role
    user_id: str | None = None  # required for customers
    # the language (ISO 639-1) of the user's current message, set by the agent per turn; None: unknown. A
    # tool's query may be too short to tell ("cafetera"), the question it came from is not.
    language: str | None = None


@dataclass
class Citation:
    """A retrieved passage the answer may cite."""

    citation_id: str
    title: str
    source: str
    text: str
    quote: str = ""  # the sentences of `text` an answer quotes ("": its opening sentences)


@dataclass
class ToolOutput:
    """What a tool returns to the agent: a summary for the model, plus what the UI shows."""

    tool: str
    summary: str
    frame: pd.DataFrame | None = None
    chart: ChartSpec | None = None
    citations: list[Citation] = field(default_factory=list)
    cards: list[dict[str, Any]] = field(default_factory=list)  # product cards for the customer widget
    facts: dict[str, Any] = field(default_factory=dict)  # structured numbers the answer may use

    @classmethod
    def from_result(
        cls,
        tool: str,
        result: EngineResult,
        citations: Iterable[Citation] = (),
        cards: Iterable[dict[str, Any]] = (),
        facts: dict[str, Any] | None = None,
    ) -> ToolOutput:
        """The output of a tool that returns one engine result: its summary, frame and chart."""
        return cls(
            tool, result.summary(), frame=result.frame, chart=result.chart(), citations=list(citations),
            cards=list(cards), facts=dict(facts or {}),
        )

    def as_message_text(self, max_rows: int = 12) -> str:
        """The text the model reads: the summary (and `max_rows` rows), inside a block marked as data; each
        passage inside it as a quoted document."""
        parts = [_defused(self.summary)]
        if self.citations:
            parts += [
                f'<quoted_document citation="{c.citation_id}" title="{escape(c.title, quote=True)}" '
                f'trust="untrusted-data">\n{_defused(c.text)}\n</quoted_document>'
                for c in self.citations
            ]
        elif max_rows > 0 and self.frame is not None and not self.frame.empty:
            parts.append(_defused(self.frame.head(max_rows).to_csv(index=False).strip()))
        body = "\n".join(parts)
        return f"<tool_result name=\"{self.tool}\" trust=\"data-only\">\n{body}\n</tool_result>"


_FENCE_TAG = re.compile(r"<(\s*/?\s*)(tool_result|quoted_document)", re.IGNORECASE)


def _defused(text: str) -> str:
    """Data with anything that imitates our fence tags broken ("<tool_result" -> "‹tool_result")."""
    return _FENCE_TAG.sub(r"‹\1\2", text)



ToolFunction = Callable[[Any, Any, Session], ToolOutput]  # (engines, validated arguments, session) -> output


@dataclass(frozen=True)
class ShopTool:
    """One LLM-facing tool: a flat argument model, the roles allowed, and the function that runs it."""

    name: str
    description: str
    args: type[ToolArgs]
    roles: frozenset[Role]
    run: ToolFunction
    needs_user: bool = False  # runs on the session's own user id (customer data)

    def schema(self) -> dict[str, Any]:
        """OpenAI-style function schema, as chat templates and OpenAI-compatible servers expect."""
        params = self.args.model_json_schema()
        params.pop("title", None)
        return {
            "type": "function",
            "function": {"name": self.name, "description": self.description,
                         "parameters": _inline_refs(params)},
        }


def _inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """Inline `$defs` references (enums) and drop titles, so small models and grammar compilers see flat
    schemas."""
    defs = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                target = dict(defs[node["$ref"].split("/")[-1]])
                target.pop("title", None)
                return resolve(target)
            # Titles repeat the field names: dropping them saves a small model hundreds of prompt tokens.
            return {k: resolve(v) for k, v in node.items() if not (k == "title" and isinstance(v, str))}
        if isinstance(node, list):
            return [resolve(v) for v in node]
        return node

    return resolve(schema)


def shop_tool(
    *, description: str, args: type[ToolArgs], roles: Iterable[Role], needs_user: bool = False
) -> Callable[[ToolFunction], ShopTool]:
    """Declare the decorated function `(engines, args, session) -> ToolOutput` as a tool named after it."""

    def declare(function: ToolFunction) -> ShopTool:
        return ShopTool(function.__name__, description, args, frozenset(roles), function,
                        needs_user=needs_user)

    return declare


class ToolRegistry:
    """The tools, and the one place where roles and argument validation are enforced.

    `engines` is what every tool function receives first (None: a registry that lists and validates tools,
    e.g. to render prompts or synthesise training data, but cannot run them).
    """

    def __init__(
        self,
        tools: list[ShopTool],
        engines: Any = None,
        timeout_s: float = 60.0,
        closed_sets: Mapping[str, Sequence[str]] | None = None,
        set_aliases: Mapping[str, Mapping[str, str]] | None = None,
    ):
        names = [t.name for t in tools]
        if len(names) != len(set(names)):
            raise ValueError(f"Duplicate tool names: {sorted(n for n in names if names.count(n) > 1)}")
        loose = [t.name for t in tools if not issubclass(t.args, ToolArgs)]
        if loose:
            raise TypeError(f"Tool argument models must subclass ToolArgs (extra fields forbidden): {loose}")
        self._tools = {t.name: t for t in tools}
        self.engines = engines
        self.closed_sets = dict(closed_sets or {})
        self.set_aliases = {name: dict(aliases) for name, aliases in (set_aliases or {}).items()}
        self.timeout_s = timeout_s

    def for_role(self, role: Role) -> list[ShopTool]:
        """The tools a role may see and call."""
        if role not in ROLES:
            raise ValueError(f"Unknown role {role!r}. Roles: {', '.join(ROLES)}.")
        return [t for t in self._tools.values() if role in t.roles]

    def schemas(self, role: Role) -> list[dict[str, Any]]:
        """Function schemas of the role's tools, for the model, with the shop's closed sets filled in."""
        return [self._filled(t.schema()) for t in self.for_role(role)]

    def _filled(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self._filled(item) for item in node]
        if not isinstance(node, dict):
            return node
        out = {}
        for key, value in node.items():
            if key in ("enum", GRAMMAR_ENUM) and isinstance(value, str):
                if value not in self.closed_sets:
                    raise ValueError(
                        f"The tools offer the shop's {value}, but this registry was built without them; "
                        "pass the shop's profile to build_registry."
                    )
                names = list(self.closed_sets[value])
                if not names:  # a string in the prompt: no products given (any name), or no categories
                    if value == CATEGORIES_SET:  # the shop has none (yet): the grammar takes none
                        out[SHOP_SET], out[GRAMMAR_ENUM] = value, []
                    continue
                out[SHOP_SET], value = value, names
                if self.set_aliases.get(out[SHOP_SET]):
                    out[SHOP_ALIASES] = dict(self.set_aliases[out[SHOP_SET]])
            out[key] = self._filled(value)
        return out

    def validate(
        self, name: str, arguments: dict[str, Any] | str, session: Session
    ) -> tuple[ShopTool, BaseModel]:
        """Check that the session may call `name` and that the arguments fit its schema."""
        tool = self._tools.get(name)
        allowed = [t.name for t in self.for_role(session.role)]
        if tool is None:
            raise ToolCallError(f"There is no tool named {name!r}. Available tools: {', '.join(allowed)}.")
        if session.role not in tool.roles:
            raise ToolNotAllowed(
                f"The tool {name!r} is not available in a {session.role} session. Available tools: "
                f"{', '.join(allowed)}."
            )
        if tool.needs_user and not session.user_id:
            raise ToolNotAllowed(f"The tool {name!r} needs a signed-in customer; this session has none.")
        if isinstance(arguments, str):
            try:
                arguments = json.loads(arguments) if arguments.strip() else {}
            except json.JSONDecodeError as exc:
                raise ToolCallError(f"Arguments for {name!r} are not valid JSON ({exc.msg}).") from exc
        try:
            return tool, tool.args.model_validate(arguments)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or 'arguments'}: {err['msg']}" for err in exc.errors()
            )
            raise ToolCallError(
                f"Invalid arguments for {name!r}: {problems}. Expected schema: "
                f"{json.dumps(self._filled(tool.schema())['function']['parameters'])}"
            ) from exc

    def call(self, name: str, arguments: dict[str, Any] | str, session: Session) -> ToolOutput:
        """Validate, then run with the registry's time limit. Engine errors surface as their own exceptions.

        The call runs on a thread of its own; past the limit it is cancelled (its DuckDB queries interrupted,
        `Cancelled` raised in its thread) and `ToolTimeout` is raised here.
        """
        tool, args = self.validate(name, arguments, session)
        if self.engines is None:
            raise RuntimeError(f"This tool registry has no engines; it can list and validate {name!r} but "
                               "not run it.")
        scope = CancelScope()
        outcome: list[Any] = []  # [output] or [exception], written by the call's thread

        def run() -> None:
            try:
                with scope.active():
                    outcome.append(tool.run(self.engines, args, session))
            except Cancelled:
                pass
            except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread below
                outcome.append(exc)

        thread = threading.Thread(target=run, name=f"tool-{name}", daemon=True)
        thread.start()
        thread.join(self.timeout_s)
        if thread.is_alive() or not outcome:
            scope.cancel()
            raise ToolTimeout(f"The tool {name!r} did not finish within {self.timeout_s:.0f} s and was "
                              "stopped.")
        if isinstance(outcome[0], BaseException):
            raise outcome[0]
        return outcome[0]


@dataclass
class ToolStep:
    """One executed (or refused) tool call, for the trace the UI and CLI show."""

    name: str
    arguments: dict[str, Any]
    status: Literal["done", "error", "crashed"]  # crashed: a bug in the tool, logged; not the model's to fix
    duration_s: float
    output: ToolOutput | None = None
    error: str | None = None


def run_step(registry: ToolRegistry, name: str, arguments: dict[str, Any], session: Session) -> ToolStep:
    """Run one call and record it; errors become a sentence, never a stack trace.

    A `ToolCallError` or an engine's `EngineInputError` is an "error" the model may fix; anything else is a
    bug: logged with its traceback and recorded as "crashed", with a sentence that says so.
    """
    started = time.perf_counter()
    try:
        output = registry.call(name, arguments, session)
        return ToolStep(name, arguments, "done", time.perf_counter() - started, output=output)
    except ToolCallError as exc:
        return ToolStep(name, arguments, "error", time.perf_counter() - started, error=str(exc))
    except EngineInputError as exc:  # the engine's message says what to change (the user reads it too)
        return ToolStep(name, arguments, "error", time.perf_counter() - started, error=str(exc))
    except Exception:
        log.exception("tool %s crashed on arguments %s", name, json.dumps(arguments, default=str))
        return ToolStep(
            name, arguments, "crashed", time.perf_counter() - started,
            error=f"The {name} tool failed on our side (the error was logged for the shop's team).",
        )
