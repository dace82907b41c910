"""Every sentence the agent composes itself, once per supported language, and which one a reply needs.

The model's own words are shown only when they are clean (see `clean_reply`); otherwise, and whenever the
user wrote in another language than the model did, the agent says one of these instead, in the language
`tools.language.detect_language` finds in the user's message. Add a language here and in tools/language.py.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from langchain_core.messages import BaseMessage, HumanMessage

from agent.grounding import ungrounded_identifiers
from tools.language import detect_language, foreign_letters, language_scores, word_set

Kind = Literal["greeting", "thanks", "refusal", "not_yours", "dont_know", "failed", "nothing_matched"]

PHRASES: dict[str, dict[Kind, str]] = {
    "en": {
        "greeting": "Hello! How can I help you?",
        "thanks": "You're welcome! Is there anything else I can do for you?",
        "refusal": "Sorry, I can't help with that here.",
        "not_yours": ("Sorry, I can only help with your own orders, our products and our policies. I can't "
                      "share other customers' data or the shop's figures."),
        "dont_know": "I don't know. I can connect you with a member of our team if you like.",
        "failed": "Sorry, I couldn't get that: {error}",
        "nothing_matched": "Sorry, we have nothing matching \"{query}\".",
    },
    "de": {
        "greeting": "Hallo! Wie kann ich Ihnen helfen?",
        "thanks": "Gern geschehen! Kann ich sonst noch etwas für Sie tun?",
        "refusal": "Entschuldigung, dabei kann ich hier nicht helfen.",
        "not_yours": ("Entschuldigung, ich helfe nur bei Ihren eigenen Bestellungen, unseren Produkten und "
                      "Richtlinien. Daten anderer Kunden oder Zahlen des Shops kann ich nicht teilen."),
        "dont_know": "Das weiß ich leider nicht. Wenn Sie möchten, verbinde ich Sie mit unserem Team.",
        "failed": "Entschuldigung, das konnte ich nicht abrufen: {error}",
        "nothing_matched": "Entschuldigung, zu \"{query}\" haben wir nichts Passendes.",
    },
    "fr": {
        "greeting": "Bonjour ! Comment puis-je vous aider ?",
        "thanks": "Avec plaisir ! Puis-je faire autre chose pour vous ?",
        "refusal": "Désolé, je ne peux pas vous aider avec cela ici.",
        "not_yours": ("Désolé, je ne peux vous aider que pour vos propres commandes, nos produits et nos "
                      "conditions. Je ne peux pas partager les données d'autres clients ni les chiffres de "
                      "la boutique."),
        "dont_know": ("Je ne sais pas. Si vous le souhaitez, je peux vous mettre en contact avec "
                      "notre équipe."),
        "failed": "Désolé, je n'ai pas pu obtenir cela : {error}",
        "nothing_matched": "Désolé, nous n'avons rien qui corresponde à \"{query}\".",
    },
    "es": {
        "greeting": "¡Hola! ¿En qué puedo ayudarle?",
        "thanks": "¡De nada! ¿Puedo ayudarle en algo más?",
        "refusal": "Lo siento, no puedo ayudarle con eso aquí.",
        "not_yours": ("Lo siento, solo puedo ayudarle con sus propios pedidos, nuestros productos y nuestras "
                      "políticas. No puedo compartir datos de otros clientes ni cifras de la tienda."),
        "dont_know": "No lo sé. Si quiere, puedo ponerle en contacto con nuestro equipo.",
        "failed": "Lo siento, no he podido obtener eso: {error}",
        "nothing_matched": "Lo siento, no tenemos nada que coincida con \"{query}\".",
    },
    "it": {
        "greeting": "Ciao! Come posso aiutarla?",
        "thanks": "Prego! Posso fare altro per lei?",
        "refusal": "Mi dispiace, non posso aiutarla con questo qui.",
        "not_yours": ("Mi dispiace, posso aiutarla solo con i suoi ordini, i nostri prodotti e le nostre "
                      "condizioni. Non posso condividere dati di altri clienti né i dati del negozio."),
        "dont_know": "Non lo so. Se vuole, posso metterla in contatto con il nostro team.",
        "failed": "Mi dispiace, non sono riuscito a ottenerlo: {error}",
        "nothing_matched": "Mi dispiace, non abbiamo nulla che corrisponda a \"{query}\".",
    },
}

# Closest categories offered after "nothing matched", per language ({categories}: a comma-separated list).
CLOSEST_CATEGORIES: dict[str, str] = {
    "en": "The closest categories we have: {categories}.",
    "de": "Die nächsten Kategorien in unserem Sortiment: {categories}.",
    "fr": "Les catégories les plus proches : {categories}.",
    "es": "Las categorías más cercanas: {categories}.",
    "it": "Le categorie più vicine: {categories}.",
}

# A document's quote in an answer composed from the passages, per language ({title}: the document's title)
FROM_DOCUMENT: dict[str, str] = {
    "en": "From our {title}:",
    "de": "Aus unserem Dokument „{title}“:",
    "fr": "D'après notre document « {title} » :",
    "es": "Según nuestro documento «{title}»:",
    "it": "Dal nostro documento «{title}»:",
}

# Words of small talk in every supported language: a message made of little else is a greeting or thanks.
_GREETINGS = word_set("""
    hi hello hey hiya morning evening afternoon good day hallo guten tag morgen abend moin servus gruss
    grüß grüss grüezi bonjour bonsoir salut coucou hola buenos buenas buen dia día tardes noches ciao salve
    buongiorno buonasera there all everyone
""")
_THANKS = word_set("""
    thanks thank you thx ty cheers great perfect much a lot so very many danke dank dankeschön schön vielen
    sehr super merci beaucoup bien gracias muchas mil grazie tante mille molto
    ok okay alright cool nice awesome perfekt prima klasse parfait génial vale perfecto genial perfetto ottimo
""")  # "ok thanks", "perfekt danke": an acknowledgement is thanks
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# A model's refusal, in whatever language it wrote it (the adapter answers in English).
_REFUSAL = re.compile(r"\b(can't|cannot|can not|unable|not able|only help|kann (?:\w+ ){0,2}nicht|"
                      r"ne peux pas|no puedo|non posso)\b", re.IGNORECASE)
# A reply that talks of the model's own machinery ("I dati non sono disponibili o non sono in formato XML: no
# tool."): formats, tool calls, a tool's or argument's snake_case name. It is no answer to a shop question.
_MACHINERY = re.compile(r"\b(xml|json|no tool|tool[ _]call|function call|[a-z]+_[a-z_]+)\b", re.IGNORECASE)
_DONT_KNOW = re.compile(r"\b(don't know|do not know|not sure|wei(?:ß|ss) (?:\w+ ){0,2}nicht|ne sais pas|"
                        r"no lo sé|no sé|non lo so)\b", re.IGNORECASE)
# A message that orders the agent about instead of asking: to drop its rules or role, or to wipe the shop's
# data wholesale, or to run SQL, in the shop's five languages. Asking how to delete one's own account is a
# question.
_ORDERS = re.compile(
    r"\b(ignore (?:all |any |your |the )*(?:previous |prior |above |earlier )?(?:instructions|rules)|"
    r"you are now|(?:operator|admin|developer|debug) mode|system prompt|developer instructions?|"
    r"(?:delete|drop|wipe|erase|truncate) (?:all|every|the (?:whole|entire)|tables?|database)|"
    r"ignorier\w* (?:alle |deine |die )*(?:vorherigen |bisherigen )?(?:anweisungen|regeln)|"
    r"du bist (?:jetzt|nun)|anweisung des entwicklers|lösch\w* (?:alle|sämtliche)|"
    r"ignore[rz]? (?:toutes |tous )?(?:les |tes |vos )?(?:instructions|consignes|règles)|"
    r"(?:tu es|vous êtes) (?:maintenant|désormais)|consigne du développeur|mode (?:opérateur|administrateur)|"
    r"supprime[rz]? (?:toutes|tous)|"
    r"ignora (?:todas |tutte )?(?:las |le )?(?:instrucciones|reglas|istruzioni|regole)|ahora eres|ora sei|"
    r"instrucci[oó]n del desarrollador|istruzion[ei] dello sviluppatore|modo (?:operador|administrador)|"
    r"modalità (?:operatore|amministratore)|borra(?:r)? (?:todos|todas)|cancella(?:re)? tutt[ie]|"
    # a mode or role claimed, restrictions lifted, the system speaking, in the five languages
    r"developer mode|entwicklermodus|mode développeur|modo desarrollador|modalità sviluppatore|"
    r"(?:ignore|bypass|lift|drop) (?:all |any |your |the )*restrictions|ignorier\w* (?:alle |die )*"
    r"(?:einschränkungen|beschränkungen)|ignore[rz]? (?:toutes |les |vos )*restrictions|"
    r"ignora (?:todas |tutte )?(?:las |le )?(?:restricciones|restrizioni)|"
    r"you are (?:an? |the )?(?:operator|admin|administrator)|du bist (?:ein |der )?(?:operator|admin)|"
    r"(?:tu es|vous êtes) (?:un |l')?(?:opérateur|administrateur)|"
    r"eres (?:un |el )?(?:operador|administrador)|sei (?:un |l')?(?:operatore|amministratore)|"
    r"(?:instructions|anweisungen|consignes|instrucciones|istruzioni) (?:from|vom|du|del|dal) (?:the )?"
    r"(?:system|système|sistema)|new system instructions?|"
    # SQL written out to be run: no tool runs a user's SQL (nor the model's)
    r"(?:delete\s+from|select\s+[\w*,. ()]{1,80}?\s+from)\s+\w+\s*(?:$|;|where|group|order|limit|join)|"
    r"(?:drop|truncate|alter)\s+table\s+\w+|insert\s+into\s+\w+\s*(?:\(|values|select)|"
    r"update\s+\w+\s+set\s+\w+\s*=)|</?(?:system|user|assistant)>",
    re.IGNORECASE)
# Customers' personal data asked for wholesale: other people's names or e-mails, or a plural of contact or
# account data with "customers" or "all" beside it ("Exportiere alle Kundennamen mit E-Mail-Adressen aus
# Bavaria"). No tool gives any out, and the model had run a ranking of Bavaria for it. "Your phone numbers"
# (the shop's) and "my e-mail address" are questions.
_THEIR_DATA = re.compile(
    r"\b(customer names|customers' names|customer e-?mails|kundennamen|noms des clients|"
    r"nombres de (?:los )?clientes|nomi dei clienti)\b", re.IGNORECASE)
_CONTACT_DATA = re.compile(
    r"\b(e-?mail(?:-| )?(?:addresses|adressen)|phone numbers|telephone numbers|home addresses|passwords|"
    r"(?:credit )?card numbers|ibans|"
    r"mailadressen|telefonnummern|handynummern|wohnorte|wohnadressen|privatadressen|passwörter|"
    r"kreditkartennummern|kartennummern|"
    r"adresses (?:e-?mail|mail|électroniques|postales)|numéros de (?:téléphone|carte)|mots de passe|"
    r"correos electrónicos|direcciones (?:de correo|postales)|números de (?:teléfono|tarjeta)|contraseñas|"
    r"indirizzi (?:e-?mail|di casa|postali)|numeri di (?:telefono|carta))\b", re.IGNORECASE)
_WHOLESALE = re.compile(
    r"\b(customers|clients|users|buyers|shoppers|all|every|kunden|kundinnen|käufer|nutzer|alle|allen|"
    r"sämtliche|clientes|usuarios|compradores|todos|todas|clienti|utenti|acquirenti|tutti|tutte|tous|"
    r"toutes)\b", re.IGNORECASE)

# A request to change the shop's records, in the imperative or infinitive of the five languages ("Cancel the
# orders from this week", "Storniere die Bestellung", "Annulez la commande"). No tool changes anything; a
# participle is a question about what happened ("How many orders were cancelled?").
_CHANGES = re.compile(
    r"\b(cancel|delete|remove|modify|edit|update|void|storniere|stornieren|lösche|löschen|entferne|"
    r"entfernen|ändere|ändern|annule|annulez|annuler|supprime|supprimez|supprimer|modifie|modifiez|"
    r"modifier|cancela|cancele|cancelar|anula|anule|anular|borra|borre|borrar|elimina|elimine|eliminar|"
    r"modifique|modificar|annulla|annullare|cancella|cancellare|eliminare|modificare)\b", re.IGNORECASE)

def phrase(kind: Kind, language: str, **fields: str) -> str:
    """The sentence `kind` in `language` (a code of tools.language.LANGUAGES), with `fields` filled in."""
    if language not in PHRASES:
        raise ValueError(f"No phrases for language {language!r}; add them to agent/phrases.py "
                         f"(languages with phrases: {', '.join(PHRASES)}).")
    return PHRASES[language][kind].format(**fields)


def small_talk(question: str) -> Kind | None:
    """"greeting" or "thanks" when the message is nothing but small talk in any language, else None."""
    words = [word.lower() for word in _WORD.findall(question)]
    if not words or len(words) > 6:
        return None
    if all(word in _GREETINGS | _THANKS for word in words):
        return "thanks" if any(word in _THANKS - _GREETINGS for word in words) else "greeting"
    return None


def gives_orders(question: str) -> bool:
    """Whether a message orders the agent about (drop its rules, take another role, wipe the shop's data,
    hand out customers' personal data) rather than asks: such a message is refused before any tool runs,
    never answered from a document."""
    return bool(_ORDERS.search(question)
                or _THEIR_DATA.search(question)
                or _CONTACT_DATA.search(question) and _WHOLESALE.search(question))


def asks_for_changes(question: str) -> bool:
    """Whether a message asks to change the shop's records (cancel, delete, modify): no tool does, so a
    refusal of it is right even where its words name a tool's choices."""
    return bool(_CHANGES.search(question))

def reply_kind(question: str, draft: str) -> Kind:
    """Which composed sentence replaces a reply without tool results: small talk is answered in kind, a draft
    that refuses (or any reply to a message that gives orders) becomes a refusal, and anything else "I don't
    know"."""
    talk = small_talk(question)
    if talk is not None:
        return talk
    return "refusal" if _REFUSAL.search(draft) or gives_orders(question) else "dont_know"


def clean_reply(draft: str, question: str, language: str) -> bool:
    """Whether a reply the model wrote without tools may be shown as it is.

    Small talk is always answered with the agent's own sentence (the model's was "Gérezz!" for "Merci
    beaucoup"). Anything else must start like a sentence (a capital letter or an opening mark, not a word
    fragment such as "okino"), use only the scripts of the supported languages, hold no identifier the
    question does not (an order id it made up), not talk of formats or tools (`_MACHINERY`), and be written
    in the user's `language`, with words of it.
    """
    text = draft.strip()
    if small_talk(question) is not None:
        return False
    if not text or not (text[0].isupper() or text[0] in "¡¿\"'"):
        return False
    if foreign_letters(text):
        return False
    if ungrounded_identifiers(text, [question]) or _MACHINERY.search(text):
        return False
    return language_scores(text)[language] > 0 and detect_language(text, default=language) == language


def declines(question: str, draft: str, language: str) -> bool:
    """Whether a reply to `question` says no: the model's `draft` refuses or does not know, or is not clean
    and is said as the agent's refusal or "I don't know" (`composed_reply`). Small talk never declines."""
    if small_talk(question) is not None:
        return False
    if not clean_reply(draft, question, language):
        return True
    return bool(_REFUSAL.search(draft) or _DONT_KNOW.search(draft))


def composed_reply(question: str, draft: str, language: str | None = None) -> str:
    """The sentence that answers `question` when the model's `draft` (no tools ran) is not clean or not in
    the user's language (`language`: the turn's, `turn_language`; by default the question's own)."""
    return phrase(reply_kind(question, draft), language or detect_language(question))


def turn_language(question: str, messages: Sequence[BaseMessage]) -> str:
    """The language a turn is answered in: that of `question`, the current turn's message, where its words
    tell; else that of the user's messages so far (`messages`): a German shopper's "was passt dazu?" scores
    English as much as German, and had been answered in English."""
    said = " ".join(m.text for m in messages if isinstance(m, HumanMessage))
    return detect_language(question, default=detect_language(said) if said else "en")
