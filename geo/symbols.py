"""APP-6 (MIL-STD-2525) unit symbols for deployments, drawn by the registry package
``military-symbol`` from a symbol identification code (SIDC) built here from the event.

The 20-digit SIDC (APP-6 D / 2525 D): version 10, reality, standard identity (friend for NATO
and partner forces, hostile for Russian and Belarusian ones, unknown otherwise), symbol set
(land unit, air, sea surface), status (planned or requested: anticipated, a dashed frame),
task force (a battlegroup is a battalion task force), echelon from the unit word, and the
main icon from the unit type the text names (infantry, armour, air defence, artillery,
missile, fighter aircraft, warships). The SVG depends on the SIDC alone (no article text), is
cached per SIDC, and reaches the page as a ``data:`` URI, which cannot run script.
"""

from __future__ import annotations

import base64
import contextlib
import io
import re
import threading
import xml.etree.ElementTree as ET
from functools import lru_cache
from typing import Any

# NATO's members, then partners whose forces exercise and deploy with them on the flank.
FRIENDLY = frozenset({
    "AL", "BE", "BG", "CA", "HR", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IS", "IT", "LV", "LT", "LU",
    "ME", "NL", "MK", "NO", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "TR", "GB", "US",
    "UA", "GE", "MD", "AT", "IE", "CH"})
HOSTILE = frozenset({"RU", "BY"})
IDENTITY = {"friend": "3", "hostile": "6", "unknown": "1"}
PLANNED_STATUSES = frozenset({"planned", "requested"})
ECHELON = {"company": "15", "battery": "15", "detachment": "15", "battalion": "16", "battlegroup": "16",
           "battle group": "16", "task force": "16", "regiment": "17", "brigade": "18", "division": "21",
           "corps": "22"}
TASK_FORCE_UNITS = frozenset({"battlegroup", "battle group", "task force"})
SYMBOL_HEIGHT_PX = 22
_SVG_NS = "{http://www.w3.org/2000/svg}"
_LOCK = threading.Lock()

# (unit type, symbol set, entity code, the words of the evidence or equipment that name it), first match wins
UNIT_TYPES: tuple[tuple[str, str, str, re.Pattern[str]], ...] = tuple(
    (name, symbol_set, entity, re.compile(words, re.I)) for name, symbol_set, entity, words in (
        ("fighter aircraft", "01", "110104",
         r"\b(?:F-16s?|F-35s?|MiG-29s?|MiG-31s?|Su-27s?|Su-30s?|Su-35s?|Typhoons?|Gripens?|Rafales?|fighter|jets?|"
         r"air[- ]policing)\b"),
        ("warship", "30", "120000",
         r"\b(?:ships?|warships?|frigates?|destroyers?|corvettes?|submarines?|naval|fleet|minehunters?)\b"),
        ("missile", "10", "130700", r"\b(?:Iskanders?|missile brigade|missile battalion|ballistic missiles?|"
                                    r"Bastion|cruise missiles?)\b"),
        ("air defence", "10", "130100", r"\b(?:Patriots?|NASAMS|S-[34]00s?|IRIS-T|Pantsir|Tor-M\d|SAMP/T|"
                                        r"air[- ]defen[cs]e|anti-aircraft)\b"),
        ("artillery", "10", "130300", r"\b(?:HIMARS|M270|howitzers?|artillery|Caesar|Krab|K9)\b"),
        ("armour", "10", "120500", r"\b(?:tanks?|armou?red|armou?r|Abrams|Leopard|Challenger|T-(?:72|80|90)s?)\b"),
        ("infantry", "10", "121100", r"\b(?:infantry|soldiers|troops|marines|paratroopers|battle ?groups?|"
                                     r"mechani[sz]ed)\b"),
    ))
_RUSSIAN_FORCES = re.compile(r"\b(?:Russia|Russian|Belarus|Belarusian|Wagner|Kremlin|Moscow)\b")
_ALLIED_FORCES = re.compile(r"\b(?:NATO|allied|allies|US|U\.S\.|American|British|German|Canadian|Polish|French|"
                            r"Dutch|Danish|Norwegian|Swedish|Finnish|Baltic|multinational|enhanced Forward Presence)\b")


def _codes(value: object) -> set[str]:
    return {c for c in re.split(r"[,\s]+", str(value or "")) if c}


def affiliation(event: dict[str, Any]) -> str:
    """Return "friend", "hostile" or "unknown": whose forces a deployment moves.

    The lead and contributing nations decide; else Russian or Belarusian soil, or a sentence
    naming Russia's forces and no allied ones, makes them hostile; else a NATO or partner host.
    """
    nations = _codes(event.get("lead_nation")) | _codes(event.get("contributors"))
    if nations & HOSTILE:
        return "hostile"
    if nations & FRIENDLY:
        return "friend"
    country = str(event.get("country") or "")
    evidence = str(event.get("evidence") or "")
    if country in HOSTILE or (_RUSSIAN_FORCES.search(evidence) and not _ALLIED_FORCES.search(evidence)):
        return "hostile"
    return "friend" if country in FRIENDLY else "unknown"


def unit_type(event: dict[str, Any]) -> tuple[str, str, str]:
    """Return the (unit type, symbol set, entity code) the event's equipment or sentence names;
    an unspecified land unit ("", "10", "000000") when it names none."""
    equipment = str(event.get("equipment") or "").replace(",", " ")
    text = f"{equipment} {event.get('unit') or ''} {event.get('evidence') or ''}"
    for name, symbol_set, entity, words in UNIT_TYPES:
        if words.search(text):
            return name, symbol_set, entity
    return "", "10", "000000"


def sidc(event: dict[str, Any]) -> str:
    """Return the 20-digit APP-6 D SIDC of a deployment (a mapping with the store's event columns)."""
    _, symbol_set, entity = unit_type(event)
    unit = str(event.get("unit") or "").lower()
    land = symbol_set == "10"
    status = "1" if str(event.get("status") or "") in PLANNED_STATUSES else "0"
    task_force = "4" if land and unit in TASK_FORCE_UNITS else "0"
    echelon = ECHELON.get(unit, "00") if land else "00"
    return f"100{IDENTITY[affiliation(event)]}{symbol_set}{status}{task_force}{echelon}{entity}0000"


# What a deployment's SIDC is made of: the columns of the store's events that :func:`sidc` reads.
SYMBOL_FIELDS = ("type", "unit", "equipment", "evidence", "lead_nation", "contributors", "country", "status")


def row_sidc(row: dict[str, Any]) -> str:
    """Return the SIDC of an event row (as :func:`sidc`), worked out once per distinct set of fields:
    every map and snapshot of a view asks again for mostly the same events."""
    return _cached_sidc(tuple(_field(row.get(name)) for name in SYMBOL_FIELDS))


@lru_cache(maxsize=65_536)
def _cached_sidc(values: tuple[str, ...]) -> str:
    return sidc(dict(zip(SYMBOL_FIELDS, values, strict=True)))


def _field(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


@lru_cache(maxsize=512)
def symbol_svg(code: str) -> str:
    """Return the SVG of the symbol of SIDC ``code`` (drawn by ``military-symbol``, cached)."""
    if not re.fullmatch(r"\d{20}", code):
        raise ValueError(f"not a 20-digit SIDC: {code!r}")
    import military_symbol  # 0.7 s to import: only when a map draws symbols

    # One at a time: the package keeps a shared cache and prints notes on both streams ("Entity
    # 000000 does not exist ... defaulting": an unspecified land unit, as meant). Its own cropping
    # writes a temporary "svg.tmp" into the working directory, so it is off and the symbol is
    # cropped here, in memory.
    with _LOCK, contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        svg = str(military_symbol.get_symbol_svg_string_from_sidc(code, bounding_padding=-1))
    return _cropped(svg)


def _cropped(svg: str, padding_px: float = 4.0) -> str:
    """Return ``svg`` with its viewBox, width and height fitted to its shapes (paths, circles and
    ellipses: all the package draws) plus ``padding_px``."""
    from svgpathtools import parse_path

    root = ET.fromstring(svg.split("?>", 1)[-1])
    w0 = float(root.get("viewBox", "").split()[2])
    scale = float(root.get("width", w0)) / w0  # pixels per SVG unit
    boxes = [parse_path(el.get("d")).bbox() for el in root.iter(f"{_SVG_NS}path") if el.get("d")]
    for el in [*root.iter(f"{_SVG_NS}circle"), *root.iter(f"{_SVG_NS}ellipse")]:
        cx, cy = float(el.get("cx", 0)), float(el.get("cy", 0))
        rx, ry = float(el.get("rx", el.get("r", 0))), float(el.get("ry", el.get("r", 0)))
        boxes.append((cx - rx, cx + rx, cy - ry, cy + ry))
    if not boxes:
        return svg
    pad = padding_px / scale
    left, right = min(b[0] for b in boxes) - pad, max(b[1] for b in boxes) + pad
    top, bottom = min(b[2] for b in boxes) - pad, max(b[3] for b in boxes) + pad
    root.set("viewBox", f"{left:.4f} {top:.4f} {right - left:.4f} {bottom - top:.4f}")
    root.set("width", str(round((right - left) * scale)))
    root.set("height", str(round((bottom - top) * scale)))
    ET.register_namespace("", _SVG_NS[1:-1])
    return ET.tostring(root, encoding="unicode")


@lru_cache(maxsize=512)
def symbol_icon(code: str, height_px: int = SYMBOL_HEIGHT_PX) -> tuple[str, int, int]:
    """Return (``data:`` URI, width, height in pixels) of the symbol of SIDC ``code`` at ``height_px``."""
    svg = symbol_svg(code)
    width = float(re.search(r'\bwidth="([\d.]+)"', svg).group(1))  # type: ignore[union-attr]
    height = float(re.search(r'\bheight="([\d.]+)"', svg).group(1))  # type: ignore[union-attr]
    uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return uri, max(1, round(width * height_px / height)), height_px


def legend_symbols() -> list[tuple[str, str]]:
    """Return (label, SIDC) of the symbols the legend explains: the frames and the planned status."""
    return [("friendly unit (NATO, partners)", "10031000161211000000"),
            ("hostile unit (Russia, Belarus)", "10061000161211000000"),
            ("unknown side", "10011000001211000000"),
            ("planned or requested (dashed)", "10031010161211000000")]
