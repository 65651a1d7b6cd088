"""The place gazetteer: curated catalogue, countries, subdivisions and GeoNames, loaded once.

Look a name up (case- and diacritic-insensitive, exact first, fuzzy for misspellings),
list the candidates of an ambiguous name, find the country and subdivision of a point,
and derive directional sub-regions ("central Lithuania", "north-eastern Poland").
"""

from __future__ import annotations

import csv
import gc
import json
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import shapely
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from geo.fastregex import FastRegex, compile_fast
from geo.normalize import fold, name_key, spelled_out_key, word_form
from geo.packed import PackedIndex, PackedStrings
from geo.prebuilt import cached

DATA_DIR = Path(__file__).resolve().parents[1] / "data"

# Source ranks: a curated row beats a country, which beats a subdivision, which beats GeoNames.
DEMONYM_CACHE_SIZE = 50_000
RANK = {"catalogue": 0, "country": 1, "group": 1, "exercise": 2, "admin1": 3, "geonames": 4}
AREA_KINDS = frozenset({"country", "region", "sea", "gulf", "lake", "strait", "chokepoint", "island",
                        "peninsula", "training_area", "group", "subregion"})
DIRECTIONS = {
    # (x from, x to, y from, y to) as fractions of the area's bounding box: outer thirds.
    "central": (1 / 4, 3 / 4, 1 / 4, 3 / 4),
    "northern": (0, 1, 2 / 3, 1), "southern": (0, 1, 0, 1 / 3),
    "eastern": (2 / 3, 1, 0, 1), "western": (0, 1 / 3, 0, 1),
    "north-eastern": (2 / 3, 1, 2 / 3, 1), "north-western": (0, 1 / 3, 2 / 3, 1),
    "south-eastern": (2 / 3, 1, 0, 1 / 3), "south-western": (0, 1 / 3, 0, 1 / 3),
}
DIRECTION_ALIASES = {
    "north": "northern", "south": "southern", "east": "eastern", "west": "western", "centre": "central",
    "center": "central", "mid": "central", "northeast": "north-eastern", "northeastern": "north-eastern",
    "north-east": "north-eastern", "northwest": "north-western", "northwestern": "north-western",
    "north-west": "north-western", "southeast": "south-eastern", "southeastern": "south-eastern",
    "south-east": "south-eastern", "southwest": "south-western", "southwestern": "south-western",
    "south-west": "south-western",
}
GENERIC_SUFFIX = re.compile(
    r"\s*(\((?:[^)]*)\)|(?:Joint National |Combat |Military |Land Forces |Army |Naval |Air |Central )?"
    r"(?:Training (?:Area|Ground|Range|Center|Centre)|Air ?Base|Airbase|Airfield|Air Station|Military Base|"
    r"Army Base|Naval Base|Garrison|Barracks|Range|Base|Camp|Polygon|Aegis Ashore site|Missile Defen[cs]e Site))+$",
    re.I)
# What a prebuilt index stores (geo/prebuilt.py): the tables the constructor builds, no caches.
STATE = ("places", "index", "case_sensitive", "demonyms", "capitals", "exercises", "exercise_names",
         "_geonames_rows", "_capital_rows", "_fuzzy_choices")
# A short form left of only these words names an organisation, not a site ("Joint Force" of
# "Joint Force Training Centre").
GENERIC_WORDS = frozenset({"joint", "force", "forces", "national", "combat", "military", "land", "army", "naval",
                           "navy", "air", "central", "training", "multinational", "allied", "nato", "main",
                           "regional", "special", "operations", "command"})
# "the Brestsky training ground" is also written "Brestsky": a Russian or Belarusian range's
# adjective names the range alone (the town is "Brest")
RANGE_ADJECTIVE = re.compile(r"^([A-Z][\w-]{2,}(?:sky|ski|skiy|skii|skoye))\s+(?:training ground|range|polygon|"
                             r"training area|proving ground)$")
ADMIN1_SUFFIXES = ("region", "oblast", "province", "voivodeship", "county", "district", "krai", "republic",
                   "territory")


@dataclass(frozen=True)
class Place:
    """One gazetteer entry. ``kind`` is "country" for whole countries."""

    id: str
    name: str
    kind: str
    country: str
    lat: float
    lon: float
    source: str
    population: int = 0
    admin1: str = ""
    aliases: tuple[str, ...] = field(default=(), compare=False)
    members: tuple[str, ...] = field(default=(), compare=False)

    @property
    def is_area(self) -> bool:
        return self.kind in AREA_KINDS

    @property
    def rank(self) -> int:
        return RANK.get(self.source.split(":", 1)[0], 5)


@dataclass(frozen=True)
class Match:
    """A lookup result: the place and a score in [0, 100] (100 = exact)."""

    place: Place
    score: float


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split("|") if v.strip()]


class Gazetteer:
    """All places, indexed by normalised name. Build with :func:`load_gazetteer`."""

    def __init__(self, data_dir: Path = DATA_DIR, state: dict[str, object] | None = None) -> None:
        """Build from the files of ``data_dir``, or restore a prebuilt ``state`` (see :meth:`state`)."""
        self.data_dir = data_dir
        self.prebuilt = state is not None  # restored from geo.prebuilt: its name trie may be too
        self._borders: dict[tuple[str, str], BaseGeometry | None] = {}
        self._choices_by_rank: dict[int, list[str]] = {}
        self._demonym_of_word: dict[str, str | None] = {}
        self._subregions: dict[tuple[str, str], tuple[Place, BaseGeometry] | None] = {}
        # the last text scanned for exercise names and what was found: the mention and event stages
        # ask for the same article one after the other
        self._exercise_scan: tuple[str, tuple[tuple[int, int, str], ...]] = ("", ())
        if state is not None:
            self.__dict__.update(state)
            return
        self.places: dict[str, Place] = {}
        self.index: dict[str, list[str]] = {}
        self.case_sensitive: set[str] = set()
        self.demonyms: dict[str, str] = {}
        self.capitals: dict[str, str] = {}
        self.exercises: dict[str, dict[str, str]] = {}
        self.exercise_names: dict[str, str] = {}
        # GeoNames rows as one tab-joined string each (name, lat, lon, country, admin1, population):
        # a tenth of the objects of lists, so a prebuilt index loads in a fraction of the time.
        self._geonames_rows: dict[str, str] = {}
        self._capital_rows: list[tuple[str, list[str], Place]] = []
        self._load_countries()
        self._load_catalogue()
        self._load_groups()
        self._load_admin1_names()
        self._load_geonames()
        self._add_distant_capitals()
        for ids in self.index.values():
            if len(ids) > 1:
                ids.sort(key=self._sort_key)
        # Built once, then only read: packed, the two largest tables take a tenth of the memory.
        self.index = PackedIndex(self.index)
        self._geonames_rows = PackedStrings(self._geonames_rows)

    # ----- loading -------------------------------------------------------------------------
    def _add(self, place: Place, names: list[str]) -> None:
        self.places.setdefault(place.id, place)
        for n in names:
            if n.startswith("="):
                n = n[1:]
                self.case_sensitive.add(n)
            for key in (name_key(n), spelled_out_key(n)):
                if key is None or len(key) < 2:
                    continue
                ids = self.index.setdefault(key, [])
                if place.id not in ids:
                    ids.append(place.id)

    def state(self) -> dict[str, object]:
        """Return the built tables (no caches), from which ``Gazetteer(data_dir, state)`` restores it."""
        return {name: getattr(self, name) for name in STATE}

    def _sort_key(self, pid: str) -> tuple[int, int]:
        rank, population = self._rank_and_population(pid)
        return rank, -population

    def _rank_and_population(self, pid: str) -> tuple[int, int]:
        p = self.places.get(pid)
        if p is not None:
            return p.rank, p.population
        return RANK["geonames"], int(self._geonames_rows[pid].rsplit("\t", 1)[1] or 0)

    def _read_csv(self, rel: str) -> Iterator[dict[str, str]]:
        path = self.data_dir / rel
        if not path.exists():
            return iter(())
        with path.open(encoding="utf-8", newline="") as fh:
            return iter(list(csv.DictReader(fh)))

    def _load_countries(self) -> None:
        extra = {r["iso"]: r for r in self._read_csv("catalogue/countries.csv")}
        for r in self._read_csv("gazetteer/countries_world.csv"):
            iso = r["iso"]
            cur = extra.get(iso, {})
            name = cur.get("name") or r["name"]
            names = [name, r["name"], *_split(r["aliases"]), *_split(cur.get("aliases"))]
            place = Place(id=f"country:{iso}", name=name, kind="country", country=iso, lat=float(r["lat"]),
                          lon=float(r["lon"]), source="country:Natural Earth", aliases=tuple(names))
            self._add(place, names)
            for d in _split(cur.get("demonyms")):
                self.demonyms[name_key(d)] = iso
            if cur.get("capital"):
                capital_names = [cur["capital"], *_split(cur.get("capital_aliases"))]
                for c in capital_names:
                    self.capitals[name_key(c)] = iso
                self._capital_rows.append((iso, capital_names, place))

    def _load_catalogue(self) -> None:
        for r in self._read_csv("catalogue/places.csv"):
            try:
                lat, lon = float(r["lat"]), float(r["lon"])
            except (TypeError, ValueError):
                continue
            names = [r["name"], *_split(r.get("aliases"))]
            short = GENERIC_SUFFIX.sub("", r["name"]).strip()
            if short != r["name"] and len(short) >= 4 and not GENERIC_WORDS.issuperset(short.lower().split()):
                names.append(short)  # "Ämari Air Base" is mostly written "Ämari"
            if r["kind"] == "training_area":
                known = {n.lower() for n in names}
                names += [m.group(1) for n in list(names) if (m := RANGE_ADJECTIVE.match(n))
                          and m.group(1).lower() not in known]
            place = Place(id=f"catalogue:{r['id']}", name=r["name"], kind=r["kind"], country=r.get("country", ""),
                          lat=lat, lon=lon, source=f"catalogue:{r.get('source', '')}", aliases=tuple(names))
            self._add(place, names)
        for r in self._read_csv("catalogue/exercises.csv"):
            self.exercises[r["id"]] = r
            for n in [r["name"], *_split(r.get("aliases"))]:
                self.exercise_names[name_key(n.lstrip("="))] = r["id"]

    def _load_groups(self) -> None:
        for r in self._read_csv("catalogue/groups.csv"):
            members = tuple(_split(r.get("members")))
            pts = [self.places[f"country:{m}"] for m in members if f"country:{m}" in self.places]
            if not pts:
                continue
            lat = sum(p.lat for p in pts) / len(pts)
            lon = sum(p.lon for p in pts) / len(pts)
            names = [r["name"], *_split(r.get("aliases"))]
            place = Place(id=f"group:{r['id']}", name=r["name"], kind="group", country="", lat=round(lat, 4),
                          lon=round(lon, 4), source="group:catalogue", aliases=tuple(names), members=members)
            self._add(place, names)

    def _load_admin1_names(self) -> None:
        for r in self._read_csv("gazetteer/admin1.csv"):
            place = Place(id=f"admin1:{r['code']}", name=r["name"], kind="region", country=r["country"],
                          lat=float(r["lat"]), lon=float(r["lon"]), source="admin1:Natural Earth via superset-ui")
            bases = {r["name"], r["local_name"], r["local_name"].replace("'", "")}
            names = []
            for b in bases:
                names.append(b)
                names.extend(f"{b} {s}" for s in ADMIN1_SUFFIXES)
            # Bare local names ("Pskov") belong to the city; only suffixed forms name the region,
            # except Estonian county names ("Harjumaa") that no town shares.
            self._add(place, [n for n in names if n not in bases or " " in n or n.endswith("maa")])

    @cached_property
    def _admin1_geoms(self) -> dict[str, BaseGeometry]:
        return self._shapes("admin1", "admin1.geojson", lambda p: f"admin1:{p['code']}")

    def _load_geonames(self) -> None:
        # The hot path of start-up: keys are precomputed by the build script, rows stay tuples
        # until a lookup turns one into a Place (see :meth:`place`).
        index = self.index
        with (self.data_dir / "gazetteer" / "geonames.csv").open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            next(reader)
            for row in reader:
                pid = "geonames:" + row[0]
                self._geonames_rows[pid] = "\t".join(row[1:7])
                for key in row[7].split("|"):
                    ids = index.get(key)
                    if ids is None:
                        index[key] = [pid]
                    elif pid not in ids:
                        ids.append(pid)

    def _add_distant_capitals(self) -> None:
        """Capitals outside the bundled region ("Washington", "Ottawa") get a place of their own,
        at their country's label point, so they do not resolve to a homonymous European town."""
        for iso, names, country in self._capital_rows:
            ids = self.index.get(name_key(names[0]), [])
            if any(self.place(i).country == iso for i in ids):
                continue
            capital = Place(id=f"capital:{iso}", name=names[0], kind="city", country=iso, lat=country.lat,
                            lon=country.lon, source="catalogue:capital of " + country.name)
            self.places[capital.id] = capital
            for n in names:
                self.index.setdefault(name_key(n), []).insert(0, capital.id)

    def place(self, pid: str) -> Place:
        """Return the place with id ``pid`` (KeyError if unknown)."""
        p = self.places.get(pid)
        if p is not None:
            return p
        name, lat, lon, country, admin1, population = self._geonames_rows[pid].split("\t")
        p = Place(id=pid, name=name, kind="city", country=country, lat=float(lat), lon=float(lon),
                  source="geonames:cities500", population=int(population or 0), admin1=admin1)
        self.places[pid] = p
        return p

    # ----- lookups -------------------------------------------------------------------------
    def lookup(self, name: str, *, fuzzy: bool = True, limit: int = 5) -> list[Match]:
        """Return the best matches for ``name``, exact (score 100) first, else fuzzy ones."""
        key = name_key(name)
        ids = self.index.get(key)
        if not ids and key.startswith("the "):
            key = key[4:]
            ids = self.index.get(key)
        if ids:
            return [Match(self.place(i), 100.0) for i in ids[:limit]]
        if not fuzzy or len(key) < 5:
            return []
        return self.fuzzy(name, limit=limit)

    def candidates(self, name: str) -> list[Place]:
        """Return every place whose name or alias is exactly ``name`` (best-ranked first)."""
        return [self.place(i) for i in self.index.get(name_key(name), [])]

    @cached_property
    def _fuzzy_choices(self) -> list[tuple[str, int]]:
        """(key, rank) worth fuzzy matching: curated, countries, regions and towns of 20,000+."""
        keep = []
        for key, ids in self.index.items():
            if len(key) < 5:
                continue
            rank, population = self._rank_and_population(ids[0])  # no Place objects for 180,000 names
            if rank <= RANK["admin1"] or population >= 20_000:
                keep.append((key, rank))
        return keep

    def _choices_up_to(self, max_rank: int) -> list[str]:
        if max_rank not in self._choices_by_rank:
            self._choices_by_rank[max_rank] = [k for k, rank in self._fuzzy_choices if rank <= max_rank]
        return self._choices_by_rank[max_rank]

    def fuzzy(self, name: str, *, limit: int = 5, min_score: float = 80.0,
              max_rank: int = RANK["geonames"]) -> list[Match]:
        """Return fuzzy matches for a misspelled name (transpositions count as one edit),
        among names whose best place ranks at most ``max_rank`` (0: the curated catalogue only)."""
        key = name_key(name)
        hits = process.extract(key, self._choices_up_to(max_rank), scorer=OSA.normalized_similarity,
                               limit=limit * 3, score_cutoff=min_score / 100)
        out: list[Match] = []
        seen = set()
        for choice, sim, _ in hits:
            # OSA alone over-rates short keys; require the token-sorted ratio to agree.
            score = min(sim * 100, fuzz.token_sort_ratio(key, choice))
            if score < min_score:
                continue
            for pid in self.index[choice][:2]:
                if pid not in seen:
                    seen.add(pid)
                    out.append(Match(self.place(pid), round(score, 1)))
        out.sort(key=lambda m: (-m.score, m.place.rank))
        return out[:limit]

    @cached_property
    def exercise_pattern(self) -> FastRegex:
        """One alternation of every exercise name, searched in ``normalize.word_form`` text;
        group 1 is the name's key in ``exercise_names``."""
        keys = sorted((k for k in self.exercise_names if len(k) >= 4), key=len, reverse=True)
        # word_form leaves only letters, digits, spaces and \x01, so the edges are spelled out
        # (RE2's \b would not see Cyrillic letters as word characters).
        return compile_fast(r"(?:^|[ \x01])(" + "|".join(re.escape(k) for k in keys) + r")(?:[ \x01]|$)")

    def exercise_names_in(self, text: str) -> tuple[tuple[int, int, str], ...]:
        """Return the capitalised exercise names in ``text`` ("Saber Strike", "Zapad-2021") as
        (start, end, key), in text order."""
        last_text, found = self._exercise_scan
        if last_text != text:
            found = tuple((m.start(1), m.end(1), m.group(1)) for m in self.exercise_pattern.finditer(word_form(text))
                          if text[m.start(1)].isupper())
            self._exercise_scan = (text, found)
        return found

    @cached_property
    def context_cues(self) -> dict[str, tuple[str, ...]]:
        """Place id -> lower-case words whose presence nearby favours that homonym."""
        return {r["place_id"]: tuple(_split(r["cues"].lower())) for r in self._read_csv("catalogue/context_cues.csv")}

    @cached_property
    def capital_ids(self) -> frozenset[str]:
        """Ids of the places that are national capitals (candidates for metonymy)."""
        ids = set()
        for key in self.capitals:
            hits = self.index.get(key)
            if hits:
                ids.add(hits[0])
        return frozenset(ids)

    def country(self, iso: str) -> Place | None:
        """Return the country place for an ISO 3166-1 alpha-2 code."""
        return self.places.get(f"country:{iso.upper()}")

    def demonym_country(self, word: str) -> str | None:
        """Return the ISO code a demonym ("Polish", "Lithuanians") refers to, if any."""
        try:
            return self._demonym_of_word[word]
        except KeyError:
            iso = self.demonyms.get(name_key(word))
            if len(self._demonym_of_word) < DEMONYM_CACHE_SIZE:  # every capitalised word is asked: keep it bounded
                self._demonym_of_word[word] = iso
            return iso

    # ----- geometry ------------------------------------------------------------------------
    def _shapes(self, name: str, file_name: str, key: Callable[[dict], str]) -> dict[str, BaseGeometry]:
        """The geometries of ``boundaries/file_name`` by ``key`` of their properties (none if absent),
        from the prebuilt cache when the gazetteer itself was: parsing GeoJSON takes 0.1-0.25 s."""
        def read() -> dict[str, BaseGeometry]:
            path = self.data_dir / "boundaries" / file_name
            if not path.exists():
                return {}
            doc = json.loads(path.read_text(encoding="utf-8"))
            return {key(f["properties"]): shapely.geometry.shape(f["geometry"]) for f in doc["features"]}
        return cached(name, self.data_dir, read) if self.prebuilt else read()

    @cached_property
    def country_shapes(self) -> dict[str, BaseGeometry]:
        """Return every country's polygon by ISO code."""
        return self._shapes("countries", "countries.geojson", lambda p: p["iso"])

    @cached_property
    def area_shapes(self) -> dict[str, BaseGeometry]:
        return self._shapes("areas", "areas.geojson", lambda p: f"catalogue:{p['id']}")

    @cached_property
    def _country_tree(self) -> tuple[shapely.STRtree, list[str]]:
        isos = sorted(self.country_shapes)
        return shapely.STRtree([self.country_shapes[i] for i in isos]), isos

    @cached_property
    def _admin1_tree(self) -> tuple[shapely.STRtree, list[str]]:
        ids = sorted(self._admin1_geoms)
        return shapely.STRtree([self._admin1_geoms[i] for i in ids]), ids

    def geometry(self, place: Place) -> BaseGeometry | None:
        """Return the polygon of an area place (country, subdivision, sea, strait...), or None."""
        if place.kind == "country":
            return self.country_shapes.get(place.country)
        if place.id in self.area_shapes:
            return self.area_shapes[place.id]
        if place.id in self._admin1_geoms:
            return self._admin1_geoms[place.id]
        if place.kind == "group":
            shapes = [self.country_shapes[m] for m in place.members if m in self.country_shapes]
            return shapely.union_all(shapes) if shapes else None
        return None

    def border_line(self, a: str, b: str) -> BaseGeometry | None:
        """Return the shared border of two countries (cached), or None when they do not touch."""
        key = (a, b) if a <= b else (b, a)
        if key not in self._borders:
            shapes = self.country_shapes
            line = None
            if a in shapes and b in shapes:
                line = shapes[key[0]].buffer(0.02).intersection(shapes[key[1]].boundary)
            self._borders[key] = None if line is None or line.is_empty else line
        return self._borders[key]

    def country_at(self, lon: float, lat: float) -> str | None:
        """Return the ISO code of the country containing the point, or None (at sea, outside)."""
        tree, isos = self._country_tree
        hits = tree.query(shapely.Point(lon, lat), predicate="intersects")
        return isos[int(hits[0])] if len(hits) else None

    def subdivision_at(self, lon: float, lat: float) -> Place | None:
        """Return the first-level subdivision containing the point, or None."""
        tree, ids = self._admin1_tree
        hits = tree.query(shapely.Point(lon, lat), predicate="intersects")
        return self.place(ids[int(hits[0])]) if len(hits) else None

    def subregion(self, direction: str, area: Place) -> tuple[Place, BaseGeometry] | None:
        """Return ("central Lithuania" place, geometry) for a direction word and an area place (cached)."""
        d = DIRECTION_ALIASES.get(direction.lower(), direction.lower())
        key = (d, area.id)
        if key not in self._subregions:
            self._subregions[key] = self._cut_subregion(d, area)
        return self._subregions[key]

    def _cut_subregion(self, d: str, area: Place) -> tuple[Place, BaseGeometry] | None:
        geom = self.geometry(area)
        if d not in DIRECTIONS or geom is None or geom.is_empty:
            return None
        x0, y0, x1, y1 = geom.bounds
        fx0, fx1, fy0, fy1 = DIRECTIONS[d]
        window = box(x0 + fx0 * (x1 - x0), y0 + fy0 * (y1 - y0), x0 + fx1 * (x1 - x0), y0 + fy1 * (y1 - y0))
        part = geom.intersection(window)
        if part.is_empty:
            return None
        # The largest piece, so an island or exclave does not drag the point off the mainland.
        if part.geom_type in ("MultiPolygon", "GeometryCollection"):
            polys = [g for g in getattr(part, "geoms", []) if g.area > 0]
            part = max(polys, key=lambda g: g.area) if polys else part
        pt = part.centroid if part.contains(part.centroid) else part.representative_point()
        label = f"{d} {area.name}"
        place = Place(id=f"subregion:{d}:{area.id}", name=label, kind="subregion", country=area.country,
                      lat=round(pt.y, 4), lon=round(pt.x, 4), source=f"subregion:{area.id}")
        return place, part

    def all_keys(self) -> Iterator[tuple[str, list[str]]]:
        """Yield (folded name key, place ids) for every indexed name."""
        return iter(self.index.items())


_INSTANCE: Gazetteer | None = None
_INSTANCE_LOCK = threading.Lock()


def load_gazetteer(data_dir: Path | None = None) -> Gazetteer:
    """Return the process-wide gazetteer, loading it on first use (thread-safe)."""
    global _INSTANCE
    if data_dir is not None:
        return Gazetteer(data_dir)
    with _INSTANCE_LOCK:
        if _INSTANCE is None:
            _INSTANCE = Gazetteer(DATA_DIR, cached("gazetteer", DATA_DIR, lambda: Gazetteer(DATA_DIR).state()))
            # Millions of long-lived objects: moved out of the cyclic collector's view, they are
            # no longer rescanned while articles are processed (about 10% of extraction time).
            gc.freeze()
        return _INSTANCE


__all__ = ["Gazetteer", "Match", "Place", "fold", "load_gazetteer", "name_key"]
