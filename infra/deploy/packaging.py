"""Package the contact-form function for Lambda: its dependencies for arm64, then a stable zip.

What goes in is `function_files`' to decide; this module installs, compiles and zips it.

The zip is reproducible (sorted entries, fixed timestamps and permissions, hash-based bytecode
when there is any), so the same sources give the same bytes, the same content-hashed S3 key,
and no stack change. Bytecode comes only from the runtime's own Python (`bytecode.py`). The
same files can be staged for this machine (`stage_function`), so tests and the benchmark run
the function exactly as it is packaged.

boto3 is packaged at the pinned version rather than taken from the Lambda runtime: the handler
is tested against the pins in `constraints.txt`, and the runtime's copy changes without notice.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

from infra.deploy.bytecode import compile_entries, python_identity
from infra.deploy.errors import DeployError
from infra.deploy.function_files import package_entries

ROOT = Path(__file__).resolve().parents[2]
# The site generator's and the deploy's own dependencies; the function never imports them.
NOT_FOR_THE_FUNCTION = frozenset({"jinja2", "markdown", "markupsafe", "pyyaml"})
# Every zip entry gets this time, so rebuilding never changes the bytes.
FIXED_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o644
UNUSED_ZIP_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Target:
    """Where the packaged dependencies will run: a Python version and the wheels' platforms."""

    python_version: str
    # Empty for this machine: pip then picks the wheels of the Python running it.
    platforms: tuple[str, ...]


# Must match the template's ContactFunction: Runtime python3.13, Architectures arm64. Lambda's
# python3.13 runs on Amazon Linux 2023 (glibc 2.34): any of these wheels loads there.
LAMBDA = Target(
    "3.13", ("manylinux2014_aarch64", "manylinux_2_28_aarch64", "manylinux_2_34_aarch64")
)
# This machine, to run the packaged function here: the package test and the benchmark.
HOST = Target(f"{sys.version_info.major}.{sys.version_info.minor}", ())


@dataclass(frozen=True)
class Artefact:
    """The function's zip, named by its content."""

    path: Path
    sha256: str
    size: int
    # The Python that wrote its bytecode (such as `cpython-313 3.13.1 ...`), or "" for none.
    bytecode: str = ""

    @property
    def key(self) -> str:
        """The S3 key: a new zip gets a new key, so CloudFormation sees the change."""
        return f"functions/contact-{self.sha256}.zip"


def runtime_requirements(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    """The project's dependencies minus the generator's and the deploy's: the function's."""
    declared = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["dependencies"]
    return sorted(
        requirement
        for requirement in declared
        if re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower() not in NOT_FOR_THE_FUNCTION
    )


def dependency_cache_root() -> Path:
    """Where installed dependency sets are kept between deploys (and test runs)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "estimation-site" / "lambda-dependencies"


def install_dependencies(
    requirements: list[str],
    constraints: Path = ROOT / "constraints.txt",
    cache_root: Path | None = None,
    target: Target = LAMBDA,
) -> Path:
    """Install the target's wheels once per requirement set; return their folder."""
    cache_root = cache_root or dependency_cache_root()
    # This machine's own wheels differ by CPU and C library, which its platform tag names.
    platforms = target.platforms or (sysconfig.get_platform(), sys.implementation.cache_tag)
    recipe = "\n".join(
        [target.python_version, *platforms, *requirements, constraints.read_text(encoding="utf-8")]
    )
    installed = cache_root / hashlib.sha256(recipe.encode()).hexdigest()[:32]
    if installed.is_dir():
        return installed
    cache_root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="installing-", dir=cache_root))
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-compile",
        "--target",
        str(staging),
        "--only-binary=:all:",
        *_platform_options(target),
        "--constraint",
        str(constraints),
        *requirements,
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        raise DeployError(f"installing the function's dependencies failed:\n{result.stderr}")
    try:
        # Atomic: a concurrent packager either wins the rename or finds the folder ready.
        staging.rename(installed)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
    return installed


def _platform_options(target: Target) -> list[str]:
    if not target.platforms:
        return []
    return [
        "--implementation",
        "cp",
        "--python-version",
        target.python_version,
        *(f"--platform={platform}" for platform in target.platforms),
    ]


def write_zip(entries: dict[str, Path], destination: Path) -> Artefact:
    """Write a reproducible zip of `entries` and return it with its hash."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    # Written beside and renamed, so a concurrent packager never reads half a zip.
    partial = destination.with_name(f".{destination.name}.{os.getpid()}")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=FIXED_TIMESTAMP)
            info.create_system = 3  # Unix, so the permission bits below are read
            info.external_attr = (0o100000 | FILE_MODE) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, entries[name].read_bytes())
    data = partial.read_bytes()
    partial.replace(destination)
    return Artefact(destination, hashlib.sha256(data).hexdigest(), len(data))


def recipe_digest(entries: dict[str, Path], bytecode: str = "") -> str:
    """A digest of every entry's name and bytes, and of the Python compiling them.

    Equal digests make equal zips.
    """
    # This module decides the zip's layout, so a change to it makes a new recipe too.
    digest = hashlib.sha256(Path(__file__).read_bytes() + b"\0" + bytecode.encode())
    for name in sorted(entries):
        digest.update(name.encode() + b"\0" + hashlib.sha256(entries[name].read_bytes()).digest())
    return digest.hexdigest()


def package_function(
    content_dir: Path, build_dir: Path = ROOT / "build", bytecode_python: str | None = None
) -> Artefact:
    """Zip the dependencies, the code and the content into `build/lambda/`.

    With `bytecode_python` (the runtime's Python version), the zip carries its bytecode too. A
    zip already made from the same bytes is reused (hashing is far quicker than compiling and
    deflating); `build/` is disposable and git-ignored.
    """
    dependencies = install_dependencies(runtime_requirements())
    entries = package_entries(content_dir, dependencies)
    bytecode = python_identity(bytecode_python) if bytecode_python else ""
    destination = build_dir / "lambda" / f"contact-{recipe_digest(entries, bytecode)[:32]}.zip"
    if destination.is_file():
        os.utime(destination)  # used now: spared by the clean-up below
        data = destination.read_bytes()
        artefact = Artefact(destination, hashlib.sha256(data).hexdigest(), len(data))
    elif bytecode_python:
        destination.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=destination.parent) as work:
            compiled = compile_entries(entries, bytecode_python, Path(work))
            artefact = write_zip({**entries, **compiled}, destination)
    else:
        artefact = write_zip(entries, destination)
    _forget_unused_zips(destination.parent)
    return dataclasses.replace(artefact, bytecode=bytecode)


def stage_function(
    content_dir: Path,
    destination: Path,
    target: Target = HOST,
    bytecode_python: str | None = None,
) -> Path:
    """Lay the package's files out in `destination`, as Lambda unpacks them; return it.

    With `HOST`, this machine can run the function from there exactly as it is packaged; with
    `bytecode_python` too, with the bytecode the zip would carry.
    """
    dependencies = install_dependencies(runtime_requirements(), target=target)
    entries = package_entries(content_dir, dependencies)
    with tempfile.TemporaryDirectory() as work:
        if bytecode_python:
            entries.update(compile_entries(entries, bytecode_python, Path(work)))
        for name, source in entries.items():
            copy = destination / name
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, copy)
    return destination


def _forget_unused_zips(folder: Path) -> None:
    # Every code or content change leaves a 14 MB zip; those unused for a day go.
    cutoff = time.time() - UNUSED_ZIP_SECONDS
    for old in folder.glob("contact-*.zip"):
        with contextlib.suppress(FileNotFoundError):
            if old.stat().st_mtime < cutoff:
                old.unlink()
