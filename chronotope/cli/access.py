"""Who may use the apps: `chronotope customer-token USER_ID` signs a token for the customer widget as the
shop's backend would (for trying an embedding); `chronotope operator add|remove|list` keeps the console's
accounts."""

from __future__ import annotations

from typing import Annotated

import typer

from chronotope.cli.app import app


@app.command("customer-token")
def customer_token(
    user_id: Annotated[str, typer.Argument(help="The signed-in customer's id, as the store knows it.")],
    ttl: Annotated[int, typer.Option("--ttl", min=1, help="Seconds the token stays valid.")] = 3600,
) -> None:
    """Print a signed token naming a customer, and the widget URL that signs them in (docs/embedding.md)."""
    from agent.config import get_settings
    from chronotope.wiring import customer_tokens
    from ui.app import CUSTOMER_PATH
    from ui.customer_token import sign_customer

    settings = get_settings()
    token = sign_customer(customer_tokens(settings).key, user_id, ttl)
    typer.echo(token)
    typer.echo(f"http://{settings.host}:{settings.port}{CUSTOMER_PATH}/#token={token}", err=True)


operator_app = typer.Typer(help="The operator console's accounts (one per operator, passwords hashed).",
                           no_args_is_help=True)
app.add_typer(operator_app, name="operator")


@operator_app.command("add")
def operator_add(
    name: Annotated[str, typer.Argument(help="The operator's sign-in name (one word).")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input (scripts).")
    ] = False,
) -> None:
    """Add an operator, or set a new password for one (asked twice, never echoed)."""
    import sys

    from agent.config import get_settings
    from chronotope.cli.app import fail
    from ui.operator_accounts import AccountError, OperatorAccounts

    password = (sys.stdin.readline().rstrip("\n") if password_stdin
                else typer.prompt("Password", hide_input=True, confirmation_prompt=True))
    path = get_settings().operators_path
    accounts = OperatorAccounts.load(path)
    try:
        accounts.add(name, password)
    except AccountError as error:
        fail(error)
    accounts.save(path)
    typer.echo(f"Operator {name} can sign in ({len(accounts.hashes)} operator(s) in {path}).")


@operator_app.command("remove")
def operator_remove(name: Annotated[str, typer.Argument(help="The operator to remove.")]) -> None:
    """Remove an operator's account."""
    from agent.config import get_settings
    from chronotope.cli.app import fail
    from ui.operator_accounts import AccountError, OperatorAccounts

    path = get_settings().operators_path
    accounts = OperatorAccounts.load(path)
    try:
        accounts.remove(name)
    except AccountError as error:
        fail(error)
    accounts.save(path)
    typer.echo(f"Removed {name}; {len(accounts.hashes)} operator(s) left.")


@operator_app.command("list")
def operator_list() -> None:
    """The operators who can sign in."""
    from agent.config import get_settings
    from ui.operator_accounts import OperatorAccounts

    settings = get_settings()
    names = list(OperatorAccounts.load(settings.operators_path).hashes)
    typer.echo("\n".join(names) if names else
               f"No operator accounts yet: the console takes {settings.operator_user!r} from the settings "
               "(add your own with `chronotope operator add NAME`).")
