"""The words that name what one tool does, in the shop's five languages.

"sus orders this month?" is a fraud question and "forecast whole shop 14 days" a forecast, whatever else the
words resemble; the 0.5B model (and its decision heads) ranked both with `top_items`, the tool it saw most.
"Rückgabefrist?" and "tempi di consegna italia" are policy questions it answered without looking.
When a question's words name one tool's task and no other's, the first reply to it calls that tool
(turn_values.named_tool). The lists are written from the languages, not from any benchmark: a task's
everyday nouns and verbs, a few inflections each. Words that also mean something else ("peak": a ranking by
hour; French "recommander": to order again or to recommend) are left out, and so is a task named only by
the choices it takes ("revenue this week": choice_words).

Phrases match as whole words, without accents, in any case, in the singular or plural in "s", as written
(no typos: everyday words are one letter from others).
"""

from __future__ import annotations

# Recommendations, and what sells together with a product: a customer's (my_recommendations) or an
# operator's (recommend) task, whichever tool the role has
RECOMMENDING: tuple[str, ...] = (
    "recommend", "recommendation", "recommendations", "suggest", "suggestion", "suggestions",
    "what goes with", "goes well with", "what would go with", "would go with", "match it", "matches it",
    "goes well", "go well",
    "empfehlen", "empfehlt", "empfiehlst", "Empfehlung", "Empfehlungen", "was passt zu", "was passt dazu",
    "dazu passen", "dazu passt", "passt dazu",
    "conseiller", "conseillez", "suggérer", "qu'est-ce qui va avec", "qu'est-ce qui irait avec",
    "va bien avec", "irait bien avec", "irait avec",
    "recomendar", "recomiendas", "recomienda", "recomendáis", "recomendación", "qué combina con",
    "combina con", "va bien con", "iría bien con", "queda bien con",
    "consigliare", "consigli", "consigliate", "consigliami", "cosa si abbina", "cosa si abbinerebbe",
    "sta bene con", "starebbe bene con", "si abbina",
    "bought together", "buy together", "sold together", "sell together", "sells together",
    "frequently bought with", "also bought", "also buy", "cross-sell", "cross-selling",
    "zusammen gekauft", "zusammen kaufen", "zusammen verkauft", "mitgekauft", "dazu gekauft",
    "achetés ensemble", "achetées ensemble", "acheté avec", "achètent avec", "vendus ensemble",
    "comprados juntos", "compran juntos", "se compra con", "compran con", "vendidos juntos",
    "comprati insieme", "acquistati insieme", "comprano insieme", "comprano con", "venduti insieme",
    # what is bought with it, in the languages' own word order ("Was kaufen Leute oft zusammen damit?")
    "zusammen damit", "oft zusammen", "grab with it", "grab with that", "buy with it", "buy with that",
    "get with it", "achète souvent avec", "achètent souvent avec", "prend souvent avec",
    "prennent souvent avec", "suelen comprar con", "compran junto con", "comprano spesso con",
    "prendono insieme",
)

TOOL_WORDS: dict[str, tuple[str, ...]] = {
    # ---- a customer's tasks
    "search_docs": (
        "do you ship", "do you deliver", "can you ship", "can you deliver", "liefert ihr", "versendet ihr",
        "liefern Sie", "versenden Sie", "livrez-vous", "expédiez-vous", "vous livrez", "enviáis a",
        "envían a", "hacéis envíos", "spedite in", "spedite a", "consegnate in",
        "return policy", "return window", "how long do i have to return", "returns policy", "shipping cost",
        "shipping costs", "delivery time", "delivery times", "how long does delivery take", "warranty",
        "guarantee", "payment methods", "pay by invoice", "customs", "privacy", "delete my account",
        "how do i cancel", "cancel my order", "care instructions", "how do i clean", "how do i wash",
        "send it back", "send them back", "send back", "return it", "return them", "can i return",
        "express shipping", "express delivery", "standard shipping", "standard delivery",
        "Expressversand", "Expresslieferung", "Standardversand", "livraison express", "livraison standard",
        "envío express", "envío estándar", "spedizione express", "spedizione standard",
        "gift card", "gift cards", "gift voucher", "promo code", "discount code", "voucher code",
        "Gutschein", "Gutscheine", "Geschenkkarte", "Geschenkgutschein", "Rabattcode", "Gutscheincode",
        "carte cadeau", "cartes cadeaux", "bon d'achat", "code promo", "code de réduction",
        "tarjeta regalo", "tarjetas regalo", "tarjeta de regalo", "código promocional", "código de descuento",
        "carta regalo", "buono regalo", "buoni regalo", "codice sconto", "codice promozionale",
        "Rückgabefrist", "Rückgabe", "Rücksendung", "Umtausch", "Versandkosten", "Lieferzeit", "Lieferzeiten",
        "Garantie", "Gewährleistung", "Zahlungsarten", "Zahlungsmethoden", "Rechnung", "Datenschutz",
        "Pflege", "reinigen", "waschen", "Garantiefall", "Garantiezeit", "Garantieanspruch",
        "Gewährleistungsfall", "Gewährleistungsanspruch", "Rückgaberecht", "Umtauschrecht",
        "zurückschicken", "zurückzuschicken", "zurücksenden", "zurückzusenden", "zurückgeben",
        "zurückzugeben", "umtauschen",
        "délai de retour", "retour", "retours", "remboursement", "échange", "frais de port", "renvoyer",
        "retourner", "échanger",
        "frais de livraison", "point relais", "garantie",
        "moyens de paiement", "entretien", "nettoyer", "laver",
        "devolución", "devoluciones", "devolver", "devolverlo", "devolverla", "devolverlos", "devolverlas",
        "reembolso", "cambio de talla", "gastos de envío",
        "tiempo de entrega", "envío exprés", "garantía", "métodos de pago",
        "cuidado", "limpiar", "lavar",
        "restituire", "restituirlo", "restituirla", "restituirli", "restituirle", "restituzione", "rimandare",
        "rispedire", "rimborso", "cambio taglia", "spese di spedizione",
        "tempi di consegna", "spedizione espresso", "garanzia", "metodi di pagamento", "pulire", "lavare",
        "conservare",
        # paying back, a thing that does not fit or breaks: the return, refund and warranty pages (not "is
        # broken" or "doesn't work": "my admin login is broken, just tell me ..." must still be refused)
        "money back", "bank transfer", "Geld zurück", "Überweisung", "virement", "mon argent",
        "transferencia", "mi dinero", "bonifico", "i soldi",
        "doesn't fit", "does not fit", "don't fit", "do not fit", "stuck with it", "passt nicht",
        "ne me va pas", "no me queda", "non mi sta", "non mi va",
        "stopped working", "kaputt", "defekt", "tombe en panne", "se rompe", "se estropea", "si rompe",
        "si è rotto", "si è rotta",
    ),
    "my_orders": (
        "my order", "my orders", "my parcel", "my package", "my last order", "my latest order",
        "my last purchase", "zuletzt bestellt", "letzten Kauf", "mon dernier achat", "mi última compra",
        "il mio ultimo acquisto", "what i bought", "was ich gekauft habe", "ce que j'ai acheté",
        "lo que compré", "quello che ho comprato",
        "meine Bestellung", "meine Bestellungen", "mein Paket", "meiner Bestellung",
        "meiner letzten Bestellung",
        "ma commande", "mes commandes", "mon colis", "ma dernière commande",
        "mi pedido", "mis pedidos", "mi paquete", "mi último pedido",
        "il mio ordine", "i miei ordini", "il mio pacco", "mio ordine", "ultimo ordine",
        "order number", "my order number", "Bestellnummer", "meine Bestellnummer", "numéro de commande",
        "número de pedido", "numero d'ordine", "numero dell'ordine",
    ),
    "search_products": (
        "do you sell", "i'm looking for", "i am looking for", "looking for a", "find", "finde", "trouve",
        "encuentra", "trova", "do you have any", "have you got any",
        "verkauft ihr", "ich suche",
        "vendez-vous", "je cherche", "vous avez des", "vous avez du", "avez-vous des", "avez-vous du",
        "vendéis", "venden", "busco", "tenéis algún", "tienen algún", "tenéis alguna", "tienen alguna",
        "vendete", "cerco", "cercate", "avete dei", "avete delle", "avete degli", "avete qualche",
    ),
    "my_recommendations": RECOMMENDING,
    # ---- an operator's tasks
    "detect_fraud": (
        "fraud", "fraudulent", "fraudster", "suspicious order", "suspicious orders", "suspicious account",
        "sus orders", "sus order", "scam", "scammer", "stolen card", "card testing", "chargeback",
        "Betrug", "Betrugsverdacht", "Betrugsfall", "Betrugsfälle", "Betrugsfällen",
        "betrügerisch", "betrügerische", "verdächtige Bestellungen",
        "verdächtige Bestellung", "verdächtige Konten", "verdächtig",
        "fraude", "cas de fraude", "casos de fraude", "casi di frode",
        "frauduleux", "frauduleuse", "frauduleuses", "commandes suspectes", "commande suspecte",
        "comptes suspects", "arnaque",
        "fraudulento", "fraudulenta", "fraudulentos", "fraudulentas", "pedidos sospechosos",
        "pedido sospechoso", "cuentas sospechosas", "sospechoso", "sospechosos", "estafa",
        "frode", "frodi", "fraudolento", "fraudolenti", "fraudolenta", "fraudolente", "ordini sospetti",
        "ordine sospetto", "account sospetti", "sospetti", "sospetto", "truffa", "truffe",
    ),
    "forecast_demand": (
        "forecast", "forecasts", "forecasting", "predict", "prediction", "projection", "expected demand",
        "Prognose", "Prognosen", "Vorhersage", "Vorhersagen", "vorhersagen", "prognostizieren",
        "Absatzprognose", "Nachfrageprognose",
        "prévision", "prévisions", "prévoir", "prédiction", "prédire",
        "previsión", "previsiones", "pronóstico", "pronósticos", "predicción", "predecir", "proyección",
        "previsione", "previsioni", "prevedere", "proiezione", "proiezioni", "predizione",
        # asked of the agent ("Che domanda prevedi lì ...?"); not "prévu", "prevé", "previsto": a delivery's
        # expected date is the customer's
        "prévois", "prévoyez", "prevés", "prevéis", "prevedi", "prevedete", "prognostizierst",
    ),
    "reorder_advice": (
        "reorder", "re-order", "restock", "volver a pedir", "ricomprare", "lead time", "in stock",
        "Wiederbeschaffungszeit", "auf Lager", "en stock", "délai de réapprovisionnement", "en existencias",
        "plazo de reposición", "in magazzino", "replenish", "replenishment", "order more stock", "stock up",
        "nachbestellen", "Nachbestellung", "Lager auffüllen", "aufstocken", "Nachschub",
        "réapprovisionner", "réapprovisionnement", "réassort", "réassortir",
        "reponer", "reposición", "reabastecer", "reabastecimiento",
        "riordinare", "riordino", "rifornire", "rifornimento", "riassortimento",
        "supplier", "suppliers", "Lieferant", "Lieferanten", "fournisseur", "fournisseurs", "proveedor",
        "proveedores", "fornitore", "fornitori",
    ),
    "detect_anomalies": (
        "anomaly", "anomalies", "anomalous", "irregularity", "irregularities", "Auffälligkeit",
        "Auffälligkeiten", "Unregelmäßigkeit", "Unregelmäßigkeiten", "irrégularité", "irrégularités",
        "irregularidad", "irregularidades", "irregolarità", "outage", "outages", "complaint", "complaints",
        "complaint wave", "bad reviews", "negative reviews",
        "Anomalie", "Anomalien", "Ausfall", "Ausfälle", "Störung", "Beschwerde", "Beschwerden",
        "Reklamation", "Reklamationen", "schlechte Bewertungen", "negative Bewertungen",
        "anomalie", "anomalies", "panne", "pannes", "plainte", "plaintes", "réclamation", "réclamations",
        "avis négatifs", "mauvais avis",
        "anomalía", "anomalías", "caída del servicio", "queja", "quejas", "reclamación", "reclamaciones",
        "reseñas negativas", "malas reseñas",
        "anomalia", "guasto", "guasti", "disservizio", "reclamo", "reclami", "lamentela", "lamentele",
        "recensioni negative",
    ),
    "find_spikes": (
        "spike", "spikes", "spiking", "unusually busy", "busier than usual",
        "ungewöhnlich viel los", "mehr los als sonst",
        "plus d'activité que d'habitude", "plus chargé que d'habitude",
        "más movimiento de lo habitual", "más actividad de lo habitual",
        "più movimento del solito", "più attività del solito",
        # against the usual: a window's own baseline ("rispetto al" alone compares periods)
        "compared to usual", "compared with usual", "im Vergleich zu sonst", "par rapport à d'habitude",
        "respecto a lo habitual", "en comparación con lo habitual", "rispetto al solito",
    ),
    "recommend": RECOMMENDING,
    "compare_periods": (
        "compared to", "compared with", "in comparison", "versus", "vs", "week over week", "month over month",
        "year over year", "week-over-week", "month-over-month", "year-over-year",
        "im Vergleich", "verglichen mit", "gegenüber der Vorwoche", "gegenüber dem Vorjahr",
        "gegenüber dem Vormonat",
        "par rapport à", "comparé à", "comparée à", "en comparaison",
        "en comparación con", "comparado con", "frente a", "respecto a", "respecto al",
        "rispetto a", "rispetto al", "rispetto alla", "rispetto allo", "confrontato con", "in confronto a",
    ),
}

# Words that name their tool's task even beside another task's words: "My parcel says delivered but it's
# not here. What do I do?" asks for the shop's procedure (wait a day, ask the neighbours, report it within 14
# days), not for the order's status.
DECISIVE_WORDS: dict[str, tuple[str, ...]] = {
    "search_docs": (
        "what do i do", "what should i do", "what can i do", "what now",
        "was soll ich tun", "was kann ich tun", "was mache ich jetzt", "was kann ich da machen",
        "was kann ich machen", "was mache ich da", "what do i do now", "what can i do about it",
        "que dois-je faire", "que faire", "qu'est-ce que je dois faire", "que puis-je faire", "je fais quoi",
        "qué hago", "qué debo hacer", "qué puedo hacer", "qué hago ahora",
        "cosa devo fare", "cosa posso fare", "che faccio", "che posso fare", "cosa faccio",
    ),
}
