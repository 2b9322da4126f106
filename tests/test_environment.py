"""pyproject.toml is the single source of dependencies; the other files must agree with it."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].strip().lower().replace("_", "-")


def _applies(requirement: str) -> bool:
    """Whether a requirement's environment marker (e.g. python_version < '3.11') holds here."""
    from packaging.requirements import Requirement

    marker = Requirement(requirement).marker
    return marker is None or marker.evaluate()


@pytest.fixture(scope="module")
def pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


@pytest.fixture(scope="module")
def constraints():
    pins = {}
    for line in (ROOT / "requirements" / "constraints.txt").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==", 1)
            pins[name.strip().lower().replace("_", "-")] = version.strip()
    return pins


@pytest.fixture(scope="module")
def environment():
    return yaml.safe_load((ROOT / "environment.yml").read_text())


def test_every_dependency_is_pinned(pyproject, constraints):
    deps = pyproject["project"]["dependencies"]
    for extra in pyproject["project"]["optional-dependencies"].values():
        deps = deps + extra
    missing = sorted({_name(d) for d in deps if _applies(d)} - set(constraints))
    assert not missing, f"requirements/constraints.txt lacks pins for {missing}; run 'make lock'"


def test_environment_yml_matches_pyproject(pyproject, constraints, environment):
    conda = [d for d in environment["dependencies"] if isinstance(d, str)]
    conda_pins = dict(d.split("=", 1) for d in conda if "=" in d)
    runtime = [_name(d) for d in pyproject["project"]["dependencies"] if _applies(d)]
    for name in runtime:
        assert name in conda_pins, f"environment.yml does not list runtime dependency {name}"
        assert conda_pins[name] == constraints[name], (
            f"environment.yml pins {name}={conda_pins[name]} but constraints.txt has {constraints[name]}"
        )
    extra_conda = set(conda_pins) - set(runtime) - {"python"}
    assert not extra_conda, f"environment.yml lists packages pyproject does not: {sorted(extra_conda)}"


def test_environment_yml_installs_all_extras(pyproject, environment):
    pip_section = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    assert "-c requirements/constraints.txt" in pip_section
    editable = next(line for line in pip_section if line.startswith("-e"))
    extras = set(re.search(r"\[(.*)\]", editable).group(1).split(","))
    assert extras == set(pyproject["project"]["optional-dependencies"]), "environment.yml must install every extra"


def test_python_versions_agree(pyproject, environment):
    conda = [d for d in environment["dependencies"] if isinstance(d, str)]
    python = next(d for d in conda if d.startswith("python="))
    minimum = re.search(r">=\s*3\.(\d+)", pyproject["project"]["requires-python"]).group(1)
    assert int(python.split("=")[1].split(".")[1]) >= int(minimum)


def test_version_is_exposed(pyproject):
    import crmlab

    assert re.fullmatch(r"\d+\.\d+\.\d+", crmlab.__version__)
