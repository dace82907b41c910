"""Who may use the apps: `chronotope customer-token USER_ID` signs a token for the customer widget as the
shop's backend would (for trying an embedding), with the key `chronotope serve` checks."""

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
