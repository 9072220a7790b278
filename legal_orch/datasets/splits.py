"""Fixed, declared data splits, so nothing reported is ever trained or tuned on.

CUAD contracts are split by a hash of their file name: 20% `test` (never used for training,
tuning, or the shipped precedent bank), 10% `dev` (tuning), 70% `train`.
"""

from __future__ import annotations

import hashlib
import re
from typing import Literal

Split = Literal["train", "dev", "test"]


def contract_key(filename: str) -> str:
    """Normalise a CUAD file name (PDF, TXT or CSV `Filename`) to one key."""
    name = filename.rsplit("/", 1)[-1]
    name = re.sub(r"\.(pdf|txt)$", "", name, flags=re.I)
    return name.replace("_Option Agreement", "").strip().lower()


def cuad_split(filename: str) -> Split:
    """Return the split of a CUAD contract by its file name."""
    bucket = int(hashlib.sha1(contract_key(filename).encode()).hexdigest(), 16) % 10
    if bucket < 2:
        return "test"
    if bucket == 2:
        return "dev"
    return "train"
