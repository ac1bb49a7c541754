"""Dated data versions a reader can go back to. Each release of the data has a manifest in
`data/versions/YYYY.MM.DD.json`: its version, its date, and for every deployment and vendor a content hash
of the record (with its name, so that a removed record can still be named). The changelog in
`data/CHANGELOG.md` is generated from the manifests.

    python -m geo.versions --release [--date YYYY.MM.DD] [--data-dir DIR]

writes a new manifest when the data changed since the latest one (and does nothing otherwise), then
regenerates the changelog. Without --release it prints the data version and exits 1 when the data
changed since its latest release."""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import re
import sys
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from geo.reading import read_feature_collection, read_text

VERSIONS_FOLDER = "versions"
CHANGELOG_FILE = "CHANGELOG.md"
DEPLOYMENTS_FILE = "deployments.geojson"
VENDORS_FILE = "vendors.csv"
KINDS = ("deployments", "vendors")
VERSION_PATTERN = re.compile(r"^(\d{4})\.(\d{2})\.(\d{2})(?:-(\d+))?$")
UNRELEASED = "unreleased"
SHORT_HASH_LENGTH = 8


@dataclass(frozen=True)
class Record:
    hash: str
    name: str
    # What the filters read, as the record was in that release (kept in manifests so that an old link's
    # selection can be rebuilt); not part of a record's identity.
    facets: Mapping[str, Any] | None = field(default=None, compare=False)


# kind ("deployments" or "vendors") -> record id -> its hash and name
Records = dict[str, dict[str, Record]]


@dataclass(frozen=True)
class Manifest:
    version: str
    date: str
    records: Records


@dataclass(frozen=True)
class Change:
    id: str
    name: str


@dataclass
class Changes:
    """What happened to the deployments between two versions."""

    added: list[Change] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    removed: list[Change] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)


def version_key(version: str) -> tuple[int, int, int, int]:
    """Sort key of a dated version ('2026.12.02' < '2026.12.02-2' < '2026.12.03')."""
    match = VERSION_PATTERN.match(version)
    if not match:
        raise ValueError(f"data version {version!r}: expected YYYY.MM.DD or YYYY.MM.DD-N")
    year, month, day, n = match.groups()
    return int(year), int(month), int(day), int(n or 1)


def is_dated_version(text: str) -> bool:
    return bool(VERSION_PATTERN.match(text))


def _canonical_hash(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _deployment_records(path: Path) -> dict[str, Record]:
    """Read through the project's reader (limits, encoding); a file it refuses has no records here, and
    the loader and validator say why."""
    if not path.exists():
        return {}
    features, _ = read_feature_collection(path, "deployments")
    records: dict[str, Record] = {}
    for index, feature in enumerate(features or []):
        props = feature.get("properties") if isinstance(feature, dict) else None
        props = props if isinstance(props, dict) else {}
        record_id = str(props.get("id") or f"#{index}")
        records[record_id] = Record(_canonical_hash(feature), str(props.get("name") or ""))
    return records


def _vendor_records(path: Path) -> dict[str, Record]:
    if not path.exists():
        return {}
    text, _ = read_text(path)
    try:
        rows = list(csv.DictReader(io.StringIO(text or "")))
    except csv.Error:  # the loader and validator say what is wrong with the file
        return {}
    return {
        str(row.get("id") or f"#{i}"): Record(_canonical_hash(row), str(row.get("name") or ""))
        for i, row in enumerate(rows)
    }


# Reading and hashing the files once per change of their modification time and size.
_CACHE: dict[tuple[Any, ...], Records] = {}
_MANIFEST_CACHE: dict[tuple[Any, ...], tuple[list[Manifest], list[str]]] = {}


def _file_stamp(path: Path) -> tuple[str, int, int]:
    if not path.exists():
        return (str(path), 0, -1)
    stat = path.stat()
    return (str(path.resolve()), stat.st_mtime_ns, stat.st_size)


def current_records(data_dir: Path) -> Records:
    """The hash and name of every deployment and vendor in `data_dir` now (cached while the files are unchanged)."""
    data_dir = Path(data_dir)
    deployments, vendors = data_dir / DEPLOYMENTS_FILE, data_dir / VENDORS_FILE
    stamp = (_file_stamp(deployments), _file_stamp(vendors))
    if stamp not in _CACHE:
        _CACHE.clear()
        _CACHE[stamp] = {"deployments": _deployment_records(deployments), "vendors": _vendor_records(vendors)}
    return _CACHE[stamp]


def records_hash(records: Records) -> str:
    """One short hash of all records' hashes: the same records always give the same hash."""
    plain = {kind: {rid: r.hash for rid, r in records.get(kind, {}).items()} for kind in KINDS}
    return _canonical_hash(plain)[:SHORT_HASH_LENGTH]


def _parse_manifest(path: Path) -> Manifest:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        version = str(data.get("version", ""))
        records = {
            kind: {
                rid: Record(str(r["hash"]), str(r.get("name", "")), r.get("facets"))
                for rid, r in (data.get(kind) or {}).items()
            }
            for kind in KINDS
        }
    except (OSError, ValueError, AttributeError, KeyError, TypeError) as error:
        raise ValueError(
            f"{path}: {type(error).__name__}: {error}; expected a manifest written by python -m geo.versions"
        ) from error
    if version != path.stem:
        raise ValueError(f"{path}: version {version!r}; expected the file's name, {path.stem!r}")
    return Manifest(version, str(data.get("date", "")), records)


def _read_manifests(paths: list[Path]) -> tuple[list[Manifest], list[str]]:
    manifests, problems = [], []
    for path in paths:
        try:
            manifests.append(_parse_manifest(path))
        except ValueError as error:
            problems.append(str(error))
    return sorted(manifests, key=lambda m: version_key(m.version)), problems


def _manifests_and_problems(data_dir: Path) -> tuple[list[Manifest], list[str]]:
    folder = Path(data_dir) / VERSIONS_FOLDER
    paths = sorted(p for p in folder.glob("*.json") if is_dated_version(p.stem)) if folder.is_dir() else []
    stamp = tuple(_file_stamp(p) for p in paths)
    if stamp not in _MANIFEST_CACHE:
        _MANIFEST_CACHE.clear()
        _MANIFEST_CACHE[stamp] = _read_manifests(paths)
    manifests, problems = _MANIFEST_CACHE[stamp]
    return list(manifests), list(problems)


def load_manifests(data_dir: Path) -> list[Manifest]:
    """Every readable release manifest in `data_dir/versions/`, oldest first (see `manifest_problems`)."""
    return _manifests_and_problems(data_dir)[0]


def manifest_problems(data_dir: Path) -> list[str]:
    """The manifests that could not be read, each with what was wrong; they count as no release."""
    return _manifests_and_problems(data_dir)[1]


def known_versions(data_dir: Path) -> list[str]:
    return [m.version for m in load_manifests(data_dir)]


def _manifest(data_dir: Path, version: str) -> Manifest | None:
    return next((m for m in load_manifests(data_dir) if m.version == version), None)


def current_version(data_dir: Path) -> str:
    """The latest release whose records match the data now; when the data changed since the latest release
    (or was never released), '<latest>+<hash>' (or 'unreleased+<hash>'), which no link can reopen."""
    records = current_records(data_dir)
    manifests = load_manifests(data_dir)
    if manifests and _same_records(manifests[-1].records, records):
        return manifests[-1].version
    latest = manifests[-1].version if manifests else UNRELEASED
    return f"{latest}+{records_hash(records)}"


def released_version(data_dir: Path) -> str | None:
    """The current version when it is a release (so a link may carry it), else None."""
    version = current_version(data_dir)
    return version if is_dated_version(version) else None


def _same_records(a: Records, b: Records) -> bool:
    return all(a.get(kind, {}) == b.get(kind, {}) for kind in KINDS)


def diff(old: Mapping[str, Record], new: Mapping[str, Record], ids: Collection[str] | None = None) -> Changes:
    """Added, changed and removed records between two id -> record maps. With `ids` (a selection of the
    newer data), added and changed are those among `ids`; removed records are all listed."""

    def keep(rid: str) -> bool:
        return ids is None or rid in ids

    return Changes(
        added=[Change(rid, new[rid].name) for rid in sorted(new) if rid not in old and keep(rid)],
        changed=[
            Change(rid, new[rid].name) for rid in sorted(new) if rid in old and old[rid] != new[rid] and keep(rid)
        ],
        removed=[Change(rid, old[rid].name) for rid in sorted(old) if rid not in new],
    )


# The columns the filters read (see geo.filters), kept per record in a release. The search text is kept
# short (name, place, operator, country, vendor names): enough to find a removed record again.
FACET_COLUMNS = ("kind", "vendors", "vendor_countries", "country", "sectors", "status", "confidence")
FACET_YEARS = ("year_start", "year_end")


def deployment_facets(data_dir: Path) -> dict[str, dict[str, Any]]:
    """Per deployment id, what the filters read, from the loaded (validated, joined) data."""
    from geo.load import load_atlas
    from geo.search import fold

    atlas = load_atlas(Path(data_dir))
    deployments, names = atlas.deployments, atlas.country_names
    facets: dict[str, dict[str, Any]] = {}
    for record in deployments.drop(columns="geometry").to_dict("records"):
        entry: dict[str, Any] = {c: _plain(record.get(c)) for c in FACET_COLUMNS}
        entry.update(
            {
                c: None if record.get(c) is None or record.get(c) != record.get(c) else int(record[c])
                for c in FACET_YEARS
            }
        )
        entry["history"] = [{"year": int(e["year"]), "status": e["status"]} for e in record.get("history") or []]
        words = [
            record.get("name"),
            record.get("place"),
            record.get("operator"),
            names.get(record.get("country") or ""),
        ]
        entry["search_text"] = fold(" | ".join(str(w) for w in [*words, *(record.get("vendor_names") or [])] if w))
        facets[str(record["id"])] = entry
    return facets


def _plain(value: Any) -> Any:
    if isinstance(value, (list, tuple)) or hasattr(value, "tolist"):
        return [str(v) for v in list(value)]
    return None if value is None else str(value)


def _facet_frame(records: Mapping[str, Record]) -> Any:
    """The release's records as a table the filters can run on."""
    import pandas as pd

    rows = [{"id": rid, **dict(r.facets or {})} for rid, r in records.items()]
    frame = pd.DataFrame(rows, columns=["id", *FACET_COLUMNS, *FACET_YEARS, "history", "search_text"])
    for column in FACET_YEARS:
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    for column in ("vendors", "vendor_countries", "sectors", "history"):
        frame[column] = [v if isinstance(v, list) else [] for v in frame[column]]
    return frame


def changes_in_selection(old_version: str, data_dir: Path, filters: Any, selected_now: Collection[str]) -> Changes:
    """What changed, from release `old_version` to now, in the selection of `filters` (a geo.filters.Filters):
    added (in today's selection, not in the release), changed (in the selection then or now, with other
    content) and removed (in the release's selection, gone from the data). The release's selection is
    rebuilt from the facets its manifest keeps; a release without them lists every removed record."""
    from geo.filters import apply_filters

    manifest = _manifest(data_dir, old_version)
    if manifest is None:
        raise ValueError(f"data version {old_version!r}: no such release in {Path(data_dir) / VERSIONS_FOLDER}")
    old, new = manifest.records["deployments"], current_records(data_dir)["deployments"]
    if any(r.facets is None for r in old.values()):
        return diff(old, new, selected_now)
    was_selected = set(apply_filters(_facet_frame(old), filters)["id"])
    union = set(selected_now) | was_selected
    return Changes(
        added=[Change(rid, new[rid].name) for rid in sorted(new) if rid not in old and rid in selected_now],
        changed=[
            Change(rid, new[rid].name) for rid in sorted(new) if rid in old and old[rid] != new[rid] and rid in union
        ],
        removed=[Change(rid, old[rid].name) for rid in sorted(old) if rid not in new and rid in was_selected],
    )


def changes_since(old_version: str, data_dir: Path, ids: Collection[str] | None = None) -> Changes:
    """What happened to the deployments from release `old_version` to the data now, restricted to `ids`
    (see `diff`). Raises ValueError for a version that has no manifest."""
    manifest = _manifest(data_dir, old_version)
    if manifest is None:
        raise ValueError(f"data version {old_version!r}: no such release in {Path(data_dir) / VERSIONS_FOLDER}")
    return diff(manifest.records["deployments"], current_records(data_dir)["deployments"], ids)


def release_missing(data_dir: Path) -> str | None:
    """A sentence saying the data changed since its latest release (or was never released), else None."""
    version = current_version(data_dir)
    if is_dated_version(version):
        return None
    latest = version.split("+", 1)[0]
    since = "has no release yet" if latest == UNRELEASED else f"changed since its latest release, {latest}"
    return f"the data in {data_dir} {since} (now {version}); run: python -m geo.versions --release"


# Writing releases and the changelog.


def manifest_json(
    version: str, day: str, records: Records, facets: Mapping[str, Mapping[str, Any]] | None = None
) -> str:
    """The manifest as JSON with one line per record (small, and a release's diff reads record by record)."""

    def compact(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))

    parts = [f'{{\n "version": {compact(version)},\n "date": {compact(day)}']
    for kind in KINDS:
        lines = []
        for rid, r in sorted(records.get(kind, {}).items()):
            entry: dict[str, Any] = {"hash": r.hash, "name": r.name}
            if kind == "deployments" and facets and rid in facets:
                entry["facets"] = facets[rid]
            lines.append(f"  {compact(rid)}: {compact(entry)}")
        parts.append(f" {compact(kind)}: {{\n" + ",\n".join(lines) + "\n }" if lines else f" {compact(kind)}: {{}}")
    return ",\n".join(parts) + "\n}\n"


def next_version(day: str, existing: Iterable[str]) -> str:
    """`day` (YYYY.MM.DD), or `day-2`, `day-3`… when that day already has a release."""
    version_key(day)
    if "-" in day:
        raise ValueError(f"--date {day!r}: expected YYYY.MM.DD")
    taken = set(existing)
    if day not in taken:
        return day
    n = 2
    while f"{day}-{n}" in taken:
        n += 1
    return f"{day}-{n}"


def release(data_dir: Path, day: str | None = None) -> str | None:
    """Write a manifest for the data now when it changed since the latest release; the new version, or None
    when there was nothing to release. The changelog is regenerated either way."""
    data_dir = Path(data_dir)
    manifests, problems = _manifests_and_problems(data_dir)
    if problems:
        raise ValueError("; ".join(problems))
    records = current_records(data_dir)
    new_version = None
    if not manifests or not _same_records(manifests[-1].records, records):
        day = day or date.today().strftime("%Y.%m.%d")
        new_version = next_version(day, (m.version for m in manifests))
        if manifests and version_key(new_version) < version_key(manifests[-1].version):
            raise ValueError(f"--date {day!r}: expected a date after the latest release, {manifests[-1].version}")
        folder = data_dir / VERSIONS_FOLDER
        folder.mkdir(exist_ok=True)
        iso_day = day.replace(".", "-")
        manifest = manifest_json(new_version, iso_day, records, deployment_facets(data_dir))
        (folder / f"{new_version}.json").write_text(manifest, encoding="utf-8")
    write_changelog(data_dir)
    return new_version


def _change_lines(title: str, changes: list[Change]) -> list[str]:
    if not changes:
        return []
    return [f"- {title} ({len(changes)}):", *(f"  - `{c.id}`: {c.name}" for c in changes)]


def changelog(manifests: list[Manifest]) -> str:
    """The changelog of the deployments and vendors, newest release first."""
    lines = [
        "# Data changelog",
        "",
        "Generated by `python -m geo.versions --release` from the manifests in `versions/`; do not edit by hand.",
        "",
    ]
    previous: Manifest | None = None
    entries = []
    for manifest in manifests:
        entry = [f"## {manifest.version} ({manifest.date})", ""]
        for kind in KINDS:
            old = previous.records[kind] if previous else {}
            changes = diff(old, manifest.records[kind])
            body = (
                _change_lines("Added", changes.added)
                + _change_lines("Changed", changes.changed)
                + _change_lines("Removed", changes.removed)
            )
            if previous is None:
                body = [f"- First release: {len(manifest.records[kind])} records."]
            entry += [f"### {kind.capitalize()}", "", *(body or ["- No change."]), ""]
        entries.append(entry)
        previous = manifest
    for entry in reversed(entries):
        lines += entry
    return "\n".join(lines).rstrip() + "\n"


def write_changelog(data_dir: Path) -> Path:
    path = Path(data_dir) / CHANGELOG_FILE
    path.write_text(changelog(load_manifests(data_dir)), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    from geo.validate import DATA_DIR

    parser = argparse.ArgumentParser(prog="python -m geo.versions", description=__doc__.split("\n\n")[0])
    parser.add_argument("--release", action="store_true", help="write a manifest when the data changed")
    parser.add_argument("--date", help="the release's date, YYYY.MM.DD (default: today)")
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR, help="the data folder (default: data/)")
    args = parser.parse_args(argv)
    if not args.release:
        print(f"data version: {current_version(args.data_dir)}")
        missing = release_missing(args.data_dir)
        if missing:
            print(missing[0].upper() + missing[1:] + ".", file=sys.stderr)
        return 1 if missing else 0
    if args.date and not (is_dated_version(args.date) and "-" not in args.date):
        print(f"--date {args.date!r}: expected YYYY.MM.DD, e.g. 2026.12.02", file=sys.stderr)
        return 2
    try:
        version = release(args.data_dir, args.date)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    if version:
        print(f"Released data version {version}; wrote {args.data_dir / VERSIONS_FOLDER / (version + '.json')}")
    else:
        print(f"No change since data version {current_version(args.data_dir)}; nothing released.")
    print(f"Wrote {args.data_dir / CHANGELOG_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
