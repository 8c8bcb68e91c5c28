"""Tables as the command line prints them."""

import io

from rich.console import Console

from amazon_connector.cli import output


def test_a_table_to_a_pipe_keeps_every_value_whole(monkeypatch):
    printed = io.StringIO()
    monkeypatch.setattr(output, "console", Console(file=printed, width=80, highlight=False))
    document = "amzn1.spdoc.1.4.eu.508a1072-ffd2-47d5-ad43-f2e4cb7541d4"
    output.table(
        ["Report ID", "Type", "Document"],
        [["50000000001234", "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL", document]],
    )
    assert "50000000001234" in printed.getvalue()
    assert "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL" in printed.getvalue()
    assert document in printed.getvalue()
