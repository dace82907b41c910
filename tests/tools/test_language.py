"""detect_language: short shop messages, typos and missing accents included, in the five languages."""

import pytest

from tools.language import LANGUAGES, detect_language, foreign_letters

MESSAGES = {
    "en": ["where is my order", "Hi, can I return headphones I opened?",
           "which region sold the most last week",
           "pls tell me when my parcel arrives", "thanks a lot!", "any fraud this week?",
           "I ordered a jacket ten days ago and it still has not arrived, what is going on"],
    "de": ["Wo ist meine letzte Bestellung?", "kann ich geöffnete Kopfhörer zurückgeben",
           "wo ist meine bestelung",
           "Welche Region hat letzte Woche am meisten verkauft?", "danke schön", "gibt es betrug diese woche",
           "Hallo, ich habe vor zehn Tagen eine Jacke bestellt und sie ist noch nicht da",
           "Verschickt ihr Ersatzteile auch an Packstationen?"],
    "fr": ["Où est ma commande ?", "ou est ma comande",
           "Bonjour, est-ce que je peux retourner un casque ouvert ?",
           "quelle région a le plus vendu la semaine dernière", "merci beaucoup",
           "j'ai commandé une veste il y a dix jours et je ne l'ai pas reçue",
           "Combien coûte la livraison en point relais en France ?"],
    "es": ["¿Dónde está mi pedido?", "donde esta mi pedido",
           "Hola, ¿puedo devolver unos auriculares abiertos?",
           "qué región vendió más la semana pasada", "muchas gracias",
           "pedí una chaqueta hace diez días y todavía no ha llegado",
           "Cuantas semanas tarda la entrega a Valencia?", "¿Venden cargadores de coche?"],
    "it": ["Dov'è il mio ordine?", "dove il mio ordine", "Ciao, posso restituire delle cuffie aperte?",
           "quale regione ha venduto di più la settimana scorsa", "grazie mille",
           "ho ordinato una giacca dieci giorni fa e non è ancora arrivata",
           "Quanto costa la spedizione a Torino?", "come faccio a cambiare indirizzo",
           "Devo pagare l'imballaggio per il regalo se abito a Roma?", "fate lo sconto agli studenti?"],
}


CASES = [(language, message) for language, messages in MESSAGES.items() for message in messages]


@pytest.mark.parametrize(("language", "message"), CASES)
def test_a_short_message_is_read_in_its_language(language: str, message: str) -> None:
    assert detect_language(message) == language


def test_a_message_without_evidence_gets_the_default() -> None:
    assert detect_language("O0001234", default="de") == "de"
    assert detect_language("???") == "en"


def test_an_unknown_default_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match="en, de, fr, es, it"):
        detect_language("hallo", default="xx")


def test_every_language_is_supported() -> None:
    assert set(LANGUAGES) == set(MESSAGES)


def test_letters_of_scripts_no_supported_language_uses_are_foreign() -> None:
    assert foreign_letters("Петер") and foreign_letters("Hi 你好") and foreign_letters("مرحبا")
    assert not foreign_letters("Grüß Gott! ¿Qué tal? Ça va, l'été. 42 € 😊")


@pytest.mark.parametrize(("greeting", "language"), [
    ("Guten Morgen", "de"), ("Servus", "de"), ("Bonsoir", "fr"), ("Buenas tardes", "es"),
    ("Buonasera", "it"), ("good evening", "en"), ("Che tempo farà domani a Roma?", "it"),
    ("Puoi scrivermi una poesia?", "it"), ("Quel temps fera-t-il demain ?", "fr"),
    ("¿Venden tiendas de campaña?", "es"), ("Vendez-vous des tentes de camping ?", "fr"),
])
def test_greetings_words_of_time_and_spanish_de_tell_the_language(greeting: str, language: str) -> None:
    assert detect_language(greeting) == language


@pytest.mark.parametrize(("message", "language"), [
    ("Umsatz in Rheinland-Pfalz?", "de"), ("Einheiten in Bayern?", "de"), ("Ventes en Bretagne ?", "fr"),
    ("Ventas en Andalusia?", "es"), ("Fatturato in Lombardia?", "it"), ("Unità in Lazio?", "it"),
    ("Revenue in Bavaria?", "en"), ("sales in Lombardy", "en"),
    # a shopper's "I'm looking for" / "do you have" tells it too ("una" is Spanish and Italian)
    ("Cercate una lampada frontale?", "it"), ("Busco una mochila", "es"), ("Ich suche eine Jacke", "de"),
    ("Je cherche une veste", "fr")])
def test_a_terse_question_is_read_by_its_shop_words(message: str, language: str) -> None:
    assert detect_language(message) == language


def test_plain_words_drop_accents_and_case_unless_asked_to_keep_case() -> None:
    from tools.language import plain_words

    words = ["baden", "wurttemberg", "nachsten", "28", "tage"]
    assert plain_words("Baden-Württemberg, nächsten 28 Tage") == words
    assert plain_words("Île-de-France UK", fold_case=False) == ["Ile", "de", "France", "UK"]


@pytest.mark.parametrize(("message", "language"), [
    ("Tell me about Ile-de-France", "en"), ("Orders in Provence-Alpes-Cote d'Azur today?", "en"),
    ("Pouvez-vous me dire le chiffre d'affaires ?", "fr"), ("Qu'est-ce que vous vendez ?", "fr"),
    ("Quanto fatturato in Emilia-Romagna?", "it"), ("Wie viel Umsatz in Rheinland-Pfalz?", "de")])
def test_the_words_of_a_hyphenated_name_are_no_evidence_of_a_language(message: str, language: str) -> None:
    assert detect_language(message) == language
