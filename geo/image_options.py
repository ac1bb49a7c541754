"""What a reader chooses for a picture of the selection (sizes, framing, style) and the words on it: the
options of the share tab and the CLI, apart from `geo.graphics` so that offering them does not import
matplotlib (the CLI imports it only when it draws)."""

from __future__ import annotations

from dataclasses import dataclass

SIZES: dict[str, tuple[int, int]] = {
    "1600x900": (1600, 900),
    "3200x1800": (3200, 1800),
    "1200x675": (1200, 675),
    "1080x1080": (1080, 1080),
    "1080x1350": (1080, 1350),
}
SIZE_LABELS: dict[str, str] = {
    "1600x900": "print, 16:9",
    "3200x1800": "print, 16:9, large",
    "1200x675": "social, 16:9 (X, Bluesky, Mastodon)",
    "1080x1080": "social, square (Instagram)",
    "1080x1350": "social, portrait 4:5 (Instagram)",
}
FORMATS: dict[str, str] = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}
ANIMATION_FORMATS: dict[str, str] = {"gif": "image/gif", "mp4": "video/mp4"}
STYLES: dict[str, str] = {"points": "Points by vendor", "shaded": "Countries shaded by count"}

Framing = str  # "fit", "world", or a key of REGIONS
WORLD = (-180.0, -60.0, 180.0, 85.0)  # lon/lat extent of the world view (EPSG:4326, plain lon/lat)
REGIONS: dict[str, tuple[float, float, float, float]] = {
    "africa": (-20.0, -36.0, 55.0, 38.0),
    "europe": (-25.0, 34.0, 45.0, 71.0),
    "middle-east": (25.0, 12.0, 63.0, 42.0),
    "central-asia": (46.0, 35.0, 88.0, 56.0),
    "south-asia": (60.0, 5.0, 98.0, 37.0),
    "east-asia": (97.0, 18.0, 146.0, 54.0),
    "south-east-asia": (92.0, -11.0, 142.0, 24.0),
    "americas": (-170.0, -56.0, -30.0, 72.0),
    "oceania": (110.0, -48.0, 180.0, 0.0),
}
REGION_NAMES: dict[str, str] = {
    "africa": "Africa",
    "europe": "Europe",
    "middle-east": "the Middle East",
    "central-asia": "Central Asia",
    "south-asia": "South Asia",
    "east-asia": "East Asia",
    "south-east-asia": "South-East Asia",
    "americas": "the Americas",
    "oceania": "Oceania",
}
FRAMINGS: dict[str, str] = {"fit": "Fit to the selection", "world": "The whole world"} | {
    key: name[0].upper() + name[1:] for key, name in REGION_NAMES.items()
}


@dataclass(frozen=True)
class ImageOptions:
    """What a reader chooses for a picture of the selection."""

    size: tuple[int, int] = SIZES["1600x900"]
    framing: Framing = "fit"
    style: str = "points"
    labels: bool = False
    highlight: str | None = None  # a record id, drawn with a ring and its name

    def __post_init__(self) -> None:
        if self.framing not in FRAMINGS:
            raise ValueError(f"framing {self.framing!r}: expected one of {', '.join(FRAMINGS)}")
        if self.style not in STYLES:
            raise ValueError(f"style {self.style!r}: expected one of {', '.join(STYLES)}")


@dataclass(frozen=True)
class Texts:
    """The words on the picture."""

    title: str
    sentence: str
    credit: str
    date: str
