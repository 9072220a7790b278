"""Whose side the review takes: the party the user named, or one assumed from the playbook."""

from __future__ import annotations

from legal_orch.domain import ClientSide, Party
from legal_orch.playbook import Playbook


def _norm(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").lower().replace(",", " ").replace(".", " ").split())


def _matches(party: Party, wanted: str) -> bool:
    w = _norm(wanted)
    names = [party.name, *party.short_names]
    return w == _norm(party.role) or any(
        w == _norm(n) or (len(w) >= 4 and w in _norm(n)) for n in names
    )


def resolve_client(parties: list[Party], wanted: str | None, playbook: Playbook) -> ClientSide:
    """Return the side to review for: `wanted` (a name, short name or role) when given.

    Without it, the first party whose role the playbook is written for; the reason says which
    side was assumed and why, so a lawyer can correct it (`--for`).
    """
    if wanted:
        hits = [p for p in parties if _matches(p, wanted)]
        if len(hits) == 1:
            p = hits[0]
            return ClientSide(
                party=p.name, role=p.role, assumed=False, reason=f"you asked for {wanted!r}"
            )
        if not hits:
            found = "; ".join(f"{p.name} ({p.role})" for p in parties) or "no parties were found"
            return ClientSide(
                party=None,
                role=_norm(wanted) if _norm(wanted) in playbook.perspective else None,
                assumed=True,
                reason=f"{wanted!r} matches none of the parties ({found}); "
                f"the review reads the playbook as written, for the {_sides(playbook)}",
            )
        names = ", ".join(p.name for p in hits)
        return ClientSide(
            party=hits[0].name,
            role=hits[0].role,
            assumed=True,
            reason=f"{wanted!r} matches several parties ({names}); took the first",
        )
    for role in playbook.perspective:
        for p in parties:
            if p.role == role:
                return ClientSide(
                    party=p.name,
                    role=p.role,
                    assumed=True,
                    reason=f"no side was given; the {playbook.name} playbook is written for the "
                    f"{_sides(playbook)}, and {p.name} is the {p.role}",
                )
    return ClientSide(
        party=None,
        role=None,
        assumed=True,
        reason="no side was given and no party has a role the "
        f"{playbook.name} playbook is written for ({_sides(playbook)}): say which with --for",
    )


def _sides(playbook: Playbook) -> str:
    return " / ".join(playbook.perspective) or "either party"
