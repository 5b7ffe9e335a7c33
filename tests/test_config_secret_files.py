"""Secrets from files (`VAR_FILE`, as Docker and Kubernetes mount them) and where a relative SQLite
path goes (BRIDGE_DATA_DIR, which the image sets to its writable volume)."""

import os

import pytest
from click.testing import CliRunner

from bridge.cli import main
from bridge.config.settings import load_settings, resolve_database_url
from bridge.rules.yamlsource import SourceErrors
from tests.test_config import ENV, VALID


def load(tmp_path, environ, text=VALID):
    path = tmp_path / "config.yaml"
    path.write_text(text)
    return load_settings(path, environ)


def errors_of(tmp_path, environ) -> list[str]:
    with pytest.raises(SourceErrors) as caught:
        load(tmp_path, environ)
    return [str(error).replace(str(tmp_path), "TMP") for error in caught.value.errors]


def environment_without(*names: str, **extra: str) -> dict[str, str]:
    return {**{key: value for key, value in ENV.items() if key not in names}, **extra}


def secret_file(tmp_path, name: str, contents: str | bytes):
    path = tmp_path / name
    if isinstance(contents, bytes):
        path.write_bytes(contents)
    else:
        path.write_text(contents, newline="")
    return str(path)


@pytest.mark.parametrize("contents, expected", [
    ("s3cret\n", "s3cret"),
    ("s3cret", "s3cret"),
    ("s3cret\r\n", "s3cret"),
    ("s3cret\n\n", "s3cret\n"),  # one trailing newline only: the rest is the secret's
    (" padded \n", " padded "),
])
def test_a_file_variable_stands_for_the_variable(tmp_path, contents, expected):
    environ = environment_without("JIRA_API_TOKEN", JIRA_API_TOKEN_FILE=secret_file(tmp_path, "jira", contents))
    assert load(tmp_path, environ).jira.api_token.get_secret_value() == expected


def test_an_empty_plain_variable_gives_way_to_the_file(tmp_path):
    environ = {**ENV, "ZENDESK_API_TOKEN": "", "ZENDESK_API_TOKEN_FILE": secret_file(tmp_path, "z", "from-file\n")}
    assert load(tmp_path, environ).zendesk.api_token.get_secret_value() == "from-file"


def test_a_file_variable_for_a_defaulted_reference_wins_over_the_default(tmp_path):
    text = VALID.replace("${JIRA_API_TOKEN}", "${JIRA_TOKEN:-fallback}")
    environ = {**ENV, "JIRA_TOKEN_FILE": secret_file(tmp_path, "jira", "from-file\n")}
    assert load(tmp_path, environ, text).jira.api_token.get_secret_value() == "from-file"


def test_unreadable_files_are_named_with_the_variable_and_the_key(tmp_path):
    (tmp_path / "a-directory").mkdir()
    environ = environment_without(
        *ENV, ZENDESK_API_TOKEN_FILE=str(tmp_path / "missing"),
        ZENDESK_WEBHOOK_SECRET_FILE=secret_file(tmp_path, "binary", b"\xff\xfe\n"),
        JIRA_API_TOKEN_FILE=str(tmp_path / "a-directory"),
        JIRA_WEBHOOK_SECRET_FILE=secret_file(tmp_path, "empty", "\n"))
    assert errors_of(tmp_path, environ) == [
        "TMP/config.yaml:4: zendesk.api_token: ZENDESK_API_TOKEN_FILE names TMP/missing, which cannot "
        "be read: No such file or directory",
        "TMP/config.yaml:5: zendesk.webhook_secret: ZENDESK_WEBHOOK_SECRET_FILE names TMP/binary, which is "
        "not UTF-8 text",
        "TMP/config.yaml:9: jira.api_token: JIRA_API_TOKEN_FILE names TMP/a-directory, which cannot be "
        "read: Is a directory",
        "TMP/config.yaml:10: jira.webhook_secret: JIRA_WEBHOOK_SECRET_FILE names TMP/empty, which is empty",
    ]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file of mode 0000")
def test_a_file_without_read_permission_is_named(tmp_path):
    path = secret_file(tmp_path, "locked", "s3cret\n")
    os.chmod(path, 0)
    environ = environment_without("JIRA_API_TOKEN", JIRA_API_TOKEN_FILE=path)
    assert errors_of(tmp_path, environ) == [
        "TMP/config.yaml:9: jira.api_token: JIRA_API_TOKEN_FILE names TMP/locked, which cannot be read: "
        "Permission denied"]


def test_both_the_variable_and_its_file_is_an_error(tmp_path):
    environ = {**ENV, "JIRA_API_TOKEN_FILE": secret_file(tmp_path, "jira", "other\n")}
    assert errors_of(tmp_path, environ) == [
        "TMP/config.yaml:9: jira.api_token: both JIRA_API_TOKEN and JIRA_API_TOKEN_FILE are set: set one of them"]


def test_bridge_check_names_the_file_and_never_prints_a_secret(tmp_path, monkeypatch):
    (tmp_path / "config.yaml").write_text(VALID)
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("JIRA_API_TOKEN")
    monkeypatch.delenv("JIRA_WEBHOOK_SECRET")
    monkeypatch.setenv("JIRA_API_TOKEN_FILE", secret_file(tmp_path, "jira", "token-in-a-file\n"))
    monkeypatch.setenv("JIRA_WEBHOOK_SECRET_FILE", str(tmp_path / "nope"))
    result = CliRunner().invoke(main, ["--config", str(tmp_path / "config.yaml"), "check", "--offline"])
    assert result.exit_code != 0
    assert "jira.webhook_secret: JIRA_WEBHOOK_SECRET_FILE names" in result.output
    assert "Traceback" not in result.output and "token-in-a-file" not in result.output


def test_relative_sqlite_paths_go_to_the_data_directory_when_set(tmp_path):
    config_dir, data_dir = tmp_path / "config", tmp_path / "data"
    config_dir.mkdir()
    text = VALID.replace("sqlite:///data/bridge.db", "sqlite:///bridge.db")
    settings = load(config_dir, {**ENV, "BRIDGE_DATA_DIR": str(data_dir)}, text)
    assert resolve_database_url(settings) == f"sqlite:///{data_dir / 'bridge.db'}"
    assert resolve_database_url(load(config_dir, ENV, text)) == f"sqlite:///{config_dir / 'bridge.db'}"


def test_the_data_directory_leaves_absolute_and_postgresql_urls_alone(tmp_path):
    environ = {**ENV, "BRIDGE_DATA_DIR": str(tmp_path / "data")}
    absolute = VALID.replace("sqlite:///data/bridge.db", "sqlite:////srv/bridge.db")
    postgres = VALID.replace("sqlite:///data/bridge.db", "postgresql://bridge@db/bridge")
    assert resolve_database_url(load(tmp_path, environ, absolute)) == "sqlite:////srv/bridge.db"
    assert resolve_database_url(load(tmp_path, environ, postgres)) == "postgresql://bridge@db/bridge"
