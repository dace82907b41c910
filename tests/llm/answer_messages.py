"""Messages a shop assistant should answer without a tool (small talk, out of scope, unanswerable), written
for the answer tests in the shop's five languages; none comes from the benchmark or the training data."""

from __future__ import annotations

ANSWER_MESSAGES: dict[str, tuple[str, ...]] = {
    "en": (
        "hi", "Hello there!", "good morning", "thanks a lot", "Thank you so much, that helped!", "cheers",
        "What's the weather in Paris tomorrow?", "Who won the football match last night?",
        "Can you write me a poem about cats?", "What is the capital of Australia?",
        "Tell me a joke", "what do you think about the election",
    ),
    "de": (
        "Hallo!", "Guten Morgen", "Danke schön", "Vielen Dank für die Hilfe!",
        "Wie wird das Wetter morgen in Berlin?", "Wer hat gestern das Spiel gewonnen?",
        "Kannst du mir ein Gedicht schreiben?", "Erzähl mir einen Witz",
        "Was ist die Hauptstadt von Kanada?", "Servus",
    ),
    "fr": (
        "Bonjour", "Salut !", "Merci beaucoup", "merci pour votre aide",
        "Quel temps fera-t-il demain à Lyon ?", "Qui a gagné le match hier soir ?",
        "Peux-tu m'écrire un poème ?", "Raconte-moi une blague", "Quelle est la capitale du Japon ?",
        "Bonsoir",
    ),
    "es": (
        "Hola", "Buenas tardes", "Muchas gracias", "¡Gracias por la ayuda!",
        "¿Qué tiempo hará mañana en Madrid?", "¿Quién ganó el partido anoche?",
        "¿Puedes escribirme un poema?", "Cuéntame un chiste", "¿Cuál es la capital de Perú?",
        "Buenos días",
    ),
    "it": (
        "Ciao!", "Buongiorno", "Grazie mille", "grazie per l'aiuto",
        "Che tempo farà domani a Roma?", "Chi ha vinto la partita ieri sera?",
        "Puoi scrivermi una poesia?", "Raccontami una barzelletta", "Qual è la capitale della Norvegia?",
        "Buonasera",
    ),
}
