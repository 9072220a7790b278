"""What a review spends: model tokens and money per agent and stage, CPU time of offline agents.

A stage runs inside `meter(stage)`; the agent it calls is named with `attribute(name)`; a model
call inside charges the current meter (`charge`). The meter's entries go into the graph state,
so a resumed review keeps what it spent. Prices come from a YAML table the user can edit.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel

_local = threading.local()


class CostEntry(BaseModel):
    """What one agent spent in one stage (summed over its calls)."""

    stage: str
    agent: str = ""
    subtask: str = ""  # the rule a fanned-out stage judged (raw entries only; reports sum it away)
    model: str | None = None
    calls: int = 0  # model calls made (cached ones included)
    cached_calls: int = 0  # answered from the cache: no tokens, no money
    tokens_in: int = 0
    tokens_out: int = 0
    tokens_estimated: bool = False  # the provider did not report usage: counted from characters
    money: float = 0.0
    unpriced_calls: int = 0  # calls to a model missing from the price table
    cpu_seconds: float = 0.0  # CPU time of the stage's own thread


class Meter:
    """Collects one stage's spending while it runs."""

    def __init__(self, stage: str, subtask: str = ""):
        self.stage = stage
        self.subtask = subtask
        self.agent = ""
        self.entries: dict[tuple[str, str | None], CostEntry] = {}

    def entry(self, model: str | None = None) -> CostEntry:
        key = (self.agent, model)
        if key not in self.entries:
            self.entries[key] = CostEntry(
                stage=self.stage, agent=self.agent, model=model, subtask=self.subtask
            )
        return self.entries[key]


@contextlib.contextmanager
def meter(stage: str, subtask: str = "") -> Iterator[Meter]:
    """Meter `stage` on this thread: CPU seconds, and the model calls made inside it."""
    m, outer = Meter(stage, subtask), getattr(_local, "meter", None)
    _local.meter = m
    t0 = time.thread_time()
    try:
        yield m
    finally:
        _local.meter = outer
        m.entry().cpu_seconds += round(time.thread_time() - t0, 4)


def attribute(agent: str) -> None:
    """Name the agent the running stage has handed its work to."""
    m = getattr(_local, "meter", None)
    if m is not None:
        m.agent = agent


def charge(
    model: str,
    *,
    tokens_in: int,
    tokens_out: int,
    money: float | None,
    cached: bool = False,
    estimated: bool = False,
) -> None:
    """Record one model call on the running stage's meter (outside a review: nowhere)."""
    m = getattr(_local, "meter", None)
    if m is None:
        return
    e = m.entry(model)
    e.calls += 1
    e.cached_calls += int(cached)
    e.tokens_in += tokens_in
    e.tokens_out += tokens_out
    e.tokens_estimated = e.tokens_estimated or estimated
    if money is None:
        e.unpriced_calls += 1
    else:
        e.money = round(e.money + money, 8)


def spent(entries: Iterable[CostEntry]) -> float:
    return round(sum(e.money for e in entries), 8)


def summarize(entries: Iterable[CostEntry]) -> list[CostEntry]:
    """Sum entries per stage, agent and model (re-routes and fan-outs add up)."""
    out: dict[tuple[str, str, str | None], CostEntry] = {}
    for e in entries:
        key = (e.stage, e.agent, e.model)
        if key not in out:
            out[key] = CostEntry(stage=e.stage, agent=e.agent, model=e.model)
        t = out[key]
        t.calls += e.calls
        t.cached_calls += e.cached_calls
        t.tokens_in += e.tokens_in
        t.tokens_out += e.tokens_out
        t.tokens_estimated = t.tokens_estimated or e.tokens_estimated
        t.money = round(t.money + e.money, 8)
        t.unpriced_calls += e.unpriced_calls
        t.cpu_seconds = round(t.cpu_seconds + e.cpu_seconds, 4)
    return list(out.values())


class Price(BaseModel):
    input_per_million: float
    output_per_million: float


class PriceTable(BaseModel):
    """Money per million tokens, per model; `currency` names what `--budget` is counted in."""

    currency: str = "USD"
    models: dict[str, Price] = {}
    free_providers: list[str] = ["local"]  # in-process models cost nothing

    def price(self, provider: str, model: str, tokens_in: int, tokens_out: int) -> float | None:
        """Money for one call, or None when the model is not in the table."""
        if provider in self.free_providers:
            return 0.0
        p = self.models.get(model) or self.models.get(f"{provider}:{model}")
        if p is None:
            return None
        return (tokens_in * p.input_per_million + tokens_out * p.output_per_million) / 1e6


def load_prices(path: Path | None = None) -> PriceTable:
    """Read the price table at `path`, else the shipped `corpora/prices.yaml`."""
    if path is not None:
        return PriceTable.model_validate(yaml.safe_load(Path(path).read_text(encoding="utf-8")))
    return _shipped()


@lru_cache(maxsize=1)
def _shipped() -> PriceTable:
    res = resources.files("legal_orch_corpora") / "prices.yaml"
    if not res.is_file():
        return PriceTable()
    return PriceTable.model_validate(yaml.safe_load(res.read_text(encoding="utf-8")))


class Ledger:
    """A batch's budget shared by every worker process: reviews reserve before they call a model.

    One SQLite file (in the batch's output folder) holds what each contract has reserved or,
    once its review ended, spent; a reservation that would take the total past the budget is
    refused, so the router keeps that work on a cheaper tier. The file outlives a run, so a
    resumed batch counts what earlier runs spent.
    """

    def __init__(self, path: Path, total: float | None = None):
        self.path = Path(path)
        with self._connect() as db:
            db.execute("CREATE TABLE IF NOT EXISTS budget (total REAL)")
            db.execute("CREATE TABLE IF NOT EXISTS spend (key TEXT PRIMARY KEY, amount REAL)")
            if total is not None:
                db.execute("DELETE FROM budget")
                db.execute("INSERT INTO budget VALUES (?)", (total,))

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        try:
            db.execute("BEGIN IMMEDIATE")  # one writer at a time across processes
            yield db
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        finally:
            db.close()

    def reserve(self, key: str, amount: float) -> bool:
        """Add `amount` to `key`'s reservation if the budget still covers it."""
        with self._connect() as db:
            total = db.execute("SELECT total FROM budget").fetchone()
            used = db.execute("SELECT COALESCE(SUM(amount), 0) FROM spend").fetchone()[0]
            if total is not None and used + amount > total[0] + 1e-12:
                return False
            db.execute(
                "INSERT INTO spend VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET amount = amount + ?",
                (key, amount, amount),
            )
            return True

    def settle(self, key: str, spent: float) -> None:
        """Replace `key`'s reservation by what its review actually spent."""
        with self._connect() as db:
            db.execute("INSERT OR REPLACE INTO spend VALUES (?, ?)", (key, spent))

    def left(self) -> float | None:
        with self._connect() as db:
            total = db.execute("SELECT total FROM budget").fetchone()
            used = db.execute("SELECT COALESCE(SUM(amount), 0) FROM spend").fetchone()[0]
        return None if total is None else round(total[0] - used, 8)

    def spent(self) -> float:
        with self._connect() as db:
            return float(db.execute("SELECT COALESCE(SUM(amount), 0) FROM spend").fetchone()[0])
