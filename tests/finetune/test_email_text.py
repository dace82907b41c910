"""A message is only what its author wrote: quoted e-mail history and signatures are cut, other text
is not."""

from __future__ import annotations

import pytest

from finetune.email_text import author_text

QUOTED = [
    # Gmail, reply on top of the quote.
    ("Where is my parcel?\n\nOn Mon, 3 Jun 2024, Anna <a@b.c> wrote:\n> Your order shipped.\n> Regards",
     "Where is my parcel?"),
    # German Outlook/Thunderbird attribution, the quote unmarked (as an HTML body becomes text).
    ("Danke!\n\nAm 03.06.2024 um 10:00 schrieb Anna <a@b.c>:\nIhre Bestellung ist unterwegs.", "Danke!"),
    ("Merci beaucoup\nLe lun. 3 juin 2024 à 10:00, Anna <a@b.c> a écrit :\n> Votre commande est partie.",
     "Merci beaucoup"),
    ("Please cancel it.\n-----Original Message-----\nFrom: Shop\nSent: Monday, 3 June 2024 10:00\nold text",
     "Please cancel it."),
    # Outlook's header block: on one line (an HTML body flattened) and on its own lines.
    (("Bitte stornieren.\n\nVon: Shop Support Gesendet: Montag, 3. Juni 2024 10:00 An: Anna Betreff: Ihre "
      "Bestellung\nIhre Bestellung ist unterwegs."), "Bitte stornieren."),
    (("Ok.\n\nFrom: Shop Support <s@shop.example>\nSent: Monday, June 3, 2024 10:00 AM\nTo: Anna\n"
      "Subject: Order\n\nYour order shipped."), "Ok."),
    ("Fine, thanks.\n\n---------- Forwarded message ---------\nFrom: Courier\nParcel delayed.",
     "Fine, thanks."),
    # Answered below the quote: the attribution (wrapped over two lines) and the quote go, the answer stays.
    ("On Mon, 3 Jun 2024 at 10:00, Anna Smith <\nanna@b.c> wrote:\n> Can you ship to Oslo?\n\nYes, we can.",
     "Yes, we can."),
    ("> Do you take PayPal?\nYes.\n> And gift cards?\nThose too.", "Yes.\nThose too."),
]
SIGNED = [
    ("Hello, any news?\n-- \nAnna Smith\n+44 7700 900123", "Hello, any news?"),
    ("Is it shipped?\n\nSent from my iPhone", "Is it shipped?"),
    ("Wo bleibt mein Paket?\n\nVon meinem iPhone gesendet", "Wo bleibt mein Paket?"),
]
UNTOUCHED = [
    "On Monday I ordered shoes. My friend wrote:\nthey are great",  # no date: a sentence, not an attribution
    "From: Berlin\nTo: Paris\nHow long does shipping take?",  # no Sent/Date/Subject: a route, not a header
    "I want it shipped from: the warehouse in Lyon",
    "I paid -- twice -- for order 100234567.",
    "Sent from Berlin last week and still not here.",
]


@pytest.mark.parametrize(("body", "own"), QUOTED)
def test_quoted_history_is_cut_and_counted(body: str, own: str) -> None:
    text = author_text(body)
    assert (text.text, text.quoted_history, text.signature) == (own, True, False)


@pytest.mark.parametrize(("body", "own"), SIGNED)
def test_signatures_are_cut_and_counted(body: str, own: str) -> None:
    text = author_text(body)
    assert (text.text, text.quoted_history, text.signature) == (own, False, True)


def test_a_signature_over_a_quote_counts_both() -> None:
    text = author_text("Is it shipped?\n\nSent from my iPhone\n\nOn 3 Jun 2024, at 10:00, Shop "
                       "<s@shop.example> wrote:\n> It ships today.")
    assert (text.text, text.quoted_history, text.signature) == ("Is it shipped?", True, True)


@pytest.mark.parametrize("body", UNTOUCHED)
def test_text_that_only_looks_like_mail_is_kept(body: str) -> None:
    text = author_text(body)
    assert (text.text, text.quoted_history, text.signature) == (body, False, False)


def test_a_message_that_only_quotes_is_empty() -> None:
    assert author_text("> the old message\n> nothing new").text == ""
