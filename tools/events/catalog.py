"""The demo shop's fixed facts that its data and its documents must agree on."""

from __future__ import annotations

# Product categories of the demo shop (the generator's catalogue and data/ care guides use these names).
CATEGORIES: tuple[str, ...] = (
    "Shoes", "Boots", "Outdoor Jackets", "Backpacks", "Camping Gear", "Cycling", "Fitness", "Headphones",
    "Phone Accessories", "Smartwatches", "Computer Accessories", "Home Audio", "Kitchen Appliances",
    "Cookware", "Coffee & Tea", "Bedding", "Home Decor", "Garden", "Toys & Games", "Books", "Beauty",
    "Pet Supplies", "Baby & Kids", "Sports Nutrition",
)

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
