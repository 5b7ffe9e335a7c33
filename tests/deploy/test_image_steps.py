"""The Dockerfile's steps, replayed without Docker by deploy/check_image_steps.py: the full replay
installs from PyPI (about two minutes: marked slow; CI's plain `pytest` runs it, `-m "not slow"`
leaves it out), the rest checks that the replay refuses what it cannot mirror."""

import subprocess
import sys

import pytest

from deploy.check_image_steps import (
    ROOT,
    Instruction,
    Replay,
    ReplayError,
    parse_dockerfile,
    split_commands,
)


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_the_image_steps_install_the_pinned_versions_and_start_as_a_non_root_user():
    result = subprocess.run([sys.executable, "deploy/check_image_steps.py"], cwd=ROOT,
                            capture_output=True, text=True, timeout=850)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "every installed package is at its pinned version" in result.stdout
    assert "bridge db upgrade: database at revision" in result.stdout


def test_continuation_lines_and_comments():
    text = "# a comment\nFROM python:3.11-slim\n\nRUN pip install a \\\n  # inside\n  && pip check\nUSER bridge\n"
    assert parse_dockerfile(text) == [
        Instruction(2, "FROM", "python:3.11-slim"),
        Instruction(4, "RUN", "pip install a && pip check"),
        Instruction(7, "USER", "bridge"),
    ]


@pytest.mark.parametrize("line, complaint", [
    ("RUN apt-get install -y curl", "`apt-get install -y curl` is not mirrored"),
    ("RUN pip install . ; rm -rf /tmp/x", "only `&&` between commands is mirrored"),
    ("ADD https://example.com/x.tar.gz /opt/", "ADD https://example.com/x.tar.gz /opt/: not mirrored"),
    ("COPY missing.txt ./", "missing.txt does not exist in the repository"),
    ("FROM debian:12", "only python:X.Y base images are mirrored"),
])
def test_what_cannot_be_mirrored_fails_the_replay(tmp_path, line, complaint):
    with pytest.raises(ReplayError, match=complaint.replace("(", r"\(").replace(".", r"\.")):
        Replay(tmp_path).run(parse_dockerfile(line)[0])


def test_the_shipped_dockerfile_uses_only_mirrored_steps():
    replay = Replay(ROOT)
    for instruction in parse_dockerfile((ROOT / "Dockerfile").read_text()):
        assert hasattr(replay, f"_{instruction.keyword.lower()}"), instruction
        if instruction.keyword == "RUN":
            assert {command[0] for command in split_commands(instruction)} <= {
                "pip", "python", "useradd", "mkdir", "chown"}, instruction
