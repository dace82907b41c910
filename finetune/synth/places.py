"""Real places of many countries with their IANA zones, for random shop profiles.

Deliberately none of the demo shop's or the second test shop's places (tests/finetune/test_synth_profiles.py
checks it), so the dialogues teach how places are asked about, not those shops' names.
"""

from __future__ import annotations

# country code -> (country name, [(region, zone, [cities])])
CATALOGUE: dict[str, tuple[str, list[tuple[str, str, list[str]]]]] = {
    "AT": (
        "Austria",
        [
            ("Tyrol", "Europe/Vienna", ["Innsbruck", "Kufstein"]),
            ("Styria", "Europe/Vienna", ["Graz", "Leoben"]),
            ("Upper Austria", "Europe/Vienna", ["Linz", "Wels"]),
            ("Vienna", "Europe/Vienna", ["Favoriten", "Ottakring"]),
        ],
    ),
    "CH": (
        "Switzerland",
        [
            ("Zurich", "Europe/Zurich", ["Winterthur", "Uster"]),
            ("Vaud", "Europe/Zurich", ["Lausanne", "Montreux"]),
            ("Ticino", "Europe/Zurich", ["Lugano", "Locarno"]),
            ("Bern", "Europe/Zurich", ["Thun", "Biel"]),
        ],
    ),
    "DE": (
        "Germany",
        [
            ("Thuringia", "Europe/Berlin", ["Erfurt", "Jena"]),
            ("Saxony-Anhalt", "Europe/Berlin", ["Magdeburg", "Halle"]),
            ("Brandenburg", "Europe/Berlin", ["Potsdam", "Cottbus"]),
            ("Schleswig-Holstein", "Europe/Berlin", ["Kiel", "Lübeck"]),
            ("Rhineland-Palatinate", "Europe/Berlin", ["Mainz", "Trier"]),
        ],
    ),
    "FR": (
        "France",
        [
            ("Normandy", "Europe/Paris", ["Rouen", "Caen"]),
            ("Burgundy", "Europe/Paris", ["Dijon", "Auxerre"]),
            ("Corsica", "Europe/Paris", ["Ajaccio", "Bastia"]),
            ("Centre-Val de Loire", "Europe/Paris", ["Orléans", "Chartres"]),
        ],
    ),
    "BE": (
        "Belgium",
        [
            ("Flanders", "Europe/Brussels", ["Antwerp", "Ghent"]),
            ("Wallonia", "Europe/Brussels", ["Liège", "Namur"]),
        ],
    ),
    "ES": (
        "Spain",
        [
            ("Galicia", "Europe/Madrid", ["Vigo", "A Coruña"]),
            ("Aragon", "Europe/Madrid", ["Zaragoza", "Huesca"]),
            ("Asturias", "Europe/Madrid", ["Oviedo", "Gijón"]),
            ("Murcia", "Europe/Madrid", ["Cartagena", "Lorca"]),
        ],
    ),
    "IT": (
        "Italy",
        [
            ("Emilia-Romagna", "Europe/Rome", ["Bologna", "Parma"]),
            ("Liguria", "Europe/Rome", ["Genoa", "La Spezia"]),
            ("Sardinia", "Europe/Rome", ["Cagliari", "Sassari"]),
            ("Apulia", "Europe/Rome", ["Bari", "Lecce"]),
        ],
    ),
    "PT": (
        "Portugal",
        [
            ("Norte", "Europe/Lisbon", ["Porto", "Braga"]),
            ("Algarve", "Europe/Lisbon", ["Faro", "Lagos"]),
            ("Madeira", "Atlantic/Madeira", ["Funchal", "Machico"]),
        ],
    ),
    "NL": (
        "Netherlands",
        [
            ("North Holland", "Europe/Amsterdam", ["Haarlem", "Zaandam"]),
            ("Utrecht", "Europe/Amsterdam", ["Amersfoort", "Zeist"]),
            ("Groningen", "Europe/Amsterdam", ["Delfzijl", "Veendam"]),
        ],
    ),
    "PL": (
        "Poland",
        [
            ("Masovia", "Europe/Warsaw", ["Warsaw", "Radom"]),
            ("Lesser Poland", "Europe/Warsaw", ["Kraków", "Tarnów"]),
            ("Pomerania", "Europe/Warsaw", ["Gdańsk", "Gdynia"]),
        ],
    ),
    "SE": (
        "Sweden",
        [
            ("Stockholm County", "Europe/Stockholm", ["Stockholm", "Södertälje"]),
            ("Skåne", "Europe/Stockholm", ["Malmö", "Lund"]),
        ],
    ),
    "IE": (
        "Ireland",
        [
            ("Leinster", "Europe/Dublin", ["Dublin", "Kilkenny"]),
            ("Munster", "Europe/Dublin", ["Cork", "Limerick"]),
        ],
    ),
    "CA": (
        "Canada",
        [
            ("Quebec", "America/Toronto", ["Montreal", "Quebec City"]),
            ("Ontario", "America/Toronto", ["Toronto", "Ottawa"]),
            ("British Columbia", "America/Vancouver", ["Vancouver", "Victoria BC"]),
            ("Alberta", "America/Edmonton", ["Calgary", "Edmonton"]),
        ],
    ),
    "US": (
        "United States",
        [
            ("Georgia", "America/New_York", ["Atlanta", "Savannah"]),
            ("Ohio", "America/New_York", ["Columbus", "Cleveland"]),
            ("Nevada", "America/Los_Angeles", ["Las Vegas", "Reno"]),
            ("Minnesota", "America/Chicago", ["Minneapolis", "Duluth"]),
            ("Utah", "America/Denver", ["Salt Lake City", "Provo"]),
        ],
    ),
    "MX": (
        "Mexico",
        [
            ("Jalisco", "America/Mexico_City", ["Guadalajara", "Zapopan"]),
            ("Nuevo León", "America/Monterrey", ["Monterrey", "San Pedro"]),
            ("Yucatán", "America/Merida", ["Mérida", "Valladolid"]),
        ],
    ),
    "AR": (
        "Argentina",
        [
            ("Córdoba", "America/Argentina/Cordoba", ["Villa María", "Río Cuarto"]),
            ("Mendoza", "America/Argentina/Mendoza", ["San Rafael", "Godoy Cruz"]),
        ],
    ),
    "BR": (
        "Brazil",
        [
            ("São Paulo", "America/Sao_Paulo", ["Campinas", "Santos"]),
            ("Bahia", "America/Bahia", ["Salvador", "Ilhéus"]),
            ("Amazonas", "America/Manaus", ["Manaus", "Parintins"]),
        ],
    ),
    "JP": (
        "Japan",
        [
            ("Kanto", "Asia/Tokyo", ["Yokohama", "Chiba"]),
            ("Kansai", "Asia/Tokyo", ["Osaka", "Kobe"]),
            ("Hokkaido", "Asia/Tokyo", ["Sapporo", "Hakodate"]),
        ],
    ),
    "ZA": (
        "South Africa",
        [
            ("Gauteng", "Africa/Johannesburg", ["Pretoria", "Soweto"]),
            ("Western Cape", "Africa/Johannesburg", ["Cape Town", "Stellenbosch"]),
        ],
    ),
    "NZ": (
        "New Zealand",
        [
            ("Auckland Region", "Pacific/Auckland", ["North Shore", "Manukau"]),
            ("Canterbury", "Pacific/Auckland", ["Christchurch", "Timaru"]),
        ],
    ),
    "KR": (
        "South Korea",
        [
            ("Gyeonggi", "Asia/Seoul", ["Suwon", "Seongnam"]),
            ("Busan Metropolitan", "Asia/Seoul", ["Haeundae", "Busanjin"]),
        ],
    ),
}

CURRENCIES = ("EUR", "USD", "GBP", "CHF", "SEK", "PLN", "JPY", "CAD", "BRL", "MXN", "AUD", "ZAR", "NZD")
