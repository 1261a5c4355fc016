"""Instrument codebooks: the declarative description of one questionnaire export.

A codebook (``workflow/codebooks/<instrument>.yaml``) names the respondent columns, every item with
its Dutch question text, type, codes and labels, missing codes and routing (``asked_if``), and the
dataset facts (reference period, reference incident, definition shown, population). Adding an
instrument version is a new codebook file, not new code. The file is validated against
``workflow/schemas/codebook.schema.yaml`` and then checked for internal consistency here.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from drukmonitor.conditions import Condition, parse_range_shorthand, referenced_columns
from drukmonitor.errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parents[2]
MISSING_STATUSES = ("dont_know", "refused")
ITEM_TYPES = ("single", "multi", "likert", "scale", "open_text", "flag")
RESPONDENT_ROLES = ("respondent_id", "org_unit", "role_group", "weight", "completed")


def default_codebook_dir() -> Path:
    """Codebooks ship with the workflow; DRUKMONITOR_CODEBOOK_DIR points elsewhere."""
    return Path(os.environ.get("DRUKMONITOR_CODEBOOK_DIR", REPO_ROOT / "workflow" / "codebooks"))


def schema_dir() -> Path:
    return REPO_ROOT / "workflow" / "schemas"


def normalise_label(text: str) -> str:
    """Exact label matching after Unicode (NFKC), case and whitespace normalisation; no fuzzing."""
    folded = unicodedata.normalize("NFKC", str(text)).casefold()
    return " ".join(folded.split())


@dataclass(frozen=True)
class Column:
    """One physical column of an export."""

    name: str
    item: str
    kind: str  # "code" | "flag" | "scale" | "text"
    options: dict[int, str] = field(default_factory=dict)  # every valid code (substantive and missing) -> label
    missing: dict[int, str] = field(default_factory=dict)  # missing code -> status (dont_know | refused)
    value_range: tuple[float, float] | None = None
    option_code: int | None = None  # multi-select: the option this 0/1 column stands for
    required: bool = True

    @property
    def substantive_codes(self) -> list[int]:
        return [code for code in self.options if code not in self.missing]

    def label_lookup(self) -> dict[str, int]:
        """Normalised label -> code, for label exports."""
        return {normalise_label(label): code for code, label in self.options.items()}


@dataclass(frozen=True)
class Item:
    id: str
    text: str
    type: str
    columns: tuple[str, ...]
    asked_if: Condition = "always"
    optional: bool = False
    required_for_classification: bool = False
    exclusive: tuple[int, ...] = ()
    text_columns: tuple[str, ...] = ()  # open text that belongs to the item ('Anders, namelijk')
    statements: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class RespondentColumn:
    role: str
    column: str
    required: bool
    options: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Codebook:
    id: str
    version: str
    title: str
    seed_ref: str
    facts: dict[str, Any]
    respondent: dict[str, RespondentColumn]
    items: dict[str, Item]
    columns: dict[str, Column]
    path: Path
    sha256: str

    @property
    def required_columns(self) -> list[str]:
        respondent = [spec.column for spec in self.respondent.values() if spec.required]
        items = [name for name, column in self.columns.items() if column.required]
        return respondent + items

    @property
    def known_columns(self) -> list[str]:
        return [spec.column for spec in self.respondent.values()] + list(self.columns)

    def item_of(self, column: str) -> Item:
        return self.items[self.columns[column].item]

    def multi_columns(self, item_id: str) -> list[str]:
        return list(self.items[item_id].columns) if self.items[item_id].type == "multi" else []


def _int_keys(mapping: dict[Any, Any] | None, where: str) -> dict[int, Any]:
    result: dict[int, Any] = {}
    for key, value in (mapping or {}).items():
        try:
            result[int(key)] = value
        except (TypeError, ValueError):
            raise ConfigError(f"{where}: code {key!r} is not an integer") from None
    return result


@cache
def _codebook_schema() -> dict[str, Any]:
    with open(schema_dir() / "codebook.schema.yaml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def parse_codebook(raw: dict[str, Any], path: Path, sha256: str) -> Codebook:
    """Build a Codebook from its YAML mapping, checking what a schema cannot."""
    try:
        jsonschema.validate(raw, _codebook_schema())
    except jsonschema.ValidationError as error:
        where = "/".join(str(part) for part in error.absolute_path) or "(top level)"
        raise ConfigError(f"codebook invalid at {where}: {error.message}", file=path) from None

    default_missing = _int_keys(raw.get("missing_codes"), f"{path}: missing_codes")
    respondent = {
        role: RespondentColumn(
            role=role,
            column=spec["column"],
            required=spec.get("required", role == "respondent_id"),
            options=_int_keys(spec.get("options"), f"{path}: respondent_columns.{role}.options"),
        )
        for role, spec in raw["respondent_columns"].items()
    }
    items: dict[str, Item] = {}
    columns: dict[str, Column] = {}
    for item_id, spec in raw["items"].items():
        item, item_columns = _parse_item(item_id, spec, default_missing, path)
        items[item_id] = item
        for column in item_columns:
            if column.name in columns:
                raise ConfigError(f"column {column.name} is defined twice", file=path)
            columns[column.name] = column

    known = set(columns) | {spec.column for spec in respondent.values()}
    for item in items.values():
        unknown = referenced_columns(item.asked_if) - known
        if unknown:
            raise ConfigError(f"item {item.id}: asked_if reads unknown columns {sorted(unknown)}", file=path)
    return Codebook(
        id=raw["id"],
        version=str(raw["version"]),
        title=raw["title"],
        seed_ref=raw.get("seed_ref", ""),
        facts=dict(raw["facts"]),
        respondent=respondent,
        items=items,
        columns=columns,
        path=path,
        sha256=sha256,
    )


def _parse_item(item_id: str, spec: dict[str, Any], default_missing: dict[int, str], path: Path) -> tuple[Item, list[Column]]:
    item_type = spec["type"]
    where = f"item {item_id}"
    options = _int_keys(spec.get("options") or spec.get("scale"), f"{path}: {where}.options")
    missing = _int_keys(spec["missing"], f"{path}: {where}.missing") if "missing" in spec else {
        code: status for code, status in default_missing.items() if code in options
    }
    for code, status in missing.items():
        if status not in MISSING_STATUSES:
            raise ConfigError(f"{where}: missing code {code} has status {status!r}, expected one of {MISSING_STATUSES}", file=path)
        if code not in options:
            raise ConfigError(f"{where}: missing code {code} has no label among the options", file=path)
    required = bool(spec.get("required", not spec.get("optional_item", False)))
    text_columns = tuple(spec.get("text_columns", []))
    columns: list[Column] = []
    if item_type == "multi":
        column_names = parse_range_shorthand(spec.get("columns", [f"{item_id}_{code}" for code in options]))
        if len(column_names) != len(options):
            raise ConfigError(f"{where}: {len(column_names)} columns for {len(options)} options", file=path)
        for column_name, code in zip(column_names, options, strict=True):
            columns.append(
                Column(
                    name=column_name,
                    item=item_id,
                    kind="flag",
                    options={0: "", 1: options[code]},
                    option_code=code,
                    required=required,
                )
            )
    elif item_type == "likert":
        statements = spec["statements"]
        for column_name in statements:
            columns.append(Column(name=column_name, item=item_id, kind="code", options=options, missing=missing, required=required))
    elif item_type == "scale":
        low, high = spec["range"]
        columns.append(
            Column(
                name=item_id,
                item=item_id,
                kind="scale",
                options=options,
                missing=missing,
                value_range=(float(low), float(high)),
                required=required,
            )
        )
    elif item_type == "open_text":
        columns.append(Column(name=item_id, item=item_id, kind="text", required=required))
    elif item_type == "flag":
        columns.append(Column(name=item_id, item=item_id, kind="code", options=options or {1: "Ja"}, required=required))
    else:  # single
        columns.append(Column(name=item_id, item=item_id, kind="code", options=options, missing=missing, required=required))
    for text_column in text_columns:
        columns.append(Column(name=text_column, item=item_id, kind="text", required=False))
    for extra_name, extra in (spec.get("extra_columns") or {}).items():
        extra_options = _int_keys(extra.get("options"), f"{path}: {where}.extra_columns.{extra_name}")
        kind = "text" if extra.get("type") == "open_text" else "code"
        columns.append(Column(name=extra_name, item=item_id, kind=kind, options=extra_options, required=False))

    item = Item(
        id=item_id,
        text=spec.get("text", ""),
        type=item_type,
        columns=tuple(column.name for column in columns if column.kind != "text" or item_type == "open_text"),
        asked_if=spec.get("asked_if", "always"),
        optional=bool(spec.get("optional_item", False)),
        required_for_classification=bool(spec.get("required_for_classification", False)),
        exclusive=tuple(int(code) for code in spec.get("exclusive", [])),
        text_columns=text_columns,
        statements=dict(spec.get("statements") or {}),
    )
    return item, columns


def load_codebook(instrument: str, codebook_dir: Path | str | None = None) -> Codebook:
    """Load and check one instrument's codebook by id."""
    directory = Path(codebook_dir) if codebook_dir is not None else default_codebook_dir()
    path = directory / f"{instrument}.yaml"
    if not path.is_file():
        available = ", ".join(sorted(p.stem for p in directory.glob("*.yaml"))) or "none"
        raise ConfigError(f"no codebook for instrument {instrument!r} in {directory} (available: {available})")
    content = path.read_bytes()
    raw = yaml.safe_load(content.decode("utf-8"))
    codebook = parse_codebook(raw, path, hashlib.sha256(content).hexdigest())
    if codebook.id != instrument:
        raise ConfigError(f"codebook id {codebook.id!r} does not match its file name", file=path)
    return codebook


def load_all_codebooks(codebook_dir: Path | str | None = None) -> dict[str, Codebook]:
    directory = Path(codebook_dir) if codebook_dir is not None else default_codebook_dir()
    return {path.stem: load_codebook(path.stem, directory) for path in sorted(directory.glob("*.yaml"))}
