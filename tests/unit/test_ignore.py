import unicodedata

import pytest

from pycsync.ignore import IgnoreRules


def rules(*lines: str) -> IgnoreRules:
    return IgnoreRules.from_lines(lines)


def test_empty_rules_ignore_nothing_and_are_falsy():
    r = rules("", "   ", "# a comment", "#*.jpg")
    assert not r
    assert not r.ignored("a.jpg", False)
    assert rules("*.jpg")


def test_unanchored_pattern_matches_the_name_at_any_depth():
    r = rules("*.mov")
    assert r.ignored("a.mov", False)
    assert r.ignored("x/y/a.mov", False)
    assert not r.ignored("a.mov.jpg", False)
    assert not r.ignored("A.MOV", False)  # case-sensitive


def test_star_does_not_cross_folders_and_question_mark_is_one_char():
    r = rules("/raw/*.jpg", "IMG_?.jpg")
    assert r.ignored("raw/a.jpg", False)
    assert not r.ignored("raw/sub/a.jpg", False)
    assert r.ignored("x/IMG_1.jpg", False)
    assert not r.ignored("x/IMG_12.jpg", False)


def test_character_classes():
    r = rules("IMG_[0-4].jpg", "x[!a-c].png", "[]]y.gif")
    assert r.ignored("IMG_3.jpg", False) and not r.ignored("IMG_5.jpg", False)
    assert r.ignored("xd.png", False) and not r.ignored("xb.png", False)
    assert r.ignored("]y.gif", False)
    assert not r.ignored("x/.png", False)


def test_negation_last_match_wins():
    r = rules("*.jpg", "!keep*.jpg", "keep_not.jpg")
    assert r.ignored("a.jpg", False)
    assert not r.ignored("keep1.jpg", False)
    assert not r.ignored("d/keep1.jpg", False)
    assert r.ignored("keep_not.jpg", False)


def test_anchoring():
    r = rules("/top.jpg", "a/b.jpg")
    assert r.ignored("top.jpg", False)
    assert not r.ignored("x/top.jpg", False)
    assert r.ignored("a/b.jpg", False)
    assert not r.ignored("x/a/b.jpg", False)


def test_trailing_slash_matches_directories_only():
    r = rules("cache/")
    assert r.ignored("cache", True)
    assert r.ignored("x/cache", True)
    assert not r.ignored("cache", False)
    assert r.ignored("x/cache/a.jpg", False)  # inside an ignored folder


def test_files_inside_an_ignored_folder_cannot_be_reincluded():
    r = rules("private/", "!private/ok.jpg")
    assert r.ignored("private/ok.jpg", False)
    # but matches() alone looks at the path itself, for walks that prune folders
    assert not r.matches("private/ok.jpg", False)


def test_reinclude_a_folder_under_an_excluded_pattern():
    r = rules("/*", "!/keep/")
    assert r.ignored("a.jpg", False)
    assert r.ignored("other", True)
    assert not r.ignored("keep", True)
    assert not r.ignored("keep/a.jpg", False)


def test_double_star():
    r = rules("**/tmp", "a/**/b.jpg", "logs/**", "/deep/**/x/")
    assert r.ignored("tmp", True) and r.ignored("q/r/tmp", False)
    assert r.ignored("a/b.jpg", False)
    assert r.ignored("a/x/y/b.jpg", False)
    assert not r.ignored("z/a/b.jpg", False)
    assert r.ignored("logs/a.jpg", False) and r.ignored("logs/x/y.jpg", False)
    assert not r.matches("logs", True)
    assert r.ignored("deep/x", True) and r.ignored("deep/1/2/x", True)
    assert not r.ignored("deep/1/2/x", False)


def test_lone_double_star_matches_everything():
    r = rules("**", "!*.jpg")
    assert r.ignored("a.png", False)
    assert not r.matches("d/a.jpg", False)


def test_escapes_and_trailing_spaces():
    r = rules("\\#hash.jpg", "\\!bang.jpg", "space.jpg   ", "keep\\ ", "lit\\*.jpg")
    assert r.ignored("#hash.jpg", False)
    assert r.ignored("!bang.jpg", False)
    assert r.ignored("space.jpg", False)
    assert r.ignored("keep ", False)
    assert r.ignored("lit*.jpg", False) and not r.ignored("litx.jpg", False)


def test_patterns_are_nfc_normalised():
    r = rules(unicodedata.normalize("NFD", "Café/"))
    assert r.ignored(unicodedata.normalize("NFC", "Café/x.jpg"), False)


def test_regex_metacharacters_are_literal():
    r = rules("a+(b).jpg", "x{2}.png")
    assert r.ignored("a+(b).jpg", False)
    assert not r.ignored("aa(b).jpg", False)
    assert r.ignored("x{2}.png", False)


def test_invalid_range_raises():
    with pytest.raises(ValueError, match="invalid ignore pattern"):
        rules("[z-a].jpg")


def test_load_reads_the_file_and_appends_excludes(tmp_path):
    assert not IgnoreRules.load(tmp_path)
    (tmp_path / ".pycsyncignore").write_text("\ufeff# comment\r\n*.mov\r\n!keep.mov\r\n", encoding="utf-8")
    r = IgnoreRules.load(tmp_path)
    assert r.ignored("a.mov", False) and not r.ignored("keep.mov", False)
    r = IgnoreRules.load(tmp_path, extra=["keep.mov", "raw/"])
    assert r.ignored("keep.mov", False) and r.ignored("raw/a.jpg", False)
