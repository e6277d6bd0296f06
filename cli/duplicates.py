"""``--duplicates``: top-level functions grouped by canonical digest, as text or JSON."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field

from inliner import CanonicalFunction


@dataclass(frozen=True)
class Member:
    path: str
    line: int
    name: str


@dataclass(frozen=True)
class Group:
    digest: str
    members: tuple[Member, ...]


@dataclass(frozen=True)
class DuplicateReport:
    """``functions`` digested, ``distinct`` digests, and the ``groups`` of two or more
    functions with one digest: biggest first, then in the order the files were found."""

    functions: int
    distinct: int
    groups: tuple[Group, ...]

    def as_json(self) -> str:
        return json.dumps({
            "functions": self.functions, "distinct": self.distinct,
            "groups": [{"digest": g.digest,
                        "members": [{"path": m.path, "line": m.line, "name": m.name} for m in g.members]}
                       for g in self.groups],
        }, indent=2, ensure_ascii=False)

    def as_text(self) -> str:
        blocks = [f"{g.digest}: {len(g.members)} functions\n"
                  + "".join(f"{m.path}:{m.line}: {m.name}\n" for m in g.members)
                  for g in self.groups]
        plural = "" if len(self.groups) == 1 else "s"
        summary = (f"{self.functions} functions, {self.distinct} distinct, "
                   f"{len(self.groups)} group{plural} of duplicates\n")
        return "\n".join([*blocks, summary])


@dataclass
class DuplicateFinder:
    """Collects digested functions as they arrive, in any order."""

    _by_digest: dict[str, list[tuple[int, Member]]] = field(default_factory=lambda: defaultdict(list))
    _count: int = 0

    def add(self, file_order: int, path: str, function: CanonicalFunction) -> None:
        self._count += 1
        self._by_digest[function.digest].append((file_order, Member(path, function.line, function.name)))

    def report(self) -> DuplicateReport:
        groups = []
        for digest, found in self._by_digest.items():
            if len(found) > 1:
                found.sort(key=lambda item: (item[0], item[1].line))
                groups.append(((-len(found), found[0][0], found[0][1].line),
                               Group(digest, tuple(member for _, member in found))))
        groups.sort(key=lambda item: item[0])
        return DuplicateReport(self._count, len(self._by_digest), tuple(g for _, g in groups))
