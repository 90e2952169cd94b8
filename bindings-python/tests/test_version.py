"""The package has one version: the crate's, which the wheel's metadata carries too."""

import re
from importlib.metadata import version
from pathlib import Path

import corsguard

CARGO = (Path(__file__).resolve().parents[1] / "Cargo.toml").read_text(encoding="utf-8")


def test_version_is_the_crate_version_and_the_distribution_version():
    crate = re.search(r'^\[package\][^\[]*?^version = "([^"]+)"', CARGO, re.M | re.S).group(1)
    assert corsguard.__version__ == crate
    assert version("corsguard") == crate
