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


def test_a_byte_order_mark_is_not_part_of_the_first_pattern(tmp_path):
    # Windows editors start a UTF-8 file with one; read as text it would make the first pattern
    # name "\ufeff*.mov", which nothing matches
    (tmp_path / ".pycsyncignore").write_text("*.mov\nété/\n", encoding="utf-8-sig")
    r = IgnoreRules.load(tmp_path)
    assert r.excludes("a.mov") and r.excludes("été/a.jpg") and not r.excludes("a.jpg")


def test_a_reincluded_folder_does_not_reinclude_its_files():
    r = rules("*.jpg", "!keep/")
    assert not r.ignored("keep", True)
    assert r.ignored("keep/a.jpg", False)  # '!keep/' re-includes the folder, not what it holds


def test_a_negated_class_never_matches_the_separator():
    r = rules("[!]]y", "a[^b]c")
    assert r.ignored("xy", False) and not r.ignored("]y", False)
    assert r.ignored("aac", False) and not r.ignored("a/c", False) and not r.ignored("abc", False)


def test_excludes_is_ignored_for_files():
    r = rules("Private/", "*.png", "!keep.png")
    assert r.excludes("Private/x.jpg") and r.excludes("a/b/x.png")
    assert not r.excludes("a/keep.png") and not r.excludes("a/x.jpg")
    assert r.excludes("Private/keep.png")  # inside an excluded folder


def test_no_class_matches_the_separator_not_even_a_range_across_it():
    r = rules("x[.-0]y.jpg")  # '.' to '0' takes in '/' (0x2f); git never lets a class match it
    assert r.excludes("x.y.jpg") and r.excludes("x0y.jpg")
    assert not r.excludes("x/y.jpg")


def test_a_negated_class_after_an_escaped_bracket_still_skips_the_separator():
    r = rules(r"x\[[!a].png")  # a literal '[' and then a class: each is read as what it is
    assert r.excludes("x[b.png") and not r.excludes("x[a.png")
    assert not r.excludes("x[/.png")


def test_a_folder_pattern_excludes_no_file_of_that_name():
    r = rules("raw/")
    assert not r.excludes("raw") and not r.excludes("y/raw")
    assert r.excludes("raw/a.jpg") and r.excludes("y/raw/a.jpg")


def test_matches_is_about_the_path_itself_not_the_folders_above_it():
    """A folder below one a pattern names is not itself named (a pruning walk never gets there;
    a walk that does must not take it for excluded on its own account)."""
    r = rules("raw/", "!keep/")
    assert r.matches("raw", True) and r.matches("x/raw", True)
    assert not r.matches("raw/sub", True) and not r.matches("x/raw/sub", True)
    assert not r.matches("raw/keep", True)  # (the '!keep/' re-inclusion is what applies here)
    assert r.ignored("raw/sub", True) and r.ignored("raw/keep", True)


# rule sets checked against git itself: every file of TREE is ignored by us exactly when
# `git status --ignored` says git ignores it
GIT_CASES = [
    ["private/", "!private/ok.jpg", "logs/**", "!logs/keep.jpg"],
    ["*.jpg", "!keep/", "!top.jpg", "x[!a-c].png"],
    ["/*", "!/keep/", "!/deep/"],
    ["**/cache", "a/**/b.jpg", "/deep/**/x/", "*.png", "!xd.png"],
    ["x", "!x/", "sub/"],
    ["logs/**", "!logs/keep.jpg", "cache/", "!x/cache/"],
    ["x\\[[!a].png", "raw/", "!deep/x/"],
    ["x[.-0]y.jpg", "[]a]b.png"],
    ["[][]y.png", "[!][]z.png", "[]]x[.-0]y", "[a[]q.png"],
    ["x[\\\\a][.-0]y"],  # a class holding an escaped backslash, then one that could take in '/'
]
TREE = [
    "private/ok.jpg",
    "private/no.jpg",
    "logs/a.jpg",
    "logs/keep.jpg",
    "keep/a.jpg",
    "keep/b.png",
    "x/cache/a.jpg",
    "x/sub/a.jpg",
    "deep/1/2/x/f.jpg",
    "deep/x/g.jpg",
    "a/x/y/b.jpg",
    "a/b.jpg",
    "top.jpg",
    "x/b.png",
    "xd.png",
    "xa.png",
    "cache/c.jpg",
    "x[b.png",
    "x[/.png",
    "raw",
    "y/raw/a.jpg",
    "x/y.jpg",
    "x.y.jpg",
    "ab.png",
    "]b.png",
    "[y.png",
    "]y.png",
    "ay.png",
    "az.png",
    "[z.png",
    "(z.png",
    "aq.png",
    "[q.png",
    "(q.png",
    "]x.y",
    "]x/y",
    "xa/y",
    "xa.y",
]


# (no backslash in an id: pytest escapes it, and an id must be given back to pytest as it is)
@pytest.mark.parametrize("lines", GIT_CASES, ids=lambda lines: " ".join(lines).replace("\\", ""))
def test_agrees_with_git(lines, tmp_path):
    import shutil
    import subprocess

    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    for path in TREE:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(b"")
    (tmp_path / ".gitignore").write_text("\n".join(lines) + "\n")
    out = subprocess.run(
        ["git", "status", "--porcelain", "--ignored=matching", "--untracked-files=all"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    flagged = [line[3:] for line in out.splitlines() if line.startswith("!! ")]
    by_git = {p for p in TREE if any(p == f or (f.endswith("/") and p.startswith(f)) for f in flagged)}
    r = rules(*lines)
    assert {p for p in TREE if r.ignored(p, False)} == by_git
