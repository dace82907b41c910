"""Import the ABCD support knowledge (guidelines, intent -> action sequences, ontology) as Markdown documents.

ABCD, the Action-Based Conversations Dataset (Chen et al., NAACL 2021), is by ASAPP Research under the
MIT licence (`../shared/data/abcd/LICENSE`, copied beside the generated documents). Each guideline flow
becomes one document with a section per subflow (its instructions, its agent actions and the action
sequence the knowledge base requires); the ontology's actions and slot values become one more document.
`chronotope kb import-abcd` writes them under `data/abcd/`, where they are indexed like any document.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

from tools.knowledge.chunking import slugify
from tools.knowledge.errors import DocumentError

ABCD_FILES: tuple[str, ...] = ("guidelines.json", "kb.json", "ontology.json")
LICENCE = "MIT, Copyright (c) 2021 ASAPP Research"
CREDIT = "Imported from ABCD, the Action-Based Conversations Dataset by ASAPP Research (MIT licence)."
# Slot value lists that are not knowledge (sample customer names, answer codes).
_SKIPPED_VALUES = {"customer_name", "security_answer", "single_item_query", "storewide_query"}


def _key(name: str) -> str:
    """'Single-Item Query' -> 'single_item_query' (the ontology's spelling of a flow)."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def _front_matter(doc_id: str, title: str, origin: str) -> str:
    return (
        f"---\nid: {doc_id}\ntitle: {title}\nsource: abcd\naudience: internal\ndoc_type: guideline\n"
        f"licence: {LICENCE}\norigin: asappresearch/abcd {origin}\n---\n"
    )


def _action_lines(actions: list[dict[str, Any]]) -> list[str]:
    lines: list[str] = []
    for number, action in enumerate(actions, start=1):
        button = action.get("button", "")
        label = f"[{button}] " if button and button != "N/A" else ""
        lines.append(
            f"{number}. {label}({action.get('type', 'step')}): {' '.join(action.get('text', '').split())}"
        )
        lines += [f"   - {' '.join(sub.split())}" for sub in action.get("subtext", []) if sub.strip()]
    return lines


def _flow_document(
    flow: str, body: dict[str, Any], flow_key: str, intents: list[str], kb: dict[str, list[str]]
) -> str:
    subflows = body["subflows"]
    if len(subflows) != len(intents):
        raise DocumentError(
            f"ABCD flow {flow!r} has {len(subflows)} subflows in guidelines.json but {len(intents)} intents "
            "in ontology.json; the files do not belong together."
        )
    title = f"Support guideline: {flow}"
    lines = [
        _front_matter(f"abcd-{slugify(flow)}", title, "guidelines.json, kb.json, ontology.json"),
        f"# {title}",
        "",
        (f"Flow `{flow_key}`: {body.get('description', '').strip()}. Subflows: {', '.join(subflows)}. "
         f"{CREDIT}"),
    ]
    for (name, subflow), intent in zip(subflows.items(), intents):
        lines += ["", f"## {name}", ""]
        sequence = kb.get(intent, [])
        lines.append(
            f"Intent `{intent}` ({flow}). Actions the knowledge base requires, in order: "
            f"{', '.join(sequence)}."
            if sequence else f"Intent `{intent}` ({flow})."
        )
        instructions = [" ".join(text.split()) for text in subflow.get("instructions", []) if text.strip()]
        if instructions:
            lines += ["", *instructions]
        lines += ["", *_action_lines(subflow.get("actions", []))]
    return "\n".join(lines) + "\n"


def _actions_document(ontology: dict[str, Any], kb: dict[str, list[str]]) -> str:
    title = "Support actions and slot values"
    lines = [
        _front_matter("abcd-actions", title, "ontology.json, kb.json"),
        f"# {title}",
        "",
        (
            "The actions a support agent can take, the details (slots) each one needs, and the intents whose "
            f"resolution uses it. {CREDIT}"
        ),
    ]
    for kind, actions in ontology["actions"].items():
        for action, slots in actions.items():
            users = [intent for intent, sequence in kb.items() if action in sequence]
            lines += ["", f"## {action}", "", f"Kind: {kind.replace('_', ' ')}."]
            lines.append(f"Details it needs: {', '.join(slots)}." if slots else "Details it needs: none.")
            if users:
                plural = "intent" if len(users) == 1 else "intents"
                lines.append(f"Used to resolve {len(users)} {plural}: {', '.join(users)}.")
    for slot, values in ontology["values"]["enumerable"].items():
        if slot in _SKIPPED_VALUES:
            continue
        lines += ["", f"## Values of {slot}", "", f"Valid values of `{slot}`: {', '.join(values)}."]
    return "\n".join(lines) + "\n"


def abcd_documents(abcd_dir: Path) -> dict[str, str]:
    """File name -> Markdown text of every ABCD document, from the three JSON files in `abcd_dir`."""
    abcd_dir = Path(abcd_dir)
    missing = [name for name in ABCD_FILES if not (abcd_dir / name).is_file()]
    if missing:
        raise DocumentError(f"ABCD folder {str(abcd_dir)!r} lacks {', '.join(missing)}; "
                            "point it at shared/data/abcd.")
    guidelines, kb, ontology = (json.loads((abcd_dir / name).read_text(encoding="utf-8"))
                                for name in ABCD_FILES)
    intents_by_flow: dict[str, list[str]] = ontology["intents"]["subflows"]
    documents: dict[str, str] = {}
    for flow, body in guidelines.items():
        flow_key = _key(flow)
        if flow_key not in intents_by_flow:
            raise DocumentError(f"ABCD flow {flow!r} is not in ontology.json; known flows: "
                                f"{', '.join(intents_by_flow)}.")
        documents[f"abcd-{slugify(flow)}.md"] = _flow_document(
            flow, body, flow_key, intents_by_flow[flow_key], kb
        )
    documents["abcd-actions.md"] = _actions_document(ontology, kb)
    return documents


def write_abcd_documents(abcd_dir: Path, out_dir: Path) -> list[Path]:
    """Write the ABCD documents and its licence into `out_dir` (each file atomically); returns the paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, text in abcd_documents(abcd_dir).items():
        path = out_dir / name
        if path.exists() and path.read_text(encoding="utf-8") == text:
            written.append(path)  # unchanged: leave its mtime alone
            continue
        staged = path.with_suffix(".md.tmp")
        staged.write_text(text, encoding="utf-8")
        os.replace(staged, path)
        written.append(path)
    licence = Path(abcd_dir) / "LICENSE"
    if licence.is_file():
        shutil.copyfile(licence, out_dir / "LICENSE")
    return written
