"""Importer presets for the real public data sets in `../shared/data` (see its SOURCES.md).

`chronotope data ingest FILE --preset NAME` uses them; `--map/--set` flags refine a preset.

- `online-retail`: UCI "Online Retail" (Daqing Chen, 2015; UCI Machine Learning Repository, CC BY 4.0),
  https://archive.ics.uci.edu/dataset/352/online+retail. Transactions of a UK-based online gift shop,
  2010-2011; the shared folder holds the France and Germany subsets.
- `online-shoppers`: UCI "Online Shoppers Purchasing Intention Dataset" (C. Okan Sakar and Yomi Kastro,
  2018; UCI Machine Learning Repository, CC BY 4.0), https://archive.ics.uci.edu/dataset/468. One row per
  browsing session, with whether it ended in a purchase.
"""

from __future__ import annotations

from tools.events.mapping import ColumnMapping, IngestError, Preset

CC_BY = "licensed CC BY 4.0"

# Online Retail --------------------------------------------------------------------------------------------
# Each line of an invoice is one event. Invoices numbered "C..." (negative Quantity) are cancellations and
# become refunds carrying the positive quantity, as the store's refunds do. Prices are in pounds sterling:
# the shop sells from the UK, and the data set states UnitPrice "in sterling". InvoiceDate is UK local time
# (minute precision). The data has countries only, so region, city and coordinates stay empty. Lines without
# a CustomerID (guest checkouts) are rejected as "missing user_id": every event needs a user.
ONLINE_RETAIL = Preset(
    name="online-retail",
    description="UCI Online Retail transactions (invoice lines; cancellations become refunds; GBP, UK time).",
    credit="UCI Online Retail, Daqing Chen (2015), UCI Machine Learning Repository, " + CC_BY,
    mapping=ColumnMapping(
        columns={
            "event_time": "InvoiceDate",
            "event_type": "_event_type",
            "user_id": "CustomerID",
            "product_id": "StockCode",
            "quantity": "Quantity",
            "price": "UnitPrice",
            "country": "Country",
            "order_id": "InvoiceNo",
        },
        constants={"currency": "GBP", "channel": "import"},
        time_format="%m/%d/%Y %H:%M",
        source_tz="Europe/London",
    ),
    derive=(
        'CASE WHEN starts_with("InvoiceNo", \'C\') OR TRY_CAST("Quantity" AS DOUBLE) < 0 '
        "THEN 'refund' ELSE 'purchase' END AS _event_type"
    ),
)

# Online Shoppers ------------------------------------------------------------------------------------------
# A row is a session with only its Month and whether it fell on a Weekend; the data set does not publish the
# year, and its regions are anonymised codes 1-9 with no place names. So, documented choices:
# - Year SHOPPERS_YEAR. The day is drawn among the month's weekend days (Weekend=TRUE) or weekdays, the second
#   of the day uniformly: both from md5 of (SHOPPERS_SEED, row number), so every run gives the same times.
# - Region "UCI region N", an opaque label with no country and no zone: its places are read on UTC
#   (`place_tz`), the clock the synthetic times are drawn on.
# - Each row is one user and one session ("each session belongs to a different user", says the data set):
#   user "uci-shopper-<row>", session "uci-session-<row>". The session start is a `view` event; Revenue=TRUE
#   adds a `purchase` at the end of the session (start + the three *_Duration columns, in seconds).
# - Page counts, bounce/exit rates, PageValues, browser, OS, TrafficType and VisitorType are not events and
#   are not kept.
SHOPPERS_YEAR = 2017
SHOPPERS_SEED = 20180101
_MONTHS = "['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']"
_MONTH_START = f'make_date({SHOPPERS_YEAR}, list_position({_MONTHS}, lower(left(trim("Month"), 3))), 1)'
_MONTH_END = f"{_MONTH_START} + INTERVAL 1 MONTH - INTERVAL 1 DAY"
_DAYS = (
    f"list_filter(generate_series({_MONTH_START}, {_MONTH_END}, INTERVAL 1 DAY), "
    "lambda d: (dayofweek(d) IN (0, 6)) = (upper(trim(\"Weekend\")) = 'TRUE'))"
)


def _draw(salt: str) -> str:
    return f"md5_number_lower('{SHOPPERS_SEED}:{salt}:' || _row)"


ONLINE_SHOPPERS = Preset(
    name="online-shoppers",
    description="UCI Online Shoppers sessions: a view per session, a purchase where Revenue is TRUE "
                "(synthetic times).",
    credit="UCI Online Shoppers Purchasing Intention, C. Okan Sakar and Yomi Kastro (2018), "
           "UCI ML Repository, " + CC_BY,
    mapping=ColumnMapping(
        columns={
            "event_time": "_event_time",
            "user_id": "_user",
            "session_id": "_session",
            "region": "_region",
        },
        constants={"event_type": "view", "channel": "web"},
        place_tz="UTC",
    ),
    derive=", ".join(
        [
            (
                f"timezone('UTC', CAST(list_element({_DAYS}, CAST(1 + {_draw('day')} % len({_DAYS}) "
                "AS INTEGER)) AS TIMESTAMP)"
                f" + to_microseconds(CAST({_draw('second')} % 86400 AS BIGINT) * 1000000)) AS _event_time"
            ),
            "'uci-shopper-' || _row AS _user",
            "'uci-session-' || _row AS _session",
            "'UCI region ' || trim(\"Region\") AS _region",
            "upper(trim(\"Revenue\")) = 'TRUE' AS _revenue",
            (
                'greatest(0, COALESCE(TRY_CAST("Administrative_Duration" AS DOUBLE), 0)'
                ' + COALESCE(TRY_CAST("Informational_Duration" AS DOUBLE), 0)'
                ' + COALESCE(TRY_CAST("ProductRelated_Duration" AS DOUBLE), 0)) AS _duration'
            ),
        ]
    ),
    carry=("_revenue", "_duration"),
    expand=(
        "SELECT * EXCLUDE (_revenue, _duration) FROM accepted "
        "UNION ALL SELECT * EXCLUDE (_revenue, _duration) REPLACE ("
        "event_time + to_microseconds(CAST(round(_duration * 1000000) AS BIGINT)) AS event_time, "
        "'purchase' AS event_type) FROM accepted WHERE _revenue"
    ),
)

PRESETS: dict[str, Preset] = {p.name: p for p in (ONLINE_RETAIL, ONLINE_SHOPPERS)}


def get_preset(name: str) -> Preset:
    """The importer preset called `name`."""
    try:
        return PRESETS[name]
    except KeyError:
        raise IngestError(f"Unknown preset {name!r}. Presets: {', '.join(PRESETS)}.") from None
