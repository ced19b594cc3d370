"""Write schemas/*.schema.json: the JSON Schema of every run-directory file, generated
from archbench's pydantic models (`harness.export.schemas`).

    python3 scripts/make_schemas.py           # write them
    python3 scripts/make_schemas.py --check   # exit 1 if a committed one is out of date

tests/test_export.py checks the committed schemas too, so CI fails when a model changes
and the schemas were not regenerated.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's harness, whatever is installed

from harness.export.schemas import schema_texts  # noqa: E402

SCHEMA_DIR = ROOT / "schemas"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    SCHEMA_DIR.mkdir(exist_ok=True)
    for name, text in schema_texts().items():
        path = SCHEMA_DIR / name
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        stale.append(name)
        if not check:
            path.write_text(text, encoding="utf-8")
    if check and stale:
        print(f"out of date: {', '.join(stale)} (run python3 scripts/make_schemas.py)")
        return 1
    print(f"{'stale' if check else 'written'}: {len(stale)} of {len(schema_texts())} schemas")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
