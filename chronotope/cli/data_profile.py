"""`chronotope data places|currency|rates|categories`: list and edit the shop profile's places, currency,
rates and the other names of its categories.

Every edit is checked before anything is written and saved in one atomic step; the command prints what
changed. A refused edit exits 2 with the reason and the fix, and leaves the profile as it was.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from chronotope.cli.app import STORE_OPTION, fail, open_store
from chronotope.cli.data import data_app

if TYPE_CHECKING:
    from rich.console import Console

    from tools.events.profile import DatedRate
    from tools.events.profile_edits import ProfileEdit
    from tools.events.store import EventStore

SET_OPTION = typer.Option(
    [], "--set", help="CODE=RATE: a fixed rate, reporting-currency units per unit of CODE (e.g. GBP=1.17)."
)
IMPORT_RATES_OPTION = typer.Option(
    None, "--import", help="CSV of dated rates: currency, valid_from (YYYY-MM-DD), rate (merged by day)."
)


@data_app.command()
def places(
    level: str | None = typer.Option(
        None, "--level", help="country, region or city: the level to list, or of the place to --add."
    ),
    add: str | None = typer.Option(None, "--add", help="Name of a place to add (--level, --country, --tz)."),
    parent: str | None = typer.Option(None, "--parent", help="The region of the city to --add."),
    country: str | None = typer.Option(None, "--country", help="ISO code (or name) of the country of --add."),
    tz: str | None = typer.Option(None, "--tz", help="IANA time zone of the place to --add (Asia/Kolkata)."),
    alias: list[str] = typer.Option(
        [], "--alias", help="Another name of the place to --add (repeat it), e.g. --alias Bayern: the agent "
                            "reads it as the place; a known place gains it."
    ),
    import_file: Path | None = typer.Option(
        None, "--import", help="CSV of places: name, level, parent, country, time_zone (as ingest --places; "
                               "optional: aliases, separated by ';')."
    ),
    replace: bool = typer.Option(
        False, "--replace", help="Move known places to the zones given (local times of their events follow)."
    ),
    store: Path | None = STORE_OPTION,
) -> None:
    """List the profile's places per level with their zones, or add places (one, or a file's)."""
    from rich.console import Console

    from tools.events.mapping import IngestError
    from tools.events.place_registration import place_from_row, read_places_file
    from tools.events.profile import ProfileError
    from tools.events.profile_edits import add_places

    event_store = open_store(store)
    if add is None and import_file is None:
        _list_places(event_store, level)
        return
    try:
        batch = read_places_file(import_file) if import_file else ()
        if add is not None:
            if not (level and country and tz):
                fail("--add needs --level (country, region or city), --country and --tz (and --parent for a "
                     "city in a region).")
            given = {"name": add, "level": level, "parent": parent, "country": country, "time_zone": tz,
                     "aliases": ";".join(alias)}
            batch = (*batch, place_from_row(given))
        edit = event_store.edit_profile(lambda profile: add_places(profile, batch, replace_zones=replace))
    except (ProfileError, IngestError) as error:
        fail(error)
    _report(Console(), edit, event_store)


@data_app.command()
def currency(
    code: str = typer.Argument(..., help="ISO 4217 code of the new reporting currency, e.g. USD."),
    set_: list[str] = SET_OPTION,
    import_file: Path | None = IMPORT_RATES_OPTION,
    store: Path | None = STORE_OPTION,
) -> None:
    """Change the reporting currency. The rates are re-expressed in it when the profile has its rate; else
    give the new rates (--set, --import)."""
    from rich.console import Console

    from tools.events.profile import ProfileError
    from tools.events.profile_edits import change_currency

    event_store = open_store(store)
    amounts = _amounts_by_currency(event_store)
    before = event_store.profile().currency
    try:
        fixed, dated = _given_rates(set_, import_file)
        edit = event_store.edit_profile(
            lambda profile: change_currency(profile, code, fixed, dated, used={c for c in amounts if c})
        )
    except ProfileError as error:
        fail(error)
    console = Console()
    _report(console, edit, event_store, amounts)
    unlabelled = amounts.get(None, 0)
    if unlabelled and edit.profile.currency != before:
        console.print(f"[yellow]warning:[/] {unlabelled:,} event(s) name no currency: they are read in the "
                      f"reporting currency, so they now count as {edit.profile.currency}, not {before}.")


@data_app.command()
def rates(
    set_: list[str] = SET_OPTION,
    import_file: Path | None = IMPORT_RATES_OPTION,
    list_: bool = typer.Option(False, "--list", help="List the rates (after the changes, if any)."),
    store: Path | None = STORE_OPTION,
) -> None:
    """Set fixed rates or import a dated rate table into the reporting currency; list them (the default)."""
    from rich.console import Console

    from tools.events.profile import ProfileError
    from tools.events.profile_edits import rate_lines, set_rates

    event_store = open_store(store)
    console = Console()
    if set_ or import_file:
        try:
            fixed, dated = _given_rates(set_, import_file)
            edit = event_store.edit_profile(lambda profile: set_rates(profile, fixed, dated))
        except ProfileError as error:
            fail(error)
        _report(console, edit, event_store, _amounts_by_currency(event_store))
        if not list_:
            return
    profile = event_store.profile()
    console.print(f"Reporting currency: {profile.currency}.")
    for line in rate_lines(profile) or [f"No rates: every amount is read in {profile.currency}."]:
        console.print(f"  {line}")


@data_app.command()
def categories(
    alias: list[str] = typer.Option(
        [], "--alias", help="CATEGORY=NAME: another name people write for a category (repeat it), e.g. "
                            "--alias Headphones=Kopfhörer; the agent reads it as that category."
    ),
    store: Path | None = STORE_OPTION,
) -> None:
    """List the shop's categories with their other names, or add names (--alias)."""
    from rich.console import Console
    from rich.table import Table

    from tools.events.categories import shop_categories
    from tools.events.profile import ProfileError
    from tools.events.profile_edits import add_category_aliases

    event_store = open_store(store)
    with event_store.connect() as con:
        sold = shop_categories(con, event_store.profile())
    console = Console()
    if alias:
        given: dict[str, list[str]] = {}
        for value in alias:
            category, _, name = value.partition("=")
            if not (category.strip() and name.strip()):
                fail(f"--alias {value!r}: write CATEGORY=NAME, e.g. Headphones=Kopfhörer.")
            given.setdefault(category, []).append(name)
        try:
            edit = event_store.edit_profile(lambda profile: add_category_aliases(profile, given, sold))
        except ProfileError as error:
            fail(error)
        _report(console, edit, event_store)
        return
    aliases = event_store.profile().category_aliases
    table = Table("category", "also called", title=f"{len(sold)} categories")
    for category in sold:
        table.add_row(category, ", ".join(aliases.get(category, ())))
    console.print(table)


def _given_rates(values: list[str], path: Path | None) -> tuple[dict[str, float], tuple[DatedRate, ...]]:
    """The fixed rates of `--set CODE=RATE` flags and the dated table of `--import FILE`."""
    from tools.events.profile import ProfileError
    from tools.events.profile_edits import read_rates_file

    fixed: dict[str, float] = {}
    for value in values:
        code, _, rate = value.partition("=")
        try:
            fixed[code.strip().upper()] = float(rate)
        except ValueError:
            raise ProfileError(f"--set {value!r}: write CODE=RATE, units of the reporting currency per unit "
                               "of CODE, e.g. GBP=1.17.") from None
    return fixed, read_rates_file(path) if path else ()


def _amounts_by_currency(event_store: EventStore) -> dict[str | None, int]:
    """Events per currency code in the store (None: events that name none)."""
    with event_store.connect() as con:
        return dict(con.execute("SELECT currency, count(*) FROM events GROUP BY 1").fetchall())


def _report(console: Console, edit: ProfileEdit, event_store: EventStore,
            amounts: dict[str | None, int] | None = None) -> None:
    """What the edit changed, and the currencies of the data that still have no rate."""
    for line in edit.changes or ["nothing to change"]:
        console.print(line)
    profile = edit.profile
    unrated = profile.unrated(amounts or {})
    if unrated:
        console.print(f"[yellow]warning:[/] amounts in {', '.join(unrated)} have no rate into "
                      f"{profile.currency}: revenue leaves them out until one is given (`chronotope data "
                      "rates --set CODE=RATE`).")
    console.print(f"Saved the shop's profile in {event_store.root}.")


def _list_places(event_store: EventStore, level: str | None) -> None:
    from rich.console import Console
    from rich.table import Table

    from tools.events.profile import LEVELS

    profile = event_store.profile()
    if level is not None and level not in LEVELS:
        fail(f"--level must be one of {', '.join(LEVELS)}, got {level!r}.")
    console = Console()
    shown = [lvl for lvl in profile.levels() if level in (None, lvl)]
    if not shown:
        console.print("No places yet: ingest events with places, or add them (`chronotope data places --add "
                      "NAME --level region --country CC --tz ZONE`, or `--import places.csv`).")
    for lvl in shown:
        members = profile.at_level(lvl)
        table = Table("name", "in", "country", "time zone", "also called",
                      title=f"{len(members)} {lvl} place(s)")
        for place in members:
            table.add_row(place.name, place.parent or "", place.country, place.tz, ", ".join(place.aliases))
        console.print(table)
