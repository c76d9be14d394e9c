"""Label unlabelled news with the rule engine and keep the confident documents (silver data).

A thin wrapper around :func:`arquote.rules.make_silver` (the filter is documented there and
in ``docs/rules.md``). The output is not committed.

Usage:
    python training/make_silver.py --corpus ../shared/corpus/*.jsonl.gz --out silver.jsonl --limit 20000
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from arquote.rules.silver import _main  # noqa: E402

if __name__ == "__main__":
    sys.exit(_main())
