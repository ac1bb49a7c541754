"""A problem found in the data: which file, which record, which field, and what is wrong."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data, located as precisely as we can."""

    file: str
    record: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: record {self.record!r}: field {self.field!r}: {self.message}"
