"""Guizhou's administrative divisions, loaded from the copy shipped in gigmarket/data/."""

import csv
from pathlib import Path

DIVISIONS_CSV = Path(__file__).resolve().parent / "data" / "guizhou-divisions.csv"


def read_divisions():
    """Rows (code, level, name, short_name, parent_code) in file order, parents first."""
    with DIVISIONS_CSV.open(encoding="utf-8") as fh:
        return [
            {
                "code": row["code"].strip(),
                "level": row["level"].strip(),
                "name": row["name"].strip(),
                "short_name": row["short_name"].strip(),
                "parent_code": row["parent_code"].strip() or None,
            }
            for row in csv.DictReader(fh)
        ]


def load_divisions(Division):
    """Create or update every division; never deletes. `Division` may be a historical model."""
    by_code = {}
    for row in read_divisions():
        parent = by_code.get(row["parent_code"]) if row["parent_code"] else None
        obj, _ = Division.objects.update_or_create(
            code=row["code"],
            defaults={
                "level": row["level"],
                "name": row["name"],
                "short_name": row["short_name"],
                "parent": parent,
            },
        )
        by_code[row["code"]] = obj
    return by_code
