"""The example operations the playground opens with: graphql/operations/*.graphql.

`operations/` beside this module links to the repository's graphql/operations, and a
built wheel holds copies of the files there. A checkout without the link (a system that
does not make symbolic links) still finds them at the repository root."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

_HERE = Path(__file__).resolve().parent
#: Where the documents are looked for, in order: the package, then a source checkout.
OPERATION_FOLDERS = (_HERE / "operations", _HERE.parents[1] / "graphql" / "operations")


def example_operations(folders: Sequence[Path] = OPERATION_FOLDERS) -> tuple[str, ...]:
    """The documents of the first folder holding any `*.graphql`, in file name order."""
    for folder in folders:
        if not folder.is_dir():
            continue
        documents = tuple(
            path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.graphql"))
        )
        if documents:
            return documents
    return ()
