"""The code-word lexer (`aisec.codewords`) and the word screen reading it.

Soundness: for every text CPython parses, `code_words` is None or holds every word of every
identifier the `ast` screens read (names, attributes, imports, parameters, keywords) and of every
`getattr(object, "name")` string. Checked on real sources (this repository, a slice of the standard
library), on sources generated from tricky fragments, on random mutations of them (quotes, prefixes,
backslashes and braces inserted: whatever still parses is checked), and on an attacker's set of
hiding places. `AISEC_FUZZ_CODEWORDS=N` runs N mutations instead of the default few hundred.
"""

from __future__ import annotations

import ast
import io
import os
import random
import re
import sysconfig
import tokenize
import warnings
from pathlib import Path

import pytest
from aisec import codewords
from aisec.codewords import code_words
from aisec.engine import has_visitors
from aisec.identifiers import IdentifierScreen, WordScreen, module_identifiers
from aisec.pluginmanager import load_plugins
from aisec.prefilter import TextLookup, rules_for_text, searchable
from aisec.screen import CallScreen
from aisec.testing import check_source, default_catalog
from hypothesis import given, settings
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parent.parent
WORD = re.compile(r"[A-Za-z0-9_]+")
RULES = load_plugins(entry_points=False).rules
FUZZ = int(os.environ.get("AISEC_FUZZ_CODEWORDS", "400"))


def needed(text: str) -> set[str]:
    """The words the `ast` screens can read in `text` (which must parse)."""
    tree = ast.parse(text)
    names, keywords = module_identifiers(tree)
    words: set[str] = set()
    for name in (*names, *keywords):
        words.update(WORD.findall(name), WORD.findall(searchable(name)))
    for node in ast.walk(tree):  # every string a getattr-like call could read, however called
        if isinstance(node, ast.Call) and len(node.args) >= 2:
            second = node.args[1]
            if isinstance(second, ast.Constant) and isinstance(second.value, str):
                words.update(WORD.findall(second.value))
    return words


def assert_sound(text: str) -> set[str] | None:
    found = code_words(text)
    if found is not None:
        missing = needed(text) - found
        assert not missing, (missing, text)
    return found


# ------------------------------------------------------------------------------ real sources


def _real_sources() -> list[Path]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    sample = sorted(stdlib.glob("*.py"))[::4]  # about 50 modules of every style
    return sorted((REPO / "scanner").rglob("*.py")) + sorted((REPO / "tests").glob("*.py")) + sample


def test_real_sources_keep_every_identifier_word() -> None:
    told = 0
    for path in _real_sources():
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            found = assert_sound(text)
        except SyntaxError:
            continue
        told += found is not None
        if found is not None:  # and every NAME token tokenize sees is a word of the code
            names = {
                t.string
                for t in tokenize.generate_tokens(io.StringIO(text).readline)
                if t.type == tokenize.NAME
            }
            assert {w for name in names for w in WORD.findall(searchable(name))} <= found, path
    assert told > 100  # the lexer reads most real code (it is no use if it always gives up)


def test_docstrings_comments_and_messages_are_not_code() -> None:
    text = (
        '"""Load with `AutoModel.from_pretrained` or torch.load."""\n'
        "import os  # pickle.loads is banned\n"
        "def f(x):\n"
        "    '''from_pretrained'''\n"
        "    raise ValueError('call from_pretrained first', x)\n"
        "    return os.path.join(x, r'loads', b'hf_hub_download')\n"
    )
    found = code_words(text)
    assert found is not None and {"os", "f", "x", "path", "join", "ValueError"} <= found
    assert not {"from_pretrained", "torch", "pickle", "AutoModel"} & found
    assert {"loads", "hf_hub_download"} <= found  # after a comma: `getattr` could read them


# ----------------------------------------------------------------------- the attacker's set

HIDDEN = {  # a source that parses, and a word the `ast` screens read in it
    'x = f"{pickle.loads(b)}"\n': "loads",
    "x = f'{pickle.loads(b)!r:>{width}}'\n": "width",
    'x = rf"\\d{torch.load(p)}"\n': "load",
    'x = F"""\n{torch.load(p)}\n"""\n': "load",
    'f = getattr(pickle, "loads")\n': "loads",
    'f = getattr(pickle, "lo" "ads")\n': "loads",
    "f = getattr(pickle,\n    \"lo\"  # split\n    'ads')\n": "loads",
    'f = getattr(pickle, ("lo" "ads"))\n': "loads",
    'f = getattr(pickle, """lo""" """ads""")\n': "loads",
    'f = getattr(pickle, "lo\\x61ds")\n': "loads",
    'f = getattr(pickle, "lo\\141ds")\n': "loads",
    'f = getattr(pickle, "lo\\N{LATIN SMALL LETTER A}ds")\n': "loads",
    'f = getattr(pickle, "lo\\\nads")\n': "loads",
    'f = getattr(pickle, \\\n "loads")\n': "loads",
    'f = getattr(pickle, u"loads")\n': "loads",
    "x = 'a' if y else \"b\"; pickle.loads(z)\n": "loads",
    "x = '#'; pickle.loads(z)\n": "loads",
    "x = '\\''; pickle.loads(z) # '\n": "loads",
    'x = """ \\""" """; pickle.loads(z)\n': "loads",
    "x = ''''''; pickle.loads(z)\n": "loads",
    "x = '''a''' '''b'''; pickle.loads(z)\n": "loads",
    "x = 'a\\\\'; pickle.loads(z)\n": "loads",
    "x = ('a'\n     'b'); pickle.loads(z)\n": "loads",
    "x = {'k': f'{y}'}; torch.load(p)\n": "load",
    "x = f'{{'; torch.load(p)\n": "load",
    "x = f'}}{{'; torch.load(p)\n": "load",
    "\uff54\uff4f\uff52\uff43\uff48.load(p)\n": "torch",  # fullwidth: Python reads `torch`
    "x = 1\r# c\rtorch.load(p)\r": "load",
    "x = 'a'\r\ntorch.load(p)\r\n": "load",
    "def f(*, from_pretrained=1): pass\n": "from_pretrained",
    "m.from_pretrained(x='q')\n": "from_pretrained",
}
# Strings inside f-string fields are read (the lexer gave up on 42 of the 137 transformers
# modules that reached `ast.parse` for nothing, all for an `f"{d['k']}"`), and stay code words.
READ_FIELDS = {
    "x = f\"{d['k']}{torch.load(p)}\"\n": "load",
    "x = f\"{getattr(pickle, 'loads')(b)}\"\n": "loads",
    "x = f'{\", \".join(pickle.loads(b))}'\n": "loads",
    'x = f"""{d["k"]}{d[\'\'\'k\'\'\']} {torch.load(p)}"""\n': "load",
    "x = f\"{d['k']!r:>{w}} {pickle.loads(b)}\"\n": "loads",
    "x = f\"{x:'>10'}{pickle.loads(b)}\"\n": "loads",  # a spec's text read as a string: same end
    "x = f\"{''}'{pickle.loads(b)}\"\n": "loads",
    "x = f'{f\"lit\"}{pickle.loads(b)}'\n": "loads",
}
HIDDEN.update(READ_FIELDS)


@pytest.mark.parametrize("source", list(HIDDEN))
def test_hidden_trigger_is_a_code_word(source: str) -> None:
    found = assert_sound(source)
    assert found is None or HIDDEN[source] in found


@pytest.mark.parametrize("source", list(READ_FIELDS))
def test_strings_in_f_string_fields_are_read(source: str) -> None:
    found = code_words(source + '"""from_pretrained in a docstring"""\n')
    assert found is not None and READ_FIELDS[source] in found and "from_pretrained" not in found


GIVE_UP = (
    'x = f"{d["k"]}"; y = 1\n',  # 3.12: the f-string's own quote inside a field
    "x = f'{d[\"k}\"]}'\n",  # a string in a field holding a brace
    "x = f'{d[\"#\"]}'\n",  # or a `#`
    'x = f"""{d[\'a\nb\']}"""\n',  # a one-quote string over a line break (not Python)
    'x = f"{x:\'>10}"\n',  # a quote in a format spec: no string that ends before a brace
    "x = f\"{x:'>10} {y:'<5}\"\n",
    "x = f'''{f'{x['k']}'}'''\n",  # 3.12: a nested f-string holding its own quote
    "x = f'{d[\"k\"'\n",  # a field left open after a string
    "x = f'{f\"{y}\"}'\n",  # a nested f-string with fields of its own
    "x = f'{x:#x}'\n",  # `#` in a field
    "x = f'{a}}'\n",  # a lone `}`
    "x = f'{a'\n",  # a field left open
    'x = t"{pickle.loads(b)}"\n',  # 3.14 t-strings: an unknown prefix
    'x = tr"{pickle.loads(b)}"\n',
    'x = Rt"{pickle.loads(b)}"\n',
    'x = in"abc"\n',  # a prefix glued to a word
    "x = 'unterminated\ny = 1\n",
    "x = '''unterminated\n",
    'f = getattr(pickle, "lo\\N{NO SUCH NAME}ds")\n',  # a value it cannot read
)


@pytest.mark.parametrize("source", GIVE_UP)
def test_lexer_gives_up_where_it_cannot_tell(source: str) -> None:
    assert code_words(source) is None


# --------------------------------------------------------------- generated and mutated sources

FRAGMENTS = (
    "import pickle as p{n}\n",
    "v{n} = p{n}.loads(b)\n",
    "v{n} = getattr(mod, 'attr{n}')\n",
    'v{n} = getattr(mod, "at" "tr{n}")\n',
    "v{n} = getattr(mod, ('a{n}'))\n",
    "# comment word{n} 'quote\n",
    '"""doc word{n} "quoted" \\""" """\n',
    "v{n} = f'{{call{n}(x)}} {{{{lit{n}}}}}'\n",
    "v{n} = rb'raw\\'{n}'\n",
    "v{n} = (1,\n  'tuple{n}', # c\n  name{n})\n",
    "def fn{n}(a{n}, *, kw{n}='d'):\n    return a{n}\n",
    "v{n} = [x for x in 'it{n}' if x]\n",
    "v{n} = call{n}(key{n}='val', other=\"x{n}\")\n",
    "v{n} = '''multi\nline{n} # not a comment\n'''\n",
    "v{n} = \\\n    name{n}\n",
    'v{n} = f\'{{d{n}["k{n}"]}} {{e{n}[""]!r:>{{w{n}}}}}\'\n',
    "v{n} = f\"\"\"{{d{n}['k']}} {{'''x{n}'''}} {{getattr(o, 'a{n}')}}\"\"\"\n",
)
MUTATIONS = ("'", '"', "#", "\\", "{", "}", "f", "r", "b", "u", "t", "\n", " ", "(", ",", "x")


def _generated(rng: random.Random) -> str:
    return "".join(rng.choice(FRAGMENTS).format(n=index) for index in range(rng.randint(1, 8)))


def test_generated_sources() -> None:
    rng = random.Random(14)
    for _ in range(300):
        assert_sound(_generated(rng))


def test_mutated_sources_that_still_parse() -> None:
    rng = random.Random(1414)
    checked = 0
    for _ in range(FUZZ):
        text = _generated(rng)
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(text) + 1)
            text = text[:at] + rng.choice(MUTATIONS) + text[at:]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # invalid escapes the mutations make
                assert_sound(text)
        except SyntaxError:
            continue
        checked += 1
    assert checked > FUZZ // 10


def test_lexer_cost_is_linear_on_unterminated_strings() -> None:
    # an unrolled body cannot backtrack: a huge unterminated string is refused in one pass
    assert code_words("x = '''" + "a'" * 200_000) is None
    assert code_words("x = '" + "\\" * 200_001) is None


# ------------------------------------------------------------------ the word screen, on and off

AIS102 = RULES["AIS102"]
AIS107 = RULES["AIS107"]
AIS201 = RULES["AIS201"]


def _word_screened(source: str, rules: list[type], *, code: bool) -> list[type]:
    catalog = default_catalog()
    expansions = catalog.trigger_expansions()
    screen = WordScreen(IdentifierScreen(rules, expansions, catalog), rules)
    return screen.select(TextLookup(searchable(source), expansions), rules, source if code else None)


def test_word_screen_reads_the_code_words() -> None:
    docstring_only = '"""Use AutoModel.from_pretrained(name, revision=sha)."""\nimport os\nos.getcwd()\n'
    assert _word_screened(docstring_only, [AIS107], code=False) == [AIS107]
    assert _word_screened(docstring_only, [AIS107], code=True) == []
    assert check_source(AIS107, docstring_only, prefilter=True) == []
    real = "from transformers import AutoModel\nm = AutoModel.from_pretrained('gpt2')\n"
    assert _word_screened(real, [AIS107], code=True) == [AIS107]
    assert [f.code for f in check_source(AIS107, real, prefilter=True)] == ["AIS107"]


def test_word_screen_keeps_a_rule_when_the_lexer_gives_up() -> None:
    source = 'x = f"{d["k"]}"\n"""torch.load(p)"""\nimport torch\n'
    assert code_words(source) is None
    assert _word_screened(source, [AIS102], code=True) == [AIS102]


def test_taint_markers_read_the_code_words() -> None:
    decoy = (
        "'''from flask import request; OpenAI().chat.completions.create(messages=...)'''\n"
        "# request.form openai\ncreated = 1\n"
    )
    assert _word_screened(decoy, [AIS201], code=False) == [AIS201]
    assert _word_screened(decoy, [AIS201], code=True) == []


@pytest.mark.parametrize(
    "folder",
    [REPO / "tests" / "data" / "ml_scripts_a", REPO / "tests" / "data" / "llm_apps", REPO / "examples"],
    ids=lambda p: p.name,
)
def test_fixture_suites_give_the_same_findings_with_code_words_on_and_off(
    folder: Path, run_cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not folder.is_dir():
        pytest.skip(f"{folder} is not here")

    def run() -> list[tuple[object, ...]]:
        result = run_cli(["check", "--no-cache", "--jobs", "1", "--format", "json", "."], cwd=folder)
        data = result.json()
        return sorted((f["path"], f["code"], f["line"], f["column"], f["message"]) for f in data["findings"])

    on = run()
    monkeypatch.setattr(codewords, "code_words", lambda text: None)  # the lexer never tells: off
    assert run() == on and on


def test_words_of_equals_the_word_regex() -> None:
    from aisec.prefilter import words_of

    rng = random.Random(7)
    alphabet = "ab_Z09 \t\n.#'\"\\{}()é\u00a0\uff4c\x00\x7f\udc80"
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        assert words_of(text) == set(WORD.findall(text)), text
    for path in _real_sources()[:40]:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert words_of(text) == set(WORD.findall(text)), path


# The lexer's token pattern without groups around its alternatives (so `re` skips code by first
# character) matches exactly what the grouped one did, and a match's kind read off its text is
# the group that matched.
_GROUPED_TOKEN = re.compile(rf"(?P<comment>#[^\r\n]*)|(?P<string>{'|'.join(codewords._BODIES)})|['\"]")
_LEXER_PIECES = ["#", "'", '"', "'''", '"""', "\\", "\n", "\r\n", "x", " ", "é", "b", "f", "{", "}"]


def _tokens(pattern: re.Pattern[str], text: str) -> list[tuple[tuple[int, int], str | None]]:
    return [(m.span(), m.lastgroup) for m in pattern.finditer(text)]


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(_LEXER_PIECES), max_size=40))
def test_token_pattern_matches_as_the_grouped_one(pieces: list[str]) -> None:
    text = "".join(pieces)
    spans = [
        (m.span(), "comment" if m.group()[0] == "#" else "string" if len(m.group()) > 1 else None)
        for m in codewords._TOKEN.finditer(text)
    ]
    assert spans == _tokens(_GROUPED_TOKEN, text)


def test_token_pattern_on_real_sources() -> None:
    for path in _real_sources()[:80]:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert [m.span() for m in codewords._TOKEN.finditer(text)] == [
            span for span, _ in _tokens(_GROUPED_TOKEN, text)
        ], path


# The word screen is a superset of the `ast` screens' verdict: every rule the call and identifier
# screens keep for a module that parses, the word screen keeps too (on the code's words).

PARSING_RULES = [rule for rule in RULES.values() if has_visitors(rule)]


def _screen_verdicts(text: str) -> tuple[set[type], set[type]]:
    """(the rules the `ast` screens keep, the rules the word screen keeps) of those the token
    gate lets through, as `engine.FileScanner._screened` chains them."""
    catalog = default_catalog()
    expansions = catalog.trigger_expansions()
    identifiers = IdentifierScreen(PARSING_RULES, expansions, catalog)
    found = TextLookup(searchable(text), expansions)
    gated = rules_for_text(text, PARSING_RULES, expansions, found)
    tree = ast.parse(text)
    kept = CallScreen(PARSING_RULES).select(tree, gated, found.text)
    kept = identifiers.select(tree, text, kept, found.text)
    return set(kept), set(WordScreen(identifiers, PARSING_RULES).select(found, gated, text))


def test_word_screen_keeps_every_rule_the_ast_screens_keep() -> None:
    suites = [REPO / "examples", *(REPO / "tests" / "data").iterdir()]
    paths = [p for folder in suites for p in sorted(folder.rglob("*.py"))] + _real_sources()[::3]
    kept_somewhere = 0
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            by_ast, by_words = _screen_verdicts(text)
        except SyntaxError:
            continue
        assert by_ast <= by_words, (path, sorted(r.code for r in by_ast - by_words))
        kept_somewhere += bool(by_ast)
    assert kept_somewhere > 20  # the fixture suites hold modules some rule fires on
