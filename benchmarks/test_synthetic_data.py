"""The benchmark's synthetic data is valid and deterministic.

Run: `.venv/bin/python -m pytest benchmarks/test_synthetic_data.py` (not part of `tests/`)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.synthetic_data import write_dataset
from geo.validate import validate_files


def _validate(folder: Path):
    return validate_files(folder / "deployments.geojson", folder / "vendors.csv", folder / "countries.geojson")


def test_synthetic_dataset_passes_the_validator(tmp_path):
    folder = write_dataset(tmp_path / "data", 300, seed=1)
    assert _validate(folder) == []


def test_synthetic_dataset_is_deterministic(tmp_path):
    a = write_dataset(tmp_path / "a", 50, seed=7)
    b = write_dataset(tmp_path / "b", 50, seed=7)
    assert (a / "deployments.geojson").read_bytes() == (b / "deployments.geojson").read_bytes()


def test_cached_dataset_is_reused_and_rewritten_for_another_generator_version(tmp_path):
    from benchmarks import synthetic_data

    first = synthetic_data.cached_dataset(tmp_path, 20, seed=3)
    written = (first / "deployments.geojson").stat().st_mtime_ns
    assert synthetic_data.cached_dataset(tmp_path, 20, seed=3) == first == tmp_path / "20-3"
    assert (first / "deployments.geojson").stat().st_mtime_ns == written
    (first / "GENERATOR_VERSION").write_text("old\n")
    again = synthetic_data.cached_dataset(tmp_path, 20, seed=3)
    assert (again / "GENERATOR_VERSION").read_text().strip() == synthetic_data.GENERATOR_VERSION
    assert _validate(again) == []
