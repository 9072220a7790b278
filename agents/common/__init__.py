"""Code shared by the shipped agents: attribute rules (money, durations, parties...) and jurisdictions."""
