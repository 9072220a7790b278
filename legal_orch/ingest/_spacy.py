"""Import spaCy without torch: thinc imports torch when it is installed (~300 MB, ~1.5 s), and a
review never needs it (the sentencizer is rule-based; embeddings run on onnxruntime).

torch is only needed to export the MiniLM model to ONNX once; that import still works afterwards.
"""

from __future__ import annotations

import sys
from types import ModuleType


def import_spacy() -> ModuleType:
    """Return the spacy module, imported with torch hidden from thinc if torch is not loaded."""
    if "spacy" in sys.modules or "torch" in sys.modules:
        import spacy

        return spacy
    sys.modules["torch"] = None  # type: ignore[assignment]  # `import torch` raises here
    try:
        import spacy
    finally:
        if sys.modules.get("torch", 0) is None:
            del sys.modules["torch"]
    return spacy
