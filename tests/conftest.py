import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

# The tests (and the app servers they start) cache loaded atlases in a folder of their own, removed at the end.
if not os.environ.get("ATLAS_CACHE_DIR"):
    os.environ["ATLAS_CACHE_DIR"] = tempfile.mkdtemp(prefix="atlas-test-cache-")
    atexit.register(shutil.rmtree, os.environ["ATLAS_CACHE_DIR"], True)

import synthetic  # noqa: E402

from geo.load import load_atlas  # noqa: E402

APP = str(ROOT / "app.py")


@pytest.fixture
def app(data_dir, monkeypatch):
    """The page, run once on the synthetic data (Streamlit's AppTest)."""
    from streamlit.testing.v1 import AppTest

    from components.data import DATA_DIR_ENV

    monkeypatch.setenv(DATA_DIR_ENV, str(data_dir))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return synthetic.write_dataset(tmp_path / "data")


@pytest.fixture
def atlas(data_dir: Path):
    return load_atlas(data_dir)


@pytest.fixture(scope="session")
def nginx_binary() -> str:
    """Debian's nginx for the deployment tests (deploy/); skipped without it, unless REQUIRE_BROWSER is set."""
    import os

    from deploy.run import nginx_path

    path = nginx_path()
    if path is None:
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail("REQUIRE_BROWSER is set but nginx was not found (install Debian's `nginx-light` or `nginx`)")
        pytest.skip("nginx not found: install Debian's `nginx-light` or `nginx` package to run the deployment tests")
    return path
