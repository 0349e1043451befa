"""Does the search index agree with the mirror, and are the attachment files whole?"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from .attachments import AttachmentStore
from .indexstore import IndexStore
from .mirror import Mirror
from .progress import Progress, silent

EXAMPLES = 20


@dataclass
class VerifyReport:
    items: int = 0
    documents: int = 0
    index_readable: bool = True
    index_behind: bool = False
    missing_from_index: list[str] = field(default_factory=list)
    missing_count: int = 0
    extra_in_index: list[str] = field(default_factory=list)
    extra_count: int = 0
    outdated_in_index: list[str] = field(default_factory=list)
    outdated_count: int = 0
    attachments_checked: int = 0
    attachments_damaged: list[str] = field(default_factory=list)
    attachments_not_fetched: int = 0

    @property
    def ok(self) -> bool:
        return (self.index_readable and not self.index_behind and not self.missing_count
                and not self.extra_count and not self.outdated_count
                and not self.attachments_damaged)

    def to_dict(self) -> dict:
        return {"ok": self.ok, **asdict(self)}


def verify(mirror: Mirror, store: IndexStore, attachments: AttachmentStore,
           progress: Progress = silent) -> VerifyReport:
    report = VerifyReport()
    expected = mirror.hashes()
    report.items = len(expected)
    opened = store.open_current()
    state = store.state()
    if opened is None or state is None:
        report.index_readable = False
    else:
        report.index_behind = state.applied_seq < mirror.current_seq()
        _, ix = opened
        indexed: dict[str, str] = {}
        with ix.searcher() as s:
            for stored in s.all_stored_fields():
                indexed[stored["id"]] = stored.get("hash", "")
        report.documents = len(indexed)
        missing = sorted(expected.keys() - indexed.keys())
        extra = sorted(indexed.keys() - expected.keys())
        outdated = sorted(i for i in expected.keys() & indexed.keys() if expected[i] != indexed[i])
        report.missing_count, report.missing_from_index = len(missing), missing[:EXAMPLES]
        report.extra_count, report.extra_in_index = len(extra), extra[:EXAMPLES]
        report.outdated_count, report.outdated_in_index = len(outdated), outdated[:EXAMPLES]

    referenced: set[str] = set()
    for item, _digest in mirror.iter_items():
        referenced.update(a.sha256 for a in item.attachments)
    for i, sha in enumerate(sorted(referenced), 1):
        problem = attachments.check(sha)
        if problem == "missing":
            report.attachments_not_fetched += 1
        elif problem:
            report.attachments_damaged.append(sha)
        else:
            report.attachments_checked += 1
        progress("attachments", i, len(referenced))
    return report
