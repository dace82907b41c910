"""`chronotope finetune prepare|train|evaluate|export`: the fine-tuning path from transcripts to an
adapter."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from chronotope.cli.app import app

finetune_app = typer.Typer(help="Fine-tune the local model on the shop's dialogues (LoRA) and measure it.")
app.add_typer(finetune_app, name="finetune")
PASS_THROUGH = {"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []}


@finetune_app.command("prepare")
def prepare(
    synthetic: Annotated[
        int, typer.Option(help="Synthetic tool-use dialogues to generate (both roles).")
    ] = 1200,
    bitext_per_intent: Annotated[int, typer.Option(help="Bitext utterances per intent (0: none).")] = 40,
    random_shops: Annotated[
        int, typer.Option(help="Synthetic dialogues written over random shop profiles (places of many "
                               "countries, invented catalogues), so no shop's names are memorised.")
    ] = 0,
    out: Annotated[
        Path | None, typer.Option(help="Folder for train.jsonl and validation.jsonl "
                                                 "[default: <data>/finetune].")
    ] = None,
    transcripts: Annotated[
        list[Path] | None,
        typer.Option("--transcripts",
                     help="Support transcripts (.csv, .jsonl, help-desk .json), mapped alike by the flags "
                          "below; repeatable."),
    ] = None,
    source: Annotated[
        list[str] | None,
        typer.Option("--source", metavar="FILE:MAPPING.toml",
                     help="A transcript file with a mapping file of its own: TOML tables columns, "
                          "role_values, pairs, internal, automated and a names list, as the flags below "
                          "(docs/transcripts.md); repeatable."),
    ] = None,
    map_: Annotated[
        list[str] | None,
        typer.Option("--map", help="Transcript column: canonical=COLUMN, canonical one of conversation_id, "
                                   "role, text, turn, timestamp, comments (a help-desk ticket's message "
                                   "array); repeatable."),
    ] = None,
    role_values: Annotated[
        str | None,
        typer.Option(help="Role column values: customer=VALUE,assistant=VALUE,... (a role may repeat); "
                          "other values are dropped and counted (default: customer/user/end-user, "
                          "agent/assistant)."),
    ] = None,
    pairs: Annotated[
        str | None,
        typer.Option(help="One exchange a row: question=COL,answer=COL (or question=COL,intent=COL for "
                          "intent-labelled questions)."),
    ] = None,
    internal: Annotated[
        list[str] | None,
        typer.Option(help="COLUMN=VALUE marking internal notes, dropped and counted, e.g. public=false; "
                          "repeatable."),
    ] = None,
    automated: Annotated[
        list[str] | None,
        typer.Option(help="COLUMN=VALUE marking automated messages, dropped and counted, e.g. "
                          "via.channel=rule; repeatable."),
    ] = None,
    names: Annotated[
        str | None,
        typer.Option(help="Comma-separated columns holding people's names, masked wherever they appear."),
    ] = None,
    app_export: Annotated[
        list[Path] | None,
        typer.Option("--app-export", help="The apps' exported conversations with feedback; repeatable."),
    ] = None,
    validation_fraction: Annotated[float, typer.Option(help="Share of conversations held out.")] = 0.1,
    seed: Annotated[int, typer.Option(help="Seed for synthesis and the split.")] = 0,
) -> None:
    """Gather, PII-scrub, dedup and split the data into <data_dir>/finetune/{train,validation}.jsonl."""
    from agent.config import get_settings
    from finetune.data import TranscriptError
    from finetune.prepare import PrepareOptions
    from finetune.prepare import prepare as run_prepare
    from finetune.transcript_mapping import TranscriptMapping, TranscriptSource

    settings = get_settings()
    try:
        mapping = TranscriptMapping.from_flags(map_ or [], role_values, pairs, internal or [],
                                               automated or [], names)
        if not transcripts and mapping != TranscriptMapping():
            raise TranscriptError("--map, --role-values, --pairs, --internal, --automated and --names map "
                                  "the --transcripts files, and none is given; a --source file's mapping "
                                  "file says how it maps.")
        sources = [TranscriptSource(path, mapping) for path in transcripts or []]
        sources += [TranscriptSource.parse(spec) for spec in source or []]
        options = PrepareOptions(synthetic, bitext_per_intent, sources, list(app_export or []),
                                 validation_fraction, seed, random_shops=random_shops)
        report = run_prepare(settings, options, out)
    except (TranscriptError, ValueError) as error:
        typer.secho(f"Error: {error}", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=2) from error
    typer.echo(report.summary())
    typer.echo(f"written to {out or settings.data_dir / 'finetune'}")


@finetune_app.command("train", context_settings=PASS_THROUGH, add_help_option=False)
def train(ctx: typer.Context) -> None:
    """LoRA SFT; flags as `python -m finetune.train --help` (e.g. --preset cpu-smoke|cpu-0.5b|gpu)."""
    from finetune.train import main

    main(list(ctx.args))


@finetune_app.command("evaluate", context_settings=PASS_THROUGH, add_help_option=False)
def evaluate(ctx: typer.Context) -> None:
    """Before/after on held-out dialogues; flags as `python -m finetune.evaluate --help`."""
    from finetune.evaluate import EvaluationError, main

    try:
        main(list(ctx.args))
    except EvaluationError as error:
        typer.secho(f"Error: {error}", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=2) from error


@finetune_app.command("export", context_settings=PASS_THROUGH, add_help_option=False)
def export(ctx: typer.Context) -> None:
    """Copy an adapter where the agent loads it; flags as `python -m finetune.export --help`."""
    from finetune.export import ExportError, main

    try:
        main(list(ctx.args))
    except ExportError as error:
        typer.secho(f"Error: {error}", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=2) from error


@finetune_app.command("heads", context_settings=PASS_THROUGH, add_help_option=False)
def heads(ctx: typer.Context) -> None:
    """Fit an adapter's decision heads (first reply: which tool, or none); flags as
    `python -m finetune.decision_head --help`."""
    from finetune.decision_head import main

    main(list(ctx.args))
