"""Train an arquote token classifier from a config file.

    python training/train.py --config training/configs/e5small_offline.json
    python training/train.py --config training/configs/arabertv02.json --set epochs=5
    accelerate launch training/train.py --config training/configs/arabertv02.json

A thin wrapper over :func:`arquote.train.train` (the same as ``arquote train``).
"""

import sys

from arquote.cli import main

if __name__ == "__main__":
    sys.exit(main(["train", *sys.argv[1:]]))
