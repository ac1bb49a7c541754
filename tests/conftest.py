import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import synthetic  # noqa: E402

from geo.load import load_atlas  # noqa: E402


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return synthetic.write_dataset(tmp_path / "data")


@pytest.fixture
def atlas(data_dir: Path):
    return load_atlas(data_dir)
