"""The public surface: what `import amazon_connector` and `amazon-connector --help` load, the names the
package exports, and the one message for a missing extra."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import amazon_connector
from amazon_connector import errors
from amazon_connector.errors import ConfigurationError, MissingExtraError
from amazon_connector.extras import EXTRAS, require

HEAVY = (
    "amazon_connector.connections",
    "amazon_connector.runtime",
    "amazon_connector.data",
    "amazon_connector.sandbox",
    "amazon_connector.web",
    "httpx",
    "sqlalchemy",
    "alembic",
    "pydantic",
    "starlette",
    "uvicorn",
    "aiohttp",
    "botocore",
    "boto3",
    "pyarrow",
    "jsonschema",
)


def loaded_by(code: str) -> set[str]:
    """The modules (of HEAVY) a fresh interpreter has loaded after running ``code``."""
    probe = f"{code}\nimport sys\nsys.stderr.write(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(result.stderr.split())


def test_importing_the_package_loads_only_the_errors():
    assert loaded_by("import amazon_connector") == set()


def test_help_lists_the_commands_without_loading_them():
    help_run = (
        "import sys\nsys.argv = ['amazon-connector', '--help']\nfrom amazon_connector.cli.app import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass"
    )
    assert loaded_by(help_run) == set()


def test_a_name_is_imported_on_first_use():
    assert "amazon_connector.connections" in loaded_by(
        "import amazon_connector\namazon_connector.Connections"
    )


def test_every_error_class_and_api_response_are_exported():
    tree = ast.parse(Path(errors.__file__).read_text(encoding="utf-8"))
    classes = {node.name for node in tree.body if isinstance(node, ast.ClassDef)}
    assert classes | {"ApiResponse", "DestinationError"} <= set(amazon_connector.__all__)
    for name in amazon_connector.__all__:
        assert getattr(amazon_connector, name) is not None
    with pytest.raises(AttributeError, match="no_such_name"):
        amazon_connector.no_such_name  # noqa: B018


def test_a_missing_extra_names_the_pip_install(monkeypatch):
    monkeypatch.setitem(EXTRAS, "aws", ("boto3", "amazon_connector_no_such_module"))
    with pytest.raises(MissingExtraError) as missing:
        require("aws", "Reading notifications from SQS")
    assert isinstance(missing.value, ConfigurationError)
    assert missing.value.extra == "aws"
    assert "(no amazon_connector_no_such_module)" in missing.value.message
    assert missing.value.hint == "Run: pip install 'amazon-connector[aws]'"


@pytest.mark.parametrize(
    ("command", "extra", "module"),
    [(["ui", "--no-browser"], "ui", "jinja2"), (["sandbox", "serve"], "sandbox", "jsonschema")],
)
def test_a_command_without_its_extra_says_what_to_install(command, extra, module, tmp_path):
    """As with the extra not installed: the module is hidden from a fresh interpreter."""
    run = (
        f"import sys\nsys.modules[{module!r}] = None\nsys.argv = ['amazon-connector', *{command!r}]\n"
        "from amazon_connector.cli.app import main\nmain()"
    )
    result = subprocess.run(
        [sys.executable, "-c", run],
        capture_output=True,
        text=True,
        env={"AMAZON_CONNECTOR_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert f"the [{extra}] extra of amazon-connector is not installed (no {module})" in result.stderr
    assert f"pip install 'amazon-connector[{extra}]'" in result.stderr
