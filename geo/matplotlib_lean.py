"""Import this before matplotlib's plotting modules to skip the docstrings they write on import.

Each `Artist` subclass (lines, patches, text, collections, ...) gets a `set()` whose docstring lists every
property, written by `matplotlib.artist.kwdoc` as the class is created: about 0.15-0.3 s of a picture made
from the command line (a tenth of it), for help text that nothing here reads. Only those docstrings change:
what is drawn is the same. Imported after matplotlib's plotting modules, it changes nothing.
"""

from __future__ import annotations

import matplotlib.artist

matplotlib.artist.kwdoc = lambda artist: ""
