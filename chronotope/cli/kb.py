"""`chronotope kb ...`: index and search the knowledge base (documents and products) from the shell."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from chronotope.cli.app import app, fail

if TYPE_CHECKING:
    from tools.knowledge import IndexReport

kb_app = typer.Typer(help="Knowledge base: index the shop's documents and products, "
                          "search them with citations.")
app.add_typer(kb_app, name="kb")


def _print_flagged(report: IndexReport) -> None:
    """The index report, then every passage flagged as an instruction to the assistant."""
    typer.echo(report.summary())
    for passage in report.flagged:
        typer.secho(f"  flagged: {passage.line()}", fg="yellow")


def _parse_filters(pairs: list[str]) -> dict[str, list[str]]:
    filters: dict[str, list[str]] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise typer.BadParameter(f"--filter takes key=value (e.g. source=shop), got {pair!r}.")
        filters.setdefault(key.strip(), []).append(value.strip())
    return filters


@kb_app.command("index")
def index(
    path: Annotated[
        Path | None, typer.Argument(help="Folder of Markdown documents (default: settings.docs_dir).")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Index the documents: only changed chunks are embedded; removed documents disappear."""
    from agent.config import get_settings
    from chronotope.wiring import knowledge_base
    from tools.knowledge import KnowledgeBaseError

    try:
        report = knowledge_base(get_settings()).index(path, progress=not quiet)
    except KnowledgeBaseError as error:
        fail(error)
    _print_flagged(report)


@kb_app.command("add")
def add(
    files: Annotated[
        list[Path], typer.Argument(help="Markdown documents to add.", exists=True, dir_okay=False)
    ],
    audience: Annotated[
        str, typer.Option("--audience", help="customer: customers may read it as the shop's policy; "
                                             "internal: operators only (staff guidelines).")
    ],
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Add documents for one audience (copied under the docs folder's uploads/) and re-index."""
    from agent.config import get_settings
    from chronotope.wiring import knowledge_base
    from tools.knowledge import KnowledgeBaseError

    try:
        report = knowledge_base(get_settings()).add(files, audience, progress=not quiet)
    except KnowledgeBaseError as error:
        fail(error)
    _print_flagged(report)


@kb_app.command("status")
def status() -> None:
    """Passages per audience and source, and the passages flagged as instructions to the assistant."""
    from agent.config import get_settings
    from chronotope.wiring import knowledge_base

    typer.echo(knowledge_base(get_settings()).status().summary())


@kb_app.command("search")
def search(
    query: Annotated[str, typer.Argument(help='The question, e.g. "can I return opened earbuds?"')],
    k: Annotated[int, typer.Option("--k", "-k", help="How many passages.")] = 5,
    filters: Annotated[
        list[str] | None,
        typer.Option(
            "--filter", "-f",
            help="key=value; keys: source, doc_id, doc_type, category, country, section, audience, flagged. "
                 "Repeat for several.",
        ),
    ] = None,
    mode: Annotated[str, typer.Option("--mode", help="hybrid, dense or bm25.")] = "hybrid",
    full: Annotated[
        bool, typer.Option("--full", help="Print whole passages, not their first lines.")
    ] = False,
) -> None:
    """Search every document (the operator's view); prints each passage with its citation, audience and
    source, and flags passages that address the assistant."""
    from agent.config import get_settings
    from chronotope.wiring import knowledge_base
    from tools.knowledge import KnowledgeBaseError

    try:
        result = knowledge_base(get_settings()).search(
            query, k=k, filters=_parse_filters(filters or []), mode=mode  # type: ignore[arg-type]
        )
    except KnowledgeBaseError as error:
        fail(error)
    if not result.hits:
        typer.echo(result.summary())
        return
    for hit in result.hits:
        typer.secho(
            f"{hit.rank}. {hit.citation} {hit.title} > {hit.section}  ({hit.score:.4f}, {hit.source_path}; "
            f"{hit.label})",
            bold=True, fg="yellow" if hit.flag else None,
        )
        text = hit.text if full else "\n".join(hit.text.strip().splitlines()[:4])
        typer.echo(f"{text}\n")


@kb_app.command("products")
def products(
    query: Annotated[str, typer.Argument(help='What the customer wants, e.g. "waterproof hiking boots".')],
    k: Annotated[int, typer.Option("--k", "-k", help="How many products.")] = 5,
    category: Annotated[str | None, typer.Option("--category", help="One of the shop's categories.")] = None,
    min_price: Annotated[float | None, typer.Option("--min-price", help="Lowest price.")] = None,
    max_price: Annotated[float | None, typer.Option("--max-price", help="Highest price.")] = None,
    in_stock: Annotated[bool, typer.Option("--in-stock", help="Only products with stock.")] = False,
    refresh: Annotated[
        bool, typer.Option("--refresh/--no-refresh", help="Sync the product index with the store first.")
    ] = True,
) -> None:
    """Semantic product search over the store's catalogue, with filters."""
    from agent.config import get_settings
    from chronotope.wiring import event_store, knowledge_base
    from tools.knowledge import KnowledgeBaseError

    settings = get_settings()
    kb = knowledge_base(settings)
    try:
        if refresh:
            typer.echo(kb.index_products(event_store(settings), progress=True).summary(), err=True)
        result = kb.search_products(
            query, k=k, category=category, min_price=min_price, max_price=max_price,
            in_stock=True if in_stock else None
        )
    except KnowledgeBaseError as error:
        fail(error)
    typer.echo(result.summary())
    for row in result.frame.itertuples():
        typer.echo(
            f"{row.rank}. {row.name} [{row.product_id}] {row.category}  {row.price:.2f} {row.currency}  "
            f"stock {row.stock}  ({row.score:.3f})"
        )


@kb_app.command("import-abcd")
def import_abcd(
    source: Annotated[
        Path | None, typer.Option(help="ABCD folder (default: settings.shared_data_dir/abcd).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Where to write (default: settings.docs_dir/abcd).")
    ] = None,
) -> None:
    """Turn the ABCD guidelines and knowledge base (MIT, ASAPP Research) into Markdown documents."""
    from agent.config import get_settings
    from tools.knowledge import KnowledgeBaseError
    from tools.knowledge.abcd import write_abcd_documents

    settings = get_settings()
    try:
        paths = write_abcd_documents(source or settings.shared_data_dir / "abcd",
                                     out or settings.docs_dir / "abcd")
    except KnowledgeBaseError as error:
        fail(error)
    typer.echo(f"Wrote {len(paths)} ABCD documents to {paths[0].parent}; run `chronotope kb index` next.")
