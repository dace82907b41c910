"""The demo shop's fixed facts that its data and its documents must agree on."""

from __future__ import annotations

# Product categories of the demo shop (the generator's catalogue and data/ care guides use these names).
CATEGORIES: tuple[str, ...] = (
    "Shoes", "Boots", "Outdoor Jackets", "Backpacks", "Camping Gear", "Cycling", "Fitness", "Headphones",
    "Phone Accessories", "Smartwatches", "Computer Accessories", "Home Audio", "Kitchen Appliances",
    "Cookware", "Coffee & Tea", "Bedding", "Home Decor", "Garden", "Toys & Games", "Books", "Beauty",
    "Pet Supplies", "Baby & Kids", "Sports Nutrition",
)

# What the demo shop's customers call its categories in its five languages: the category's name and the
# nouns of what it sells (the profile's category_aliases). Words that are also everyday words of another
# language once accents are dropped ("thé" is "the", "té" is "te") or name two things ("casque": a headset or
# a helmet) are left out.
CATEGORY_ALIASES: dict[str, tuple[str, ...]] = {
    "Shoes": ("sneakers", "trainers", "running shoes", "Schuhe", "Turnschuhe", "Laufschuhe", "chaussures",
              "chaussures de course", "zapatos", "zapatillas", "scarpe", "scarpe da corsa"),
    "Boots": ("Stiefel", "Wanderstiefel", "bottes", "bottines", "botas", "stivali", "scarponi"),
    "Outdoor Jackets": ("jacket", "rain jacket", "Jacke", "Jacken", "Regenjacke", "veste", "vestes",
                        "blouson", "chaqueta", "chaquetas", "giacca", "giacche"),
    "Backpacks": ("Rucksack", "Rucksäcke", "sac à dos", "sacs à dos", "mochila", "mochilas", "zaino",
                  "zaini"),
    "Camping Gear": ("tent", "sleeping bag", "Campingausrüstung", "Zelt", "Schlafsack", "matériel de camping",
                     "tente", "sac de couchage", "equipo de camping", "tienda de campaña", "saco de dormir",
                     "attrezzatura da campeggio", "sacco a pelo"),
    "Cycling": ("bike", "bicycle", "Fahrrad", "Radsport", "Fahrradzubehör", "vélo", "cyclisme", "bicicleta",
                "ciclismo", "bici", "bicicletta"),
    "Fitness": ("dumbbells", "Hanteln", "haltères", "musculation", "mancuernas", "manubri"),
    "Headphones": ("earphones", "earbuds", "Kopfhörer", "Ohrhörer", "écouteurs", "casque audio",
                   "auriculares", "cuffie", "auricolari"),
    "Phone Accessories": ("phone case", "charger", "Handyzubehör", "Handyhülle", "Ladegerät", "coque",
                          "chargeur", "accesorios para móvil", "cargador", "custodia", "caricabatterie"),
    "Smartwatches": ("smartwatch", "fitness tracker", "Fitnesstracker", "montre connectée",
                     "montres connectées", "reloj inteligente", "relojes inteligentes", "orologio smart"),
    "Computer Accessories": ("keyboard", "webcam", "Computerzubehör", "Tastatur", "accessoires informatiques",
                             "clavier", "souris", "accesorios de informática", "teclado", "ratón",
                             "accessori per computer", "tastiera"),
    "Home Audio": ("speaker", "speakers", "Lautsprecher", "enceinte", "enceintes", "altavoz", "altavoces",
                   "altoparlante", "altoparlanti"),
    "Kitchen Appliances": ("coffee machine", "kettle", "blender", "Küchengeräte", "Kaffeemaschine",
                           "Wasserkocher", "électroménager", "machine à café", "bouilloire", "grille-pain",
                           "electrodomésticos", "cafetera", "hervidor", "tostadora", "elettrodomestici",
                           "macchina del caffè", "bollitore", "tostapane"),
    "Cookware": ("frying pan", "saucepan", "pots and pans", "Kochgeschirr", "Pfanne", "Pfannen", "Topf",
                 "Töpfe", "batterie de cuisine", "poêle", "poêles", "casserole", "casseroles",
                 "menaje de cocina", "sartén", "sartenes", "olla", "ollas", "pentola", "pentole", "padella",
                 "padelle"),
    "Coffee & Tea": ("coffee beans", "Kaffee", "Tee", "Kaffeebohnen", "café", "grains de café", "tisane",
                     "café en grano", "caffè", "caffè in grani", "tisana"),
    "Bedding": ("duvet", "bed linen", "Bettwäsche", "Bettdecke", "linge de lit", "couette", "ropa de cama",
                "edredón", "biancheria da letto", "piumone", "lenzuola"),
    "Home Decor": ("decoration", "Deko", "Dekoration", "Wohnaccessoires", "décoration", "déco", "decoración",
                   "decorazione", "decorazioni"),
    "Garden": ("gardening", "Garten", "Gartengeräte", "jardin", "jardinage", "jardín", "jardinería",
               "giardino", "giardinaggio"),
    "Toys & Games": ("toys", "board games", "Spielzeug", "Brettspiele", "jouets", "jeux de société",
                     "juguetes", "juegos de mesa", "giocattoli", "giochi da tavolo"),
    "Books": ("Bücher", "Buch", "livres", "livre", "libros", "libro", "libri"),
    "Beauty": ("cosmetics", "skincare", "Kosmetik", "Hautpflege", "beauté", "cosmétiques", "belleza",
               "cosmética", "bellezza", "cosmetici"),
    "Pet Supplies": ("dog food", "cat food", "Tierbedarf", "Hundefutter", "Katzenfutter", "animalerie",
                     "croquettes", "mascotas", "comida para perros", "animali domestici", "cibo per cani",
                     "crocchette"),
    "Baby & Kids": ("stroller", "pram", "Babyartikel", "Kinderwagen", "bébé", "puériculture", "poussette",
                    "bebé", "cochecito", "neonato", "passeggino"),
    "Sports Nutrition": ("protein powder", "Sportnahrung", "Proteinpulver", "nutrition sportive", "protéines",
                         "nutrición deportiva", "proteína", "integratori", "proteine"),
}

# Standard delivery time in business days after shipping, by ISO country (data/ shipping docs say the same).
STANDARD_DELIVERY_DAYS: dict[str, tuple[int, int]] = {
    "FR": (2, 4),
    "DE": (2, 4),
    "ES": (3, 5),
    "IT": (3, 5),
    "GB": (4, 7),
}
# The Canary Islands ship from the mainland by sea and air freight.
CANARY_DELIVERY_DAYS: tuple[int, int] = (7, 10)
FREE_SHIPPING_THRESHOLD = {"EUR": 50.0, "GBP": 45.0}
RETURN_WINDOW_DAYS = 30  # from delivery
REFUND_DAYS = 14  # from receipt of the return
