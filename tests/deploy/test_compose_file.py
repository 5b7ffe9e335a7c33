"""docker-compose.yaml: valid by the Compose Specification's schema (no Docker engine runs here),
wired as the bridge needs (PostgreSQL, `bridge serve`, one `bridge worker`, health checks, a named
volume, every secret through a file), and the environment it gives the containers runs the
example config as that topology: serve answers its health check, the separate worker processes
what serve accepted."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from bridge.config.settings import load_settings, resolve_database_url
from connectors.zendesk.simulator.server import ZendeskSimulator
from tests.support.database import postgres_schema_url
from tests.support.processes import BridgeProcess
from tests.support.settings import JIRA_SECRET, ZENDESK_SECRET
from tests.test_serve_processes import LISTENING
from tests.test_serve_worker_process import wait_until

ROOT = Path(__file__).resolve().parent.parent.parent
SCHEMA = ROOT / "tests" / "fixtures" / "compose" / "compose-spec.json"
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yaml").read_text())
SECRETS_DIR = "/run/secrets/"
BRIDGE_SERVICES = ("bridge", "worker")


def schema_errors(document) -> list[str]:
    validator = jsonschema.Draft201909Validator(json.loads(SCHEMA.read_text()))
    return sorted(f"{'.'.join(map(str, error.absolute_path))}: {error.message}"
                  for error in validator.iter_errors(document))


def test_the_compose_file_is_valid_by_the_compose_specification():
    assert schema_errors(COMPOSE) == []


@pytest.mark.parametrize("edit, complaint", [
    (lambda c: c["services"]["bridge"].update(helthcheck={}), "'helthcheck' does not match any of the regexes"),
    (lambda c: c["services"]["db"]["healthcheck"].update(retries="many"), "'many' is not of type 'number'"),
    (lambda c: c["services"]["worker"].update(depends_on={"db": {"condition": "healthy"}}),
     "is not valid under any of the given schemas"),
])
def test_the_schema_catches_mistakes(edit, complaint):
    broken = yaml.safe_load((ROOT / "docker-compose.yaml").read_text())
    edit(broken)
    assert any(complaint in error for error in schema_errors(broken)), schema_errors(broken)


def test_postgres_serve_and_one_worker_with_health_checks_and_a_named_volume():
    services = COMPOSE["services"]
    assert set(services) == {"db", *BRIDGE_SERVICES}
    assert services["bridge"]["command"][:2] == ["bridge", "serve"]
    assert services["worker"]["command"] == ["bridge", "worker"]
    assert "pg_isready" in services["db"]["healthcheck"]["test"]
    assert any("/readyz" in part for part in services["bridge"]["healthcheck"]["test"])
    # The image's check calls port 8080, where nothing listens in the worker's container.
    assert services["worker"]["healthcheck"] == {"disable": True}
    for name in BRIDGE_SERVICES:
        assert services[name]["depends_on"] == {"db": {"condition": "service_healthy"}}
        assert services[name]["environment"]["BRIDGE_WORKER_EMBEDDED"] == "false"
    volume, _, mount = services["db"]["volumes"][0].partition(":")
    assert volume in COMPOSE["volumes"] and mount == "/var/lib/postgresql/data"


@pytest.mark.parametrize("service", ["db", *BRIDGE_SERVICES])
def test_every_file_variable_names_a_secret_the_service_mounts(service):
    definition = COMPOSE["services"][service]
    files = {name: path for name, path in definition["environment"].items() if name.endswith("_FILE")}
    assert files
    for name, path in files.items():
        assert path.startswith(SECRETS_DIR), name
        secret = path.removeprefix(SECRETS_DIR)
        assert secret in definition["secrets"], f"{service}: {name} names {secret}, not mounted"
        assert COMPOSE["secrets"][secret]["file"] == f"./secrets/{secret}"
    assert not [name for name in definition["environment"] if re.search("TOKEN|SECRET|PASSWORD", name)
                and not name.endswith("_FILE")], "a secret as a plain value in the compose file"


def references(value) -> set[str]:
    """The variables a config value takes without a default (`${NAME}`)."""
    if isinstance(value, dict):
        return set().union(*map(references, value.values()))
    if isinstance(value, list):
        return set().union(*map(references, value))
    return set(re.findall(r"\$\{([A-Za-z0-9_]+)\}", value)) if isinstance(value, str) else set()


def test_the_containers_get_every_variable_the_example_config_needs():
    required = references(yaml.safe_load((ROOT / "config.example.yaml").read_text()))
    assert required >= {"ZENDESK_API_TOKEN", "JIRA_WEBHOOK_SECRET"}
    for service in BRIDGE_SERVICES:
        given = set(COMPOSE["services"][service]["environment"])
        assert [name for name in required if name not in given and f"{name}_FILE" not in given] == []


def container_environment(service: str, secrets: dict[str, str], directory: Path) -> dict[str, str]:
    """The service's environment with each /run/secrets/<name> as a file under `directory`."""
    environment = {}
    for name, value in COMPOSE["services"][service]["environment"].items():
        if value.startswith(SECRETS_DIR):
            secret = value.removeprefix(SECRETS_DIR)
            path = directory / secret
            path.write_text(secrets[secret] + "\n")
            value = str(path)
        environment[name] = value
    return environment


SECRETS = {"database_url": "postgresql://bridge:pw@db:5432/bridge", "zendesk_api_token": "zt",
           "zendesk_webhook_secret": ZENDESK_SECRET, "jira_api_token": "jt",
           "jira_webhook_secret": JIRA_SECRET, "bridge_api_token": "api-token"}


def test_the_example_config_reads_the_compose_environment(tmp_path):
    settings = load_settings(ROOT / "config.example.yaml", container_environment("worker", SECRETS, tmp_path))
    assert resolve_database_url(settings) == "postgresql://bridge:pw@db:5432/bridge"
    assert settings.worker.embedded is False
    assert settings.zendesk.api_token.get_secret_value() == "zt"
    assert settings.api.token is not None and settings.api.token.get_secret_value() == "api-token"


def health_check(service: str, port: int) -> list[str]:
    """The compose file's health check command, against the port serve listens on here."""
    command = COMPOSE["services"][service]["healthcheck"]["test"]
    assert command[:2] == ["CMD", "python"]
    return [sys.executable, *[part.replace(":8080/", f":{port}/") for part in command[2:]]]


def config_directory(tmp_path: Path, zendesk_url: str) -> Path:
    """config.example.yaml and rules/ as an admin mounts them, Zendesk being the simulator (Jira is
    unreachable: nothing here needs it)."""
    directory = tmp_path / "config"
    shutil.copytree(ROOT / "rules", directory / "rules")
    text = (ROOT / "config.example.yaml").read_text()
    text = text.replace("https://acme.zendesk.com", zendesk_url).replace("https://acme.atlassian.net",
                                                                       "http://127.0.0.1:9")
    (directory / "config.yaml").write_text(text)
    return directory


def events_list(environment: dict[str, str]) -> str:
    listed = subprocess.run([sys.executable, "-m", "bridge.cli", "events", "list"],
                            env={**os.environ, "PYTHONPATH": str(ROOT), **environment},
                            capture_output=True, text=True, timeout=60)
    return listed.stdout + listed.stderr


def test_serve_and_a_separate_worker_run_from_the_compose_environment(tmp_path):
    zendesk = ZendeskSimulator(api_email="support-bot@acme.com", api_token=SECRETS["zendesk_api_token"])
    with postgres_schema_url() as database_url, zendesk:
        secrets_dir = tmp_path / "secrets"
        secrets_dir.mkdir()
        config = config_directory(tmp_path, zendesk.url) / "config.yaml"
        environment = {**container_environment("bridge", {**SECRETS, "database_url": database_url},
                                               secrets_dir), "BRIDGE_CONFIG": str(config)}
        # Both start at once, as compose starts them once the database is healthy.
        serve = BridgeProcess("serve", "--host", "127.0.0.1", "--port", "0", env=environment)
        worker = BridgeProcess("worker", env=environment)
        try:
            port = int(serve.wait_for_line(LISTENING).group(1))
            wait_until(lambda: subprocess.run(health_check("bridge", port), capture_output=True).returncode == 0,
                       lambda: serve.output)
            zendesk.configure_webhook(f"http://127.0.0.1:{port}/webhooks/zendesk", SECRETS["zendesk_webhook_secret"])
            zendesk.customer_creates_ticket("Charged twice", "My card was charged twice for order 1234.")
            wait_until(lambda: re.search(r"\bdone\b", events_list(environment)),
                       lambda: f"{events_list(environment)}\n{serve.output}\n{worker.output}",
                       seconds=60)
            # worker.embedded is false from the compose environment: serve started no worker of its own.
            assert "embedded_worker=False" in serve.output and "worker_started" not in serve.output
        finally:
            worker.stop(timeout=40)
            serve.stop(timeout=40)
