"""Which places of a clause host its event, and which only stand beside it.

A place is no host when a relational preposition governs it ("troops from Poland", "between
Belarus and Kaliningrad", "a response to Russia", "350 km east of Moscow"), when it is
metonymic ("Moscow denied") or part of another name ("Vienna Document"), when it only locates
a site named just before ("the Donguz range near Orenburg", "Baltiysk in the Kaliningrad
exclave"), when a country owns something other than forces ("Russia's annexation"), or when a
country acts as agent while the clause names a more specific host ("Germany has deployed
Patriots in Vilnius"). The cues before a place that say it hosts nothing are data, one per
row of data/catalogue/host_exclusions.csv, grouped by family with an example.
"""

from __future__ import annotations

import csv
import re
from itertools import pairwise
from pathlib import Path

from geo.fastregex import FastRegex, compile_fast
from geo.gazetteer import DATA_DIR, Gazetteer
from geo.mentions import Mention

HOST_EXCLUSIONS_FILE = DATA_DIR / "catalogue" / "host_exclusions.csv"


def _exclusion_cues(path: Path = HOST_EXCLUSIONS_FILE) -> list[str]:
    """Return the cues of ``path`` (one regular expression per row) that, just before a place,
    say it hosts nothing: a relation ("troops from Poland"), a route ("on its way to"), a home
    ("normally based at"), a reporter's seat ("a spokesman in Riga")..."""
    with path.open(encoding="utf-8", newline="") as fh:
        return [row["cue"] for row in csv.DictReader(fh)]


EXCLUDING_PREP = compile_fast(
    r"\b(" + "|".join(_exclusion_cues()) + r")"
    r"\s+(?:the\s+|its\s+|their\s+|a\s+|an\s+|neighbou?ring\s+|nearby\s+|neighbou?r\s+|"
    # "45 km east of the Romanian port of Sulina"
    r"the\s+(?:[\w-]+\s+)?(?:port|town|city|village)\s+of\s+)?$",
    re.I,
)
# "including" names members of a set: contributors ("24 countries, including Sweden"), but
# the places themselves after a noun of places ("ranges across the country, including Orzysz").
SITES_INCLUDING = re.compile(r"\b(?:ranges?|sites?|locations?|bases?|areas?|training grounds?|towns?|cities|villages?|"
                             r"ports?|airfields?|air bases?|regions?|venues?|garrisons?|facilities|installations?)"
                             r"\b[^.;]{0,40}?,?\s+(?:including|among them)\s+$", re.I)
EXTENT_FROM = re.compile(r"\b(?:stretch(?:es|ed|ing)?|extend(?:s|ed|ing)?|rang(?:e|es|ed|ing)|reach(?:es|ed|ing)?|"
                         r"span(?:s|ned|ning)?|runs|running)\s+(?:[\w-]+\s+){0,2}?from\s+(?:the\s+)?$", re.I)
RANGE_TO = re.compile(r"^\s+to\s+(?:the\s+)?$", re.I)
SITE_KINDS = frozenset({"base", "air_base", "naval_base", "training_area", "missile_defence", "headquarters"})
ISLAND_LINK = re.compile(r"^\s*on\s*$")  # "Souda Bay on Crete" (CONTAINER_LINK reads "the Opuk range in Crimea")
SITE_KIND_ON_LAND = SITE_KINDS | {"city", "bay"}
CONTAINER_GAP = 40  # characters between a place and its container ("Ramstein air base in Germany")
# "Rukla, Lithuania", "Vicenza, in Italy", "the Khmelevka range on the coast of the Kaliningrad region"
CONTAINER_LINK = re.compile(r"^(?:,\s*in|[\w\s-]{0,25}?(?:\bin|,|\bon the (?:\w+ )?coast of))\s*$")
NEAR_ONLY_LINK = re.compile(r"[\w\s,-]{0,25}?\b(?:near|outside|close to)\s+$", re.I)  # "the Donguz range near Orenburg"
NEAR_LINK = re.compile(NEAR_ONLY_LINK.pattern + r"|\s+at\s+$", re.I)  # and "Banak air station at Lakselv"
SITE_NAMED_AFTER_TOWN = frozenset({"base", "air_base", "naval_base"})
LIST_WORD = re.compile(r"\b(?:and|to|into|at)\b")
# "troops rotating through Poland" are stationed there, not passing;
# "hosted by Ukraine" names the host.
HOST_DESPITE_PREP = re.compile(r"\b(?:rotat(?:e|es|ed|ing|ions?)\s+through|(?:co-)?host(?:ed|s)?\s+by|"
                               # "on the territory of Norway, Sweden and Finland" is where, not whose
                               r"(?:on|in|across|throughout) (?:the )?territor(?:y|ies) of|"
                               # a base of operations: "F-35s are flying patrols from Ämari"
                               r"(?:fly|flies|flying|flown) (?:patrols|missions|sorties|air policing) from|"
                               r"(?<!normally )(?<!usually )(?:operate|operates|operating) from"
                               r"(?: (?:the )?(?:[\w-]+ ){0,2}?(?:air ?bases?|bases?|airfields?|air stations?) "
                               r"(?:at|in|of))?|"
                               # ongoing operations from a base, not a departure: "Typhoons are flying from Ämari"
                               r"(?:are|is|were|was|be|been|now|currently) (?:flying|patrolling) from)\s+$", re.I)
OPERATING_FROM = re.compile(r"\b(?:are|is|were|was|now|currently) (?:flying|patrolling|operating) from\b", re.I)
GAPPED_FROM = re.compile(r",\s+(?:and\s+)?(?:[\w-]+\s+){1,5}?from\s+$", re.I)
# A name the gazetteer lacks between the cue and the place: "from its home at Rhine Ordnance
# Barracks in Kaiserslautern", "from Kazuń Nowy, near Warsaw".
UNPLACED_NAME_IN = re.compile(r"(?:\b[A-Z][\w'’-]*\s+){1,4}(?:in|at|near)\s+$|"
                              r"(?:\b[A-Z][\w'’-]*\s+){0,3}\b[A-Z][\w'’-]*,\s+near\s+$")
LIST_GAP = 20  # characters between two places of one list (", and the ")
PLACE_LIST_GAP = re.compile(r"^(?:\s*(?:,|and|or|as well as|the|its|their|'s|’s|of)\s*)*$", re.I)
AGENT_VERB = re.compile(r"^(?:'s)?(?:,\s+(?:which|who|whose|now|already|still|itself)\b[^,;]{0,120},)?\s+"
                        r"(?:(?:has|have|had|is|are|was|were|will|would|also|already|now|recently|itself|to|[a-z]+ly|"
                        r"(?:preparing|ready|set|due|about|planning|expected|willing|going|able|negotiating|"
                        r"seeking|trying|promised|promises|agreed|decided|pledged|offered) to)\s+){0,3}"
                        r"(?:double|doubles|doubled|triple|boost|boosts|boosted|increase|increases|increased|buy|"
                        r"buys|bought|buying|purchased|purchases|deploy|deployed|deploys|sent|sends|send|sending|brought|brings|moved|moves|provides?|"
                        r"provided|supplies|supplied|contributes?|contributed|leads?|led|offered|offers|volunteered|"
                        r"pledged|committed|commits|dispatched|dispatches|ordered|invaded|annexed|shelled|tested|"
                        r"used|massed|carry|carried|holds?|held|assigned|begun|began|withdrew|withdrawn|"
                        r"deploying|contributing|leading|serve|serves|served|stationed|stations|station|stationing|"
                        r"reinforce|reinforces|reinforced|reinforcing|put|puts|putting|pledge|pledges|pledging|"
                        r"(?:formally )?(?:stands? up|stood up|standing up|activated|activates|inaugurat(?:ed|es))|"
                        r"commit|committing|offer|offering|dispatch|dispatching|promise|promises|promised|"
                        # gapping: "Germany leads the battlegroup in Lithuania, Canada the one in Latvia"
                        r"the (?:one|ones|group|battle ?group|battalion|contingent|force) "
                        r"(?:in|at|heading to|headed (?:to|for)|bound for|for|going to)|those in|that in)\b",
                        re.I)
# A named unit's home in apposition: "the Uusimaa Brigade, based at Dragsvik", "Panzerbataillon 203,
# currently based in Augustdorf" (not "one brigade, based in Troms": an unnamed unit is the news)
NAMED_UNIT_HOME = re.compile(r"(?:\b[A-Z][\w-]*\s+(?:Brigade|Regiment|Battalion|Division|Wing|Squadron|Corps|Flotilla)|"
                             r"\b[A-Z]\w*(?:bataillon|brigade|regiment)\s+\d+)(?:\s+[\"“][^\"”]{1,30}[\"”])?,\s+"
                             r"(?:(?:currently|normally|usually|permanently)\s+)?(?:based|stationed|garrisoned)\s+(?:at|in|near)\s+$")
POSSESSIVE = re.compile(r"['’]s\b")
PLURAL_POSSESSIVE = re.compile(r"['’]\s")
POSSESSED_FORCES = re.compile(r"['’]s?\s+(?:[\w-]+\s+){0,3}?(?:exercises?|drills?|manoeuvres?|maneuvers?|war ?games?|"
                              r"deployments?|battle ?groups?|battalions?|brigades?|troops|forces|bases?)\b", re.I)
OBJECT_BEFORE = re.compile(r"\b(?:to|for|in|at|into|from|of|with|by|on)\s+(?:the\s+)?$", re.I)
# "loaded at depots in Saxony before arriving in Lithuania": a verb between two places ends the container.
VERB_IN_LINK = re.compile(r"\b(?:\w+ing|\w+ed|before|after|then|while|when|until)\b")
WHERE_AFTER = re.compile(r",?\s+where\s+")
WHERE_CLAUSE_END = re.compile(r"[.;:!?]|,\s+(?:and|but|while|which)\s")
# A country the clause puts forces in is a host beside a site elsewhere: "a company in the
# German-led battlegroup in Lithuania and rotations to the Latvian one at Ādaži".
LOCATIVE_BEFORE = re.compile(r"\b(?:in|into|to)\s+(?:the\s+)?$")  # not "across": a route
GAPPED_IN = re.compile(r"\s+(?:in|at)\s+(?:the\s+)?[A-Z]")
AND_BEFORE = re.compile(r"\band\s+(?:the\s+)?$")
COMMA_OR_AND_BEFORE = re.compile(r"(?:,|\band)\s+(?:the\s+)?$")
GAPPED_AMOUNT = re.compile(r"\s+(?:\d[\d,]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a dozen|"
                           r"dozens of|hundreds of|thousands of|several|a few|another)\s+[\w-]", re.I)
LIST_CLOSER = re.compile(r"\b(?:and|or|as well as)\b")
LOCATIVE_NEXT = re.compile(r"\s+(?:in|to|into|at|near|on)\s+(?:the\s+)?[A-Z]")
TRAILING_ARTICLE = re.compile(r"\b(?:the|a|an)\s+$")
UNPLACED_LIST_ITEMS = re.compile(r"(?:\b(?:the\s+)?(?:U\.S\.|US|USA|UK|[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)\s*,\s*){1,3}$")



def in_one_list(text: str, previous_end: int, start: int) -> bool:
    """Whether a place ending at ``previous_end`` and one starting at ``start`` stand in one list
    ("Severomorsk and Gadzhiyevo", "Estonia, Latvia, and the Lithuanian")."""
    return start - previous_end <= LIST_GAP and PLACE_LIST_GAP.match(text[previous_end:start]) is not None


def hosts(text: str, clause_start: int, local: list[Mention], gaz: Gazetteer, kind: str,
          trigger: re.Pattern[str] | FastRegex | None = None) -> list[Mention]:
    """Return the mentions of a clause (``local``, starting at ``clause_start`` in ``text``) that host
    its events of type ``kind``.

    With the kind's ``trigger``, a place followed by a "where" clause that reports the event hosts
    it whatever governs the place ("220 km from Kaliningrad, where Russia has stationed S-400s").
    """
    candidates = []
    excluded: list[Mention] = []
    where_host: Mention | None = None
    for i, m in enumerate(local):
        if trigger is not None and not (m.metonymy or m.embedded) and _hosts_where_clause(text, m, trigger):
            if i and _locates_site(text, local[i - 1], m):
                # "the Łask air base near Łódź, where F-16s rotate": the "where" is the base's
                excluded.append(m)
                continue
            candidates.append(m)
            if where_host is None and _governed_by_excluding(text, clause_start, i, local, []):
                where_host = m  # "220 km from Kaliningrad, where...": the rest of the clause is no event
            continue
        if m.place.kind == "river":
            continue  # a line, not a site: forces "along the Vistula" are placed by the places beside it
        if m.place.kind == "strait" and kind == "deployment":
            continue  # a passage, not a station: ships "transit the Bosphorus"; its event is the chokepoint
        if m.embedded:
            continue  # part of another name ("US troops", "Vienna Document"): no container inherits from it
        if m.metonymy or _governed_by_excluding(text, clause_start, i, local, excluded) \
                or (i and _locates_site(text, local[i - 1], m)):
            excluded.append(m)
            continue
        if m.place.kind == "country" and _possessor(text, m):
            excluded.append(m)
            continue
        candidates.append(m)
    if where_host is not None and trigger is not None and not trigger.search(text[clause_start:where_host.start]):
        # Only the "where" clause reports the event: the places before its antecedent are not in it.
        candidates = [m for m in candidates if m.start >= where_host.start]
    agents = [m for m in candidates if m.place.kind == "country" and AGENT_VERB.match(text[m.end:m.end + 80])]
    agents += _listed_before(text, candidates, agents)
    agents += _gapped_agents(text, candidates, agents)
    if kind == "deployment" or len(agents) < len(candidates):
        # Countries that send, lead or contribute are not where the forces go.
        candidates = [m for m in candidates if m not in agents]
    specific = [m for m in candidates if m.place.kind not in ("country", "group")]
    if not specific:
        return candidates
    # A country beside a named base or town is its container ("Rukla, Lithuania"); other countries
    # go, unless they form a list of hosts of their own ("battlegroups in Estonia, Latvia and Poland")
    # or the clause puts forces in them.
    containers = {m.place.country for m in specific}
    listed = _listed_countries(text, candidates)
    return [m for m in candidates
            if (m.place.kind not in ("country", "group") and not _region_container(text, m, specific))
            or (m.place.kind == "country" and (m.place.country in containers or id(m) in listed
                                                or LOCATIVE_BEFORE.search(text, max(0, m.start - 12), m.start)))]


def _hosts_where_clause(text: str, m: Mention, trigger: re.Pattern[str] | FastRegex) -> bool:
    """True when ``m`` is followed by ", where ..." whose words up to the next stop match ``trigger``."""
    where = WHERE_AFTER.match(text, m.end)
    if where is None:
        return False
    stop = WHERE_CLAUSE_END.search(text, where.end())
    return trigger.search(text[where.end():stop.start() if stop else where.end() + 200]) is not None


def _gapped_agents(text: str, candidates: list[Mention], agents: list[Mention]) -> list[Mention]:
    """Countries that lead or send a force by gapping after an agent: "Canada leads a force in Latvia
    and Britain in Estonia" (Britain leads the one in Estonia), "Denmark sends two jets, France three"."""
    if not agents:
        return []
    return [m for m in candidates
            if m.place.kind == "country" and m not in agents and any(a.end <= m.start for a in agents) and (
                (GAPPED_IN.match(text, m.end) and AND_BEFORE.search(text, max(0, m.start - 10), m.start))
                # "Denmark is sending two F-16s, France three Rafales and Germany four Eurofighters"
                or (GAPPED_AMOUNT.match(text, m.end) and COMMA_OR_AND_BEFORE.search(text, max(0, m.start - 10),
                                                                                    m.start)))]


def _listed_before(text: str, candidates: list[Mention], agents: list[Mention]) -> list[Mention]:
    """The countries listed before an agent ("Britain, Canada and the US are to lead..."): agents too.

    The list must close with "and" (or "or") right before the agent: in "... bound for Latvia,
    Britain the one heading to Estonia" the comma ends a clause, not a list.
    """
    out: list[Mention] = []
    for agent in agents:
        i = candidates.index(agent)
        if i == 0 or not LIST_CLOSER.search(text[candidates[i - 1].end:agent.start]):
            continue
        while i > 0:
            prev, cur = candidates[i - 1], candidates[i]
            if prev.place.kind != "country" or not in_one_list(text, prev.end, cur.start) or prev in agents or \
                    prev in out or \
                    OBJECT_BEFORE.search(text[max(0, prev.start - 30):prev.start]):
                break  # "heading to Estonia and the US the force for Poland": Estonia is an object
            out.append(prev)
            i -= 1
    return out


def _locates_site(text: str, site: Mention, m: Mention) -> bool:
    """"the Donguz range near Orenburg": a town right after a site and "near" only locates it."""
    if site.place.kind in ("country", "group", "region", "subregion", "city") or \
            not 0 <= m.start - site.end <= CONTAINER_GAP:
        return False
    if m.place.kind == "city":
        return bool(NEAR_LINK.match(text, site.end, m.start))
    # a town whose name stands for its own base or port: "Mihail Kogălniceanu air base near Constanța"
    return m.place.kind in SITE_NAMED_AFTER_TOWN and bool(NEAR_ONLY_LINK.match(text, site.end, m.start))


def _region_container(text: str, m: Mention, specific: list[Mention]) -> bool:
    """"Baltiysk in the Kaliningrad exclave", "Souda Bay on Crete": a region, island or peninsula right
    after a site in it only locates the site."""
    if m.place.kind not in ("region", "subregion", "island", "peninsula"):
        return False
    for site in specific:
        if site is m or site.end > m.start or m.start - site.end > CONTAINER_GAP:
            continue
        link = TRAILING_ARTICLE.sub("", text[site.end:m.start])
        if m.place.kind in ("island", "peninsula"):
            # "Souda Bay on Crete", "the Opuk range in Crimea": the land only says where the site is
            fits = site.place.kind in SITE_KIND_ON_LAND and bool(ISLAND_LINK.match(link) or CONTAINER_LINK.match(link))
        else:
            fits = site.place.kind not in ("region", "subregion") and bool(CONTAINER_LINK.match(link))
        if fits and site.place.country == m.place.country and not LIST_WORD.search(link):
            return True
    return False


def _listed_countries(text: str, mentions: list[Mention]) -> set[int]:
    """ids of the country mentions that stand in a coordinated list of at least three countries (a
    country's sub-region counts as one: "spread across northern Norway, Sweden and Finland")."""
    countries = [m for m in mentions if m.place.kind in ("country", "subregion")]
    listed: set[int] = set()
    run = countries[:1]
    for prev, cur in pairwise(countries):
        if in_one_list(text, prev.end, cur.start):
            run.append(cur)
            continue
        if len(run) >= 3:
            listed.update(id(m) for m in run)
        run = [cur]
    if len(run) >= 3:
        listed.update(id(m) for m in run)
    return listed


def _possessor(text: str, m: Mention) -> bool:
    """"Russia's annexation": a possessive country hosts only its own exercise or deployment, and
    not even that when the text says where it is ("Germany's brigade in Lithuania")."""
    after = text[m.end:m.end + 60]
    # "the Netherlands' F-35s": a name ending in s takes the apostrophe alone
    if not (POSSESSIVE.match(after) or (m.text.endswith("s") and PLURAL_POSSESSIVE.match(after))):
        return False
    forces = POSSESSED_FORCES.match(after)
    # "Germany's brigade in Lithuania": the forces are the owner's, the host is where they go.
    return forces is None or bool(LOCATIVE_NEXT.match(after, forces.end()))


def _governed_by_excluding(text: str, clause_start: int, index: int, local: list[Mention],
                           excluded: list[Mention]) -> bool:
    """True when the nearest governing preposition of ``local[index]`` is relational, not locative."""
    start = local[index].start
    # "took off from Ramstein air base in Germany": the container inherits the exclusion.
    if excluded:
        last = excluded[-1]
        link = text[last.end:start]
        if last.end <= start and start - last.end <= CONTAINER_GAP and CONTAINER_LINK.match(link) and \
                not LIST_WORD.search(link) and not VERB_IN_LINK.search(link):
            return True
        # "stretching from the Baltic Sea to the Black Sea": both ends of an extent, neither a host.
        if last.end <= start and RANGE_TO.match(text[last.end:start]) and \
                EXTENT_FROM.search(text[max(clause_start, last.start - 60):last.start]):
            return True
    # Skip back over a coordinated list of places ("from the US, Britain and Poland"); the
    # walk looks at neighbours only, so a clause naming thousands of places stays linear.
    for j in range(index - 1, -1, -1):
        prev = local[j]
        if prev.end > start:
            continue
        if not in_one_list(text, prev.end, start):
            break
        start = prev.start
    window = text[max(clause_start, start - 80):start]
    window = TRAILING_ARTICLE.sub("", window)
    # "from the US, Finland and Norway": list items the gazetteer does not hold (outside the region)
    window = UNPLACED_LIST_ITEMS.sub("", window)
    if HOST_DESPITE_PREP.search(window) or SITES_INCLUDING.search(window):
        return False
    if GAPPED_FROM.search(window) and OPERATING_FROM.search(text, clause_start, start):
        return False  # "Typhoons are flying from Ämari, and Belgian F-16s from Malbork": gapped, still a base
    if EXCLUDING_PREP.search(window) or NAMED_UNIT_HOME.search(window):
        return True
    # the cue governs the unplaced name, the place only locates it ("from its home at Rhine Ordnance
    # Barracks in Kaiserslautern"); but a partner's location is where the event is ("train with
    # Norwegian Brigade North in the Bardufoss area")
    cue = EXCLUDING_PREP.search(UNPLACED_NAME_IN.sub("", window))
    return cue is not None and cue.group(1).lower() != "with"
