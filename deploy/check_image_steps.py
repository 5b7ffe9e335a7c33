"""Replay the Dockerfile's build steps without a Docker engine, then start the result as the image would.

    python deploy/check_image_steps.py [--dockerfile PATH] [--keep]

The image's file system is a temporary directory (`/app` becomes `<tmp>/app`), its Python a venv of
the same X.Y as the FROM line, and its non-root user the unprivileged `nobody` when this runs as
root (else the user running it). Each instruction is mirrored: COPY copies from the repository,
ENV and WORKDIR take effect, RUN runs `pip` and `python` commands in the venv and mirrors
`useradd`, `mkdir -p` and `chown` into the temporary tree; any other command fails the replay
rather than being skipped, so a Dockerfile change this script cannot follow is noticed.

Then it checks what a build would give: every installed package at the version constraints.txt
pins, and, as the image's user with the image's environment and a read-only /config holding the
example config, that `bridge db upgrade` creates the SQLite database under /data. Exit status 0
when all holds, 1 naming the failing step.
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `deploy` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from deploy.freeze_constraints import ROOT, read_constraints

UNPRIVILEGED = "nobody"
DATA_VOLUME = "/data"  # where the image's docs say the SQLite database lives
# Installed by the venv itself or the project being installed: not pinned by constraints.txt.
UNPINNED = {"pip", "setuptools", "wheel", "zendesk-jira-bridge"}
SECRETS = {"ZENDESK_API_TOKEN": "image-check-zendesk-token", "ZENDESK_WEBHOOK_SECRET": "image-check-zs",
           "JIRA_API_TOKEN": "image-check-jira-token", "JIRA_WEBHOOK_SECRET": "image-check-js"}


class ReplayError(Exception):
    """A step that failed or that this script cannot mirror; str() says which and why."""


@dataclass(frozen=True)
class Instruction:
    line: int
    keyword: str
    argument: str

    def __str__(self) -> str:
        return f"Dockerfile:{self.line}: {self.keyword} {self.argument}"


def parse_dockerfile(text: str) -> list[Instruction]:
    """Instructions with their first line; continuation lines joined, comments dropped."""
    instructions: list[Instruction] = []
    pending, start = "", 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue
        start = start if pending else number
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, argument = (pending + line).partition(" ")
        instructions.append(Instruction(start, keyword.upper(), " ".join(argument.split())))
        pending = ""
    return instructions


@dataclass
class Replay:
    root: Path  # the image's "/"
    repository: Path = ROOT
    workdir: Path = field(init=False)
    environment: dict[str, str] = field(default_factory=dict)
    image_user: str | None = None  # set by USER: later steps and the start run as the unprivileged user
    venv: Path = field(init=False)
    log: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.workdir = self.root
        self.venv = self.root / "venv"

    def in_image(self, path: str) -> Path:
        """The temporary tree's counterpart of a path in the image."""
        return self.root / path.lstrip("/") if path.startswith("/") else self.workdir / path

    def run(self, instruction: Instruction) -> None:
        self.log.append(str(instruction))
        handler = getattr(self, f"_{instruction.keyword.lower()}", None)
        if handler is None:
            raise ReplayError(f"{instruction}: not mirrored by deploy/check_image_steps.py")
        handler(instruction)

    def _from(self, instruction: Instruction) -> None:
        image = instruction.argument.split()[0]
        if not image.startswith("python:"):
            raise ReplayError(f"{instruction}: only python:X.Y base images are mirrored")
        version = image.split(":", 1)[1].split("-", 1)[0]
        python = find_python(version)
        subprocess.run([python, "-m", "venv", str(self.venv)], check=True)
        self.environment["PATH"] = f"{self.venv / 'bin'}:/usr/bin:/bin"

    def _workdir(self, instruction: Instruction) -> None:
        self.workdir = self.in_image(instruction.argument)
        self.workdir.mkdir(parents=True, exist_ok=True)

    def _copy(self, instruction: Instruction) -> None:
        *sources, destination = shlex.split(instruction.argument)
        target = self.in_image(destination)
        for source in sources:
            origin = self.repository / source
            if not origin.exists():
                raise ReplayError(f"{instruction}: {source} does not exist in the repository")
            if origin.is_dir():
                shutil.copytree(origin, target, dirs_exist_ok=True,
                                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            else:
                target.mkdir(parents=True, exist_ok=True)
                shutil.copy2(origin, target / origin.name)

    def _env(self, instruction: Instruction) -> None:
        for pair in shlex.split(instruction.argument):
            name, _, value = pair.partition("=")
            self.environment[name] = str(self.in_image(value)) if value.startswith("/") else value

    def _user(self, instruction: Instruction) -> None:
        self.image_user = instruction.argument

    def _run(self, instruction: Instruction) -> None:
        for command in split_commands(instruction):
            program = command[0]
            if program in ("pip", "python"):
                self.execute(instruction, command)
            elif program == "useradd":
                self._useradd(command)
            elif program == "mkdir" and command[1:2] == ["-p"]:
                for path in command[2:]:
                    self.in_image(path).mkdir(parents=True, exist_ok=True)
            elif program == "chown" and len(command) >= 3:
                for path in command[2:]:
                    hand_over(self.in_image(path))
            else:
                raise ReplayError(f"{instruction}: `{shlex.join(command)}` is not mirrored by "
                                  "deploy/check_image_steps.py (teach it, or keep RUN to pip and python)")

    def _useradd(self, command: list[str]) -> None:
        if "--create-home" in command or "-m" in command:
            home = self.in_image(f"/home/{command[-1]}")
            home.mkdir(parents=True, exist_ok=True)
            hand_over(home)

    def _expose(self, instruction: Instruction) -> None:
        pass  # nothing to build

    _healthcheck = _cmd = _expose

    def execute(self, instruction: Instruction | str, command: list[str]) -> subprocess.CompletedProcess:
        as_user = self.image_user is not None
        result = subprocess.run([*(drop_privileges() if as_user else []), *command], cwd=self.workdir,
                                env=self.process_environment(), capture_output=True, text=True)
        if result.returncode:
            raise ReplayError(f"{instruction}: `{shlex.join(command)}` exited {result.returncode}\n"
                              f"{result.stdout[-3000:]}{result.stderr[-3000:]}")
        return result

    def process_environment(self) -> dict[str, str]:
        home = self.in_image(f"/home/{self.image_user}") if self.image_user else self.root / "root"
        return {"HOME": str(home), "LANG": "C.UTF-8", **self.environment}


def split_commands(instruction: Instruction) -> list[list[str]]:
    """A RUN line's `&&`-joined commands; other shell syntax is refused (it would not be mirrored)."""
    words = shlex.split(instruction.argument)
    if any(word in (";", "|", "||", "&") or word.endswith(";") for word in words):
        raise ReplayError(f"{instruction}: only `&&` between commands is mirrored")
    commands: list[list[str]] = [[]]
    for word in words:
        if word == "&&":
            commands.append([])
        else:
            commands[-1].append(word)
    return [command for command in commands if command]


def drop_privileges() -> list[str]:
    if os.geteuid() != 0:
        return []
    account = pwd.getpwnam(UNPRIVILEGED)
    return ["setpriv", f"--reuid={account.pw_uid}", f"--regid={account.pw_gid}", "--clear-groups", "--"]


def hand_over(path: Path) -> None:
    """chown to the image's user: the unprivileged account when root, else already ours."""
    if os.geteuid() == 0:
        account = pwd.getpwnam(UNPRIVILEGED)
        os.chown(path, account.pw_uid, account.pw_gid)


def find_python(version: str) -> str:
    """A python<version> the unprivileged user can run too (pyenv's under /root is not one)."""
    candidates = [shutil.which(f"python{version}"), f"/usr/local/bin/python{version}",
                  f"/usr/bin/python{version}"]
    for candidate in dict.fromkeys(c for c in candidates if c and Path(c).exists()):
        check = subprocess.run([*drop_privileges(), candidate, "-c", "import venv, ensurepip"],
                               capture_output=True)
        if check.returncode == 0:
            return candidate
    raise ReplayError(f"no python{version} with venv and ensurepip that {UNPRIVILEGED} can run "
                      f"(tried {', '.join(c for c in candidates if c)})")


def check_pins(replay: Replay) -> list[str]:
    """Every installed package at the version constraints.txt pins."""
    listed = replay.execute("pip list", [str(replay.venv / "bin" / "pip"), "list", "--format=json"])
    pins = read_constraints(replay.in_image("/app/constraints.txt"))
    problems = []
    for package in json.loads(listed.stdout):
        name = package["name"].lower().replace("_", "-")
        if name not in UNPINNED and pins.get(name) != package["version"]:
            problems.append(f"{name} {package['version']} installed, constraints.txt pins {pins.get(name)}")
    return problems


def start_as_the_image(replay: Replay) -> None:
    """The image's user with the image's environment, a read-only /config and secrets both ways."""
    if "BRIDGE_CONFIG" not in replay.environment:
        raise ReplayError("the image sets no BRIDGE_CONFIG")
    config = Path(replay.environment["BRIDGE_CONFIG"])
    data = replay.in_image(DATA_VOLUME)
    config.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(replay.in_image("/app/config.example.yaml"), config)
    shutil.copytree(replay.in_image("/app/rules"), config.parent / "rules", dirs_exist_ok=True)
    secrets = replay.in_image("/run/secrets")
    secrets.mkdir(parents=True)
    for name, value in SECRETS.items():
        if name.startswith("ZENDESK"):  # as files, the way compose mounts them
            (secrets / name.lower()).write_text(value + "\n")
            replay.environment[f"{name}_FILE"] = str(secrets / name.lower())
        else:
            replay.environment[name] = value
    for path in (config.parent, config.parent / "rules"):
        path.chmod(0o555)
    result = replay.execute("start", ["bridge", "db", "upgrade"])
    replay.log.append(f"as {UNPRIVILEGED if drop_privileges() else 'this user'}: bridge db upgrade: "
                      f"{result.stdout.strip()}")
    if not (data / "bridge.db").exists():
        raise ReplayError(f"bridge db upgrade did not create {data / 'bridge.db'}")
    if (config.parent / "bridge.db").exists():
        raise ReplayError("the database went next to the config, not to BRIDGE_DATA_DIR")


def replay_dockerfile(dockerfile: Path, replay: Replay) -> None:
    for instruction in parse_dockerfile(dockerfile.read_text()):
        replay.run(instruction)
    if replay.image_user is None:
        raise ReplayError("the Dockerfile never switches to a non-root USER")
    problems = check_pins(replay)
    if problems:
        raise ReplayError("installed versions differ from constraints.txt:\n" + "\n".join(problems))
    replay.log.append("every installed package is at its pinned version")
    start_as_the_image(replay)


def remove(root: Path) -> None:
    for directory, _, _ in os.walk(root):  # the read-only /config too
        Path(directory).chmod(0o755)
    shutil.rmtree(root, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dockerfile", type=Path, default=ROOT / "Dockerfile")
    parser.add_argument("--keep", action="store_true", help="keep the temporary image tree")
    arguments = parser.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="bridge-image-"))
    root.chmod(0o755)  # the unprivileged user walks into it
    replay = Replay(root)
    try:
        replay_dockerfile(arguments.dockerfile, replay)
    except (ReplayError, subprocess.CalledProcessError) as exc:
        print("\n".join(replay.log), file=sys.stderr)
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        if arguments.keep:
            print(f"image tree kept in {root}", file=sys.stderr)
        else:
            remove(root)
    print("\n".join(replay.log))
    print("ok: the image's steps install the pinned versions and the image starts as its user")
    return 0


if __name__ == "__main__":
    sys.exit(main())
