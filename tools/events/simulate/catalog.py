"""The generator's catalogue: believable products, drawn from a seeded generator.

Products get a name ("Trailblazer GTX Hiking Boot"), a two-sentence description naming materials and use,
a price typical of their category (in the shop's currency, and in each currency its shoppers pay in),
stock and a launch date. Customers: `population`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

# category -> (price range in the shop's currency, brands, models, nouns, materials, uses)
_CATEGORY_FACTS: dict[str, tuple[tuple[float, float], list[str], list[str], list[str], list[str],
                                 list[str]]] = {
    "Shoes": ((35, 160), ["Stridewell", "Urbanlane", "Pacer", "Corsa"],
              ["Air", "Flow", "Classic", "Glide", "Pro", "Street"],
              ["Running Shoe", "Sneaker", "Trail Runner", "Loafer", "Court Shoe", "Slip-On"],
              ["breathable mesh and a recycled rubber sole", "full-grain leather",
               "knitted polyester with EVA cushioning"],
              ["daily runs and long city walks", "the office and weekends alike",
               "gym sessions and light trails"]),
    "Boots": ((70, 240), ["Trailblazer", "Northfell", "Ridgeline", "Bergmann"],
              ["GTX", "Summit", "Alpine", "Storm", "Classic", "Explorer"],
              ["Hiking Boot", "Chelsea Boot", "Winter Boot", "Work Boot", "Walking Boot", "Ankle Boot"],
              ["waterproof nubuck with a breathable membrane", "oiled leather and a Vibram-style outsole",
               "suede with a warm fleece lining"],
              ["muddy hill walks and rainy commutes", "snowy pavements and cold mornings",
               "long days on site or on the trail"]),
    "Outdoor Jackets": ((60, 320), ["Northfell", "Glacier Line", "Windrose", "Kestrel"],
                        ["Storm", "Packable", "Insulated", "3L", "Summit", "Light"],
                        ["Rain Jacket", "Down Jacket", "Softshell", "Parka", "Windbreaker", "Fleece Jacket"],
                        ["a three-layer waterproof shell with taped seams", "responsibly sourced duck down",
                         "stretch softshell with a DWR finish"],
                        ["wet hikes and windy ridges", "winter city days", "cycling to work in any weather"]),
    "Backpacks": ((25, 180), ["Trekmate", "Urbanpack", "Kestrel", "Voyager"],
                  ["20L", "30L", "45L", "Roll-Top", "Commuter", "Day"],
                  ["Daypack", "Hiking Pack", "Laptop Backpack", "Travel Pack", "Hydration Pack"],
                  ["ripstop nylon with a padded back panel", "water-resistant recycled polyester",
                   "waxed canvas and leather trims"],
                  ["day hikes and weekend trips", "the daily commute with a laptop", "carry-on travel"]),
    "Camping Gear": ((9, 350), ["Campfire", "Trekmate", "Starlight", "Basecamp"],
                     ["Lite", "2P", "3-Season", "Ultra", "Family", "Compact"],
                     ["Tent", "Sleeping Bag", "Camping Stove", "Sleeping Mat", "Headlamp", "Camp Chair",
                      "Lantern"],
                     ["lightweight ripstop polyester and aluminium poles",
                      "synthetic insulation rated to -5 C", "anodised aluminium"],
                     ["festival weekends and wild camping", "three-season backpacking", "family campsites"]),
    "Cycling": ((8, 420), ["Velocita", "Pedalworks", "Roadline", "Spoke & Co"],
                ["Aero", "Gravel", "City", "Pro", "Comfort", "Race"],
                ["Helmet", "Bike Light Set", "Cycling Jersey", "Bike Lock", "Saddle", "Pump",
                 "Bike Computer"],
                ["in-mould polycarbonate with MIPS protection", "hardened steel",
                 "quick-dry recycled polyester"],
                ["commuting after dark", "long road rides", "gravel and city riding"]),
    "Fitness": ((6, 260), ["Corefit", "Ironline", "Flexa", "Pulse"],
                ["Home", "Pro", "Studio", "Adjustable", "Grip", "Eco"],
                ["Yoga Mat", "Dumbbell Set", "Resistance Bands", "Kettlebell", "Foam Roller", "Jump Rope",
                 "Pull-Up Bar"],
                ["natural rubber with a non-slip surface", "cast iron with a neoprene coating",
                 "latex-free elastic"],
                ["home workouts", "yoga and pilates classes", "strength training in small spaces"]),
    "Headphones": ((15, 380), ["Sonique", "Aurafon", "Beatline", "Hushwave"],
                   ["ANC", "Air", "Studio", "Sport", "Pro", "Mini"],
                   ["Wireless Earbuds", "Over-Ear Headphones", "Sport Earphones",
                    "Noise-Cancelling Headphones", "Kids Headphones"],
                   ["memory-foam ear cushions and an aluminium frame", "sweat-resistant silicone tips",
                    "recycled plastics and soft protein leather"],
                   ["commutes and flights", "workouts and runs", "focused work at home"]),
    "Phone Accessories": ((3, 70), ["Chargo", "Shieldy", "Linkit", "Voltra"],
                         ["Slim", "Fast", "Rugged", "Clear", "Mag", "Duo"],
                         ["Phone Case", "USB-C Cable", "Screen Protector", "Wireless Charger", "Car Mount",
                          "Power Bank", "Cleaning Wipes"],
                         ["shock-absorbing TPU", "braided nylon", "9H tempered glass"],
                         ["everyday protection", "charging at home and in the car",
                          "keeping screens clean on the go"]),
    "Smartwatches": ((40, 450), ["Tempo", "Pulsar Fit", "Chronos", "Wristly"],
                     ["Active", "GPS", "Lite", "Pro", "Classic", "Kids"],
                     ["Smartwatch", "Fitness Tracker", "Running Watch", "Watch Strap"],
                     ["an aluminium case and a silicone strap", "sapphire glass and a titanium case",
                      "a lightweight polymer case"],
                     ["tracking runs and sleep", "notifications on the go", "outdoor navigation"]),
    "Computer Accessories": ((7, 220), ["Keystone", "Clickwise", "Datalink", "Deskpro"],
                             ["Wireless", "Ergo", "Mechanical", "Slim", "USB-C", "Quiet"],
                             ["Keyboard", "Mouse", "USB Hub", "Webcam", "Laptop Stand", "Monitor Light",
                              "Mouse Pad"],
                             ["brushed aluminium", "recycled ABS with PBT keycaps", "soft-touch plastic"],
                             ["long days at the desk", "hybrid work and video calls",
                              "gaming and creative work"]),
    "Home Audio": ((30, 600), ["Sonique", "Roomtone", "Aurafon", "Hearth"],
                   ["Mini", "Max", "Stereo", "Smart", "Retro", "360"],
                   ["Bluetooth Speaker", "Soundbar", "Smart Speaker", "Turntable", "Radio"],
                   ["a wood-fibre cabinet and fabric grille", "an aluminium body with a passive radiator",
                    "walnut veneer"],
                   ["parties in the garden", "films and music in the living room", "kitchen radio mornings"]),
    "Kitchen Appliances": ((25, 480), ["Cucina", "Brewmaster", "Kitchenly", "Hausfein"],
                           ["Pro", "Compact", "Digital", "Classic", "XL", "Eco"],
                           ["Blender", "Air Fryer", "Toaster", "Kettle", "Stand Mixer", "Espresso Machine",
                            "Food Processor"],
                           ["brushed stainless steel", "BPA-free Tritan and steel blades",
                            "enamelled die-cast metal"],
                           ["quick weekday meals", "weekend baking", "smoothies and soups"]),
    "Cookware": ((12, 260), ["Cucina", "Forge & Pan", "Castella", "Hausfein"],
                 ["Classic", "Pro", "Induction", "Ceramic", "Chef", "5-Piece"],
                 ["Frying Pan", "Saucepan Set", "Dutch Oven", "Wok", "Knife Set", "Chopping Board",
                  "Baking Tray"],
                 ["tri-ply stainless steel", "enamelled cast iron",
                  "a ceramic non-stick coating free of PFAS"],
                 ["everyday cooking on any hob", "slow braises and bread", "stir-fries and searing"]),
    "Coffee & Tea": ((3, 60), ["Brewmaster", "Leafhouse", "Tostado", "Kettle & Co"],
                     ["Single Origin", "Organic", "Decaf", "Espresso", "Breakfast", "Green"],
                     ["Coffee Beans 500g", "Ground Coffee", "Loose Leaf Tea", "Tea Sampler", "French Press",
                      "Pour-Over Kit", "Coffee Capsules"],
                     ["organic arabica beans roasted weekly", "whole-leaf tea in a resealable tin",
                      "borosilicate glass and steel"],
                     ["slow weekend mornings", "a proper office brew", "gifts for tea lovers"]),
    "Bedding": ((15, 280), ["Dreamwell", "Linen & Loom", "Nordnest", "Cotonia"],
                ["Percale", "Sateen", "Linen", "All-Season", "Cooling", "Organic"],
                ["Duvet", "Pillow", "Duvet Cover Set", "Fitted Sheet", "Mattress Topper", "Throw Blanket"],
                ["400-thread-count organic cotton", "stone-washed French linen", "hollow-fibre filling"],
                ["restful nights all year", "warm summer nights", "guest rooms and quick changes"]),
    "Home Decor": ((8, 220), ["Casa Lumo", "Hearth", "Nordnest", "Atelier"],
                   ["Boho", "Nordic", "Ceramic", "Rattan", "Vintage", "Minimal"],
                   ["Table Lamp", "Vase", "Wall Mirror", "Scented Candle", "Cushion Cover", "Picture Frame",
                    "Rug"],
                   ["hand-glazed ceramic", "natural rattan", "soy wax with cotton wicks"],
                   ["a cosy living room", "bedroom corners and hallways", "gifts and housewarmings"]),
    "Garden": ((5, 350), ["Greenthumb", "Verdant", "Hedgerow", "Jardin"],
               ["Pro", "Cordless", "Compact", "Classic", "Solar", "XL"],
               ["Hose Reel", "Pruning Shears", "Raised Bed", "Solar Lights", "Lawn Mower", "Seed Kit",
                "Watering Can"],
               ["powder-coated steel", "FSC-certified larch wood", "UV-stable recycled plastic"],
               ["balconies and small gardens", "spring planting", "summer evenings outside"]),
    "Toys & Games": ((6, 120), ["Playwise", "Tinker Town", "Brightbox", "Meeple & Co"],
                     ["Junior", "Deluxe", "Family", "Travel", "Classic", "STEM"],
                     ["Board Game", "Building Blocks", "Puzzle 1000 Pieces", "Remote Control Car",
                      "Card Game", "Science Kit"],
                     ["FSC-certified wood and water-based paints", "durable recycled ABS",
                      "thick board and linen-finish cards"],
                     ["family game nights", "rainy afternoons", "curious kids aged 6 and up"]),
    "Books": ((6, 40), ["Harbour Press", "Lantern Books", "Quill House", "Meridian"],
              ["Paperback", "Hardback", "Illustrated", "Pocket", "Collector's", "Large Print"],
              ["Novel", "Cookbook", "Travel Guide", "Thriller", "Field Guide", "Children's Book",
               "Biography"],
              ["acid-free paper with a sewn binding", "a soft-touch cover", "full-colour photography"],
              ["long train journeys", "cosy evenings in", "curious cooks and travellers"]),
    "Beauty": ((4, 90), ["Lumiere", "Botanica", "Purely", "Velvet Bloom"],
               ["Hydra", "Vitamin C", "Sensitive", "Night", "Glow", "Mineral"],
               ["Face Serum", "Moisturiser", "Lip Balm", "Shampoo", "Sunscreen SPF50", "Hand Cream",
                "Cleanser"],
               ["plant oils and hyaluronic acid", "fragrance-free mineral filters", "shea butter and aloe"],
               ["daily skincare routines", "sensitive skin", "sunny holidays"]),
    "Pet Supplies": ((3, 150), ["Pawfect", "Happy Tails", "Whisker", "Barkley"],
                     ["Comfort", "Chew-Proof", "Grain-Free", "Large", "Small", "Travel"],
                     ["Dog Bed", "Cat Tree", "Dog Treats", "Leash", "Pet Carrier", "Cat Toy Set",
                      "Food Bowl"],
                     ["washable orthopaedic foam", "natural rubber and recycled rope",
                      "human-grade chicken and sweet potato"],
                     ["dogs of every size", "indoor cats", "trips to the vet and the park"]),
    "Baby & Kids": ((5, 300), ["Little Steps", "Cuddle & Co", "Tiny Trail", "Bambino"],
                    ["Comfort", "Organic", "Convertible", "Travel", "Soft", "Deluxe"],
                    ["Baby Carrier", "Stroller Organiser", "Muslin Set", "High Chair", "Kids Raincoat",
                     "Night Light"],
                    ["GOTS organic cotton", "BPA-free plastics and beech wood",
                     "breathable mesh and padded straps"],
                    ["newborns and toddlers", "busy days out", "bedtime routines"]),
    "Sports Nutrition": ((3, 70), ["Fuelworks", "Pureform", "Enduro", "Vitalis"],
                         ["Whey", "Vegan", "Electrolyte", "Recovery", "Energy", "Zero"],
                         ["Protein Powder 1kg", "Energy Bar", "Electrolyte Tabs", "Creatine",
                          "Protein Bar Box", "Energy Gel"],
                         ["grass-fed whey isolate", "pea and rice protein",
                          "natural flavours with no added sugar"],
                         ["post-workout recovery", "long runs and rides",
                          "busy days with little time to eat"]),
}

_FEATURES = [
    "Backed by a two-year warranty.", "Designed and tested by our product team.",
    "Customers love the fit and finish.", "Packed in plastic-free, recyclable packaging.",
    "A best-seller in its range for a reason.", "Easy to clean and built to last.",
]

# Category-level popularity (how much of the shop's traffic a category draws).
CATEGORY_POPULARITY: dict[str, float] = {
    "Shoes": 1.6, "Boots": 1.0, "Outdoor Jackets": 1.1, "Backpacks": 0.9, "Camping Gear": 0.8, "Cycling": 0.8,
    "Fitness": 1.0, "Headphones": 1.4, "Phone Accessories": 1.5, "Smartwatches": 0.9,
    "Computer Accessories": 1.0, "Home Audio": 0.7, "Kitchen Appliances": 1.0, "Cookware": 0.9,
    "Coffee & Tea": 1.2, "Bedding": 0.8, "Home Decor": 0.9, "Garden": 0.8, "Toys & Games": 1.0, "Books": 1.1,
    "Beauty": 1.2, "Pet Supplies": 0.9, "Baby & Kids": 0.7, "Sports Nutrition": 0.8,
}

@dataclass
class Catalog:
    """Products as parallel arrays (index i is product id P{i+1:04d})."""

    ids: np.ndarray  # str
    names: np.ndarray  # str
    categories: tuple[str, ...]  # the shop's categories, in its order
    category: np.ndarray  # int index into `categories`
    description: np.ndarray  # str
    prices: np.ndarray  # [K, P] list price in each currency shoppers pay in (the shop's first)
    stock: np.ndarray
    launched_at: np.ndarray  # datetime64[s]
    popularity: np.ndarray  # relative demand weight
    quality: np.ndarray  # mean review rating
    noun: np.ndarray  # what the product is, for review texts ("Hiking Boot")

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def price(self) -> np.ndarray:
        """List price in the shop's currency."""
        return self.prices[0]

    def table(self, currency: str) -> pa.Table:
        return pa.table({
            "product_id": self.ids, "name": self.names, "category": np.array(self.categories)[self.category],
            "description": self.description, "price": self.price, "currency": [currency] * len(self),
            "stock": self.stock.astype(np.int32),
            "launched_at": pa.array(self.launched_at.astype("datetime64[us]"), pa.timestamp("us", tz="UTC")),
        })


def _shop_price(raw: np.ndarray) -> np.ndarray:
    """Round to a shop price ending in .99 (or .49 under 10)."""
    whole = np.floor(raw)
    return np.where(raw < 10, whole + np.where(raw - whole < 0.5, 0.49, 0.99), whole + 0.99)


def make_catalog(
    rng: np.random.Generator, n_products: int, launch_span: tuple[np.datetime64, np.datetime64],
    price_factor: np.ndarray, categories: tuple[str, ...],
) -> Catalog:
    """`n_products` products spread evenly over `categories`, launched before `launch_span[0]` unless set
    later; priced in each currency at `price_factor` units per unit of the shop's (the first, 1)."""
    n_cat = len(categories)
    category = np.arange(n_products) % n_cat
    rng.shuffle(category)
    names, nouns_used, descriptions, prices = [], [], [], []
    used: set[str] = set()
    for cat_idx in category:
        (lo, hi), brands, models, nouns, materials, uses = _CATEGORY_FACTS[categories[cat_idx]]
        for attempt in range(200):
            noun = str(rng.choice(nouns))
            name = f"{rng.choice(brands)} {rng.choice(models)} {noun}"
            if name not in used:
                break
        else:  # every combination is taken: number the edition
            name = f"{name} Edition {len(used)}"
        used.add(name)
        names.append(name)
        nouns_used.append(noun)
        descriptions.append(
            f"The {name} is made from {rng.choice(materials)}, built for {rng.choice(uses)}. "
            f"{rng.choice(_FEATURES)}"
        )
        # log-uniform within the category's range, so cheap items are common and premium ones rare-ish
        prices.append(float(np.exp(rng.uniform(np.log(lo), np.log(hi)))))
    price = _shop_price(np.array(prices))
    paid = np.array([price if factor == 1 else _shop_price(price * factor) for factor in price_factor])
    # Popularity: category weight x a lognormal per product (a long tail of slow sellers).
    cat_pop = np.array([CATEGORY_POPULARITY[c] for c in categories])[category]
    popularity = cat_pop * rng.lognormal(0.0, 0.9, n_products) / np.sqrt(price / 40 + 0.5)
    stock = rng.integers(5, 400, n_products)
    stock[rng.random(n_products) < 0.03] = 0
    first, _ = launch_span
    launched = first - rng.integers(30, 4 * 365, n_products).astype("timedelta64[D]")
    launched = (launched.astype("datetime64[s]")
                + rng.integers(8 * 3600, 18 * 3600, n_products).astype("timedelta64[s]"))
    quality = np.clip(rng.normal(4.15, 0.3, n_products), 3.3, 4.8)
    return Catalog(
        ids=np.array([f"P{i + 1:04d}" for i in range(n_products)]), names=np.array(names),
        categories=categories, category=category,
        description=np.array(descriptions), prices=paid, stock=stock,
        launched_at=launched, popularity=popularity, quality=quality, noun=np.array(nouns_used),
    )
