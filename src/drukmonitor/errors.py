"""Errors that name file, column, row and value, and map to exit codes.

Row-level problems are not exceptions: ingest turns them into rows of a rejects table.
"""

from __future__ import annotations

import functools
import sys
from typing import Any, Callable

EXIT_OK = 0
EXIT_ROWS_REJECTED = 1
EXIT_UNUSABLE = 2


class DrukmonitorError(Exception):
    """A problem the user can fix, located as precisely as we can."""

    exit_code = EXIT_UNUSABLE

    def __init__(
        self,
        message: str,
        *,
        file: Any = None,
        column: str | None = None,
        row: int | None = None,
        value: Any = None,
    ) -> None:
        self.message = message
        self.file = None if file is None else str(file)
        self.column = column
        self.row = row
        self.value = value
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = []
        if self.column is not None:
            where.append(f"column {self.column}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.value is not None:
            where.append(f"value {self.value!r}")
        prefix = f"{self.file}: " if self.file else ""
        location = ", ".join(where)
        return f"{prefix}{location + ': ' if location else ''}{self.message}"


class FileUnusableError(DrukmonitorError):
    """The whole file cannot be used (empty, wrong format, undecodable, layout mismatch, unmapped code)."""


class ConfigError(DrukmonitorError):
    """The run configuration or a codebook is invalid."""


def run_script(main: Callable[[], Any]) -> Callable[[], Any]:
    """Wrap a Snakemake script's main: a DrukmonitorError becomes one clear line on stderr and an exit code."""

    @functools.wraps(main)
    def wrapper() -> Any:
        try:
            return main()
        except DrukmonitorError as error:
            print(f"drukmonitor: error: {error}", file=sys.stderr)
            sys.exit(error.exit_code)

    return wrapper
