"""Stage 4, classify events: deployments, exercises and chokepoints, one per host place,
with year, status, numbers, nations and the evidence sentence.

The method is clause-level: a clause with a deployment or exercise trigger makes events
at the places it hosts (``geo.hosts`` tells hosts from the places that only stand beside
the event: origins, agents, containers, relations).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise

from geo.dates import Published, sentence_month, sentence_year
from geo.fastregex import FastMatch, PatternSet, compile_fast
from geo.gazetteer import Gazetteer
from geo.hosts import SITE_KINDS, hosts, in_one_list
from geo.load import Article
from geo.mentions import Mention
from geo.tables import TableRow, table_rows

DEPLOYMENT = compile_fast(
    r"\b(deploy(?:s|ed|ing|ment|ments)?|station(?:s|ed|ing)?|battle ?groups?|battalions?|brigades?|"
    r"contingents?|garrisons?|rotat(?:e|es|ed|ing|ion|ional)|reinforc(?:e|es|ed|ing|ement|ements)|"
    r"(?:forward|military|allied|permanent|troop|nato|us|u\.s\.|american|british) presence|"
    r"presence of (?:allied|nato|us)|(?:permanently|constantly|continuously) present (?:in|at)|"
    r"air[- ]policing|patriot|nasams|himars|aegis ashore|missile[- ]defen[cs]e (?:site|base|system)|"
    r"(?:military|air|army) base|(?:troops|soldiers) (?:in|to|are|were|will|have|had|based|arrived|stationed)|"
    r"(?:sen[dt]|contribut(?:e|es|ed|ing)) (?:[\w-]+ ){0,3}?(?:troops|soldiers|forces|fighters|jets|contingents?|"
    r"frigates|warships|ships|destroyers|submarines|bombers|aircraft|tanks|batter(?:y|ies)|marines|paratroopers|"
    r"reinforcements|units?|battalions?|companies|company|squadrons?|eurofighters|typhoons|rafales|gripens|"
    r"f-\d+s?)|"
    # "arrived in", "arrived by rail at", "arrived overnight on the ferry in"
    r"arriv(?:e|ed|es|ing|al) (?:[\w-]+ ){0,4}?(?:in|at)|"
    r"(?:are|were|is|was|be|been) based (?:in|at)|pour(?:s|ed|ing)? (?:in|into)|"
    # ships entering a sea: "the destroyer entered the Black Sea through the Bosporus"
    r"(?:entered|enters|entering|(?:sailed|sails|sailing|steamed|steaming) into) the (?:[\w-]+ ){0,2}?"
    r"(?:sea|gulf|bay|baltic)|touched down|landed at|took over the lead|formally began its mission|"
    r"welcom(?:ed|es|ing) the (?:first )?(?:soldiers|troops)|"
    # "hosts US troops", not "hosted the Summer Shield exercise"
    r"host(?:s|ed|ing)? (?:(?:allied|nato|us|u\.s\.|the|foreign|american|british|german|multinational) )+"
    r"(?:troops|forces|soldiers|units?|battle ?groups?|battalions?|brigades?|contingents?|jets|aircraft|fighters)|"
    r"rotating (?:troops|forces|units)|(?:infantry|armoured|armored|tank|artillery) (?:company|companies|units?)|"
    r"multinational (?:units?|groups?|formations?|brigade|battalion|force)|formations|squadron|"
    r"fighter jets|f-(?:16|35)s?|typhoons|mig-29s|regiment|bound for|heading (?:to|for)|headed (?:to|for)|"
    r"(?:left|leaves|leaving|departed|departs|departing|set off|sets off|sailed|sails) for|"
    # a build-up seen from above, and aircraft working from a base: "armoured vehicles parked at the
    # Opuk range", "NATO fighters operating from Łask"
    r"(?:parked|crowded|amassed|lined up) (?:at|in|near|along|on)|(?:operat(?:e|es|ed|ing)|flying|flies) "
    r"(?:\w+ )?from|"
    r"(?:group|force|unit|contingent|battlegroup|troops) for|-led (?:group|force|unit|contingent|mission|battlegroup)|"
    r"lead(?:s|ing)? (?:the|a|an) (?:[\w-]+ )?(?:groups?|forces?|units?|contingents?|battle ?groups?|battalions?)|"
    r"(?:nato|military|training|air[- ]policing|peacekeeping|allied) mission in|contribution to the|"
    r"massed troops|troops (?:near|along|on)|forces (?:in|near|along)|mass(?:ing|ed)|"
    r"concentrat(?:ion|ed|ing) of (?:troops|forces)|unload(?:s|ed|ing)?|"
    # "the Black Sea Fleet, based in Sevastopol"
    r"(?:fleet|flotilla|squadron|brigade|regiment|division|battalion|troops|forces|units?|ships|submarines|jets|"
    r"aircraft|interceptors|fighters|bombers|helicopters|planes|crews|marines|batteries|systems)[^.;]{0,30}?"
    r"\bbased (?:in|at)|"
    r"set up (?:\w+ )?(?:bases?|camps?|positions|outposts)|"
    r"(?:take|takes|took|taken|taking) up (?:\w+ )?positions|patrol(?:s|led|ling)? (?:the|along)|"
    # ships and units moved or based somewhere: "moved three landing ships to Novorossiysk"
    r"(?:moved|moves|move|moving|relocated|redeployed|transferred|shifted)\b[^.;]{0,120}?\b(?:to|into|at)|"
    r"(?:now|permanently|forward|temporarily) based|home-?port(?:s|ed)?|homeported|"
    # new formations: "forming a new army corps in Karelia", "to field a new division at Luga"
    r"(?:form(?:s|ed|ing)?|creat(?:e|es|ed|ing)|field(?:s|ed|ing)?|rais(?:e|es|ed|ing)|"
    r"(?:re-?)?establish(?:es|ed|ing)?) (?:a |an |the |two |three )?(?:new )?(?:[\w-]+ ){0,3}?"
    r"(?:army corps|corps|divisions?|army)|"
    # rotations and quarters: "fighters took turns at Šiauliai", "many will be housed at Cincu"
    r"t(?:ook|ake|akes|aking) turns (?:at|in)|(?:housed|billeted|quartered) (?:at|in)|"
    # "a fourth group was flown to Ämari", "whose headquarters has been established in Petrozavodsk",
    # "the re-opening of the Soviet-era garrison at Alakurtti", "Tapa, home of the NATO battlegroup"
    r"(?:flown|airlifted) (?:in )?(?:to|into)|"
    r"(?:headquarters|command post) (?:has been |have been |was |were |will be |is being )?"
    r"(?:established|set up|opened)|"
    r"re-?open(?:s|ed|ing)? (?:of )?(?:the |a |an )?(?:[\w-]+ ){0,2}?(?:garrisons?|bases?|airfields?|air bases?)|"
    r"home (?:of|to) (?:the |a |an )?(?:[\w-]+ ){0,3}?(?:battle ?groups?|brigades?|battalions?|regiments?|divisions?|"
    r"fleet|flotilla|squadrons?|garrison)|"
    # Russian usage: "Iskanders have been placed on permanent combat duty in the Kaliningrad region"
    r"(?:on|into|assumed|assumes|assume|took up|take up|takes up) (?:permanent |round-the-clock )?combat duty)\b",
    re.I,
)
EXERCISE = compile_fast(
    r"\b(exercis(?:e|es|ing)|exercised (?:together |jointly )?(?:in|at|near|on|off|around|across|with|alongside)\b|"
    r"drills?|war ?games?|wargames?|manoeuvr(?:e|es|ing)|maneuver(?:s|ing)?|"
    # firing at a range, not on a city: "artillery units fired at the Shabla range"
    r"live[- ]fir(?:e|es|ed|ing)|fir(?:e|es|ed|ing) (?:at|on) the [\w -]{0,30}?(?:range|training ground|polygon|"
    r"firing ground)|combat training|combat (?:actions|tasks|firing|shooting|skills)|"
    r"(?:active|main|practical|final|first|second|third|next|closing|opening) phase|an opposing force|"
    r"mock (?:battles?|attacks?|assaults?)|"
    r"military games|snap (?:checks?|inspections?|drills?)|checks? of (?:combat )?readiness|"
    r"(?:electronic|simulated|training|missile) (?:missile )?launch(?:es)?|tested missiles|test[- ]fir(?:e|ed|ing)|"
    r"live munitions|amphibious landings?|came ashore|rehears(?:e|ed|ing|al)|"
    r"(?:carr(?:y|ies|ied|ying) out|conduct(?:s|ed|ing)?) (?:[\w-]+ ){0,2}?landings|"
    r"train(?:s|ed)? (?:at|in|on|across|near|around|over|off)|"
    # the verb after a modal, never a railway train: "the battlegroup would train twice more at..."
    r"(?:would|will|to|can|could|should|must|may) (?:also |again |then |next |regularly |jointly )?train"
    r"(?: (?:together |jointly )?(?:with|alongside) [\w ,-]{0,40}? (?:at|in|on|near))?\b|"
    r"training (?:in|at|on|near|around) |assembled (?:in|at)|"
    # an exercise's participants: "20,000 soldiers are taking part across northern Norway"
    r"(?:tak(?:e|es|ing|en)|took) part (?:across|at|on|off|near|around|throughout)|"
    r"(?:air|naval|land) phase|field phase|drilling|"
    r"practi[sc](?:e|es|ed|ing) (?:landings?|firing|firings|strikes|assaults?|crossings?|launches|repelling|the|"
    r"at|on|in)|"
    r"conduct(?:s|ed|ing)? (?:live )?firings?|fired at (?:targets|mock)|live firing|firing practice|"
    r"target practice|test launch(?:es)?|(?:tank|artillery|rocket|missile|gunnery|live)(?: and \w+)? firings?|"
    r"readiness (?:checks?|inspections?|tests?)|"
    # forces go to a training ground to train: "marched to the Luga training ground", "moving to
    # ranges in the Volga region" (not "training area": battlegroups are stationed at those)
    r"(?:to|towards|into) (?:the |their |its )?(?:[\w-]+ ){0,3}?(?:training grounds?|firing ranges?|ranges|"
    r"polygons?)|"
    # an exercise's sites: "the main episodes will be played out at the Mulino training ground", "Zapad-2013
    # was held at the Gozhsky and Obuz-Lesnovsky ranges", "troops are working at the Brestsky, Borisovsky
    # and Domanovsky training grounds"
    r"(?:play(?:s|ed|ing)? out|tak(?:e|es|ing) place|took place|held|staged|conducted|working|operating) "
    r"(?:at|on|in) "
    r"(?:the )?(?:[\w-]+,? ){0,6}?(?:training grounds?|firing ranges?|ranges?|polygons?|training areas?|"
    r"training cent(?:re|er)s?)|"
    # "activities are concentrated at the Novo Selo training area"
    r"(?:activities|activity|episodes|events) (?:are |is |were |was |will be )?(?:concentrated|centred|centered|"
    r"focused|held) (?:at|on|in|around|near)|"
    # "a Moldovan contingent is training alongside Romanian units at Cincu"
    r"train(?:s|ed|ing)? (?:together |jointly )?(?:with|alongside) [\w ,-]{0,40}? (?:at|in|on|near))\b",
    re.I,
)
# What a "where" clause after a place must say for the place to host the event (geo.hosts).
TRIGGERS = {"deployment": DEPLOYMENT, "exercise": EXERCISE}
NOT_EXERCISE = compile_fast(r"\b(exercis(?:e|es|ed|ing) (?:its|their|his|her|the) (?:right|power|influence|control|"
                          r"veto|sovereignty|restraint|caution)|exercise of|"
                          # a ceremony at a range is no drill: "the ceremony was held on a tank range at Orzysz"
                          r"(?:ceremony|parade|celebration|handover|meeting|conference|summit|visit) "
                          r"(?:was |were |is |will be |had been )?(?:held|staged|conducted|took place|takes place))\b",
                          re.I)
# A gulf or sea is a chokepoint when the text calls it one ("the Gulf of Finland has become a
# NATO lake", "the narrow waters of the Gulf of Riga"); a strait is one by its kind.
WATER_KINDS = ("gulf", "sea", "bay", "lake")
CHOKEPOINT_CALLED = re.compile(r"\b(choke ?points?|corridors?|bottlenecks?|(?:nato|alliance|allied|russian) lake|"
                               r"narrow(?:s|est)?|gateways?|lifelines?|blockade[ds]?|bottled? up|"
                               # closure, not nearness: "closed to warships", not "close to where the Danube bends"
                               r"close[ds] (?:off|to)|close off|closing (?:off|the)|cut off|choke)\b", re.I)
ENDS_OF = re.compile(r"\b(?:between|from|linking|connecting|joining|for|into|out of)\b", re.I)
# "the Baltic's three chokepoints", "the Gulf of Bothnia's shipping": the water owns what is named
POSSESSIVE_AFTER = re.compile(r"['’]s?\b")
# "the only way out of the Black Sea and the second chokepoint": the sea is where the way leads
WAY_OUT_BEFORE = re.compile(r"\b(?:out of|into|in and out of)\s+(?:the\s+)?$", re.I)
OTHER_WATERWAY = re.compile(r"\b(?:straits?|belts?|sounds?|channels?|passages?|gaps?)\b|,\s+(?:and|but|while)\s", re.I)
UPCOMING_BEFORE = re.compile(r"\b(?:ahead of|in preparation for|to prepare for|preparing for|before)\s+"
                             r"(?:(?:the|next|this|their|its|joint|planned|upcoming|[A-Z][a-z]+|\w+-scale|large)\s+)*$")
ATTACK = re.compile(r"\b(?:attacked|attacks? on|strikes? on|(?:missile|drone|air|rocket) (?:strikes?|attacks?)|"
                    r"struck|hit|shelled|shelling|bombed|destroyed|damaged|sank|sunk|shot down|explosions?|"
                    r"blasts?)\b", re.I)
# "the Northern Fleet's bases at", "the fleet's main base in", "its home port of", "the naval base at"
FLEET_BASE_BEFORE = re.compile(r"\b(?:(?:fleet|flotilla|navy)['’]s\s+(?:main\s+|home\s+|naval\s+|submarine\s+|"
                               r"principal\s+)*(?:bases?|home ?ports?)|(?:its|their)\s+(?:main\s+)?"
                               r"(?:home ?ports?|naval bases?))\s+(?:at|in|of|are|is|remain|remains|include)\s+"
                               r"(?:the\s+)?$|"
                               # "Russia's Black Sea Fleet, headquartered in Sevastopol"
                               r"\bfleet,?\s+(?:which is\s+)?(?:headquartered|based|home-?ported)\s+(?:in|at)\s+$",
                               re.I)
# "a deployment exercise" and "troops are training" report exercises, not deployments
DRILL_AFTER = re.compile(r"\s+(?:exercises?|drills?|training|exercising|drilling|practi[sc]ing|rehearsing|"
                         r"taking part|take part|took part)\b", re.I)
# The exercise is what moves: "the two-week exercise will move east across the Baltic Sea"
EXERCISE_SUBJECT_BEFORE = re.compile(r"\b(?:exercises?|drills?|manoeuvres|maneuvers|war ?games?|phase)\s+"
                                     r"(?:(?:will|would|then|later|also|is to|are to|is due to)\s+)*$", re.I)
# Triggers that only name who or where (a unit, a site, a base aircraft fly from), not what happens
NAMING_TRIGGER = re.compile(r"(?:battle ?groups?|battalions?|brigades?|contingents?|regiment|squadron|formations|"
                            r"patriot|nasams|himars|fighter jets|f-(?:16|35)s?|typhoons|mig-29s|"
                            r"(?:infantry|armoured|armored|tank|artillery) (?:company|companies|units?)|"
                            # a site's name says where: "ships of the Baltiysk naval base are rehearsing"
                            r"(?:military|air|army|naval) base|garrisons?|"
                            # and where an exercise's aircraft fly from: "the jets are operating from Bodø"
                            r"operat(?:e|es|ed|ing) (?:\w+ )?from)", re.I)
PRESENCE_TRIGGER = re.compile(r"(?:troops|soldiers) (?:in|are|were|will|have|had)|troops (?:near|along|on)|"
                              r"forces (?:in|near|along)", re.I)
# Aircraft working from a base: right after an exercise is reported, the base is one of its sites
FLYING_FROM = re.compile(r"(?:operat(?:e|es|ed|ing)|flying|flies) (?:\w+ )?from", re.I)
# A denial before a trigger: "does not host a battlegroup", "has not sent troops", "there are no plans
# to move units into Belarus", "there is no plan, however, to send troops", "no evidence it has been
# deployed", "no allied troops would train in Sør-Varanger"; not "not only sent troops", "no fewer
# than", nor "never before hosted forces of this size" (a record, not a denial)
DENIED_BEFORE = re.compile(r"\b(?:not|no longer|nor)\s+(?!only\b|just\b|merely\b)(?:\w+\s+){0,2}$|"
                           r"\bno (?:plans?|intention|evidence|sign|decision)\b"
                           r"(?:,\s*(?:however|though|so far|as yet|for now|at present),)?[^.;,]{0,40}$|"
                           r"(?i:\bno\s+(?!fewer\b|less\b|more\b|longer\b|doubt\b)(?:[\w-]+\s+){0,6}$)")
VISITOR_BEFORE = re.compile(r"\b(?:President|Prime Minister|Minister|Secretary(?:[ -]General)?|Chancellor|King|Queen|"
                            r"Prince|Pope|Commissioner|Ambassador|Premier)\s+(?:[A-Z][\w'’.-]*\s+){1,3}$")
DENIAL_REACH = 50  # characters before a trigger searched for its denial
IT_CONTINUES = re.compile(r"(?:It|The exercise) (?:runs|ran|will run|is being|was being|began|begins|started|starts|"
                          r"involves|involved|brings|brought|includes|included|takes place|took place|ends|ended|"
                          r"continues|continued|will take place|is held|was held|will be held)\b|"
                          # its participants: "... launched Arctic Challenge 2019. The aircraft are operating from"
                          r"(?:The|Its|Their) (?:participating )?(?:aircraft|jets|fighters|ships|warships|vessels|"
                          r"troops|soldiers|forces|units|participants|crews) (?:are|were|will|have|had)\b")
RAILWAY_TRAIN = re.compile(r"\b((?:on|onto|by|aboard|freight|goods|troop|military|supply|armoured|armored) "
                           r"(?:the |a |[\w-]+ )?)(trains?)\b", re.I)
LANDING_VESSEL = re.compile(r"\b(landing)( (?:ships?|craft|vessels?|boats?))\b", re.I)
SPAN_OF = r"for the (?:duration|length|rest|course) of|throughout"
EXERCISE_AS_TIME_BEFORE = re.compile(rf"\b(?:{SPAN_OF}|for)\s+(?:the|this|that|its)\s+$", re.I)
# and a named one: "sent Patriot batteries to Lithuania for the duration of Zapad"
NAMED_EXERCISE_AS_TIME_BEFORE = re.compile(rf"\b(?:{SPAN_OF})\s+(?:(?:the|this|that|its)\s+)?$", re.I)
NEARER_BY = 30  # characters by which one kind's trigger must be nearer a place to take it alone
CHOKEPOINT_REACH = 80  # characters between the water and the words that call it a chokepoint
MAX_EVIDENCE_CHARS = 600
# In order of precedence: the first status whose words the clause contains wins.
STATUS_NAMES = ("ended", "requested", "planned", "announced", "arrived")
STATUS = PatternSet([
    r"\b(withdr[ae]w|withdrawn|pulled out|ended|wrapped up|completed|left|departed|pulling (?:some of them )?back|"
    r"concluded)\b",
    r"\b(ask(?:ed|ing|s)? for|request(?:ed|ing|s)?|petition|call(?:ed|ing)? (?:on|for)|seek(?:ing|s)?|"
    r"press(?:ed)? (?:nato|for)|urg(?:ed|ing))\b",
    r"\b(plan(?:s|ned|ning)?|will|would|to be|expected|preparing|considering|consider|ready to|due to|is to|are to|"
    r"upcoming|future|proposed|intend(?:s|ed)?|decided)\b",
    r"\b(announc(?:ed|es|ing)|agreed|approved|pledged|promised|offered|confirmed)\b",
    r"\b(arriv(?:ed|ing|al)|landed|touched down|deployed|stationed|based|began|started|welcomed|opened|launched|"
    r"under way|underway|running|is|are|were|was|has|have|held|took place|taking part|kicked off)\b",
], re.I)
TROOPS = compile_fast(r"\b(?:about|around|some|roughly|nearly|almost|more than|over|up to|at least|of)?\s*"
                    r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?(?:\s*(?:thousand|million))?|\d{2,6})\s+"
                    r"(?:[a-z-]+\s+){0,3}?(troops|soldiers|personnel|servicemen|service members|marines|"
                    r"paratroopers|sailors|airmen|allied troops|of them)\b", re.I)
UNIT = compile_fast(r"\b(battle ?group|battalion|brigade|division|regiment|company|squadron|contingent|battery|"
                  r"detachment|corps|task force)\b", re.I)
EQUIPMENT = compile_fast(r"\b(F-16s?|F-35s?|MiG-29s?|Typhoons?|Gripens?|Patriot|NASAMS|HIMARS|Stryker|Abrams|"
                       r"Leopard 2|Challenger 2|Warrior|Caesar|Iskander|S-400|Apache|Black Hawk|tanks|"
                       r"howitzers|artillery|drones|ships|submarines|corvettes|frigates|destroyers)\b")
NATION_LEAD = re.compile(r"\b([A-Z][a-z]+)-led\b")
CAPITALISED_WORD = re.compile(r"\b([A-Z][a-z]+)\b")
# The stop character comes first so the scan jumps between candidates; abbreviations are
# checked behind it ("U.S. troops", "Gen. Hodges", "J. Smith" do not end a sentence).
SENTENCE_END = re.compile(r"([.!?])(?<!\b[A-Z]\.)(?<!\bU\.S\.)(?<!\bMr\.)(?<!\bMrs\.)(?<!\bDr\.)(?<!\bGen\.)"
                          r"(?<!\bCol\.)(?<!\bLt\.)(?<!\bSt\.)(?<!\bNo\.)(?<!\bvs\.)[\"”’']?\s+(?=[\"“‘'(]?[A-Z0-9])|\n")
CLAUSE_BREAK = re.compile(r";|\s[-–—]\s|,\s+(?:while|whereas|but|although|though|and also)\s", re.I)


@dataclass
class Event:
    """One event at one host place, with its evidence sentence."""

    type: str
    mention: Mention
    year: int | None
    evidence: str
    evidence_start: int
    evidence_end: int
    status: str = ""
    troops: int | None = None
    lead_nation: str = ""
    contributors: tuple[str, ...] = ()
    unit: str = ""
    equipment: tuple[str, ...] = ()
    exercise: str = ""
    via_group: str = ""  # name of the group region hosting the event, if any
    month: int | None = None  # when the sentence dates the event to a month of ``year``
    extra: dict[str, object] = field(default_factory=dict)


def sentences(text: str) -> list[tuple[int, int]]:
    """Return (start, end) spans of the sentences of ``text``."""
    spans = []
    pos = 0
    for m in SENTENCE_END.finditer(text):
        end = m.start() + 1 if m.group(1) else m.start()
        if text[pos:end].strip():
            spans.append((pos, end))
        pos = m.end()
    if text[pos:].strip():
        spans.append((pos, len(text)))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        out.append((s, e))
    return out


def clauses(sentence: str) -> list[tuple[int, int]]:
    """Return (start, end) spans of a sentence's clauses.

    An aside between two dashes that reports nothing of its own belongs to the clause before it:
    "would play out at six training grounds - the Borisovsky, Lepelsky and Gozhsky ranges - with...".
    """
    spans, pos = [], 0
    breaks = list(CLAUSE_BREAK.finditer(sentence))
    for i, m in enumerate(breaks):
        aside = sentence[pos:m.start()]
        if i and spans and _is_dash(breaks[i - 1]) and _is_dash(m) and \
                not DEPLOYMENT.search(aside) and not EXERCISE.search(aside):
            spans[-1] = (spans[-1][0], m.start())
        else:
            spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(sentence)))
    return spans


def _is_dash(found: re.Match[str]) -> bool:
    return found.group(0).strip() in ("-", "–", "—")


def classify_events(article: Article, mentions: list[Mention], published: Published, gaz: Gazetteer) -> list[Event]:
    """Return the deduplicated events of an article."""
    text = article.text
    events: list[Event] = []
    body = sorted((m for m in mentions if m.role in ("body", "title")), key=lambda m: m.start)
    starts = [m.start for m in body]
    spans = sentences(text)
    exercises = _with_continuations(text, spans, _exercise_names(text, gaz))
    exercise_starts = [start for start, _key in exercises]
    rows = table_rows(text)
    exercise_near = False  # the sentence before, or a clause before in this one, reports an exercise
    for s_start, s_end in spans:
        sentence = text[s_start:s_end]
        in_sentence = body[bisect_left(starts, s_start):bisect_left(starts, s_end)]
        if not in_sentence or article.role_at(s_start) in ("furniture", "caption"):
            continue
        if s_start in rows:
            events.extend(_row_events(text, s_start, s_end, rows[s_start], in_sentence, published, gaz))
            continue
        sentence_attrs: dict[str, object] | None = None
        exercise_before, exercise_near = exercise_near, False
        deployed = False  # a clause before in this sentence reports a deployment
        sentence_starts = [m.start for m in in_sentence]
        for c_start, c_end in clauses(sentence):
            clause = sentence[c_start:c_end]
            local = in_sentence[bisect_left(sentence_starts, s_start + c_start):
                                bisect_left(sentence_starts, s_start + c_end)]
            if not local:
                continue
            kinds = []
            dep_words = _deployment_words(clause)
            dep = next((found for found in dep_words if not _visit(clause, found)), None)
            exe = next(_exercise_triggers(clause), None)
            named = _first_between(exercises, exercise_starts, s_start + c_start, s_start + c_end)
            if named and NAMED_EXERCISE_AS_TIME_BEFORE.search(text, max(s_start, named[0] - 40), named[0]):
                named = None
            reports_exercise = bool(exe or named) and not NOT_EXERCISE.search(clause)
            exercise_near = exercise_near or reports_exercise
            if dep and (exe or named) and _only(dep_words, PRESENCE_TRIGGER):
                dep = None  # "Cold Response 2022 - allied forces in northern Norway": the exercise's forces
            if dep and not (exe or named) and not deployed and (exercise_before or exercise_near) \
                    and _only_flying_from(dep_words):
                kinds.append(("exercise", dep.start()))  # "Gripens are flying from Luleå" during Nordic Response
            elif dep:
                kinds.append(("deployment", dep.start()))
                deployed = True
            # "troops arrive in Belarus ahead of February exercises": the exercise is yet to come
            upcoming = dep is not None and exe is not None and \
                UPCOMING_BEFORE.search(clause, max(0, exe.start() - 40), exe.start()) is not None
            if reports_exercise and not upcoming:
                kinds.append(("exercise", exe.start() if exe else named[0] - s_start - c_start))
            attrs: dict[str, object] = {}
            if kinds:
                if sentence_attrs is None:
                    sentence_named = _first_between(exercises, exercise_starts, s_start, s_end)
                    sentence_attrs = _sentence_attributes(sentence, sentence_named, gaz)
                attrs = {**sentence_attrs, **_clause_attributes(clause)}
            nearest = _nearest_kind(clause, s_start + c_start, local, named) if len(kinds) == 2 else None
            for kind, trig in kinds:
                year = sentence_year(sentence, published, c_start + trig)
                month = sentence_month(sentence, year, c_start + trig)
                for mention in hosts(text, s_start + c_start, local, gaz, kind, TRIGGERS.get(kind)):
                    if nearest is not None and nearest.get(id(mention), kind) != kind:
                        continue
                    via = mention.place.name if mention.place.kind == "group" else ""
                    events.append(Event(kind, mention, year, *_evidence(text, s_start, s_end, mention),
                                        via_group=via, month=month, **attrs))
        events.extend(_fleet_bases(text, s_start, s_end, in_sentence, published))
        passages = [m for m in in_sentence if m.place.kind in ("chokepoint", "strait")]
        for mention in in_sentence:
            if not mention.embedded and (mention.place.kind in ("chokepoint", "strait") or (
                    mention.place.kind in WATER_KINDS
                    and _named_as_chokepoint(text, mention, s_start, s_end, passages))):
                # A chokepoint is named as one in the article: that is the event, of the article's year
                # ("in February 2022 Turkey closed the Bosporus" in a 2023 analysis is 2023's naming).
                year = published.year if published.year is not None else sentence_year(sentence, published)
                events.append(Event("chokepoint", mention, year, *_evidence(text, s_start, s_end, mention)))
    return dedupe(events)


def _fleet_bases(text: str, s_start: int, s_end: int, in_sentence: list[Mention], published: Published) -> list[Event]:
    """Deployments at a fleet's bases, whatever the sentence says happens there: "a few hundred
    kilometres from the Northern Fleet's bases at Severomorsk and Gadzhiyevo" still places the
    fleet's ships at both. The places listed right after the first one are bases too."""
    out: list[Event] = []
    previous: Mention | None = None
    for mention in in_sentence:
        if mention.embedded or mention.metonymy or mention.place.kind in ("country", "group", "region", "subregion"):
            previous = None
            continue
        listed = previous is not None and in_one_list(text, previous.end, mention.start)
        if listed or FLEET_BASE_BEFORE.search(text, max(s_start, mention.start - 80), mention.start):
            year = sentence_year(text[s_start:s_end], published)
            out.append(Event("deployment", mention, year, *_evidence(text, s_start, s_end, mention)))
            previous = mention
        else:
            previous = None
    return out


def _row_events(text: str, s_start: int, s_end: int, row: TableRow, in_row: list[Mention], published: Published,
                gaz: Gazetteer) -> list[Event]:
    """Events of a table row: the type from the words nearest the row (its header, then the lines
    above the table), hosted by the places of the row's cells outside contributor columns."""
    sentence = text[s_start:s_end]
    probe = f"{row.context} {sentence}"
    last: dict[str, int] = {}
    for found in DEPLOYMENT.finditer(probe):
        if not DRILL_AFTER.match(probe, found.end()):
            last["deployment"] = found.start()
    for found in EXERCISE.finditer(_without_vehicle_homonyms(probe)):
        last["exercise"] = found.start()
    names = _exercise_names(probe, gaz)
    if names:
        last["exercise"] = max(last.get("exercise", -1), names[-1][0])
    if not last or ("exercise" in last and NOT_EXERCISE.search(probe)):
        return []
    if not row.kind and ATTACK.search(sentence) and max(last.values()) < len(row.context):
        return []  # a row of an incident log: a strike there, no forces put there by the table's words
    kind = row.kind or max(last, key=last.__getitem__)
    attrs = {**_sentence_attributes(sentence, names[-1] if names else None, gaz), **_clause_attributes(sentence)}
    local = [m for m in in_row if not row.skips(m.start)]
    year = sentence_year(sentence, published)
    found = hosts(text, s_start, local, gaz, kind)
    return [Event(kind, m, year, *_evidence(text, s_start, s_end, m),
                  via_group=m.place.name if m.place.kind == "group" else "", **attrs)
            for m in found if not _locator_cell(text, m, found)]


def _locator_cell(text: str, m: Mention, found: list[Mention]) -> bool:
    """"| Cincu training area | Brașov |": a town or region in the cell right after a site's cell,
    in the site's country, says where the site is (its county or nearest town); it hosts nothing."""
    if m.place.kind not in ("city", "region", "subregion"):
        return False
    # a region locates a town too: "| Mirosławiec | West Pomerania |"
    inner = SITE_KINDS | {"city"} if m.place.kind != "city" else SITE_KINDS
    return any(site.end <= m.start and site.place.kind in inner and site.place.country == m.place.country
               and text.count("|", site.end, m.start) == 1 for site in found)


def _without_vehicle_homonyms(text: str) -> str:
    """``text`` with railway trains written as wagons and landing ships as docking ships, of the
    same length: "loaded onto trains at depots" is no training (the exercise triggers read "trains
    at"), and "two amphibious landing ships sailed north" no amphibious landing."""
    if "train" in text:
        text = RAILWAY_TRAIN.sub(lambda m: m.group(1) + ("wagons" if m.group(2) == "trains" else "wagon"), text)
    if "anding" in text:
        text = LANDING_VESSEL.sub(r"docking\2", text)
    return text


def _nearest_kind(clause: str, offset: int, local: list[Mention],
                  named: tuple[int, str] | None = None) -> dict[int, str]:
    """For a clause with both kinds of trigger: id of a mention -> the kind whose trigger is clearly
    nearer to it. "soldiers began the exercise ..., a test of how NATO would reinforce the north,
    with manoeuvres across northern Norway": the places sit by the manoeuvres, not the reinforcing.
    A mention about as near to both keeps both kinds."""
    dep = [(m.start() + offset, m.end() + offset) for m in DEPLOYMENT.finditer(clause)
           if not DRILL_AFTER.match(clause, m.end()) and not NAMING_TRIGGER.fullmatch(m.group(0))]
    exe = [(m.start() + offset, m.end() + offset) for m in _exercise_triggers(clause)]
    if named is not None:  # the exercise's name, or the start of a sentence that goes on about it
        exe.append((named[0], named[0] + len(named[1])))
    # a force named inside the exercise's words is its partner: "train with the Hungarian-led
    # battlegroup at Bakony"
    dep = [d for d in dep if not any(a <= d[0] and d[1] <= b for a, b in exe)]
    if not dep:
        # Only a unit's or a weapon's name ("the brigade at Alakurtti is carrying out a snap
        # check", "live firing with the Patriot system"): the clause reports an exercise.
        return {id(m): "exercise" for m in local}
    out = {}
    for m in local:
        to_dep, to_exe = _distance(dep, m), _distance(exe, m)
        if abs(to_dep - to_exe) > NEARER_BY:
            out[id(m)] = "deployment" if to_dep < to_exe else "exercise"
    return out


def _exercise_triggers(clause: str) -> Iterator[FastMatch]:
    """The exercise triggers of a clause, except an exercise that only says when ("sent troops to
    Latvia for the length of the exercise", "GPS jamming reported throughout the exercise") and a
    denied one ("no allied troops would train in Sør-Varanger")."""
    for found in EXERCISE.finditer(_without_vehicle_homonyms(clause)):
        if not EXERCISE_AS_TIME_BEFORE.search(clause, max(0, found.start() - 40), found.start()) and \
                not _denied(clause, found.start()):
            yield found


def _denied(clause: str, trigger_start: int) -> bool:
    """Whether the words just before a trigger deny it ("has not sent", "no allied troops would")."""
    return DENIED_BEFORE.search(clause, max(0, trigger_start - DENIAL_REACH), trigger_start) is not None


def _distance(spans: list[tuple[int, int]], m: Mention) -> int:
    """Characters between a mention and the nearest of ``spans`` (a large number when there is none)."""
    return min((max(a - m.end, m.start - b, 0) for a, b in spans), default=10**6)


def _deployment_words(clause: str) -> list[FastMatch]:
    """The deployment triggers of a clause; a "deployment exercise" is an exercise, and a denied
    one is none ("Czechia does not host a battlegroup")."""
    return [found for found in DEPLOYMENT.finditer(clause)
            if not DRILL_AFTER.match(clause, found.end()) and not _denied(clause, found.start())
            and not EXERCISE_SUBJECT_BEFORE.search(clause, max(0, found.start() - 40), found.start())]


def _visit(clause: str, found: FastMatch) -> bool:
    """True when a trigger of arrival has a dignitary for subject: "President Vladimir Putin
    arriving at the Luzhsky training ground" is a visit, not forces arriving."""
    return found.group(0).startswith("arriv") and \
        VISITOR_BEFORE.search(clause, max(0, found.start() - 50), found.start()) is not None


def _only(words: list[FastMatch], kind: re.Pattern[str]) -> bool:
    """True when every one of a clause's deployment ``words`` is of ``kind``: PRESENCE_TRIGGER says
    forces are only somewhere ("troops in", "forces near"), nothing of them sent, based or arriving."""
    return bool(words) and all(kind.fullmatch(m.group(0)) for m in words)


def _only_flying_from(words: list[FastMatch]) -> bool:
    """True when a clause's deployment ``words`` say only where aircraft fly from and who they are
    ("Swedish Gripen fighters are flying from Luleå"), nothing of forces sent or stationed."""
    return any(FLYING_FROM.fullmatch(m.group(0)) for m in words) and \
        all(FLYING_FROM.fullmatch(m.group(0)) or NAMING_TRIGGER.fullmatch(m.group(0)) for m in words)


def _named_as_chokepoint(text: str, mention: Mention, s_start: int, s_end: int,
                         waterways: list[Mention]) -> bool:
    """True when words near a gulf or sea in its sentence call it a chokepoint or corridor.

    Not across another waterway or a new clause: in "the Baltic Sea is ringed by allies, and
    the straits are the chokepoint" the word belongs to the straits.
    """
    if POSSESSIVE_AFTER.match(text, mention.end) or \
            WAY_OUT_BEFORE.search(text, max(s_start, mention.start - 30), mention.start):
        return False
    lo, hi = max(s_start, mention.start - CHOKEPOINT_REACH), min(s_end, mention.end + CHOKEPOINT_REACH)
    for called in CHOKEPOINT_CALLED.finditer(text, lo, hi):
        after = called.start() >= mention.end
        gap = (mention.end, called.start()) if after else (called.end(), mention.start)
        # "the corridor between the Baltic and Black Sea fronts": the seas are its ends, not it
        if OTHER_WATERWAY.search(text, *gap) or (not after and ENDS_OF.search(text, *gap)):
            continue
        # "the Black Sea while the Bosporus remains closed": the word belongs to the nearer strait
        if any(gap[0] <= w.start and w.end <= gap[1] for w in waterways):
            continue
        return True
    return False


def _evidence(text: str, s_start: int, s_end: int, mention: Mention) -> tuple[str, int, int]:
    """The evidence (text, start, end): the sentence, or for a run-on "sentence" longer than
    MAX_EVIDENCE_CHARS the words around the mention, so popups and tables stay readable."""
    if s_end - s_start > MAX_EVIDENCE_CHARS:
        half = MAX_EVIDENCE_CHARS // 2
        lo, hi = max(s_start, mention.start - half), min(s_end, mention.end + half)
        lo = text.rfind(" ", s_start, lo) + 1 or lo  # whole words at both ends
        space = text.find(" ", hi, s_end)
        s_start, s_end = lo, space if space != -1 else s_end
    evidence = text[s_start:s_end].rstrip()
    return evidence, s_start, s_start + len(evidence)


def _exercise_names(text: str, gaz: Gazetteer) -> list[tuple[int, str]]:
    """Capitalised exercise names in the text ("Saber Strike", "Zapad-2021") as (start, key)."""
    return [(start, key) for start, _end, key in gaz.exercise_names_in(text)]


def _with_continuations(text: str, spans: list[tuple[int, int]], names: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """``names`` (exercise names by position) plus, for a sentence that goes on about the exercise
    the sentence before named ("DRAGON-24 involves 20,000 soldiers. It is being conducted at
    training areas across Poland..."), that name again at the sentence's start."""
    if not names:
        return names
    starts = [start for start, _key in names]
    out = list(names)
    for (p_start, p_end), (s_start, s_end) in pairwise(spans):
        if not IT_CONTINUES.match(text, s_start) or _first_between(names, starts, s_start, s_end):
            continue
        before = bisect_left(starts, p_end) - 1
        if before >= 0 and names[before][0] >= p_start:
            out.append((s_start, names[before][1]))
    return sorted(out)


def _first_between(names: list[tuple[int, str]], starts: list[int], lo: int, hi: int) -> tuple[int, str] | None:
    """The first of ``names`` starting in [lo, hi)."""
    i = bisect_left(starts, lo)
    return names[i] if i < len(names) and names[i][0] < hi else None


LETTERS = re.compile(r"[a-z]+")


def _clause_attributes(clause: str) -> dict[str, object]:
    """Status and unit type, which belong to the clause that reports the event."""
    found = STATUS.first(clause)
    status = STATUS_NAMES[found] if found is not None else ""
    unit = UNIT.search(clause)
    return {"status": status, "unit": unit.group(1).lower() if unit else ""}


def _sentence_attributes(sentence: str, named: tuple[int, str] | None, gaz: Gazetteer) -> dict[str, object]:
    """Numbers, nations, equipment and exercise name, read from the whole evidence sentence."""
    troops = None
    m = TROOPS.search(sentence)
    if m:
        raw = m.group(1).replace(",", "").replace(" ", "")
        try:
            mult = 1000 if "thousand" in raw else 1_000_000 if "million" in raw else 1
            troops = int(float(LETTERS.sub("", raw)) * mult)
        except ValueError:
            troops = None
    lead = ""
    lm = NATION_LEAD.search(sentence)
    if lm:
        lead = gaz.demonym_country(lm.group(1)) or ""
        if not lead:
            c = gaz.lookup(lm.group(1), fuzzy=False)
            lead = c[0].place.country if c and c[0].place.kind == "country" else ""
    contributors = []
    for word in CAPITALISED_WORD.findall(sentence):
        iso = gaz.demonym_country(word)
        if iso and iso not in contributors:
            contributors.append(iso)
    equipment = tuple(dict.fromkeys(e.group(0) for e in EQUIPMENT.finditer(sentence)))
    exercise = gaz.exercises[gaz.exercise_names[named[1]]]["name"] if named else ""
    return {"troops": troops, "lead_nation": lead, "contributors": tuple(contributors), "equipment": equipment,
            "exercise": exercise}


def dedupe(events: list[Event]) -> list[Event]:
    """One event per (type, host place, year), in text order."""
    out: list[Event] = []
    seen: set[tuple[str, str, int | None]] = set()
    for e in events:
        key = (e.type, e.mention.place.id, e.year)
        if key in seen:
            continue
        seen.add(key)
        out.append(e)
    out.sort(key=lambda e: e.evidence_start)
    return out
