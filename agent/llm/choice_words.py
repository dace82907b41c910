"""The words that name a tool's fixed choices (enum values) in the shop's five languages.

A question says "Bestellungen", "cette semaine" or "da quando abbiamo aperto"; the 0.5B model writing the
call often leaves such a choice at what it saw most in training (metric="revenue", period="last_30_days").
`turn_values` holds an enum property to the values the user's words name here. The lists are written from
the languages, not from any benchmark: the everyday words of shop reporting, a few inflections each.

Keys are enum values as the tools spell them; a value shared by several tools means the same in each.
Phrases match as whole words, without accents, in any case, in the singular or plural in "s", with one typo
in words of 6 letters or more (turn_values.mentioned). A longer phrase is read before the shorter ones inside
it ("average order value" takes "order" with it).
"""

from __future__ import annotations

# Phrases that name a value outright.
CHOICE_WORDS: dict[str, tuple[str, ...]] = {
    # ---- what to count (metric)
    "orders": (
        "orders", "number of orders", "order count", "purchases",
        "Bestellungen", "Bestellung", "Aufträge", "Auftraege",
        "commandes", "commande", "nombre de commandes", "cmd", "cmds", "cde", "cdes",  # "nb de cmd"
        "pedidos", "pedido", "órdenes", "compras",
        "ordini", "ordinazioni", "numero di ordini",
    ),
    "revenue": (
        "revenue", "turnover", "income", "takings", "money", "gross sales",
        "Umsatz", "Umsätze", "Erlös", "Erlöse", "Einnahmen",
        "chiffre d'affaires", "recettes", "revenus",
        "ingresos", "facturación", "facturado", "recaudación",
        "fatturato", "ricavi", "incassi", "entrate",
    ),
    "units": (
        "units", "units sold", "items sold", "pieces", "quantity sold",
        "Einheiten", "Stück", "Stückzahl", "verkaufte Artikel",
        "unités", "pièces", "articles vendus",
        "unidades", "piezas", "artículos vendidos",
        "unità", "pezzi", "articoli venduti",
    ),
    "sessions": (
        "sessions", "visits", "Sitzungen", "Besuche", "visites", "sesiones", "visitas", "sessioni", "visite",
    ),
    "unique_users": (
        "unique users", "unique visitors", "visitors", "Besucher", "eindeutige Nutzer", "visiteurs",
        "visiteurs uniques", "visitantes", "usuarios únicos", "visitatori", "utenti unici",
    ),
    "views": (
        "views", "page views", "pageviews", "Aufrufe", "Seitenaufrufe", "vues", "pages vues",
        "visualizaciones", "vistas", "visualizzazioni",
    ),
    "conversion_rate": (
        "conversion", "conversion rate", "converts", "Konversion", "Konversionsrate", "Conversion-Rate",
        "Umwandlungsrate", "taux de conversion", "tasa de conversión", "conversión",
        "tasso di conversione", "conversione",
    ),
    "average_order_value": (
        "average order value", "AOV", "average basket", "average order", "basket size",
        "durchschnittlicher Bestellwert", "durchschnittlichen Bestellwert", "Bestellwert", "Warenkorbwert",
        "panier moyen", "valeur moyenne des commandes", "valeur moyenne de commande",
        "valor medio del pedido", "valor promedio del pedido", "ticket medio", "ticket promedio",
        "valore medio dell'ordine", "valore medio degli ordini", "scontrino medio", "carrello medio",
    ),
    "refunds": (
        "refunds", "refunded", "Rückerstattungen", "Erstattungen", "remboursements", "reembolsos",
        "rimborsi",
    ),
    # ---- what to rank or compare (group_by)
    "product": ("product", "products", "Produkt", "Produkte", "Artikel", "produit", "produits",
                "producto", "productos", "prodotto", "prodotti", "articolo", "articoli"),
    "category": ("category", "categories", "Kategorie", "Kategorien", "Warengruppe", "catégorie",
                 "catégories", "categoría", "categorías", "categoria", "categorie"),
    "region": ("region", "regions", "Region", "Regionen", "Bundesland", "Bundesländer", "région", "régions",
               "región", "regiones", "regione", "regioni"),
    "city": ("city", "cities", "town", "towns", "Stadt", "Städte", "Städten", "ville", "villes", "ciudad",
             "ciudades", "città"),
    "country": ("country", "countries", "Land", "Länder", "Ländern", "pays", "país", "países", "paese",
                "paesi", "nazione"),
    "hour_of_day": ("hour", "what time", "time of day", "Uhrzeit", "Stunde", "Tageszeit", "heure", "heures",
                    "a qué hora", "hora del día", "franja horaria", "a che ora", "orario", "fascia oraria"),
    "day_of_week": ("weekday", "day of the week", "day of week", "which day", "Wochentag", "Wochentagen",
                    "jour de la semaine", "quel jour", "día de la semana", "qué día",
                    "giorno della settimana", "quale giorno", "che giorno"),
    # ---- which time window (period)
    "today": ("today", "so far today", "heute", "aujourd'hui", "hoy", "oggi"),
    "yesterday": ("yesterday", "gestern", "ayer", "ieri"),
    "this_week": ("this week", "since the start of the week", "week to date", "diese Woche", "dieser Woche",
                  "seit Wochenbeginn", "cette semaine", "depuis le début de la semaine", "esta semana",
                  "desde principios de semana", "questa settimana", "da inizio settimana"),
    "last_week": ("last week", "previous week", "letzte Woche", "letzten Woche", "vergangene Woche",
                  "vergangenen Woche", "vorige Woche", "Vorwoche", "semaine dernière", "semaine passée",
                  "semaine précédente", "semana pasada", "semana anterior", "settimana scorsa",
                  "settimana passata", "settimana precedente"),
    "last_7_days": ("last 7 days", "past 7 days", "last seven days", "past seven days", "past week",
                    "letzte 7 Tage", "letzten 7 Tage", "letzten 7 Tagen", "letzten sieben Tagen",
                    "7 derniers jours", "sept derniers jours", "últimos 7 días", "últimos siete días",
                    "ultimi 7 giorni", "ultimi sette giorni", "sur 7 jours", "ultimi 7 gg", "letzte 7",
                    "letzten 7"),
    "last_30_days": ("last 30 days", "past 30 days", "past month", "last thirty days", "letzte 30 Tage",
                     "letzten 30 Tage", "letzten 30 Tagen", "30 derniers jours", "trente derniers jours",
                     "últimos 30 días", "últimos treinta días", "ultimi 30 giorni", "ultimi trenta giorni",
                     "sur 30 jours", "ultimi 30 gg", "letzte 30", "letzten 30"),
    "this_month": ("this month", "month to date", "since the start of the month", "diesen Monat",
                   "diesem Monat", "dieser Monat", "seit Monatsbeginn", "seit Anfang des Monats", "ce mois",
                   "ce mois-ci", "depuis le début du mois", "este mes", "desde principios de mes",
                   "desde el inicio del mes", "en lo que va de mes", "questo mese", "da inizio mese",
                   "dall'inizio del mese"),
    "last_month": ("last month", "previous month", "letzten Monat", "letzter Monat", "vergangenen Monat",
                   "Vormonat", "mois dernier", "mois passé", "mois précédent", "mes pasado", "mes anterior",
                   "mese scorso", "mese passato", "mese precedente"),
    "last_90_days": ("last 90 days", "past 90 days", "last 3 months", "last three months", "past quarter",
                     "letzten 90 Tage", "letzten 90 Tagen", "letzten drei Monate", "letzten 3 Monate",
                     "90 derniers jours", "trois derniers mois", "3 derniers mois", "últimos 90 días",
                     "últimos tres meses", "últimos 3 meses", "ultimi 90 giorni", "ultimi tre mesi",
                     "ultimi 3 mesi", "sur 90 jours", "ultimi 90 gg", "letzte 90", "letzten 90"),
    "this_year": ("this year", "year to date", "YTD", "since the start of the year", "dieses Jahr",
                  "diesem Jahr", "seit Jahresbeginn", "seit Anfang des Jahres", "desde principios de año",
                  "dall'inizio dell'anno",
                  "cette année", "depuis le début de l'année", "este año", "en lo que va de año",
                  "quest'anno", "questo anno", "da inizio anno"),
    "last_year": ("last year", "previous year", "letztes Jahr", "letzten Jahr", "Vorjahr", "vergangenes Jahr",
                  "année dernière", "an dernier", "année passée", "año pasado", "año anterior",
                  "anno scorso", "anno passato"),
    "all_time": (
        "all time", "all-time", "of all time", "since we opened", "since opening", "since launch",
        "since we started", "since the start", "since the beginning", "all the data", "all data",
        "whole history", "entire history", "full history",
        "seit Eröffnung", "seit Beginn", "seit Anfang", "seit dem Start", "aller Zeiten", "seit wir",
        "gesamte Historie", "gesamten Historie", "gesamten Zeitraum", "gesamter Zeitraum", "seit jeher",
        "depuis l'ouverture", "depuis le début", "depuis le lancement", "depuis toujours",
        "de tous les temps", "tout l'historique", "depuis la création",
        "desde que abrimos", "desde la apertura", "desde el principio", "desde el inicio", "desde siempre",
        "de todos los tiempos", "todo el histórico", "todo el historial", "histórico completo",
        "da quando abbiamo aperto", "dall'apertura", "dall'inizio", "da sempre", "di sempre",
        "di tutti i tempi", "tutto lo storico", "l'intero storico",
    ),
    # ---- a month by name (period: the latest one that has begun)
    "january": ("January", "Januar", "Jänner", "janvier", "enero", "gennaio"),
    "february": ("February", "Februar", "février", "febrero", "febbraio"),
    "march": ("in March", "for March", "during March", "of March", "last March", "this March", "März",
              "mars", "marzo"),
    "april": ("April", "avril", "abril", "aprile"),
    "may": ("in May", "for May", "during May", "of May", "last May", "this May", "mayo", "maggio"),
    "june": ("June", "Juni", "juin", "junio", "giugno"),
    "july": ("July", "Juli", "juillet", "julio", "luglio"),
    "august": ("August", "août", "agosto"),
    "september": ("September", "septembre", "septiembre", "setiembre", "settembre"),
    "october": ("October", "Oktober", "octobre", "octubre", "ottobre"),
    "november": ("November", "novembre", "noviembre"),
    "december": ("December", "Dezember", "décembre", "diciembre", "dicembre"),
    # ---- a look-back window of anomaly and fraud checks (since)
    "24h": ("today", "since yesterday", "last 24 hours", "past 24 hours", "24 hours", "heute", "seit gestern",
            "letzten 24 Stunden", "depuis hier", "desde ayer", "da ieri",
            "aujourd'hui", "dernières 24 heures", "hoy", "últimas 24 horas", "oggi", "ultime 24 ore"),
    "7d": ("this week", "last week", "last 7 days", "past 7 days", "past week", "diese Woche", "letzte Woche",
           "letzten 7 Tage", "letzten 7 Tagen", "cette semaine", "semaine dernière", "7 derniers jours",
           "esta semana", "semana pasada", "últimos 7 días", "questa settimana", "settimana scorsa",
           "ultimi 7 giorni"),
    "30d": ("this month", "last month", "last 30 days", "past 30 days", "past month", "diesen Monat",
            "letzten Monat", "letzten 30 Tage", "letzten 30 Tagen", "ce mois", "ce mois-ci", "mois dernier",
            "30 derniers jours", "este mes", "mes pasado", "últimos 30 días", "questo mese", "mese scorso",
            "ultimi 30 giorni"),
    "90d": ("last 90 days", "past 90 days", "last 3 months", "last three months", "this quarter",
            "letzten 90 Tage", "letzten drei Monate", "90 derniers jours", "trois derniers mois",
            "últimos 90 días", "últimos tres meses", "ultimi 90 giorni", "ultimi tre mesi"),
    # ---- what an anomaly check looks at (kind)
    "complaints": (
        "complaint", "complaints", "complaint wave", "bad reviews", "negative reviews", "unhappy customers",
        "Beschwerde", "Beschwerden", "Reklamation", "Reklamationen", "schlechte Bewertungen",
        "negative Bewertungen", "unzufriedene Kunden", "plainte", "plaintes", "réclamation", "réclamations",
        "avis négatifs", "mauvais avis", "clients mécontents", "queja", "quejas", "reclamación",
        "reclamaciones", "reseñas negativas", "malas reseñas", "clientes descontentos", "reclami",
        "lamentela", "lamentele", "recensioni negative", "clienti scontenti",
    ),
    "volume": (
        "outage", "outages", "traffic", "surge", "surges", "unusual volume", "Ausfall", "Ausfälle", "Störung",
        "Besucherzahlen", "panne", "pannes", "trafic", "caída del servicio", "tráfico", "guasto", "guasti",
        "disservizio", "traffico",
    ),
    # ---- which periods a change compares (comparison)
    "week_over_week": ("week over week", "week-over-week", "vs last week", "compared to last week",
                       "than last week", "Vorwoche", "zur Vorwoche", "semaine précédente",
                       "par rapport à la semaine dernière", "semana anterior", "respecto a la semana pasada",
                       "settimana precedente", "rispetto alla settimana scorsa"),
    "month_over_month": ("month over month", "month-over-month", "MoM", "vs last month",
                         "compared to last month", "compared with last month", "than last month",
                         "Vormonat", "zum Vormonat", "gegenüber dem Vormonat", "mois précédent",
                         "par rapport au mois dernier", "d'un mois sur l'autre", "mes anterior",
                         "respecto al mes pasado", "mes a mes", "mese precedente", "rispetto al mese scorso",
                         "mese su mese"),
    "year_over_year": ("year over year", "year-over-year", "YoY", "vs last year", "compared to last year",
                       "than last year", "Vorjahr", "zum Vorjahr", "année précédente",
                       "par rapport à l'année dernière", "año anterior", "respecto al año pasado",
                       "anno precedente", "rispetto all'anno scorso"),
    # ---- which end of a change comes first (order)
    "biggest_drop": ("drop", "dropped", "drops", "fell", "fall", "decline", "declined", "decrease",
                     "decreased", "shrank", "worst", "lost the most", "Rückgang", "gesunken", "gefallen",
                     "eingebrochen", "verloren", "baisse", "chuté", "diminué", "recul", "reculé", "caída",
                     "cayó", "bajó", "descenso", "disminuyó", "calo", "calato", "diminuito", "sceso",
                     "perso", "lost", "perdu", "perdió", "perdido"),
    # ---- which end of a ranking comes first (order)
    "lowest": ("lowest", "least", "fewest", "worst", "weakest", "bottom", "smallest", "am wenigsten",
               "wenigsten", "schwächste", "schwächsten", "schlechteste", "schlechtesten", "niedrigste",
               "niedrigsten", "le moins", "la moins", "les moins", "pire", "pires", "plus faible",
               "plus faibles", "que menos", "peor", "peores", "más bajo", "más baja", "che meno",
               "meno venduti", "meno vendute", "peggiore", "peggiori", "più basso", "più bassa"),
    "biggest_rise": ("rise", "rose", "grew", "growth", "increase", "increased", "gained", "Anstieg",
                     "gestiegen", "Wachstum", "gewachsen", "Zuwachs", "hausse", "augmenté", "augmentation",
                     "croissance", "progressé", "aumento", "aumentó", "subió", "creció", "crecimiento",
                     "crescita", "cresciuto", "aumentato", "salito"),
    # ---- a day of the week (day)
    "Monday": ("Monday", "Montag", "lundi", "lunes", "lunedì"),
    "Tuesday": ("Tuesday", "Dienstag", "mardi", "martes", "martedì"),
    "Wednesday": ("Wednesday", "Mittwoch", "mercredi", "miércoles", "mercoledì"),
    "Thursday": ("Thursday", "Donnerstag", "jeudi", "jueves", "giovedì"),
    "Friday": ("Friday", "Freitag", "vendredi", "viernes", "venerdì"),
    "Saturday": ("Saturday", "Samstag", "Sonnabend", "samedi", "sábado", "sabato", "weekend", "Wochenende",
                 "week-end", "fin de semana", "fine settimana"),
    "Sunday": ("Sunday", "Sonntag", "dimanche", "domingo", "domenica", "weekend", "Wochenende", "week-end",
               "fin de semana", "fine settimana"),
}

# Phrases that name a value only when no phrase above names another value of the same choice: "insgesamt"
# alone means all time, but "insgesamt letzte Woche" means the whole of last week.
WEAK_CHOICE_WORDS: dict[str, tuple[str, ...]] = {
    "all_time": ("ever", "in total", "insgesamt", "au total", "en total", "in totale", "in tutto"),
    "revenue": ("sales", "Verkäufe", "ventes", "ventas", "vendite",
                # money brought in, said plainly or in slang ("et niveau thunes ?", "und die Kohle?")
                "brought in", "took in", "rapporté", "thunes", "fric", "pognon", "eingebracht", "eingenommen",
                "Kohle", "Knete", "recaudado", "incassato"),
    "units": ("sold", "did we sell", "verkauft", "vendus", "vendidos", "venduti"),
    "lowest": ("menos", "meno"),  # "¿Qué región generó menos ingresos?"; also "less than" in a price cap
    # a series over time (grammar-only group_by values, tools/agent_tools/fields.TIME_GRAINS): weak, so that
    # "forecast daily units" names no ranking's grouping and stays a forecast
    "month": ("per month", "by month", "monthly", "month by month", "each month", "every month", "pro Monat",
              "je Monat", "nach Monat", "nach Monaten", "monatlich", "Monat für Monat", "par mois",
              "mois par mois", "chaque mois", "mensuel", "mensuelle", "por mes", "mes a mes", "cada mes",
              "mensual", "al mese", "per mese", "mese per mese", "ogni mese", "mensile"),
    "week": ("per week", "by week", "weekly", "week by week", "each week", "every week", "pro Woche",
             "je Woche", "nach Woche", "nach Wochen", "wöchentlich", "Woche für Woche", "par semaine",
             "semaine par semaine", "chaque semaine", "hebdomadaire", "por semana", "semana a semana",
             "cada semana", "semanal", "alla settimana", "per settimana", "settimana per settimana",
             "ogni settimana", "settimanale"),
    "day": ("per day", "by day", "daily", "day by day", "each day", "every day", "pro Tag", "je Tag",
            "nach Tag", "nach Tagen", "täglich", "Tag für Tag", "par jour", "jour par jour", "chaque jour",
            "quotidien", "quotidienne", "por día", "día a día", "cada día", "diario", "diaria", "al giorno",
            "per giorno", "giorno per giorno", "ogni giorno", "giornaliero", "giornaliera"),
}

# An order's status: named only in a question that asks for a list of orders (`LISTING`: "which were
# delivered?", "meine stornierten Bestellungen"), else the status of the order asked about ("Is my latest
# order already shipped?" asks about the latest order, and a filter on "shipped" had listed none).
LISTED_CHOICE_WORDS: dict[str, tuple[str, ...]] = {
    "delivered": ("delivered", "arrived", "received", "made it", "reached me", "zugestellt", "geliefert",
                  "angekommen", "erhalten",
                  "livrée", "livré", "reçue", "reçu", "arrivée", "entregado", "entregada", "recibido",
                  "recibida", "llegado", "entregaron", "llegaron", "recibí", "consegnato", "consegnati",
                  "consegnata", "consegnate", "arrivato", "arrivati", "ricevuto", "ricevuti"),
    "shipped": ("shipped", "dispatched", "sent out", "versandt", "verschickt", "versendet", "expédiée",
                "expédié", "envoyée", "envoyé", "enviado", "enviada", "despachado", "enviaron", "spedito",
                "spediti", "spedita", "spedite"),
    "cancelled": ("cancelled", "canceled", "storniert", "stornierten", "abgebrochen", "annulée", "annulé",
                  "cancelado", "cancelada", "anulado", "anulada", "cancelaron", "annullato", "annullati",
                  "annullata", "annullate", "cancellato", "cancellati"),
    "returned": ("returned", "sent back", "zurückgegeben", "zurückgeschickt", "retourniert", "retournée",
                 "retourné", "renvoyée", "renvoyé", "devuelto", "devuelta", "devolví", "reso", "resi",
                 "restituito", "restituiti"),
}
# A question for a list: "which", "what orders", "all my", "my cancelled orders" (plural), on plain words
LISTING = (r"\b(?:which|what orders|what purchases|all my|show me|list|welche[nrms]?|alle meine[n]?|zeig mir|"
           r"lesquel(?:le)?s|quel(?:le)?s commandes|toutes mes|tous mes|montre moi|liste|cuales|que pedidos|"
           r"todos mis|muestrame|lista|quali|quali ordini|tutti i miei|mostrami|my \w+ orders|"
           r"meine[n]? \w+ bestellungen|mes commandes \w+|mis pedidos \w+|i miei ordini \w+)\b")

# Words that are also common words of another language: they count only in a text read as their language
# (French "hier" is yesterday; German "hier" is here).
OWN_LANGUAGE_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "fr": {"yesterday": ("hier",), "may": ("mai",)},  # Italian "mai" is never
    "de": {"may": ("Mai",)},
}

# German writes a day's part into the day's word ("Freitagabend", "Samstagnacht").
for _day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"):
    _german = CHOICE_WORDS[_day][1]
    CHOICE_WORDS[_day] += tuple(_german + part for part in ("morgen", "vormittag", "mittag", "nachmittag",
                                                            "abend", "nacht"))

# Words that follow "in"/"à"/"en"/"a" with a capital and are no place: months, currencies, totals.
NOT_PLACES: frozenset[str] = frozenset((
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout",
    "septembre", "octobre", "novembre", "decembre", "enero", "febrero", "marzo", "abril", "mayo", "junio",
    "julio", "agosto", "septiembre", "setiembre", "octubre", "noviembre", "diciembre", "gennaio", "febbraio",
    "aprile", "maggio", "giugno", "luglio", "settembre", "ottobre", "dicembre",
    "euro", "euros", "dollar", "dollars", "pound", "pounds", "sterling", "dolares", "dollari", "sterline",
    "total", "totale", "summe", "gesamt", "general", "overall", "summary", "detail", "details",
))
