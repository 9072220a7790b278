"""Compare a contract's clause with the market: every precedent contract, with or without one.

The market is the bank's precedent contracts (`contracts.jsonl.gz`), each with the categories it
has and its measures (law, periods in days, the basis of its cap). A comparison says how common
the clause is across all of them and where this contract's value sits in their distribution, in
counts where a share would round to nothing ("1 of 275", never "0%").
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from legal_orch_agents.precedent_research.measures import Cap, format_multiple

# How a period reads in a sentence, by category.
PERIODS = {
    "Renewal Term": "renewal period",
    "Notice Period to Terminate Renewal": "notice to stop renewal",
    "Termination for Convenience": "notice to terminate for convenience",
    "Warranty Duration": "warranty period",
}
TOP_LAWS = 3
MIN_PEERS = 5  # fewer contracts of the same type than this say nothing about the type
# The kinds of precedent contract a party's role points to: "reseller" -> reseller and
# distributor agreements.
ROLE_TYPES = {  # the most telling roles first: a reseller's supplier signs a reseller agreement
    "reseller": ("reseller agreement", "distributor agreement"),
    "distributor": ("reseller agreement", "distributor agreement"),
    "franchisor": ("franchise agreement",),
    "franchisee": ("franchise agreement",),
    "licensor": ("licence agreement",),
    "licensee": ("licence agreement",),
    "sponsor": ("sponsorship agreement",),
    "endorser": ("endorsement agreement",),
    "host": ("hosting agreement",),
    "developer": ("development agreement",),
    "consultant": ("consulting agreement",),
    "agent": ("agency agreement",),
    "principal": ("agency agreement",),
    "collaborator": ("collaboration agreement",),
    "manufacturer": ("manufacturing agreement", "supply agreement"),
    "service_provider": ("services agreement", "outsourcing agreement", "maintenance agreement"),
    "supplier": ("supply agreement", "manufacturing agreement"),
    "buyer": ("supply agreement", "manufacturing agreement"),
    "seller": ("supply agreement", "manufacturing agreement"),
}


def share(part: int, whole: int, noun: str = "precedent contracts") -> str:
    """Say `part` of `whole` as a lawyer reads it: "98 of the 322 precedent contracts (30%)".

    A share that would round to 0% or 100% is said as a count ("1 of the 275 ..."), and the
    whole of them as "all 12 ...", "none of the 12 ...".
    """
    if whole and part == whole:
        return f"all {whole} {noun}"
    if part == 0:
        return f"none of the {whole} {noun}"
    pct = round(100 * part / whole)
    tail = "" if pct < 1 or pct == 100 else f" ({pct}%)"
    return f"{part} of the {whole} {noun}{tail}"


def count(part: int, whole: int) -> str:
    """Say `part` (of `whole`) as a count with its share where that is at least 1%: "71 (26%)"."""
    pct = round(100 * part / whole) if whole else 0
    return "none" if part == 0 else f"{part} ({pct}%)" if pct >= 1 else str(part)


def format_days(days: float) -> str:
    """Write days as contracts do: whole years, whole months from six on, else days."""
    if days >= 365 and days % 365 == 0:
        n = int(days // 365)
        return f"{n} year{'s' if n != 1 else ''}"
    if days >= 180 and days % 30 == 0:
        return f"{int(days // 30)} months"
    n = round(days)
    return f"{n} day{'s' if n != 1 else ''}"


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


@dataclass
class Market:
    """The precedent contracts of the bank, as recorded when it was built."""

    contracts: list[dict]
    _having: dict[str, list[dict]] = field(default_factory=dict, repr=False)

    def having(self, category: str) -> list[dict]:
        """Return the contracts that have a clause of `category`."""
        if category not in self._having:
            self._having[category] = [c for c in self.contracts if category in c.get("present", {})]
        return self._having[category]

    def measures(self, category: str) -> list:
        """Return the measure of `category` of every contract that states one."""
        return [
            c["measures"][category]
            for c in self.having(category)
            if category in c.get("measures", {})
        ]

    # -- sentences -----------------------------------------------------------------------------

    def presence(self, category: str, present: bool, kinds: Sequence[str] = ()) -> str:
        """Say how common a clause of `category` is, and whether this contract has one.

        `kinds`: the contract types this contract is one of ("reseller agreement", ...); where
        the bank has enough of them, how common the clause is among them too.
        """
        n, k = len(self.contracts), len(self.having(category))
        peers = self.peers(category, kinds)
        if present:
            return (
                f"{category}: this contract has {_article(category)} {category} clause, as {_v(k, 'does', 'do')} "
                f"{share(k, n)}{peers}."
            )
        return f"{category}: none was found here; {share(k, n)}{peers} {_v(k, 'has', 'have')} one."

    def peers(self, category: str, kinds: Sequence[str]) -> str:
        """Say how many contracts of the same types have the clause (", and 4 of the 25 ...")."""
        same = [c for c in self.contracts if c.get("contract_type") in kinds]
        if len(same) < MIN_PEERS:
            return ""
        with_it = sum(category in c.get("present", {}) for c in same)
        noun = " and ".join(dict.fromkeys(k.removesuffix(" agreement") for k in kinds))
        return f", and {share(with_it, len(same), f'{noun} agreements')}"

    def period(
        self, category: str, ours: float | None, present: bool, kinds: Sequence[str] = ()
    ) -> str:
        """Place this contract's period of `category` in the market's distribution."""
        theirs = [float(d) for d in self.measures(category)]
        what = PERIODS.get(category, "period")
        n, k = len(self.contracts), len(self.having(category))
        if ours is None or not theirs:
            head = self.presence(category, present, kinds)
            if not theirs:
                return head
            return (
                f"{head} Of the {k} with one, {len(theirs)} {_v(len(theirs), 'states', 'state')} "
                f"a {what} "
                f"(median {_median_days(theirs)})."
            )
        less = sum(d < ours for d in theirs)
        more = sum(d > ours for d in theirs)
        same = len(theirs) - less - more
        return (
            f"{category}: {format_days(ours)} here. {_capital(share(k, n))} {_v(k, 'has', 'have')} such a "
            f"clause and {len(theirs)} of them {_v(len(theirs), 'states', 'state')} a {what}: {less} shorter, {same} the same and "
            f"{more} longer (median {_median_days(theirs)}; middle half {_quartiles(theirs)})."
        )

    def law(self, ours: list[str], present: bool, kinds: Sequence[str] = ()) -> str:
        """Say how many precedent contracts choose this contract's governing law."""
        category = "Governing Law"
        theirs: list[list[str]] = self.measures(category)
        if not ours or not theirs:
            return self.presence(category, present, kinds)
        counts = Counter(j for laws in theirs for j in set(laws))
        n = len(theirs)
        top = ", ".join(f"{j} {count(c, n)}" for j, c in counts.most_common(TOP_LAWS))
        same = sum(bool(set(ours) & set(laws)) for laws in theirs)
        named = " and ".join(ours)
        return (
            f"{category}: {named} here. Of the {n} precedent contracts that name a governing "
            f"law, {count(same, n)} {_v(same, 'chooses', 'choose')} {named}; the most common are {top}."
        )

    def cap(self, ours: Cap | None, present: bool, kinds: Sequence[str] = ()) -> str:
        """Place this contract's liability cap among the precedent contracts' caps."""
        category = "Cap on Liability"
        n, k = len(self.contracts), len(self.having(category))
        caps = [Cap(**c) for c in self.measures(category)]
        fees = [c for c in caps if c.basis == "fees"]
        sums = [c for c in caps if c.basis == "amount"]
        if ours is None or not k:
            head = self.presence(category, present, kinds)
            if not k:
                return head
            return f"{head} Of the {k} with one, {_kinds_of_cap(len(fees), len(sums), k)}."
        line = (
            f"{category}: {ours.describe()} here. {_capital(share(k, n))} {_v(k, 'has', 'have')} such a clause: "
            f"{_kinds_of_cap(len(fees), len(sums), k)}."
        )
        if ours.basis == "fees" and fees:
            m = ours.multiple or 1.0
            less = sum((c.multiple or 1.0) < m for c in fees)
            more = sum((c.multiple or 1.0) > m for c in fees)
            same = len(fees) - less - more
            line += f" {_capital(share(same, len(fees), 'fee caps'))} {_v(same, 'is', 'are')} at {format_multiple(m)}"
            if less or more:
                line += f", {less} lower and {more} higher"
            if ours.months:
                back = sum(c.months == ours.months for c in fees)
                line += f"; {back} of them {_v(back, 'looks', 'look')} back {ours.months} months, as here"
            return line + "."
        if ours.basis == "amount" and sums and ours.amount is not None:
            amounts = [c.amount or 0.0 for c in sums]
            less = sum(a < ours.amount for a in amounts)
            more = sum(a > ours.amount for a in amounts)
            return (
                f"{line} Of the fixed sums, {less} are lower and {more} higher "
                f"(median {statistics.median(amounts):,.0f})."
            )
        return line


def _kinds_of_cap(fees: int, sums: int, k: int) -> str:
    return (
        f"{fees} cap liability at the fees paid or a multiple of them, {sums} at a fixed sum, "
        f"and {k - fees - sums} set no amount that could be read (most of those only exclude "
        "kinds of damages)"
    )


def _v(n: int, one: str, many: str) -> str:
    """The verb agreeing with a count: 1 has, 2 have."""
    return one if n == 1 else many


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _median_days(days: Sequence[float]) -> str:
    return format_days(statistics.median_low(days))


def _quartiles(days: Sequence[float]) -> str:
    if len(days) < 4:
        return f"{format_days(min(days))} to {format_days(max(days))}"
    q = statistics.quantiles(sorted(days), n=4, method="inclusive")
    lo = min(days, key=lambda d: abs(d - q[0]))
    hi = min(days, key=lambda d: abs(d - q[2]))
    return f"{format_days(lo)} to {format_days(hi)}"
