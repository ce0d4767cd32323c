"""The URL evidence of sources with `matching` (`aisec.literals`): a raw HTTP POST is a model-API
source only when its URL's constant text names a model API, so the identifier screen drops it
from a module whose strings cannot spell one. The oracle is the engine: the same findings with
the prefilter on and off, on every way of spelling a URL the engine reads."""

from __future__ import annotations

import ast
import textwrap

import pytest
from aisec.identifiers import IdentifierScreen
from aisec.literals import ModuleStrings, anchor, anchors
from aisec.pluginmanager import load_plugins
from aisec.testing import check_source, default_catalog

REGISTRY = load_plugins(entry_points=False)
CATALOG = default_catalog()
AIS301 = REGISTRY.rules["AIS301"]

# the reply of a POST to `URL` (set up by SETUP) runs as a shell command: AIS301 when `URL` is a
# model API's
TEMPLATE = """\
import subprocess
import textwrap

import requests
{setup}

def run(task):
    reply = requests.post({url}, json={{"prompt": task}}, timeout=60).json()
    subprocess.run(reply["response"], shell=True)
"""

SPELLINGS = [  # (setup, URL expression, the engine reports it)
    ("", '"https://api.openai.com/v1/responses"', True),
    ("", '"https://example.com/upload"', False),
    ("", '"https://huggingface.co/api/models"', False),
    ('OLLAMA = "http://localhost:11434"', 'f"{OLLAMA}/api/generate"', True),
    ("", '"https://api.open" + "ai.com/v1/responses"', True),  # split inside the host
    ("", '"https://api.open" "ai.com/v1/responses"', True),  # implicit concatenation
    ("", "f\"https://api.open{''}ai.com/v1/{task}\"", True),  # f-string parts around a constant
    ('HOST = "openai.com"', 'f"https://api.{HOST}/v1/responses"', True),
    ('HOST = "openai"', '"https://api." + HOST + ".com/v1"', True),  # whole pieces in the middle
    ("", '" https://api.anthropic.com/v1/messages ".strip()', True),
    ("", '"https://api\\x2eanthropic.com/v1/messages"', True),  # an escape the value resolves
    ("", 'f"https://api\\x2eanthropic.com/v1/{task}"', False),  # an f-string part stays raw
    ("", 'f"https://\\x0api.openai.com/v1/{task}"', True),  # raw, `api.openai.com` is there
    ("", '"https://api\\x2eanthropic.com/v1/" f"{task}"', True),  # a plain part beside an f-string
    ("", '"https://API.OPENAI.COM/v1".lower()', False),  # case changes are not followed
    ("", '"{}://api.openai.com/v1".format("https")', True),
    ("", '"".join(["https://api.", "openai.com/v1"])', True),
    ("", 'textwrap.dedent("""\n    https://api.groq.com/openai/v1\n""")', True),
    ("", 'b"https://api.openai.com/v1/responses"', True),
    ("class Api:\n    URL = 'http://127.0.0.1:11434/api/chat'", "Api.URL", True),
    ('def url():\n    return "http://ollama:11434/api/chat"', "url()", True),
    ("", '"https://api.openai.co" + "m/v1"', True),
    ("", '"https://api.openai.org/v1"', False),  # a look-alike host
    ("", '"api.openai" + ".org"', False),
    ('PORT = "11434"', 'f"http://localhost:{PORT}/api/generate"', True),  # `:` and port apart
    ('PORT = ":11434"', 'f"http://localhost{PORT}/api/generate"', True),
]


@pytest.mark.parametrize(("setup", "url", "reported"), SPELLINGS)
def test_the_screen_keeps_every_spelling_the_engine_reads(setup: str, url: str, reported: bool) -> None:
    source = TEMPLATE.format(setup=setup, url=url)
    full = findings(source, prefilter=False)
    assert bool(full) == reported, full
    assert findings(source, prefilter=True) == full


def findings(source: str, prefilter: bool) -> list[tuple]:
    """Each run writes its own temporary project: compared without the path."""
    found = check_source(AIS301, source, prefilter=prefilter)
    return [(f.code, f.location.line, f.location.column, f.message) for f in found]


def screened_in(source: str) -> bool:
    expansions = CATALOG.trigger_expansions()
    screen = IdentifierScreen([AIS301], expansions, CATALOG)
    return screen.select(ast.parse(source), source, [AIS301]) == [AIS301]


def test_a_post_to_an_ordinary_url_no_longer_admits_the_module() -> None:
    plain = TEMPLATE.format(setup="", url='"https://example.com/upload"')
    assert not screened_in(plain)
    assert screened_in(TEMPLATE.format(setup="", url='"https://api.openai.com/v1/responses"'))
    # the same call inside a LangChain model integration is a source whatever the URL
    integration = plain.replace("def run(task):", "class M(LLM):\n  def run(self, task):").replace(
        "import requests", "import requests\nfrom langchain_core.language_models.llms import LLM"
    )
    assert screened_in(integration)


def test_other_model_output_sources_are_not_gated() -> None:
    source = textwrap.dedent(
        """
        import subprocess
        import requests
        from openai import OpenAI

        def run(task):
            requests.post("https://example.com/log", data=task)
            out = OpenAI().responses.create(model="m", input=task).output_text
            subprocess.run(out, shell=True)
        """
    )
    assert screened_in(source)
    assert [f.code for f in check_source(AIS301, source, prefilter=True)] == ["AIS301"]


def test_anchors_are_the_longest_plain_text_every_match_contains() -> None:
    assert anchor(r"api\.openai\.com") == "api.openai.com"
    assert anchor(r"bedrock-runtime\.[\w.-]*amazonaws\.com") == "bedrock-runtime."
    assert anchor(r":(?:stream)?[gG]enerateContent\b") == "enerateContent"
    assert anchor(r"api\.cohere\.(?:ai|com)") == "api.cohere."
    assert anchor(r"ab cd\{efg") == "efg"  # no space or brace inside an anchor
    assert anchor(r"openai|anthropic") is None  # alternatives at the top: nothing is mandatory
    assert anchor(r"(?i)api\.openai\.com") is None  # case-insensitive: not a plain text
    assert anchor(r"x?") is None
    assert anchor("(") is None  # unreadable
    assert anchors([r"api\.openai\.com", r"x?"]) is None
    assert anchors([r"api\.openai\.com", r":11434"]) == ("api.openai.com", ":11434")


def strings(source: str) -> ModuleStrings:
    source = textwrap.dedent(source)
    return ModuleStrings(ast.parse(source), source)


def test_a_text_is_spelled_by_a_suffix_whole_pieces_and_a_prefix() -> None:
    module = strings('a = "x api."\nb = " open "\nc = "ai"\nd = ".com/v1"\n')
    assert module.spell("api.openai.com")
    assert not module.spell("api.anthropic.com")
    assert not strings('a = "https://api.open"\nb = "xai.com"\n').spell("api.openai.com")
    # a piece with inner whitespace is no whole middle piece
    assert not strings('a = "api."\nb = "open ai"\nc = ".com"\n').spell("api.openai.com")


def test_f_string_parts_are_read_raw_and_whole() -> None:
    module = strings('u = f"{{https://api.open{x}ai.com}}"\n')
    assert module.spell("api.open")
    assert module.spell("ai.com")
    assert strings('u = f"https://api.open" "ai.com/{x}"\n').spell("api.openai.com")
    assert strings('u = ("x\\n"\n     f"{y}api.anthropic."\n     "com")\n').spell("api.anthropic.com")
    # non-ASCII before the f-string: the columns count bytes
    assert strings('u = ("é", f"{y}api.groq.com")\n').spell("api.groq.com")
