"""How often real contracts hold text flagged as invisible (a false alarm blanks real text).

python benchmarks/hidden_text.py [CUAD_PDF_FOLDER] [--out benchmarks/results/hidden_text.json]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from legal_orch.errors import LegalOrchError
from legal_orch.ingest.pdf import parse_pdf

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("pdfs", nargs="?", default=ROOT.parent / "shared/data/cuad/full_contract_pdf")
    ap.add_argument("--out", default=ROOT / "benchmarks/results/hidden_text.json")
    args = ap.parse_args()
    pdfs = sorted(Path(args.pdfs).rglob("*.pdf"))
    rows, t0 = [], time.monotonic()
    for p in pdfs:
        try:
            d = parse_pdf(p)
        except LegalOrchError as e:
            rows.append({"file": p.name, "error": str(e)[:120]})
            continue
        rows.append(
            {
                "file": p.name,
                "chars": len(d.text),
                "hidden_chars": sum(h.chars for h in d.hidden),
                "hidden": [h.model_dump() for h in d.hidden],
            }
        )
    flagged = [r for r in rows if r.get("hidden_chars")]
    out = {
        "command": "benchmarks/hidden_text.py",
        "source": str(args.pdfs),
        "pdfs": len(rows),
        "unreadable": sum("error" in r for r in rows),
        "flagged": len(flagged),
        "hidden_chars": sum(r.get("hidden_chars", 0) for r in rows),
        "chars": sum(r.get("chars", 0) for r in rows),
        "seconds": round(time.monotonic() - t0, 1),
        "flagged_files": flagged,
    }
    Path(args.out).write_text(json.dumps(out, indent=1) + "\n")
    print(json.dumps({k: v for k, v in out.items() if k != "flagged_files"}))


if __name__ == "__main__":
    main()
