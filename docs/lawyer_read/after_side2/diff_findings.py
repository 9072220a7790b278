"""Findings that changed between the lawyer's read (docs/lawyer_read/*.json) and this rerun.

Run from the worktree root: python docs/lawyer_read/after_side2/diff_findings.py
"""

import json
from pathlib import Path

HERE = Path(__file__).parent
for name in ("netgear_distributor", "aimmune", "imperial_customer"):
    old = json.loads((HERE.parent / f"{name}.json").read_text())
    new = json.loads((HERE / f"{name}.json").read_text())
    before = {f["rule_id"]: f for f in old["findings"]}
    print(f"== {name}")
    for f in new["findings"]:
        was = before.get(f["rule_id"], {})
        r0, r1 = was.get("recommendation") or {}, f.get("recommendation") or {}
        keys = ("status", "severity", "burdens", "benefits")
        if [was.get(k) for k in keys] == [f.get(k) for k in keys] and r0 == r1:
            continue
        print(
            f"- {f['rule_id']}: {was.get('status')}/{was.get('severity')}/{r0.get('action')}"
            f" binds {was.get('burdens')} -> {f['status']}/{f['severity']}/{r1.get('action')}"
            f" binds {f.get('burdens')}, favours {f.get('benefits')}"
        )
        print(f"  explanation: {f['explanation'][:400]}")
        print(f"  advice: {(r1.get('rationale') or '')[:400]}")
        print(f"  fallback: {r1.get('fallback_language')}")
