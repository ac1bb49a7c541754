"""Start the app with its data loaded before the server takes its first reader.

    python -m components.serve [streamlit run options]      # as `streamlit run app.py [options]`

`streamlit run app.py` loads the atlas (and imports the modules that load it) during the first session's
first run, so after every restart the first reader waited for them (about 2 s at 10,000 deployments, even
with the atlas read from the on-disk cache). Here that happens in the server's own process just before
Streamlit's server starts: the atlas is then in the same `st.cache_resource` cache the page reads (a
function's cache is keyed by its code, not by who calls it), and starting takes that much longer instead,
before the server answers its health check, as `gunicorn --preload` does. It runs after Streamlit has read
its configuration with the command's options (so nothing is read twice with different values). The map's
modules are not imported early: streamlit-folium registers its component with the server only when it is
first imported inside a script run. A data folder that cannot be loaded is not an error here: the page
shows it.
"""

from __future__ import annotations

import importlib
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

APP = Path(__file__).resolve().parent.parent / "app.py"
# Libraries the page imports on its first run that register nothing with Streamlit (about 0.5 s together);
# streamlit_folium does register its component, so it is left to the first run.
EARLY_IMPORTS = ("folium", "altair")
NO_CONTEXT_LOGGER = "streamlit.runtime.scriptrunner_utils.script_run_context"
log = logging.getLogger(__name__)


def preload() -> bool:
    """Put the atlas of the app's data folder in the page's cache; False (and nothing cached) when the data
    cannot be loaded, which the first session will then report."""
    for name in EARLY_IMPORTS:
        importlib.import_module(name)
    from components import data

    folder = data.data_dir()
    # Outside a script run Streamlit warns on every call that there is no ScriptRunContext; here that is
    # expected (as in "bare mode"), so only its errors are shown while preloading.
    quiet = logging.getLogger(NO_CONTEXT_LOGGER)
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        data.cached_atlas(folder)
        return True
    except Exception as error:  # the page reports any load error with its own message
        log.warning("preloading %s failed (%s: %s); the page will report it", folder, type(error).__name__, error)
        return False
    finally:
        quiet.setLevel(level)


def _after_preload(run: Callable[..., Any]) -> Callable[..., Any]:
    def run_after_preload(*args: Any, **kwargs: Any) -> Any:
        preload()
        return run(*args, **kwargs)

    return run_after_preload


def main(argv: Sequence[str] | None = None) -> None:
    """`streamlit run app.py` with `argv` (default: this command's arguments), preloading once Streamlit has
    read its configuration and before it starts its server (`bootstrap.run`)."""
    from streamlit.web import bootstrap, cli

    bootstrap.run = _after_preload(bootstrap.run)
    sys.argv = ["streamlit", "run", str(APP), *(sys.argv[1:] if argv is None else argv)]
    cli.main()


if __name__ == "__main__":
    main()
