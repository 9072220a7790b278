"""Show that the playbook's text checks miss phrases separated by no-break spaces or line breaks.

Run from the worktree root after `source .envrc`: PYTHONPATH=.:$PYTHONPATH python docs/lawyer_read/nbsp_check.py > docs/lawyer_read/nbsp_check.txt
"""

from agents.risk_analysis.checks import _holds
from legal_orch.ingest import parse

NETGEAR = (
    "/work/shared/data/cuad/full_contract_pdf/Part_II/Distributor/"
    "NETGEAR,INC_04_21_2003-EX-10.16-DISTRIBUTOR AGREEMENT.pdf"
)
PATTERN = "once|business hours|reasonable notice|prior (written )?notice"  # audit-rights check
CASES = [
    ("plain spaces", "review these records during normal business hours"),
    (
        "NBSP (as pypdf reads the NETGEAR PDF)",
        "review\u00a0these\u00a0records\u00a0during\u00a0normal\u00a0business\u00a0hours",
    ),
    ("line break inside the phrase", "during normal business\nhours"),
]
for label, text in CASES:
    print(f"{label}: audit-rights check met = {_holds('matches', text, PATTERN)}")
t = parse(NETGEAR).text
print("NETGEAR parsed text: NBSP characters =", t.count("\u00a0"), "; plain spaces =", t.count(" "))
