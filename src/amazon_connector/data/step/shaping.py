"""Recordset shaping: flat rows folded into nested records, as the original product's Recordset tab does.

Consecutive rows with equal key values are one record (its line: the first row's); each child takes its
columns from every row into a list, rows with equal child keys folded the same way, level by level (a
child without a key: one child per row). A
child whose columns are all empty in a row (an order without lines, from an outer join) adds nothing.
A key that comes back after other keys is a record of its own with a problem: the rows of one record
must be consecutive (sort the input by its key).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from amazon_connector.data.sources import InputRecord
from amazon_connector.data.step.model import Shape
from amazon_connector.data.step.transforms import empty


def shape_columns(shape: Shape, columns: Sequence[str]) -> list[str]:
    """The columns a shape uses that ``columns`` lacks."""
    used = [*shape.key, *shape.hide]

    def add(child: Shape) -> None:
        used.extend(child.key)
        used.extend(child.columns or ())
        for grandchild in child.children.values():
            add(grandchild)

    for child in shape.children.values():
        add(child)
    return [c for c in dict.fromkeys(used) if c not in columns]


def taken_columns(shape: Shape) -> set[str]:
    """The columns a shape's children take (the parent leaves them out)."""
    found: set[str] = set()
    for child in shape.children.values():
        found |= set(child.key) | set(child.columns or ()) | taken_columns(child)
    return found


def _key(row: dict[str, Any], names: Sequence[str]) -> tuple[Any, ...]:
    return tuple(row.get(n) for n in names)


def _fold(rows: Sequence[dict[str, Any]], shape: Shape, own: Sequence[str]) -> list[dict[str, Any]]:
    """Rows (all of one parent) as a list of records of ``shape``: its ``own`` columns and children."""
    records: list[dict[str, Any]] = []
    group: list[dict[str, Any]] = []
    for row in rows:
        if all(empty(row.get(c)) for c in own):
            continue
        if group and (not shape.key or _key(row, shape.key) != _key(group[0], shape.key)):
            records.append(_record(group, shape, own))
            group = []
        group.append(row)
    if group:
        records.append(_record(group, shape, own))
    return records


def _record(group: Sequence[dict[str, Any]], shape: Shape, own: Sequence[str]) -> dict[str, Any]:
    record = {c: group[0].get(c) for c in own if c not in shape.hide}
    for name, child in shape.children.items():
        child_own = [*dict.fromkeys([*child.key, *(child.columns or ())])]
        record[name] = _fold(group, child, [c for c in child_own if c not in taken_columns(child)])
    return record


def shape_records(records: Iterable[InputRecord], shape: Shape) -> Iterator[InputRecord]:
    """The records of ``shape`` made of consecutive rows (rows with a problem pass through as they are)."""
    taken = taken_columns(shape)
    seen: dict[tuple[Any, ...], int] = {}
    group: list[InputRecord] = []

    def fold() -> InputRecord:
        first = group[0]
        own = [c for c in first.values if c not in taken]
        key = _key(first.values, shape.key)
        if key in seen:
            return InputRecord(
                first.line,
                {},
                f"its key {', '.join(map(str, key))} was on line {seen[key]} too, with other keys between: "
                "the rows of one record must be consecutive (sort the input by its key)",
            )
        seen[key] = first.line
        return InputRecord(first.line, _record([r.values for r in group], shape, own))

    for record in records:
        if record.problem is not None:
            if group:
                yield fold()
                group = []
            yield record
            continue
        if group and _key(record.values, shape.key) != _key(group[0].values, shape.key):
            yield fold()
            group = []
        group.append(record)
    if group:
        yield fold()
