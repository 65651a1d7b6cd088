"""Stage 1, load an article: bytes in any common encoding, plain text, Markdown or HTML,
to cleaned text with character offsets, a title, and segments marked by role.

Roles: ``title``, ``body``, ``caption`` (image captions and photo credits) and
``furniture`` (navigation, "Read more" lists, related links, footers, comment prompts).
Furniture is kept in the text so offsets stay meaningful, but produces no events.
"""

from __future__ import annotations

import codecs
import io
import os
import re
import stat
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser as HTMLParser
from selectolax.lexbor import LexborNode as Node

from geo.errors import ArticleError
from geo.fastregex import compile_fast

MAX_BYTES = 5 * 1024 * 1024  # documented in README: larger files are refused
MAX_HTML_DEPTH = 200  # deeper nesting is flattened into one block (no recursion blow-up)
# Block containers nested deeper than this lose their tags before parsing (their text is kept):
# the HTML tree builder scans its stack of open elements at every block tag, so a 5 MB file of
# "<div>" would take many minutes to parse.
MAX_TAG_DEPTH = 400
HTML_SNIFF = re.compile(rb"<\s*(!doctype\s+html|html|head|body|article|p|div)\b", re.I)
URL_DATE = re.compile(r"/((?:19|20)\d\d)[/-]([01]\d)[/-]([0-3]\d)(?:/|-|$)")  # ".../2016/09/14/slug/"


@dataclass(frozen=True)
class Segment:
    """A span of the cleaned text with its role."""

    start: int
    end: int
    role: str


@dataclass
class Article:
    """A cleaned article. ``text`` is what offsets point into."""

    source: str
    text: str
    title: str
    segments: list[Segment]
    meta_dates: list[str] = field(default_factory=list)
    content_hash: str = ""
    _starts: list[int] | None = field(default=None, init=False, repr=False, compare=False)

    def role_at(self, offset: int) -> str:
        """Return the role of the segment containing ``offset`` ("body" if none)."""
        if self._starts is None or len(self._starts) != len(self.segments):
            self.segments.sort(key=lambda seg: seg.start)
            self._starts = [seg.start for seg in self.segments]
        i = bisect_right(self._starts, offset) - 1
        if i >= 0 and offset < self.segments[i].end:
            return self.segments[i].role
        return "body"


# ----- decoding ------------------------------------------------------------------------------
BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def decode(data: bytes, source: str) -> str:
    """Return the text of ``data``: BOM first, then UTF-8, then the detected Windows/ISO code page."""
    if not data.strip():
        raise ArticleError(source, "empty file")
    for bom, enc in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc)
            except UnicodeDecodeError as exc:
                raise ArticleError(source, f"invalid {enc} text ({exc.reason})") from None
    if _looks_utf16(data):
        try:
            return data.decode("utf-16-le" if data[1] == 0 else "utf-16-be")
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:4096]:
        raise ArticleError(source, "binary file (NUL bytes), not an article")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data":
            # UTF-8 cut off inside its last letter (a truncated download): keep the valid text before it.
            return data[: exc.start].decode("utf-8")
    from charset_normalizer import from_bytes  # 20 ms to import: only for text that is not UTF-8

    best = from_bytes(data[:200_000], cp_isolation=list(LEGACY_CODECS)).best()
    if best is None or _control_ratio(str(best)) > 0.05:
        raise ArticleError(source, "binary or undecodable content, not an article")
    # Short texts leave the detector guessing between Baltic, Central and Western code pages:
    # prefer the decoding whose non-ASCII letters belong to the region's alphabets.
    decodings = {}
    for enc in dict.fromkeys([best.encoding, *LEGACY_CODECS]):
        try:
            decodings[enc] = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
    if not decodings:
        raise ArticleError(source, f"cannot decode as {best.encoding}")
    return max(decodings.items(), key=lambda kv: (_alphabet_score(kv[1]), kv[0] == best.encoding))[1]


LEGACY_CODECS = ("cp1252", "cp1257", "cp1250", "cp1251", "iso8859_2", "iso8859_13", "koi8_r")
REGION_LETTERS = frozenset(
    "ąčęėįšųūžĄČĘĖĮŠŲŪŽāēīģķļņĀĒĪĢĶĻŅõäöüÕÄÖÜłńóśźżŁŃÓŚŹŻăâîșțşţĂÂÎȘȚŞŢáéíýďěňřťůÁÉÍÝĎĚŇŘŤŮßàèìòùçñ"
    "ÀÈÌÒÙÇÑ«»„“”–—’‘€…é" + "".join(chr(c) for c in range(0x0410, 0x0450)) + "ёЁіІїЇєЄўЎ"
)


def _alphabet_score(text: str) -> int:
    """Non-ASCII characters that belong to the region's alphabets, minus those that do not."""
    score = 0
    for ch in text[:20_000]:
        if ord(ch) > 127:
            score += 1 if ch in REGION_LETTERS else -2
    return score


def _looks_utf16(data: bytes) -> bool:
    sample = data[:2000]
    if len(sample) < 4:
        return False
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) / 2
    return max(even_nuls, odd_nuls) > 0.4 * half and min(even_nuls, odd_nuls) < 0.05 * half


def _control_ratio(text: str) -> float:
    if not text:
        return 1.0
    bad = sum(1 for c in text if (ord(c) < 32 and c not in "\r\n\t\f") or 0x7F <= ord(c) < 0xA0)
    return bad / len(text)


# ----- plain text and Markdown -----------------------------------------------------------------
# RE2 (linear time: a menu-like line of a million words must not backtrack); \pL for Unicode letters.
FURNITURE_LINE = compile_fast(
    r"^\s*(?:[*_>]+\s*)?(?:\d+\.\s*)?(skip to|menu\b|search\b|sign in|log in|subscribe|newsletter|share\b|print\b|"
    r"home\s*[>|/]|tags?:|related( stories| articles)?:?$|read (more|next|also)|see also|more on this|"
    r"further reading|recommended reading|"
    r"be the first to comment|leave a reply|your email address|this site uses|copyright|©|\(c\)|"
    r"all rights reserved|sign up|back to top|join the conversation|write (a )?letter|"
    r"[A-Z][\pL\pN_&.' ]+(\s*\|\s*[A-Z][\pL\pN_&.' ]+){2,}\s*$)",
    re.I,
)
LIST_ITEM = re.compile(r"^\s*(?:[-*>•]|\d+\.)\s+")
# A credit glued to its caption ("... the Baltic statesImage: picture-alliance/dpa") is one too.
CAPTION_LINE = compile_fast(r"^\s*(\[?photo\]?:?|image:|picture:|caption:|pictured:)|\b(Photo|Image):\s*\S|"
                          r"(?-i:[a-z](?:Photo|Image)):\s*\S|"
                          r"^[^.!?]{10,200}\((?:19|20)\d\d\)\s*$", re.I)


MARKDOWN_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
MARKDOWN_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
MARKDOWN_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
MARKDOWN_EMPHASIS = re.compile(r"(?<!\w)[*_](?=\w)|(?<=\w)[*_](?!\w)")  # *italic*, _italic_, not snake_case
RELATED_HEADING = re.compile(r"^(read (more|next)|related( stories| articles)?|see also|more on)\b")
DATE_LIKE_LINE = re.compile(r"^[\d./:\- ]+$")
CREDIT_LINE = re.compile(r"^(image|photo|picture)\s*:", re.I)


def _strip_markdown(line: str) -> str:
    line = MARKDOWN_IMAGE.sub(r"\1", line)
    line = MARKDOWN_LINK.sub(r"\1", line)
    line = MARKDOWN_HEADING.sub("", line)
    return MARKDOWN_EMPHASIS.sub("", line.replace("**", "").replace("__", ""))


def parse_text(text: str, source: str, *, markdown: bool = False) -> Article:
    """Return an Article from plain text or Markdown, marking furniture and captions by line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if markdown:
        text = "\n".join(_strip_markdown(line) for line in text.split("\n"))
    segments: list[Segment] = []
    title = ""
    pos = 0
    in_related = False
    lines = text.split("\n")
    for i, line in enumerate(lines):
        start, end = pos, pos + len(line)
        pos = end + 1
        stripped = line.strip()
        if not stripped:
            in_related = False
            continue
        role = "body"
        lowered = stripped.lower()
        if RELATED_HEADING.match(lowered):
            in_related = True
            role = "furniture"
        elif (in_related and (LIST_ITEM.match(line) or len(stripped) < 120)) or FURNITURE_LINE.match(stripped) \
                or _is_menu_item(line, stripped, i):
            role = "furniture"
        elif CAPTION_LINE.search(stripped) or _is_caption_line(lines, i):
            role = "caption"
        elif not title and _is_title_line(stripped):
            title = stripped
            role = "title"
        segments.append(Segment(start, end, role))
    return Article(source=source, text=text, title=title or _fallback_title(text), segments=segments)


def _is_menu_item(line: str, stripped: str, index: int) -> bool:
    return bool(LIST_ITEM.match(line)) and len(stripped) < 60 and index < 8


def _is_title_line(line: str) -> bool:
    words = line.split()
    return 3 <= len(words) <= 25 and not line.endswith((".", ":")) and not DATE_LIKE_LINE.match(line)


def _is_caption_line(lines: list[str], i: int) -> bool:
    """A short unpunctuated line directly above an "Image:" credit line is a caption."""
    nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
    return bool(CREDIT_LINE.match(nxt)) and not lines[i].strip().endswith(".")


def _fallback_title(text: str) -> str:
    for line in text.split("\n"):
        if line.strip():
            return line.strip()[:200]
    return ""


# ----- HTML ----------------------------------------------------------------------------------
DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "svg", "form", "button", "input", "select",
             "textarea", "canvas", "object", "embed")
FURNITURE_TAGS = ("nav", "header", "footer", "aside", "menu")
FURNITURE_HINT = re.compile(r"(^|[\s_-])(nav|menu|related|read-?more|share|social|comment|footer|header|"
                            r"breadcrumb|subscribe|newsletter|cookie|promo|advert|sidebar|top-bar|tags)"
                            r"($|[\s_-])", re.I)
BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "figcaption", "blockquote", "pre", "td", "th",
              "dt", "dd", "caption", "title", "div", "section", "article", "main", "ul", "ol", "table", "tr",
              "figure", "body", "header", "footer", "nav", "aside", "time", "address", "br"}


def parse_html(html: str, source: str) -> Article:
    """Return an Article from an HTML page: title, body paragraphs, captions; furniture marked."""
    tree = HTMLParser(_limit_nesting(html))
    meta_dates = _html_dates(tree)
    for tag in DROP_TAGS:
        for node in tree.css(tag):
            node.decompose()
    title_node = tree.css_first("h1") or tree.css_first("title")
    title = _clean(title_node.text(deep=True)) if title_node else ""
    if title_node is not None and title_node.tag == "title":
        title = re.split(r"\s+[|\u2013\u2014-]\s+[^|\u2013\u2014-]+$", title)[0]
    parts: list[tuple[str, str]] = []
    root = tree.body or tree.root
    if root is None:
        raise ArticleError(source, "HTML page without a body")
    _walk(root, "body", parts, 0)
    if not title and tree.css_first("title"):
        title = _clean(tree.css_first("title").text())
    text_parts: list[str] = []
    segments: list[Segment] = []
    pos = 0
    if title and not any(t == title for t, _ in parts[:3]):
        parts.insert(0, (title, "title"))
    for chunk, role in parts:
        if role == "body" and chunk == title:
            role = "title"
        segments.append(Segment(pos, pos + len(chunk), role))
        text_parts.append(chunk)
        pos += len(chunk) + 2
    text = "\n\n".join(text_parts)
    return Article(source=source, text=text, title=title, segments=segments, meta_dates=meta_dates)


# Containers whose start tag makes the tree builder walk its open-element stack ("close a p element
# in button scope"); elements with implied end tags (p, li, td, ...) never nest deep and are not counted.
_NESTING_TAGS = frozenset({"address", "article", "aside", "blockquote", "center", "details", "dialog", "dir", "div",
                           "dl", "fieldset", "figcaption", "figure", "footer", "header", "hgroup", "listing", "main",
                           "menu", "nav", "ol", "pre", "search", "section", "summary", "ul"})
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)[^<>]*>")


def _limit_nesting(html: str) -> str:
    """Return ``html`` with the tags of block containers nested deeper than MAX_TAG_DEPTH replaced by spaces.

    One linear scan; pages nested less deeply (all real ones) are returned unchanged.
    """
    if html.count("<") <= MAX_TAG_DEPTH:
        return html
    depth = deepest = 0
    for match in _TAG.finditer(html):
        if match.group(2).lower() in _NESTING_TAGS:
            depth = max(depth - 1, 0) if match.group(1) else depth + 1
            deepest = max(deepest, depth)
    if deepest <= MAX_TAG_DEPTH:
        return html
    depth = 0

    def keep_or_drop(match: re.Match[str]) -> str:
        nonlocal depth
        if match.group(2).lower() not in _NESTING_TAGS:
            return match.group(0)
        if match.group(1):
            depth = max(depth - 1, 0)
            return match.group(0) if depth < MAX_TAG_DEPTH else " "
        depth += 1
        return match.group(0) if depth <= MAX_TAG_DEPTH else " "

    return _TAG.sub(keep_or_drop, html)


def _clean(text: str) -> str:
    return re.sub(r"[ \t\r\f\v\n\u00a0]+", " ", text).strip()


def _role_of(node: Node, inherited: str) -> str:
    if inherited == "furniture":
        return "furniture"
    attrs = node.attributes or {}
    hint = " ".join(str(attrs.get(k) or "") for k in ("class", "id", "role"))
    if node.tag in FURNITURE_TAGS or (hint and FURNITURE_HINT.search(hint)):
        return "furniture"
    if node.tag in ("figcaption", "caption") or (node.tag == "figure"):
        return "caption"
    return inherited


def _walk(node: Node, role: str, out: list[tuple[str, str]], depth: int) -> None:
    """Collect (text, role) blocks in document order; inline text joins its block."""
    if depth > MAX_HTML_DEPTH:
        _flush([node.text(deep=True, separator=" ")], role, out)
        return
    buf: list[str] = []
    child = node.child
    while child is not None:
        tag = child.tag
        if tag == "-text":
            buf.append(child.text_content or "")
        elif tag in ("-comment", "!doctype"):
            pass
        elif tag in BLOCK_TAGS:
            if buf:
                _flush(buf, role, out)
                buf = []
            _walk(child, _role_of(child, role), out, depth + 1)
        else:
            sub = _role_of(child, role)
            if sub != role:
                if buf:
                    _flush(buf, role, out)
                    buf = []
                _walk(child, sub, out, depth + 1)
            else:
                buf.append(child.text(deep=True, separator=""))
        child = child.next
    if buf:
        _flush(buf, role, out)


def _flush(buf: list[str], role: str, out: list[tuple[str, str]]) -> None:
    text = _clean("".join(buf))
    if text:
        if role == "body" and re.match(r"^(read (more|next)|related|see also)\b", text, re.I):
            role = "furniture"
        out.append((text, role))


def _html_dates(tree: HTMLParser) -> list[str]:
    found = []
    for sel, attr in (("meta[property='article:published_time']", "content"), ("meta[name='date']", "content"),
                      ("meta[name='pubdate']", "content"), ("meta[itemprop='datePublished']", "content"),
                      ("meta[name='dc.date']", "content"), ("meta[property='og:published_time']", "content"),
                      ("time[datetime]", "datetime")):
        for node in tree.css(sel):
            value = (node.attributes or {}).get(attr)
            if value:
                found.append(value)
    # Last resort: the page's own address, when it is dated (".../news/2016/09/14/slug/").
    for sel, attr in (("link[rel='canonical']", "href"), ("meta[property='og:url']", "content")):
        for node in tree.css(sel):
            m = URL_DATE.search((node.attributes or {}).get(attr) or "")
            if m:
                found.append("-".join(m.groups()))
    return found


# ----- entry points --------------------------------------------------------------------------
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def display_name(name: str) -> str:
    """Return ``name`` as one printable line of valid UTF-8, for records, stores and error lines.

    Control characters, line and paragraph separators and bidirectional overrides are written
    as escapes (``\\n``, ``\\x1b``, ``\\u202e``), bytes that are not UTF-8 (os.fsdecode's
    surrogates) as ``\\xNN``; other names, the usual case, are returned unchanged.
    """
    if not name:
        return "(no name)"
    if not _UNPRINTABLE.search(name):
        return name

    def escape(match: re.Match[str]) -> str:
        char = match.group(0)
        code = ord(char)
        if char in _ESCAPES:
            return _ESCAPES[char]
        if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte of a file name
            return f"\\x{code - 0xDC00:02x}"
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _UNPRINTABLE.sub(escape, name)


def _too_large(size: int | None) -> str:
    mib = 1024 * 1024
    found = f"{size / mib:.1f} MB" if size is not None else "more"
    return f"file too large ({found} > {MAX_BYTES // mib} MB limit)"


def parse_bytes(data: bytes, source: str) -> Article:
    """Return the Article in ``data`` (raises ArticleError with a one-line reason).

    ``source`` names the article in the record and in errors (see display_name).
    """
    import hashlib

    source = display_name(source)
    if len(data) > MAX_BYTES:
        raise ArticleError(source, _too_large(len(data)))
    if data[:4] in (b"PK\x03\x04", b"\x1f\x8b\x08\x00"[:4]) or data[:2] == b"\x1f\x8b" or data[:4] == b"%PDF":
        raise ArticleError(source, "archive or PDF, not a text or HTML article")
    text = decode(data, source)
    lowered = source.lower()
    head = text[:4096].encode("utf-8", "ignore")
    if lowered.endswith((".html", ".htm", ".xhtml")) or HTML_SNIFF.search(head):
        article = parse_html(text, source)
    else:
        article = parse_text(text, source, markdown=lowered.endswith((".md", ".markdown")))
    if not article.text.strip() or not re.search(r"[A-Za-zА-Яа-я]{3}", article.text):
        raise ArticleError(source, "no readable text")
    article.content_hash = hashlib.sha256(data).hexdigest()
    return article


def _read_at_most(fh: io.BufferedReader, expected: int) -> bytes:
    """Read to the end, but never more than MAX_BYTES + 1 bytes (and no 5 MB buffer for a small file)."""
    chunks = [fh.read(expected + 1)] if expected else []
    total = sum(map(len, chunks))
    while total <= MAX_BYTES:
        chunk = fh.read(min(1 << 20, MAX_BYTES + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def load_article(path: str | Path) -> Article:
    """Return the Article read from ``path`` (raises ArticleError naming the file).

    Only regular files are read, and never more than MAX_BYTES + 1 bytes of them: a larger
    file is refused from its size alone, and a FIFO or device (/dev/zero) without reading.
    """
    source = display_name(str(path))
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise ArticleError(source, "is a directory")
        if not stat.S_ISREG(info.st_mode):
            raise ArticleError(source, "not a regular file")
        if info.st_size > MAX_BYTES:
            raise ArticleError(source, _too_large(info.st_size))
        # O_NONBLOCK: should the path have become a FIFO since stat(), opening it does not hang.
        with open(os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC), "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise ArticleError(source, "not a regular file")
            data = _read_at_most(fh, info.st_size)
    except FileNotFoundError:
        raise ArticleError(source, "no such file") from None
    except PermissionError:
        raise ArticleError(source, "permission denied") from None
    except OSError as exc:
        raise ArticleError(source, (exc.strerror or str(exc)).lower()) from None
    if len(data) > MAX_BYTES:  # grew since stat(), or a file whose size the system does not report
        raise ArticleError(source, _too_large(None))
    return parse_bytes(data, source)
