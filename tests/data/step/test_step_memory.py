"""A step reads its input twice (a digest pass, then a sending pass), keeping no record: memory stays flat
for any input size."""

from __future__ import annotations

import tracemalloc

from amazon_connector.data.step import load_step
from amazon_connector.data.step.inputs import open_step_source, step_records
from amazon_connector.data.step.mapping import compile_mapping, map_record
from amazon_connector.data.step.runner import _survey

ROWS = 20_000


def test_the_digest_pass_holds_no_record(tmp_path):
    source_file = tmp_path / "orders.csv"
    with source_file.open("w") as out:
        out.write("orderId,note\n")
        out.writelines(f"203-{n:07d}-{n % 9973:07d},ref-{n}\n" for n in range(ROWS))
    (tmp_path / "orders.toml").write_text(
        'name = "orders"\nconnection = "uk"\noperation = "orders/v0/getOrder"\n'
        '[source]\npath = "orders.csv"\n[mapping]\nreferences = ["note"]\n'
    )
    step = load_step(tmp_path / "orders.toml")
    mapping, problems = compile_mapping(step)
    assert mapping is not None
    assert not problems
    source = open_step_source(step)
    records = (map_record(mapping, r, step.connection, {}) for r in step_records(step, source))
    tracemalloc.start()
    try:
        survey = _survey(mapping.operation, step, records)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert survey.records == ROWS
    assert survey.connections == ("uk",)
    # the records, held, would take many times the file's size; the pass keeps a constant few buffers
    assert peak < source_file.stat().st_size / 2
