"""Support-desk exports as shops have them, written by hand for the transcript tests (every person and
address in them is invented), and a helper that prepares them through the CLI."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from chronotope.cli import app
from finetune.data import Dialogue, read_dialogues

# One row per ticket: the customer's message and the agent's reply. T-2 has two exchanges, written out of
# order (the timestamp orders them); T-4 was never answered.
TICKET_ROWS = [
    ("ticket_id", "created_at", "customer_message", "agent_reply"),
    ("T-1", "2026-03-01 09:00", "Hi, where is my order #100234567? My email is ana.lopez@example.org",
     "Hi Ana, order #100234567 left our warehouse yesterday."),
    ("T-2", "2026-03-02 10:05", "Thanks. Can you also send the invoice?",
     "Of course, the invoice for ORD-2024-001234 is attached."),
    ("T-2", "2026-03-02 10:00", "My parcel ORD-2024-001234 is late. Call me on +44 7700 900123.",
     "Sorry about that! It is with the courier and arrives Friday."),
    ("T-3", "2026-03-03 11:00", "Please deliver to 221B Baker Street instead.",
     "Done: the delivery address is updated."),
    ("T-4", "2026-03-04 12:00", "Do you ship to Norway?", ""),
]

# A long thread export with its own column names: HTML bodies, internal notes in a visibility column, a
# bot, a supervisor the mapping leaves out, an empty message, and a thread the agent never answered.
THREAD_ROWS = [
    ("thread", "seq", "sender", "visibility", "sender_name", "message_html"),
    ("A", "1", "client", "public", "Maria Rossi",
     "<p>Hello,</p><p>my blender arrived <b>broken</b>.</p><div>Maria Rossi</div>"),
    ("A", "3", "staff", "public", "Tom Becker",
     "<p>Dear Maria, sorry to hear that!&nbsp;A replacement is on its way.</p><p>Tom</p>"),
    ("A", "2", "staff", "internal", "Tom Becker", "<p>Check stock of SKU B-220 before replying</p>"),
    ("A", "4", "bot", "public", "", "<p>This ticket was marked solved automatically.</p>"),
    ("B", "1", "client", "public", "Li Wei", "Can I pay with PayPal? Reach me at +49 30 1234 5678."),
    ("B", "2", "client", "public", "Li Wei", "Also: do you take gift cards?"),
    ("B", "3", "supervisor", "public", "Sam Ortiz", "Assigning to payments."),
    ("B", "4", "staff", "public", "Tom Becker", "Yes to both: PayPal and gift cards work at checkout."),
    ("B", "5", "staff", "public", "Tom Becker", "<p> </p>"),
    ("C", "1", "client", "public", "Jo Kim", "Is anyone there?"),
]
THREAD_FLAGS = ["--map", "conversation_id=thread", "--map", "turn=seq", "--map", "role=sender",
                "--map", "text=message_html", "--role-values", "customer=client,assistant=staff",
                "--internal", "visibility=internal", "--automated", "sender=bot", "--names", "sender_name"]

# A Zendesk-style JSON export: tickets with their comments, public=false for internal notes, triggers
# ("rule") for automated messages, HTML bodies.
HELPDESK_TICKETS = {"tickets": [
    {"id": 5001, "subject": "Wrong size", "status": "solved",
     "requester": {"name": "Ana Lopez", "email": "ana.lopez@example.org"},
     "comments": [
         {"id": 1, "created_at": "2026-03-05T08:00:00Z", "public": True, "via": {"channel": "web"},
          "author": {"name": "Ana Lopez", "role": "end-user"},
          "html_body": "<p>I got the shoes in size 40, I ordered 41. Order 100987654.</p>"},
         {"id": 3, "created_at": "2026-03-05T09:30:00Z", "public": True, "via": {"channel": "web"},
          "author": {"name": "Tom Becker", "role": "agent"},
          "html_body": "<p>Hi Ana,</p><ul><li>print the return label</li><li>we send size 41</li></ul>"},
         {"id": 2, "created_at": "2026-03-05T08:00:05Z", "public": True, "via": {"channel": "rule"},
          "author": {"name": "Shop", "role": "agent"},
          "html_body": "<p>We received your request and will reply within 24 hours.</p>"},
         {"id": 4, "created_at": "2026-03-05T09:00:00Z", "public": False, "via": {"channel": "web"},
          "author": {"name": "Tom Becker", "role": "agent"}, "html_body": "<p>customer is a VIP</p>"},
     ]},
    {"id": 5002, "subject": "Coupon", "status": "open",
     "requester": {"name": "Li Wei", "email": "li.wei@example.com"},
     "comments": [
         {"id": 5, "created_at": "2026-03-06T10:00:00Z", "public": True, "via": {"channel": "email"},
          "author": {"name": "Li Wei", "role": "end-user"},
          "html_body": "<div>My coupon SPRING10 does not work &amp; I am annoyed.</div>"},
         {"id": 6, "created_at": "2026-03-06T10:20:00Z", "public": True, "via": {"channel": "email"},
          "author": {"name": "Tom Becker", "role": "agent"},
          "html_body": "<p>Sorry Li! SPRING10 ended on March 1st; here is SPRING15 instead.</p>"},
     ]},
]}
HELPDESK_FLAGS = ["--map", "conversation_id=ticket.id", "--map", "role=author.role",
                  "--map", "text=html_body", "--map", "timestamp=created_at",
                  "--role-values", "customer=end-user,assistant=agent",
                  "--internal", "public=false", "--automated", "via.channel=rule",
                  "--names", "ticket.requester.name,author.name"]

# The same mappings as mapping files, one per source (`--source FILE:MAPPING.toml`).
TICKET_TOML = """
[pairs]
question = "customer_message"
answer = "agent_reply"
[columns]
conversation_id = "ticket_id"
timestamp = "created_at"
"""
THREAD_TOML = """
names = ["sender_name"]
[columns]
conversation_id = "thread"
turn = "seq"
role = "sender"
text = "message_html"
[role_values]
customer = "client"
assistant = ["staff"]
[internal]
visibility = "internal"
[automated]
sender = "bot"
"""
HELPDESK_TOML = """
names = ["ticket.requester.name", "author.name"]
[columns]
conversation_id = "ticket.id"
role = "author.role"
text = "html_body"
timestamp = "created_at"
[role_values]
customer = "end-user"
assistant = "agent"
[internal]
public = false
[automated]
"via.channel" = "rule"
"""

# An e-mail desk's thread export: every message carries the thread it answers (Gmail, Outlook, German and
# French clients) or a signature. M-4 only quotes and is never answered.
EMAIL_ROWS = [
    ("case", "sent", "direction", "body"),
    ("M-1", "2026-03-07T09:00:00", "inbound",
     "Hello, my order 100555111 has not arrived.\n\nSent from my iPhone"),
    ("M-1", "2026-03-07T10:00:00", "outbound",
     "Hi, it is with the courier and arrives tomorrow.\n-- \nTom Becker\nShop Support\n+44 20 7946 0000"),
    ("M-1", "2026-03-07T11:00:00", "inbound",
     ("Thanks! Can I still change the address?\n\nOn Sat, 7 Mar 2026 at 10:00, Shop Support "
      "<support@shop.example> wrote:\n> Hi, it is with the courier and arrives tomorrow.\n> -- \n"
      "> Tom Becker")),
    ("M-1", "2026-03-07T12:00:00", "outbound",
     ('<div>Yes, until it ships.</div><div class="gmail_quote"><div>Am Sa., 7. März 2026 um 11:00 Uhr '
      "schrieb Kunde &lt;kunde@example.org&gt;:</div><blockquote>Thanks! Can I still change the address?"
      "</blockquote></div>")),
    ("M-2", "2026-03-08T09:00:00", "inbound",
     ("Je voudrais annuler.\n\nLe sam. 7 mars 2026 à 10:00, Shop <s@shop.example> a écrit :\n"
      "> Votre commande est partie.")),
    ("M-2", "2026-03-08T09:30:00", "outbound",
     ("C'est noté, la commande est annulée.\n\n-----Original Message-----\nFrom: Client\n"
      "Sent: Sunday, 8 March 2026 09:00\nTo: Shop\nSubject: Annulation\nJe voudrais annuler.")),
    ("M-3", "2026-03-09T09:00:00", "inbound",
     ("Bitte die Rechnung schicken.\n\nVon: Shop Support Gesendet: Montag, 9. März 2026 08:00 An: Kunde "
      "Betreff: Ihre Bestellung\nIhre Bestellung ist unterwegs.")),
    ("M-3", "2026-03-09T09:10:00", "outbound", "Die Rechnung ist unterwegs."),
    ("M-4", "2026-03-10T09:00:00", "inbound", "> Your order shipped.\n> Regards"),
]
EMAIL_TOML = """
[columns]
conversation_id = "case"
timestamp = "sent"
role = "direction"
text = "body"
[role_values]
customer = "inbound"
assistant = "outbound"
"""
TICKET_FLAGS = ["--pairs", "question=customer_message,answer=agent_reply",
                "--map", "conversation_id=ticket_id", "--map", "timestamp=created_at"]


def prepare(data_dir: Path, *flags: str) -> tuple[str, dict[str, Dialogue]]:
    """Run `finetune prepare` on transcripts only; its report and the dialogues it wrote, by id."""
    result = CliRunner().invoke(app, ["finetune", "prepare", "--synthetic", "0", "--bitext-per-intent", "0",
                                      *flags])
    assert result.exit_code == 0, result.output
    written = [d for name in ("train", "validation")
               for d in read_dialogues(data_dir / "finetune" / f"{name}.jsonl")]
    return result.output, {d.conversation_id: d for d in written}


def texts(dialogue: Dialogue) -> list[tuple[str, str]]:
    """A dialogue's (role, content) pairs."""
    return [(m["role"], m["content"]) for m in dialogue.messages]


def write_csv(path: Path, rows: list[tuple[str, ...]]) -> Path:
    """Rows (the first is the header) as a CSV file."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def write_helpdesk_json(path: Path) -> Path:
    """The help-desk export as a JSON file."""
    path.write_text(json.dumps(HELPDESK_TICKETS, indent=1), encoding="utf-8")
    return path
