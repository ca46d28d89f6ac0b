"""Regenerates the retail sample landing files (deterministic: fixed seed)."""

import json
import random
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).parent / "landing"
rng = random.Random(42)
COUNTRIES = ["DE", "FR", "NL", "ES", "IT", "PL"]
CATEGORIES = ["books", "games", "garden", "kitchen"]
START = datetime(2026, 11, 1, 8, 0, 0)


def ts(d: datetime) -> str:
    return d.strftime("%Y-%m-%d %H:%M:%S")


def customers() -> None:
    rows = []
    for i in range(1, 31):
        rows.append({
            "customer_id": f"C{i:03d}",
            "email": f"customer{i}@example.com",
            "full_name": f"Customer {i}",
            "country": COUNTRIES[i % len(COUNTRIES)],
            "signup_date": f"2025-{(i % 12) + 1:02d}-{(i % 27) + 1:02d}",
            "updated_at": ts(START - timedelta(days=i)),
        })
    rows[4]["email"] = "not-an-email"
    rows[7]["country"] = "DEU"
    out = HERE / "customers" / "customers_2026-11-01.jsonl"
    out.write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in rows))


def products() -> None:
    rows = []
    for i in range(1, 13):
        rows.append({
            "product_id": f"P{i:02d}",
            "name": f"Product {i}",
            "category": CATEGORIES[i % len(CATEGORIES)],
            "list_price": round(5 + i * 7.25, 2),
            "tags": [CATEGORIES[i % len(CATEGORIES)], "new" if i > 9 else "classic"],
        })
    rows[11]["list_price"] = None
    out = HERE / "products" / "products_2026-11-01.jsonl"
    out.write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in rows))


def orders() -> None:
    header = ["order_id", "customer_id", "product_id", "quantity", "unit_price", "status",
              "order_ts", "updated_at"]
    first = []
    for i in range(1, 121):
        t = START + timedelta(hours=i * 3)
        pid = rng.randint(1, 12)
        first.append([f"O{i:05d}", f"C{rng.randint(1, 30):03d}", f"P{pid:02d}",
                      str(rng.randint(1, 5)), f"{5 + pid * 7.25:.2f}",
                      rng.choice(["placed", "shipped", "delivered", "delivered", "cancelled"]),
                      ts(t), ts(t)])
    first[10][3] = "0"          # dropped by the silver 'between' check
    first[20][5] = "lost"       # quarantined by the silver 'accepted_values' check
    lines = [",".join(header)] + [",".join(r) for r in first]
    (HERE / "orders" / "orders_2026-11-01.csv").write_text("\n".join(lines) + "\n")
    # Second export: columns in another order, updates, one stale update, one deletion.
    order2 = ["updated_at", "order_id", "status", "customer_id", "product_id", "quantity",
              "unit_price", "order_ts"]
    second = []
    for i in (3, 4, 5):
        r = dict(zip(header, first[i - 1]))
        r["status"] = "delivered"
        r["updated_at"] = ts(START + timedelta(days=30, hours=i))
        second.append(r)
    stale = dict(zip(header, first[5]))            # O00006, older than its first version
    stale["status"] = "placed"
    stale["updated_at"] = ts(START - timedelta(days=1))
    second.append(stale)
    gone = dict(zip(header, first[6]))             # O00007 is retracted
    gone["status"] = "deleted"
    gone["updated_at"] = ts(START + timedelta(days=31))
    second.append(gone)
    for i in range(121, 131):
        t = START + timedelta(days=20, hours=i)
        pid = rng.randint(1, 12)
        second.append({"order_id": f"O{i:05d}", "customer_id": f"C{rng.randint(1, 30):03d}",
                       "product_id": f"P{pid:02d}", "quantity": str(rng.randint(1, 5)),
                       "unit_price": f"{5 + pid * 7.25:.2f}", "status": "placed",
                       "order_ts": ts(t), "updated_at": ts(t)})
    second[-1]["quantity"] = "three"  # bad row: quarantined at ingestion
    lines = [",".join(order2)] + [",".join(r[c] for c in order2) for r in second]
    (HERE / "orders" / "orders_2026-11-02.csv").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    customers()
    products()
    orders()
