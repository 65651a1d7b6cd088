"""Stage 2, find place mentions: multi-pattern search over every gazetteer name and alias,
fuzzy matching of misspelled capitalised names, directional sub-regions ("central
Lithuania"), demonym compounds ("the Polish-Lithuanian border", "on Polish soil") and
group regions ("the Baltic states"). Each mention carries the context flags the event
stage needs (metonymy, name-embedded, furniture).
"""

from __future__ import annotations

import gc
import re
import string
import threading
from dataclasses import dataclass, field
from itertools import pairwise

import marisa_trie

from geo.dates import MONTHS
from geo.fastregex import compile_fast
from geo.gazetteer import Gazetteer, Place
from geo.load import Article
from geo.normalize import name_key, word_form
from geo.prebuilt import cached

DIRECTION_WORD = re.compile(
    r"(?:^|[^\w-])((?:north|south)[ -]?(?:east|west)(?:ern)?|northern|southern|eastern|western|central|"
    r"(?:north|south|east|west))[ \t]+$",  # on the name's line: "NORTH\n\nNorway" is a heading, then a name
    re.I,
)
PLACE_PREPOSITIONS = ("in", "at", "near", "outside", "around", "to", "into", "from", "of", "on", "across", "toward",
                      "towards", "via", "through", "past", "beyond", "between", "off", "over")
PLACE_PREPOSITION = re.compile(r"\b(" + "|".join(PLACE_PREPOSITIONS) + r")\s+(the\s+)?$", re.I)
DIRECTION_ENDINGS = ("north", "south", "east", "west", "ern", "central")  # how DIRECTION_WORD can end
PLACE_PREPOSITION_ENDINGS = (*PLACE_PREPOSITIONS, "the")  # cheap check before PLACE_PREPOSITION
ASCII_LETTERS = frozenset(string.ascii_letters)
SEA_NOUNS = {"sea", "seas", "gulf", "ocean", "waters", "bay", "strait", "straits", "lagoon", "more", "meer", "morze"}
TOWN_AS_SUBJECT_AFTER = re.compile(r"(?:,\s+[^,]{1,60},)?\s+(?:will|would|has|had|is|was|hosts?|hosted|became|"
                                   r"becomes|remains?|remained|lies|lay|sits|stands|gets|got|received?s?)\b")
ACRONYM_ADJECTIVE_AFTER = re.compile(r"[ -](?:troops|forces|soldiers|servicemen|personnel|military|army|navy|"
                                     r"air force|marines|sailors|airmen|pilots|jets|fighters|aircraft|bombers|drones|"
                                     r"ships|warships|destroyers|frigates|submarines|units?|contingents?|officials?|"
                                     r"government|ministry|embassy|defen[cs]e|president|prime minister|foreign|"
                                     r"secretary|chief|special|armed|-led)\b", re.I)
LOWER_WORD_AFTER = re.compile(r"[ \t]+([a-z][a-z-]*)\b")
WORDS_AFTER_A_NAME = {"and", "or", "in", "on", "at", "to", "of", "off", "from", "with", "by", "for", "as", "is", "was",
                      "are", "were", "where", "which", "that", "this", "since", "until", "during", "between", "near",
                      "has", "had", "have", "will", "would", "could", "can", "may", "also", "but", "while", "after",
                      "before", "when", "last", "each", "every", "again", "too", "itself"}
NAME_LIST_GAP = 12  # characters between two names of one list (", and "); see _listed_after
LIST_AND = re.compile(r"\s*,?\s*(?:and|or|&)\s+$")
LIST_COMMA = re.compile(r"\s*,\s*$")
LIST_CONTINUES = re.compile(r"\s*(?:,|and\b|or\b)")
BORDER_COMPOUND = compile_fast(r"\b([A-Z][a-z]+)-([A-Z][a-z]+)\s+(border|frontier|boundary)\b")
SOIL = compile_fast(r"\b(?:on|onto)\s+([A-Z][a-z]+)\s+(soil|territory)\b")
MISSPELT_FEATURE = compile_fast(
    r"\b([A-Z][a-zà-ž]{3,}(?:[ -][A-Z][a-zà-ž]+)?)\s+(Gap|Strait|Straits|Sea|Gulf|Bay|Belt|Corridor|Lagoon|Peninsula|"
    r"Island|Air Base|Airbase|Base)\b")
HYPHEN_WORD_AFTER = re.compile(r"-[a-z]")
SHIP_CLASS_AFTER = re.compile(r"-(?:class|type)\b", re.I)
# Ships are named after towns: "the small missile ships Vyshny Volochyok and Orekhovo-Zuevo", "HMS Kent".
_SHIP_NOUN = (r"(?:ships?|frigates?|corvettes?|destroyers?|submarines?|cruisers?|vessels?|boats?|minesweepers?|"
              r"minehunters?|tugs?|tankers?|icebreakers?|carriers?)")
SHIP_NAME_BEFORE = re.compile(rf"(?:\b{_SHIP_NOUN}\s+[\"“']?(?:[A-Z][\w'-]*\s+){{0,2}}?(?:and\s+)?|"
                              r"\b(?:USS|HMS|HNLMS|HMCS|HMAS|HDMS|FGS|ORP|TCG|KNM|HSwMS|ITS|ESPS|NRP|BNS|ROS|RFS)\s+)"
                              r"[\"“']?$")
# The last of up to three capitalised words after a name: "Black Sea Rotational Force", "Vienna Document".
EMBEDDED_NEXT = re.compile(r"^(?:'s)?[ -](?:[A-Z][a-z]+ ){0,2}((?:[A-Z][a-z]+|[A-Z]{2,}))\b")
# Context cues around a mention (compiled once: they run for every mention).
EVENT_NAME_AFTER = re.compile(r"\s+(summit|talks|format|process|declaration|treaty|agreement|pact)\b", re.I)
SUMMIT_BEFORE = re.compile(r"\bsummit (in|of)\s+$", re.I)
HYPHEN_COMPOUND_BEFORE = re.compile(r"[A-Za-z]-$")
# A country that speaks or is told is not where anything happens: "Russia has demanded the
# exercise be cancelled", "Russia, which borders Norway in the north, has been notified".
SPEAKER_AFTER = re.compile(r"^(?:'s)?(?:,\s+(?:which|who)\b[^,;]{0,120},)?\s*(?:(?:has|have|had|is|was|were|will|"
                           r"would|also|again|repeatedly|still|long|already|publicly|formally|officially|been|not|never)\s+){0,4}"
                           r"(?:says?|said|warned|warns|argues|argued|claims?|claimed|insists?|insisted|denied|"
                           r"denies|accused|accuses|condemned|condemns|criticized|criticised|complained|complains|"
                           r"protested|protests|demanded|demands|objected|objects|notified|informed|"
                           r"invited|summoned|responded|vowed|threatened|calls|called|describes|described|"
                           r"dismissed|dismisses|branded|brands|labelled|labels)\b", re.I)
VENUE_BEFORE = re.compile(r"\b(?:(?:meet|meets|meeting|met|gather|gathering|summit|talks|conference|visit|"
                          r"ceremony held|agreed|decided|signed|announced|rejected|approved)"
                          r"\s+(?:in|at)|(?:speaking|spoke|said|says|stated|declared|told reporters|told journalists|"
                          r"press conference|briefing|"
                          # "speaking from the Sixth Fleet's headquarters in Naples"
                          r"news conference)\s+(?:in|at|from)\b(?:[^.;,]{0,50}?\b(?:in|at))?)\s+$", re.I)
LOCATIVE_BEFORE = re.compile(r"\b(in|at|near|outside|around|into|over|across|through|towards?|of|from|to|"
                             r"(?:north|south|east|west)(?:-?(?:east|west))?(?:ern)? of)\s+(the\s+)?$", re.I)
GOVERNMENT_AFTER = re.compile(r"\s*,\s*(?:the\s+)?(?:[\w-]+\s+){0,2}(?:ministry|government|officials?|spokes\w+|"
                              r"ministers?|president|prime minister|chancellor|"
                              r"kremlin|authorities|foreign office|defen[cs]e department)\b", re.I)
APPOSITION_AFTER = re.compile(r"\s*,\s*(?:the\s+)?[A-Z][a-z]+")
RELATION_BEFORE = re.compile(r"\b(?:pro|anti)-$|\b(?:response|threat|signal|message|deterrence|ally|allies|posture|"
                             r"relations|aggressive posture)\s+(?:to|toward|towards|with)\s+$", re.I)
OFFICIALS_IN_BEFORE = re.compile(r"\b(?:officials?|voices|sources|diplomats|leaders|governments?|authorities|"
                                 r"embassy|embassies|consulate)\s+in\s+$",
                                 re.I)
EVENT_PREPOSITION_BEFORE = re.compile(r"\b(?:deployed|deploying|redeployed|stationed|based|landings?|landed|arrived|"
                                      r"moved|sent|drills?|exercises?|manoeuvres|live[- ]fire|firing) "
                                      r"(?:to|at|in|near|on)\s+$", re.I)
TOWN_LOCATOR_BEFORE = re.compile(r"\b(?:near|outside|close to|(?:north|south|east|west)(?:-?(?:east|west))? of)\s+$",
                                 re.I)
# "Vostok-2018", "Ladoga 2020", "Aurora 17", but not a distance or an amount ("Vostok 18 km")
EDITION_AFTER = re.compile(r"[-‐–]\s?(?:19|20)?\d\d\b|\s(?:19|20)\d\d\b|\s\d\d\b(?![.,]\d|\s*(?:km|kilomet|mi\b|miles?|"
                           r"nautical|%|per ?cent|metres?|meters?|m\b|hours?|days?|years?|minutes?))")
KEY_LENGTH_LIMIT = 1024  # longer word forms are not names: they are left out of the trie
WORD_START = re.compile(r"(?<![^ ])[^ ]")  # a character after a space, or the first one
# Towns named after a date ("23 August" in Romania, "28 May" in Azerbaijan) are dates in a text
# ("will close the exercise on 28 May") unless a locative word names them as places.
DATE_NAME = re.compile(r"\d{1,2} (?:" + "|".join(MONTHS) + r")", re.I)
DATE_NAME_AS_PLACE_BEFORE = re.compile(r"\b(?:in|at|near|of|outside)\s+$")
SITE_TOWN_GAP = 30  # characters between a site and "near <its town>"
# any capital, not only ASCII: "spokesman Martin Šebeňa" is a person, not the town of Martin
NEXT_CAPITAL_WORD = re.compile(r"\s+([^\W\d_][\w'’-]*)")  # a word; capitalised when its first letter is
SENTENCE_START_BEFORE = re.compile(r"(?:[.!?:\"“]\s*|\n\s*)$")
FUNCTION_WORD = re.compile(r"(?:The|In|At|On|A|An|And|But|Or)$")
LOCATIVE_WORD = re.compile(r"(?:In|At|Near|From|To|Of|The|Outside)$")
# a town named with its site ("the Ivalo garrison", "Slite harbour") or as one of a set's members
# ("bases in Norway, including Bodø and Ørland")
SITE_NOUN_AFTER = re.compile(r"\s+(?:garrison|air ?base|air station|airfield|airport|naval base|port|harbou?r|"
                             r"training (?:area|ground|range)|firing range|range|barracks|base|camp)\b", re.I)
INCLUDING_BEFORE = re.compile(r"\b(?:including|such as|among them)\s+$", re.I)
EXACT_NAME_POPULATION = 10_000  # a town this big whose own name is the one written wins over an old name
COMMA_NAME_AFTER = re.compile(r"\s*,\s*[A-Z][a-z]+")
TOWN_COMMA_REGION_AFTER = re.compile(r"\s*,\s*(?:in\s+)?(?:[A-Z][a-z]+\s*){1,3}[,.)]")
NAME_WORDS = {"document", "treaty", "agreement", "act", "declaration", "format", "process", "pact", "summit",
              "conference", "group", "initiative", "foundation", "institute", "university", "post", "times",
              "herald", "review", "courier", "wire", "monitor", "fleet", "regiment", "division", "brigade",
              "battalion", "command", "force", "convention", "charter", "protocol", "accords", "accord", "club",
              "forum", "council", "school", "academy", "airport", "station", "street", "stadium", "radio", "television",
              "tv", "news", "daily", "gazette", "journal", "express", "resolve", "strike", "response", "shield",
              "defender", "storm", "security", "dialogue", "formula", "plus", "nine", "group's", "grouping", "wing",
              "flotilla", "squadron", "corps", "policing", "sentry"}
GEONAMES_STOPWORDS_FILE = "catalogue/stopwords.txt"


@dataclass
class Mention:
    """A place named in the article, with where and how it was named."""

    place: Place
    text: str
    start: int
    end: int
    role: str = "body"
    score: float = 100.0
    metonymy: bool = False
    embedded: bool = False  # inside an organisation/event name ("Vienna Document", "Warsaw summit")
    members: tuple[str, ...] = field(default=())  # ISO codes of a group region
    derived_geometry: object = None  # shapely geometry of derived places (sub-regions, borders)


class _Matcher:
    """Every gazetteer key, in a MARISA trie (built once per gazetteer), for whole-word search.

    Keys and text are put in a word-separated form (``normalize.word_form``) and each key is
    stored followed by its possible right edges (a space, or a word-joining apostrophe as in
    "Russia's"), so asking the trie for the prefixes of the text at each word's start gives
    exactly the whole-word matches there. The trie holds 370,000 such words in under 2 MB
    (an Aho-Corasick automaton of them took 52 MB); a key is its own word form, except for the
    few hundred listed in ``keys_of_forms``.
    """

    def __init__(self, gaz: Gazetteer) -> None:
        words: list[str] = []
        self.keys_of_forms: dict[str, str] = {}
        claimed: set[str] = set()
        # Two letters name a place only as a marked acronym ("UK"): other short keys are words.
        acronyms = {name_key(n) for n in gaz.case_sensitive}
        for key, _ids in gaz.all_keys():
            form = word_form(key)
            if (len(key) < 3 and key not in acronyms) or len(form) >= KEY_LENGTH_LIMIT or form in claimed:
                continue  # of two keys with one word form, the first one found is kept
            claimed.add(form)
            if form != key:
                self.keys_of_forms[form] = key
            words += [form + " ", form + "\x01"]
        self.trie = marisa_trie.Trie(words)
        self.longest = max(map(len, words), default=0)
        self.stopwords = _load_stopwords(gaz)

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Longest non-overlapping whole-word matches as (start, end, key)."""
        spaced = word_form(text) + " "
        keys_of_forms, longest, prefixes = self.keys_of_forms, self.longest, self.trie.prefixes
        hits = []
        for word in WORD_START.finditer(spaced):
            start = word.start()
            for found in prefixes(spaced[start:start + longest]):
                end = start + len(found) - 1  # the edge character is not part of the match
                form = found[:-1]
                hits.append((start, end, keys_of_forms.get(form, form)))
        hits.sort(key=lambda h: (-(h[1] - h[0]) + (4 if h[2].startswith("the ") else 0), h[0]))
        taken: list[tuple[int, int, str]] = []
        occupied = bytearray(len(text) + 1)
        for s, e, k in hits:
            if occupied.find(1, s, e) == -1:
                occupied[s:e] = b"\x01" * (e - s)
                taken.append((s, e, k))
        taken.sort()
        return taken


def _load_stopwords(gaz: Gazetteer) -> frozenset[str]:
    path = gaz.data_dir / GEONAMES_STOPWORDS_FILE
    if not path.exists():
        return frozenset()
    words = (w.strip().lower() for w in path.read_text(encoding="utf-8").splitlines())
    return frozenset(w for w in words if w and not w.startswith("#"))


_MATCHERS: dict[int, _Matcher] = {}
_MATCHER_LOCK = threading.Lock()


def matcher_for(gaz: Gazetteer) -> _Matcher:
    """Return the name matcher of ``gaz`` (built on first use, shared across threads)."""
    with _MATCHER_LOCK:
        m = _MATCHERS.get(id(gaz))
        if m is None:
            m = cached("matcher", gaz.data_dir, lambda: _Matcher(gaz)) if gaz.prebuilt else _Matcher(gaz)
            _MATCHERS[id(gaz)] = m
            gc.freeze()  # as for the gazetteer: long-lived, kept out of the collector's scans
        return m


def find_mentions(article: Article, gaz: Gazetteer) -> list[Mention]:
    """Return the place mentions of an article in text order."""
    text = article.text
    m = matcher_for(gaz)
    mentions: list[Mention] = []
    covered = bytearray(len(text) + 1)
    for start, end, key in m.find(text):
        if text[start].islower() and not key.startswith("the "):
            continue  # a common word ("will", "long"); names are capitalised
        surface = text[start:end]
        if surface[0].isdigit() and DATE_NAME.fullmatch(surface) and \
                not DATE_NAME_AS_PLACE_BEFORE.search(text, max(0, start - 8), start):
            continue
        listed = bool(mentions) and _listed_after(text, mentions[-1].end, start, end)
        among_countries = listed and mentions[-1].place.kind == "country"
        place = _choose(gaz, key, surface, text, start, end, m.stopwords, listed, among_countries)
        if place is None:
            continue
        mention = Mention(place=place, text=surface, start=start, end=end, role=article.role_at(start))
        if place.kind == "group":
            mention.members = place.members
        if len(key) < 3 and ACRONYM_ADJECTIVE_AFTER.match(text, end):
            mention.embedded = True  # "US troops", "UK Defence Secretary": whose, not where
        mentions.append(mention)
        covered[start:end] = b"\x01" * (end - start)
    mentions.extend(_demonym_places(article, gaz, covered))
    mentions.extend(_fuzzy_mentions(article, gaz, covered, mentions))
    mentions.sort(key=lambda x: x.start)
    mentions = _apply_directions(article, gaz, mentions)
    _site_near_its_town(gaz, text, mentions)
    _inside_exercise_names(gaz, text, mentions)
    for mention in mentions:
        _flag_context(gaz, text, mention)
    return mentions


def _listed_after(text: str, previous_end: int, start: int, end: int) -> bool:
    """Whether the name at ``start:end`` continues a list after the place ending at ``previous_end``.

    "Orzysz and Drawsko Pomorskie", "Tapa, Paldiski and Narva": a name coordinated with a place is
    a place. A bare comma counts only inside a list (the name followed by a comma or "and"), since
    "In Vilnius, Stoltenberg said" is apposition, not a list.
    """
    if start - previous_end > NAME_LIST_GAP:
        return False
    join = text[previous_end:start]
    if LIST_AND.match(join):
        return True
    return bool(LIST_COMMA.match(join)) and bool(LIST_CONTINUES.match(text, end))


def _choose(gaz: Gazetteer, key: str, surface: str, text: str, start: int, end: int,
            stopwords: frozenset[str], listed: bool = False, among_countries: bool = False) -> Place | None:
    """Pick the candidate for a matched name, or None when the match is not a place here.

    ``listed``: the name continues a list of places (see _listed_after); ``among_countries``: a
    list of countries ("Moldova, Georgia and Ukraine"), where a country of that name wins.
    """
    first = surface[0]
    if not (first.isupper() or first.isdigit()):
        # "the Baltics" style aliases start with a lower-case article; the name itself must be capitalised.
        words = surface.split()
        if not (words[0].lower() == "the" and len(words) > 1 and words[1][:1].isupper()):
            return None
    if len(key) < 3 and surface not in gaz.case_sensitive:
        return None  # a two-letter key is only ever its marked acronym, written as marked ("UK", not "Uk")
    if surface.upper() == surface and len(surface) <= 4 and surface not in gaz.case_sensitive:
        return None  # "US"-style acronyms only where the alias is marked case-sensitive
    if SHIP_CLASS_AFTER.match(text, end):
        return None  # "Kilo-class submarines": a class of ship, not Kiel
    if SHIP_NAME_BEFORE.search(text, max(0, start - 50), start):
        return None
    ids = gaz.index.get(key) or gaz.index.get(key.replace("'", ""))
    if not ids:
        return None
    candidates = [gaz.place(i) for i in ids]
    best = _disambiguate(gaz, candidates, text, start, end)
    if best.rank == 4 and name_key(best.name) != key:
        # a town called so beats a bigger one that was once called so: "Izmail and Reni" is Reni on
        # the Danube, not Rennes (an old name of which is "Reni")
        exact = next((c for c in candidates if c.rank == 4 and c.population >= EXACT_NAME_POPULATION
                      and name_key(c.name) == key), None)
        best = exact or best
    if among_countries and best.kind != "country":
        best = next((c for c in candidates if c.kind == "country"), best)
    if best.rank < 4:
        return best
    return best if _plausible_town(best, surface, text, start, end, stopwords, listed) else None


def _inside_exercise_names(gaz: Gazetteer, text: str, mentions: list[Mention]) -> None:
    """Mark places inside an exercise's name ("Ramstein Alloy", "Baltic Host") as embedded, and a
    name that is both, when an edition follows it ("Vostok-2018", not "Lake Ladoga")."""
    if not mentions:
        return
    spans = [(start, end) for start, end, _key in gaz.exercise_names_in(text)]
    for mention in mentions:
        if any(s <= mention.start and mention.end <= e and (
                (s, e) != (mention.start, mention.end) or EDITION_AFTER.match(text, e)) for s, e in spans):
            mention.embedded = True


def _site_near_its_town(gaz: Gazetteer, text: str, mentions: list[Mention]) -> None:
    """Re-resolve "the Bemowo Piskie training area near Orzysz": a site is not near itself.

    A bare town name usually stands for the base or range named after it; right after that very
    site and a locator ("near", "outside", "north of") it is the town, so it becomes the town.
    """
    for previous, mention in pairwise(mentions):
        if mention.place.id != previous.place.id or mention.start - previous.end > SITE_TOWN_GAP:
            continue
        if not TOWN_LOCATOR_BEFORE.search(text, previous.end, mention.start):
            continue
        key = name_key(mention.text)
        town = next((gaz.place(i) for i in gaz.index.get(key or "", ()) if gaz.place(i).kind == "city"), None)
        if town is not None:
            mention.place = town


def _disambiguate(gaz: Gazetteer, candidates: list[Place], text: str, start: int, end: int) -> Place:
    """Choose among homonyms by context cues (US-state cues for Georgia) and rank."""
    best = candidates[0]
    if len(candidates) == 1:
        return best
    cues = gaz.context_cues
    if not any(c.id in cues for c in candidates[:8]):
        return best
    window = text[max(0, start - 400):end + 400].lower()
    scored = []
    for i, c in enumerate(candidates[:8]):
        hits = sum(1 for cue in cues.get(c.id, ()) if cue in window)
        scored.append((-hits, i, c))
    scored.sort(key=lambda t: (t[0], t[1]))
    return scored[0][2]


# re.IGNORECASE lets four non-ASCII letters match ASCII ones; folding them too keeps the cheap
# checks below true wherever the regexes they guard could match.
_IGNORECASE_EXTRA = str.maketrans({"ı": "i", "İ": "i", "ſ": "s", "K": "k"})


def _caseless(text: str) -> str:
    return text.lower() if text.isascii() else text.translate(_IGNORECASE_EXTRA).lower()


def _previous_word(before: str) -> str | None:
    """The word ending ``before`` (trailing space allowed), as ``([A-Za-z][\\w'’.-]*)\\s*$`` finds it.

    The regex tries every start in the window; this walks back once.
    """
    tail = before.rstrip()
    i = len(tail)
    while i and (tail[i - 1].isalnum() or tail[i - 1] in "_'’.-"):
        i -= 1
    for j in range(i, len(tail)):
        if tail[j] in ASCII_LETTERS:
            return tail[j:]
    return None


def _plausible_town(place: Place, surface: str, text: str, start: int, end: int, stopwords: frozenset[str],
                    listed: bool = False) -> bool:
    """GeoNames-only names collide with words and people: demand size or a locative context."""
    low = surface.lower()
    if low in stopwords or len(surface) < 3 or HYPHEN_WORD_AFTER.match(text, end):
        return False  # "Pre-sail", "Kilo-class": the first half of a compound word, not a town
    before = text[max(0, start - 40):start]
    after = text[end:end + 40]
    prev_word = _previous_word(before)
    next_word = NEXT_CAPITAL_WORD.match(after)
    if next_word and not next_word.group(1)[0].isupper():
        next_word = None
    sentence_start = not before.strip() or bool(SENTENCE_START_BEFORE.search(before))
    # Part of a longer capitalised name (a person, an organisation): not a town, unless the
    # longer name is one that names things after towns ("Vienna Document", "Warsaw Pact").
    if next_word and not FUNCTION_WORD.match(next_word.group(1)) \
            and next_word.group(1).lower() not in NAME_WORDS:
        return False
    if prev_word and prev_word[0].isupper() and not sentence_start and not LOCATIVE_WORD.match(prev_word):
        return False
    after_preposition = _caseless(before).rstrip().endswith(PLACE_PREPOSITION_ENDINGS) \
        and bool(PLACE_PREPOSITION.search(before))
    locative = after_preposition or listed or _in_table_cell(before, after) or bool(COMMA_NAME_AFTER.match(after)) \
        or bool(SITE_NOUN_AFTER.match(after)) or bool(INCLUDING_BEFORE.search(before))
    if place.population >= 50_000:
        return True
    if place.population >= 1_000 and locative:
        return True
    if place.population >= 10_000 and sentence_start and TOWN_AS_SUBJECT_AFTER.match(after):
        return True  # "Bodø will lose its fighters": a town as the subject of a clause
    if after_preposition and EVENT_PREPOSITION_BEFORE.search(before):
        return True  # "deployed to Slite", "a landing at Sørreisa": a village named where forces go
    return bool(TOWN_COMMA_REGION_AFTER.match(after)) and place.population >= 200


def _in_table_cell(before: str, after: str) -> bool:
    """A name filling a table cell ("| Ustka |", "| Helsinki |") is a place: tables list where things are."""
    return before.rstrip(" \t").endswith("|") and after.lstrip(" \t").startswith(("|", ","))


def _demonym_places(article: Article, gaz: Gazetteer, covered: bytearray) -> list[Mention]:
    """Country places named by demonyms: "on Polish soil", "the Polish-Lithuanian border"."""
    text = article.text
    out = []
    for m in SOIL.finditer(text):
        iso = gaz.demonym_country(m.group(1))
        place = gaz.country(iso) if iso else None
        if place and not any(covered[m.start(1):m.end(1)]):
            out.append(Mention(place=place, text=m.group(1), start=m.start(1), end=m.end(1),
                               role=article.role_at(m.start(1))))
    for m in BORDER_COMPOUND.finditer(text):
        a, b = gaz.demonym_country(m.group(1)), gaz.demonym_country(m.group(2))
        if not a or not b or a == b:
            continue
        border = _border_place(gaz, a, b, m.group(0))
        if border is not None:
            place, geom = border
            out.append(Mention(place=place, text=m.group(0), start=m.start(), end=m.end(),
                               role=article.role_at(m.start()), derived_geometry=geom))
    return out


def _border_place(gaz: Gazetteer, a: str, b: str, label: str) -> tuple[Place, object] | None:
    a, b = sorted((a, b))
    line = gaz.border_line(a, b)
    if line is None:
        return None
    pt = line.interpolate(0.5, normalized=True) if hasattr(line, "interpolate") else line.centroid
    names = f"{gaz.country(a).name}–{gaz.country(b).name} border"
    place = Place(id=f"border:{a}-{b}", name=names, kind="border", country=a, lat=round(pt.y, 4),
                  lon=round(pt.x, 4), source="border:derived from Natural Earth")
    return place, line


def _fuzzy_mentions(article: Article, gaz: Gazetteer, covered: bytearray, found: list[Mention]) -> list[Mention]:
    """Misspelled names: capitalised phrases that end like a catalogued place ("Sulwaki Gap")."""
    text = article.text
    out = []
    for m in MISSPELT_FEATURE.finditer(text):
        if any(covered[m.start():m.end()]):
            continue
        matches = gaz.fuzzy(m.group(0), limit=1, min_score=80, max_rank=0)
        if matches and matches[0].place.rank == 0:
            out.append(Mention(place=matches[0].place, text=m.group(0), start=m.start(), end=m.end(),
                               role=article.role_at(m.start()), score=matches[0].score))
    return out


def _apply_directions(article: Article, gaz: Gazetteer, mentions: list[Mention]) -> list[Mention]:
    """Turn "central Lithuania" into a derived sub-region mention."""
    text = article.text
    out = []
    for mention in mentions:
        place = mention.place
        if place.kind in ("country", "region", "group") or place.is_area:
            window = text[max(0, mention.start - 20):mention.start]
            m = DIRECTION_WORD.search(window) if _caseless(window).rstrip().endswith(DIRECTION_ENDINGS) else None
            if m and place.kind != "group":
                direction = m.group(1).lower().replace(" ", "-")
                if direction in ("north", "south", "east", "west") and not text[mention.start - len(m.group(1)) - 1:
                                                                           mention.start].strip()[:1].isupper():
                    direction += "ern"
                direction = direction.replace("northeast", "north-east").replace("southeast", "south-east")
                direction = direction.replace("northwest", "north-west").replace("southwest", "south-west")
                if not direction.endswith("ern") and direction != "central":
                    direction += "ern"
                sub = gaz.subregion(direction, place)
                if sub is not None:
                    sub_place, geom = sub
                    start = mention.start - len(m.group(1)) - (len(text[max(0, mention.start - 20):mention.start])
                                                               - m.end(1))
                    out.append(Mention(place=sub_place, text=text[start:mention.end], start=start,
                                       end=mention.end, role=mention.role, derived_geometry=geom))
                    continue
        out.append(mention)
    return out


def _used_as_adjective(surface: str, after: str) -> bool:
    """A sea named without its noun ("the Baltic", "Mediterranean") and followed by a noun modifies it."""
    last = surface.split()[-1].lower() if surface.split() else ""
    nxt = LOWER_WORD_AFTER.match(after)
    return last not in SEA_NOUNS and nxt is not None and nxt.group(1) not in WORDS_AFTER_A_NAME


def _flag_context(gaz: Gazetteer, text: str, mention: Mention) -> None:
    """Mark metonymy ("Moscow denied") and names embedded in other names ("Vienna Document")."""
    after = text[mention.end:mention.end + 200]
    before = text[max(0, mention.start - 80):mention.start]
    nxt = EMBEDDED_NEXT.match(after)
    if nxt and nxt.group(1).lower() in NAME_WORDS:
        mention.embedded = True
    if EVENT_NAME_AFTER.match(after):
        mention.embedded = True
    if mention.place.kind in ("sea", "gulf") and _used_as_adjective(mention.text, after):
        mention.embedded = True  # "the Baltic air policing mission", "the Mediterranean migrant route"
    # Each regex below runs only where the text just before the mention ends as its match must.
    tail = _caseless(before).rstrip()
    if tail.endswith(("in", "of")) and SUMMIT_BEFORE.search(before):
        mention.embedded = True
    if before.endswith(("-", "-\n")) and HYPHEN_COMPOUND_BEFORE.search(before) and mention.place.kind == "country":
        mention.embedded = True  # "NATO-Russia Founding Act"
    if mention.place.kind == "group":
        return
    if mention.place.kind == "country":
        # A country as speaker ("Russia says the deployments...") hosts nothing in that clause.
        if SPEAKER_AFTER.match(after):
            mention.metonymy = True
        return
    if tail.endswith(("in", "at", "from")) and VENUE_BEFORE.search(before):
        mention.embedded = True  # the venue of a meeting, not a host of forces
    is_capital = mention.place.id in gaz.capital_ids or mention.place.name in ("Kremlin",)
    if not is_capital:
        return
    # Capitals stand for their governments unless a locative cue makes them the place itself.
    literal = bool(LOCATIVE_BEFORE.search(before)) \
        or bool(APPOSITION_AFTER.match(after)) or _in_table_cell(before, after)
    if tail.endswith(("-", "to", "toward", "towards", "with")) and RELATION_BEFORE.search(before):
        literal = False
    if tail.endswith("in") and OFFICIALS_IN_BEFORE.search(before):
        literal = False
    if GOVERNMENT_AFTER.match(after):
        literal = False  # "In Moscow, the defence ministry called BALTOPS a rehearsal"
    if not literal:
        mention.metonymy = True
