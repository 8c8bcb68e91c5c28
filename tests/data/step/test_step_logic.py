"""Step logic without Amazon: transforms, shaping, the file's mistakes with their places, `step check`'s
problems, `step new`, and the command line in process."""

from __future__ import annotations

from decimal import Decimal

import pytest

from amazon_connector.data.sources import InputRecord
from amazon_connector.data.step import check_step, load_step, new_step_text, step_fields
from amazon_connector.data.step.model import (
    DateTransform,
    DecimalTransform,
    DefaultTransform,
    LookupTransform,
    Shape,
    StepFileError,
    Transform,
)
from amazon_connector.data.step.shaping import shape_records
from amazon_connector.data.step.transforms import apply, convert


def test_transforms():
    assert apply("  ab ", ["trim", "upper"]) == "AB"
    assert apply("AB", ["lower"]) == "ab"
    assert apply("1,250.0", ["number"]) == 1250
    assert apply("12.5", ["number"]) == 12.5
    assert apply("12.50", ["decimal"]) == Decimal("12.50")
    assert apply("31/01/2024", [DateTransform(date="%d/%m/%Y")]) == "2024-01-31"
    assert apply("31/01/2024 10:05", [DateTransform(date="%d/%m/%Y %H:%M")]) == "2024-01-31T10:05:00Z"
    assert apply("", [DefaultTransform(default="X"), "lower"]) == "x"
    assert apply("b", [LookupTransform(lookup={"a": 1, "b": 2})]) == 2
    cases: list[tuple[str, Transform, str]] = [
        ("abc", "number", "not a number"),
        ("1.234", DecimalTransform(decimal=2), "more than 2 decimal places"),
        ("2024-31-01", DateTransform(date="%Y-%m-%d"), "not a date in the format"),
        ("z", LookupTransform(lookup={"a": 1}), "not in the lookup table"),
    ]
    for value, transform, message in cases:
        with pytest.raises(ValueError, match=message):
            apply(value, [transform])
    assert convert("5", {"type": "integer"}) == 5
    assert convert("a, b", {"type": "array", "items": {"type": "string"}}) == ["a", "b"]
    assert convert(Decimal("9.99"), {}) == 9.99
    with pytest.raises(ValueError, match="not one of"):
        convert("x", {"type": "string", "enum": ["y"]})
    with pytest.raises(ValueError, match="not a whole number"):
        convert("1.5", {"type": "integer"})


def rows(*values):
    return [InputRecord(n, v) for n, v in enumerate(values, start=2)]


def test_shaping_folds_consecutive_rows_into_nested_records():
    shape = Shape(
        key=["order"],
        children={
            "lines": Shape(key=["item"], columns=["item"], children={"serials": Shape(columns=["serial"])})
        },
    )
    found = list(
        shape_records(
            rows(
                {"order": "A", "note": "n", "item": "1", "serial": "s1"},
                {"order": "A", "note": "n", "item": "1", "serial": "s2"},
                {"order": "A", "note": "n", "item": "2", "serial": ""},
                {"order": "B", "note": "m", "item": "", "serial": ""},
                {"order": "A", "note": "n", "item": "3", "serial": ""},
            ),
            shape,
        )
    )
    assert [(r.line, r.values, r.problem) for r in found[:2]] == [
        (2, {"order": "A", "note": "n", "lines": [
            {"item": "1", "serials": [{"serial": "s1"}, {"serial": "s2"}]},
            {"item": "2", "serials": []},
        ]}, None),
        (5, {"order": "B", "note": "m", "lines": []}, None),
    ]  # fmt: skip
    assert found[2].line == 6
    assert "was on line 2 too" in str(found[2].problem)


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_file_mistakes_are_named_with_their_lines(tmp_path):
    with pytest.raises(StepFileError) as caught:
        load_step(
            write(
                tmp_path,
                "s.toml",
                'name = "x"\noperation = "getOrders"\n[options]\non_error = "panic"\nspeed = 1\n',
            )
        )
    shown = [str(p) for p in caught.value.problems]
    assert any(p.startswith(f"{tmp_path}/s.toml:4 (options.on_error)") for p in shown), shown
    assert any("s.toml:5 (options.speed): unknown setting 'speed'" in p for p in shown), shown
    assert any("connection is missing" in p for p in shown), shown
    with pytest.raises(StepFileError, match=r"s.yaml:2: not valid YAML"):
        load_step(write(tmp_path, "s.yaml", "name: x\n  bad: [\n"))
    with pytest.raises(StepFileError, match=r"t.toml:1: not valid TOML"):
        load_step(write(tmp_path, "t.toml", "name = \n"))


def test_check_names_each_problem_with_its_place(tmp_path):
    write(tmp_path, "in.csv", "sku,qty\nA,1\nB,many\n")
    step = load_step(
        write(
            tmp_path,
            "bad.toml",
            'name = "bad"\nconnection = "uk"\noperation = "patchListingsItem"\n[source]\npath = "in.csv"\n'
            '[mapping.fields]\nsellerId = "S"\n"body.productType" = "P"\n'
            '"body.patches[0].op" = "melt"\n"body.colour" = "red"\nlocale = { column = "missing" }\n',
        )
    )
    problems = [str(p) for p in check_step(step)]
    file = tmp_path / "bad.toml"
    assert (
        f"{file}:9 (mapping.fields.\"body.patches[0].op\"): the value cannot be used: 'melt' is not one of add, replace, merge, delete"
        in problems
    )
    assert any(p.startswith(f'{file}:10 (mapping.fields."body.colour"): body has no field') for p in problems)
    assert any(
        p.startswith(f"{file}:11 (mapping.fields.locale): patchListingsItem has no field 'locale'")
        for p in problems
    )
    assert any("the required field body.patches[0].path is not mapped" in p for p in problems)
    unknown = load_step(
        write(tmp_path, "op.toml", 'name = "x"\nconnection = "uk"\noperation = "getNothing"\n')
    )
    assert next(str(p) for p in check_step(unknown)).startswith(
        f"{tmp_path / 'op.toml'}:3 (operation): Unknown SP-API operation"
    )
    unreadable = load_step(
        write(
            tmp_path,
            "src.toml",
            'name = "x"\nconnection = "uk"\noperation = "getOrderItems"\n[source]\npath = "nope.csv"\n',
        )
    )
    assert [p.message for p in check_step(unreadable)][-1].startswith("Cannot read")
    typed = load_step(
        write(
            tmp_path,
            "typed.toml",
            'name = "x"\nconnection = "uk"\noperation = "getInventorySummaries"\n[source]\npath = "in.csv"\n'
            '[mapping.fields]\ngranularityType = "Marketplace"\ngranularityId = "X"\n'
            'details = { column = "qty" }\n',
        )
    )
    assert [str(p) for p in check_step(typed)] == [
        f"{tmp_path / 'in.csv'}:3: details: 'many' is not true or false."
    ]


def test_unknown_names_suggest_the_near_ones(tmp_path, run):
    step = write(tmp_path, "op.toml", 'name = "x"\nconnection = "uk"\noperation = "getCatalogItems"\n')
    said = run("step", "check", str(step), expect=1).stderr
    assert "Unknown SP-API operation 'getCatalogItems'; did you mean getCatalogItem?" in said
    new = run("step", "new", "getCatalogItems", expect=1).stderr
    assert "did you mean getCatalogItem?" in new


def test_check_reports_mapping_and_source_problems_past_wrong_options(tmp_path, run):
    write(tmp_path, "in.csv", "sku\nA\n")
    step = write(
        tmp_path,
        "opts.toml",
        'name = "x"\nconnection = "uk"\noperation = "getCatalogItem"\n[source]\npath = "in.csv"\n'
        '[mapping.fields]\nmarketplaceIds = "X"\nasin = { column = "nope" }\n'
        '[options]\non_error = "explode"\nspeed = 3\n',
    )
    said = run("step", "check", str(step), expect=1).stderr
    assert f"{step}:10 (options.on_error)" in said
    assert f"{step}:11 (options.speed): unknown setting 'speed'" in said
    assert "nope" in said  # the mapping's column the source lacks, found all the same
    with pytest.raises(StepFileError):
        load_step(step)


def test_new_step_is_loadable_and_check_lists_the_required_fields(tmp_path, run):
    text = run("step", "new", "confirmShipment").stdout
    assert text == new_step_text("confirmShipment")
    assert "# orderId (path, string) REQUIRED" in text
    run("step", "new", "confirmShipment", "--format", "yaml", "-o", str(tmp_path / "ship.yaml"))
    step = load_step(tmp_path / "ship.yaml")
    missing = [p.message for p in check_step(step, variables={"CONNECTION": "uk"})]
    assert missing == [
        "the required field orderId is not mapped",
        "the required field body.packageDetail is not mapped",
        "the required field body.marketplaceId is not mapped",
    ]
    assert {f.target: f.required for f in step_fields(step)}[
        "body.packageDetail.orderItems[0].quantity"
    ] is True
    failed = run("step", "check", str(tmp_path / "ship.yaml"), "--var", "CONNECTION=uk", expect=1)
    assert "the required field orderId is not mapped" in failed.stderr
    assert "3 problem(s)." in failed.stderr
    assert "Unknown SP-API operation" in run("step", "new", "noSuchThing", expect=1).stderr
    bad = run("step", "run", str(tmp_path / "ship.yaml"), expect=1).stderr
    assert "Nothing was sent" in bad


def test_step_fields_list_what_the_step_maps_inside_open_parts_and_each_lists(tmp_path):
    patch = load_step(
        write(
            tmp_path,
            "open.toml",
            'name = "x"\nconnection = "uk"\noperation = "patchListingsItem"\n[mapping.fields]\n'
            '"body.patches[0].op" = "merge"\n'
            '"body.patches[0].value[0].quantity" = { column = "qty", transform = "number" }\n'
            '"body.patches[0].value[0].fulfillment_channel_code" = "DEFAULT"\n',
        )
    )
    fields = step_fields(patch)
    targets = [f.target for f in fields]
    at = targets.index("body.patches[0].value")  # the open field, then what the step sets inside it
    assert targets[at + 1 : at + 3] == [
        "body.patches[0].value[0].quantity",
        "body.patches[0].value[0].fulfillment_channel_code",
    ]
    quantity = fields[at + 1]
    assert (quantity.location, quantity.required, quantity.type) == ("body", False, "open")
    assert (quantity.mapped_from, quantity.mapped) == ("column", "qty")
    assert (fields[at + 2].mapped_from, fields[at + 2].mapped) == ("fixed", '"DEFAULT"')
    assert len(targets) == len(set(targets))

    ship = load_step(
        write(
            tmp_path,
            "ship.toml",
            'name = "y"\nconnection = "uk"\noperation = "confirmShipment"\n[mapping.fields]\n'
            '"body.packageDetail.orderItems" = { each = "items", fields = { orderItemId = { column = "item" } } }\n',
        )
    )
    by_target = {f.target: f for f in step_fields(ship)}
    assert by_target["body.packageDetail.orderItems"].mapped_from == "each"
    item = by_target["body.packageDetail.orderItems[0].orderItemId"]  # a field of each item, from the model
    assert (item.mapped_from, item.mapped, item.type) == ("column", "item", "string")
