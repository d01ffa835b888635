"""pyproject.toml: the wheel pip would build holds every module and data file of assistant/, index/
and eval/, depends on exactly requirements.txt, and installs the `zly` command.

Built for real with setuptools' PEP 517 backend (what `pip install -e .` calls), in a copy of the
tree so no build/ or egg-info lands in the checkout; a pure-Python wheel takes about two seconds.
"""
from __future__ import annotations

import ast
import configparser
import importlib
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("assistant", "index", "eval")
GENERATED = ("results", "runs", "__pycache__")  # eval outputs and caches: not part of the package


def _source_files() -> set[str]:
    out = set()
    for pkg in PACKAGES:
        for p in (ROOT / pkg).rglob("*"):
            rel = p.relative_to(ROOT)
            if p.is_file() and not set(rel.parts) & set(GENERATED) and p.suffix != ".pyc":
                out.add(rel.as_posix())
    return out


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "requirements.txt", "README.md"):
        shutil.copy(ROOT / name, src / name)
    for pkg in PACKAGES:
        shutil.copytree(ROOT / pkg, src / pkg, ignore=shutil.ignore_patterns(*GENERATED, "*.pyc"))
    proc = subprocess.run([sys.executable, "-c", "from setuptools import build_meta as b; print(b.build_wheel('dist'))"],
                          cwd=src, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return zipfile.ZipFile(src / "dist" / proc.stdout.strip().splitlines()[-1])


def _dist_info(wheel: zipfile.ZipFile, name: str) -> str:
    return wheel.read(next(n for n in wheel.namelist() if n.endswith(f".dist-info/{name}"))).decode("utf-8")


def test_wheel_holds_every_module_and_data_file(wheel):
    files = {n for n in wheel.namelist() if ".dist-info/" not in n}
    expected = _source_files()
    assert any(f.endswith(".tsv") for f in expected) and "index/userdict.txt" in expected
    assert sorted(expected - files) == [], "missing from the wheel"
    assert sorted(files - expected) == [], "in the wheel but not in the packages"


def test_dependencies_are_requirements_txt(wheel):
    declared = [re.split(r"\s+#", line)[0].strip() for line in (ROOT / "requirements.txt").read_text("utf-8").splitlines()
                if line.strip() and not line.lstrip().startswith("#")]
    metadata = _dist_info(wheel, "METADATA")
    assert re.findall(r"^Requires-Dist: (.+)$", metadata, re.M) == declared
    assert tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["dynamic"] == ["dependencies"]


def test_console_command_is_the_cli(wheel):
    entry = configparser.ConfigParser()
    entry.read_string(_dist_info(wheel, "entry_points.txt"))
    module, _, func = entry["console_scripts"]["zly"].partition(":")
    main = getattr(importlib.import_module(module), func)
    # the same function `python -m assistant` runs
    runs = ast.parse((ROOT / "assistant" / "__main__.py").read_text("utf-8"))
    assert any(isinstance(n, ast.ImportFrom) and f"{n.module}:{n.names[0].name}" == f"{module}:{func}"
               for n in ast.walk(runs))
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
