"""Stage 1: reading articles in any common encoding and form."""

from __future__ import annotations

import codecs

import pytest

from geo.errors import ArticleError
from geo.load import parse_bytes

TEXT = "NATO troops arrive in Šiauliai\n\nJune 20, 2017\n\nAllied jets landed at Šiauliai air base in Lithuania."


@pytest.mark.parametrize(
    "encoded",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        TEXT.encode("utf-16"),  # with BOM
        TEXT.encode("cp1257"),  # Baltic Windows code page
        TEXT.replace("Š", "S").encode("cp1252"),
        "Учения «Запад-2021» прошли в Беларуси и России\n\nВойска провели учения у Бреста.".encode("cp1251"),
    ],
    ids=["utf8", "utf8-bom", "utf16-bom", "cp1257", "cp1252", "cp1251"],
)
def test_common_encodings_decode(encoded):
    article = parse_bytes(encoded, "a.txt")
    assert "NATO" in article.text or "Запад" in article.text
    assert "\ufffd" not in article.text
    if "Šiauliai" in TEXT and b"\xd0" not in encoded[:1]:
        assert article.title


def test_cp1257_keeps_lithuanian_letters():
    article = parse_bytes(TEXT.encode("cp1257"), "a.txt")
    assert "Šiauliai" in article.text


def test_empty_file_is_a_clear_error():
    with pytest.raises(ArticleError, match=r"a\.txt: empty file"):
        parse_bytes(b"   \n", "a.txt")


def test_binary_file_is_a_clear_error():
    with pytest.raises(ArticleError, match=r"not an article|binary"):
        parse_bytes(bytes(range(256)) * 20, "photo.txt")


def test_zip_renamed_html_is_refused():
    with pytest.raises(ArticleError, match="archive"):
        parse_bytes(b"PK\x03\x04" + b"\x00" * 100, "bomb.html")


def test_html_drops_scripts_navigation_and_comments_and_marks_captions():
    html = b"""<!doctype html><html><head><title>Troops land at Amari - Wire</title>
    <script>var Vilnius = 'tracker';</script><style>.x{}</style></head><body>
    <nav><a href="/">Home</a> <a href="/poland">Poland</a></nav>
    <h1>Troops land at Amari</h1>
    <time datetime="2014-04-30T17:05:00+03:00">30 April 2014</time>
    <figure><img src="x.jpg"><figcaption>A jet at Amari air base. Photo: EDF</figcaption></figure>
    <p>Danish jets landed at Amari air base in Estonia on Wednesday.</p>
    <!-- a comment naming Riga -->
    <aside class="related"><h2>Read more</h2><a href="/x">Troops in Tapa</a></aside>
    <footer>&copy; 2014 Wire</footer></body></html>"""
    article = parse_bytes(html, "page.html")
    assert "tracker" not in article.text and "Riga" not in article.text
    assert article.title == "Troops land at Amari"
    assert article.meta_dates == ["2014-04-30T17:05:00+03:00"]
    roles = {article.text[s.start:s.end]: s.role for s in article.segments}
    assert roles["Danish jets landed at Amari air base in Estonia on Wednesday."] == "body"
    assert roles["A jet at Amari air base. Photo: EDF"] == "caption"
    assert roles["Troops in Tapa"] == "furniture"
    assert roles["Home Poland"] == "furniture" or roles.get("Home") == "furniture"


def test_markdown_links_and_headings_are_stripped():
    md = b"# Drills near [Tapa](https://example.org/tapa)\n\n**Estonian** troops trained at Tapa."
    article = parse_bytes(md, "a.md")
    assert article.title == "Drills near Tapa"
    assert "https" not in article.text


def test_markdown_emphasis_is_stripped_but_not_list_bullets_or_snake_case():
    md = (b"# Black Sea\n\nThe cruiser *Moskva* and HMS _Grimsby_ sailed; **Estonian** ships too.\n\n"
          b"* a bullet on map_layer_v2")
    text = parse_bytes(md, "a.md").text
    assert "The cruiser Moskva and HMS Grimsby sailed; Estonian ships too." in text
    assert "* a bullet on map_layer_v2" in text


def test_read_more_block_is_furniture():
    text = b"Title of the story here\n\nTroops arrived in Latvia.\n\nRead more:\nUS brigade rolls into Zagan\n"
    article = parse_bytes(text, "a.txt")
    start = article.text.index("US brigade")
    assert article.role_at(start) == "furniture"


def test_a_credit_glued_to_its_caption_marks_a_caption():
    text = (b"Allies to stay in the Baltics\n\nTroops arrived in Latvia on Monday.\n\n"
            b"Tanks roll through Adazi in LatviaImage: picture-alliance/dpa/J. Doe\n\n"
            b"Our correspondent met the photographer in Riga. Imagery: none\n")
    article = parse_bytes(text, "a.txt")
    assert article.role_at(article.text.index("Tanks roll")) == "caption"
    assert article.role_at(article.text.index("Troops arrived")) == "body"
    assert article.role_at(article.text.index("Our correspondent")) == "body"  # "Imagery:" is not a credit


def test_an_emphasised_further_reading_line_is_furniture():
    article = parse_bytes(b"# Gotland\n\nTroops arrived in Visby.\n\n*Further reading: our guide to the Gap.*\n",
                          "a.md")
    start = article.text.index("Further")
    assert article.role_at(start) == "furniture" and article.role_at(article.text.index("Visby")) == "body"
