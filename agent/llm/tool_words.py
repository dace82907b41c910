"""The words that name what one tool does, in the shop's five languages.

"sus orders this month?" is a fraud question and "forecast whole shop 14 days" a forecast, whatever else the
words resemble; the 0.5B model (and its decision heads) ranked both with `top_items`, the tool it saw most.
When a question's words name one tool's task and no other's, the first reply to it calls that tool
(turn_values.named_tool). The lists are written from the languages, not from any benchmark: a task's
everyday nouns and verbs, a few inflections each. Words that also mean something else ("peak": a ranking by
hour; French "recommander": to order again or to recommend) are left out, and so is a task named only by
the choices it takes ("revenue this week": choice_words).

Phrases match as whole words, without accents, in any case, in the singular or plural in "s", as written
(no typos: everyday words are one letter from others).
"""

from __future__ import annotations

TOOL_WORDS: dict[str, tuple[str, ...]] = {
    "detect_fraud": (
        "fraud", "fraudulent", "fraudster", "suspicious order", "suspicious orders", "suspicious account",
        "sus orders", "sus order", "scam", "scammer", "stolen card", "card testing", "chargeback",
        "Betrug", "Betrugsverdacht", "betrügerisch", "betrügerische", "verdächtige Bestellungen",
        "verdächtige Bestellung", "verdächtige Konten", "verdächtig",
        "fraude", "frauduleux", "frauduleuse", "frauduleuses", "commandes suspectes", "commande suspecte",
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
    ),
    "reorder_advice": (
        "reorder", "re-order", "restock", "replenish", "replenishment", "order more stock", "stock up",
        "nachbestellen", "Nachbestellung", "Lager auffüllen", "aufstocken", "Nachschub",
        "réapprovisionner", "réapprovisionnement", "réassort", "réassortir",
        "reponer", "reposición", "reabastecer", "reabastecimiento",
        "riordinare", "riordino", "rifornire", "rifornimento", "riassortimento",
    ),
    "detect_anomalies": (
        "anomaly", "anomalies", "anomalous", "outage", "outages", "complaint", "complaints",
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
    ),
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
