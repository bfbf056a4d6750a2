"""Tag parsing and clean forms (lower case, spaces and most punctuation removed; machine tags keep ns:pred=)."""

from __future__ import annotations

from pycsync.emulator.tags import clean_tag, parse_machine_tag_query, parse_tag_string, split_tag_query


def test_parse_tag_string():
    tags = parse_tag_string('one "two words"  Three one ns:pred="a b" "checksum:md5=AB"')
    # a machine tag keeps its value without the quotes
    assert [t.raw for t in tags] == ["one", "two words", "Three", "ns:pred=a b", "checksum:md5=AB"]
    assert [t.clean for t in tags] == ["one", "twowords", "three", "ns:pred=ab", "checksum:md5=ab"]
    assert [t.machine for t in tags] == [False, False, False, True, True]
    assert parse_tag_string("") == [] and parse_tag_string("  ") == []


def test_clean_forms():
    assert clean_tag("United States") == ("unitedstates", False)
    assert clean_tag("Łódź") == ("łódź", False)
    assert clean_tag("rock'n'roll!") == ("rocknroll", False)
    assert clean_tag("uploaded:by=flickr_mobile") == ("uploaded:by=flickrmobile", True)
    assert clean_tag("Geo:Lat=52.1") == ("geo:lat=521", True)
    assert clean_tag("checksum:md5=0123abcd") == ("checksum:md5=0123abcd", True)
    assert clean_tag("not:amachinetag") == ("notamachinetag", False)


def test_machine_tag_query_forms():
    qs = parse_machine_tag_query('a:b=c, a:, a:b=, *:b="C D", a:*=c, bogus')
    assert [(q.namespace, q.predicate, q.value) for q in qs] == [
        ("a", "b", "c"),
        ("a", None, None),
        ("a", "b", None),
        (None, "b", "cd"),
        ("a", None, "c"),
    ]


def test_tag_query():
    assert split_tag_query("Beach, -New York,,x") == (["beach", "x"], ["newyork"])
