"""`aisec server` end to end: a real LSP client (pytest-lsp) drives the server process.

Every test starts the server as editors do (`aisec server` on stdio), opens documents, waits for
the diagnostics it publishes, and applies the edits of its code actions the way a client would.
"""

from __future__ import annotations

import asyncio
import json
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from lsp_support import SERVER_COMMAND, need_module

need_module("pygls")
pytest_lsp = need_module("pytest_lsp")

from aisec.docs import render_rule  # noqa: E402
from aisec.pluginmanager import load_plugins  # noqa: E402
from lsprotocol import types  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities  # noqa: E402

TIMEOUT = 30.0
VULNERABLE = textwrap.dedent(
    """\
    import pickle
    import yaml


    def load(path):
        return pickle.load(open(path, "rb"))


    settings = yaml.load(open("settings.yml"))
    """
)


def _record(client: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
    client.diagnostics[params.uri] = params.diagnostics
    client.published.append(params)  # type: ignore[attr-defined]


def _register(client: LanguageClient, params: types.RegistrationParams) -> None:
    client.registrations.extend(params.registrations)  # type: ignore[attr-defined]


def _recording_client() -> LanguageClient:
    """The default test client, also keeping every publishDiagnostics it receives in order."""
    from pygls.protocol import default_converter
    from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

    client = LanguageClient(converter_factory=default_converter)
    client.published = []  # type: ignore[attr-defined]
    client.registrations = []  # type: ignore[attr-defined]
    features = {
        **DEFAULT_CLIENT_FEATURES,
        types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: _record,
        types.CLIENT_REGISTER_CAPABILITY: _register,
    }
    register_lsp_features(client, features)
    return client


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=SERVER_COMMAND, client_factory=_recording_client)
)
async def client(lsp_client: LanguageClient):
    capabilities = client_capabilities("visual-studio-code")
    await lsp_client.initialize_session(types.InitializeParams(capabilities=capabilities))
    yield
    await lsp_client.shutdown_session()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()  # the project root stops here
    return tmp_path


async def wait_for(client: LanguageClient, uri: str, check: Callable[[list[types.Diagnostic]], bool]):
    """The diagnostics of `uri` once they satisfy `check` (fails after TIMEOUT seconds)."""

    async def poll() -> list[types.Diagnostic]:
        while True:
            current = client.diagnostics.get(uri)
            if current is not None and check(list(current)):
                return list(current)
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)

    return await asyncio.wait_for(poll(), TIMEOUT)


def codes(diagnostics: list[types.Diagnostic]) -> list[str]:
    return sorted(str(d.code) for d in diagnostics)


def open_file(client: LanguageClient, path: Path, text: str, version: int = 1) -> str:
    path.write_text(text, encoding="utf-8")
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", version, text))
    )
    return uri


def change(client: LanguageClient, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(version=version, uri=uri),
            [types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def apply_edits(text: str, edits: list[types.TextEdit]) -> str:
    """What a client does with a WorkspaceEdit's TextEdits (ASCII text: columns are characters)."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(position: types.Position) -> int:
        return starts[min(position.line, len(lines))] + position.character

    for edit in sorted(edits, key=lambda e: offset(e.range.start), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


async def actions_for(client: LanguageClient, uri: str, diagnostics: list[types.Diagnostic], only=None):
    whole = types.Range(types.Position(0, 0), types.Position(10_000, 0))
    return await client.text_document_code_action_async(
        types.CodeActionParams(
            types.TextDocumentIdentifier(uri),
            whole,
            types.CodeActionContext(diagnostics=diagnostics, only=only),
        )
    )


@pytest.mark.asyncio
async def test_diagnostics_follow_edits_and_code_actions_fix_them(
    client: LanguageClient, project: Path
) -> None:
    path = project / "app.py"
    uri = open_file(client, path, VULNERABLE)
    diagnostics = await wait_for(client, uri, lambda d: len(d) == 2)
    pickle_load, yaml_load = sorted(diagnostics, key=lambda d: d.range.start.line)
    assert (pickle_load.code, pickle_load.severity, pickle_load.source) == (
        "AIS101",
        types.DiagnosticSeverity.Error,
        "aisec",
    )
    assert pickle_load.range == types.Range(types.Position(5, 11), types.Position(5, 40))
    assert pickle_load.code_description is None  # no `rule-docs-url`: no made-up link
    assert yaml_load.code == "AIS105" and yaml_load.range.start == types.Position(8, 11)

    # An edit that removes the yaml finding and adds a torch.load one: the diagnostics follow.
    edited = VULNERABLE.replace('yaml.load(open("settings.yml"))', 'yaml.safe_load(open("settings.yml"))')
    edited += "\nimport torch\nweights = torch.load('w.pt')\n"
    change(client, uri, 2, edited)
    diagnostics = await wait_for(client, uri, lambda d: codes(d) == ["AIS101", "AIS102"])
    assert client.published[-1].version == 2

    # The unsafe fix of AIS102 is labelled and not preferred; applying it clears the finding.
    torch_load = next(d for d in diagnostics if d.code == "AIS102")
    actions = await actions_for(client, uri, [torch_load], only=[types.CodeActionKind.QuickFix])
    fix = next(a for a in actions if "fix" in a.title and "suppress" not in a.title)
    assert "unsafe" in fix.title and not fix.is_preferred
    fixed = apply_edits(edited, fix.edit.changes[uri])
    assert "torch.load('w.pt', weights_only=True)" in fixed
    change(client, uri, 3, fixed)
    diagnostics = await wait_for(client, uri, lambda d: codes(d) == ["AIS101"])

    # AIS101 has no fix: the suppression comment is offered, with a reason placeholder, and works.
    actions = await actions_for(client, uri, diagnostics)
    assert [a.title for a in actions] == ["aisec: suppress AIS101 on this line (give a reason)"]
    suppressed = apply_edits(fixed, actions[0].edit.changes[uri])
    assert '    return pickle.load(open(path, "rb"))  # aisec: ignore[AIS101] <reason>\n' in suppressed
    change(client, uri, 4, suppressed)
    await wait_for(client, uri, lambda d: d == [])


@pytest.mark.asyncio
async def test_hover_shows_the_rule_documentation(client: LanguageClient, project: Path) -> None:
    uri = open_file(client, project / "app.py", VULNERABLE)
    diagnostics = await wait_for(client, uri, lambda d: len(d) == 2)
    pickle_load = next(d for d in diagnostics if d.code == "AIS101")
    inside = types.Position(pickle_load.range.start.line, pickle_load.range.start.character + 3)
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), inside)
    )
    rule = load_plugins(entry_points=False).rules["AIS101"]
    assert hover.contents.value == render_rule(rule)  # what `aisec explain AIS101` prints
    elsewhere = types.Position(0, 0)
    assert (
        await client.text_document_hover_async(
            types.HoverParams(types.TextDocumentIdentifier(uri), elsewhere)
        )
        is None
    )


@pytest.mark.asyncio
async def test_rule_code_links_to_the_configured_rule_pages(client: LanguageClient, project: Path) -> None:
    docs = "https://git.example.test/team/aisec/docs/rules/"
    (project / "pyproject.toml").write_text(f'[tool.aisec]\nrule-docs-url = "{docs}"\n', encoding="utf-8")
    uri = open_file(client, project / "load.py", "import pickle\nobj = pickle.loads(blob)\n")
    (diagnostic,) = await wait_for(client, uri, lambda d: len(d) == 1)
    assert diagnostic.code_description.href == f"{docs}AIS101.md"


@pytest.mark.asyncio
async def test_fix_all_safe_applies_only_safe_fixes(client: LanguageClient, project: Path) -> None:
    # torch >= 2.6 makes the AIS102 fix safe (weights_only=True is the default there anyway).
    (project / "pyproject.toml").write_text(
        '[project]\nname = "app"\ndependencies = ["torch>=2.6"]\n', encoding="utf-8"
    )
    text = "import torch\nimport yaml\n\na = torch.load('a.pt')\nb = torch.load('b.pt', map_location='cpu')\nc = yaml.load(s)\n"
    uri = open_file(client, project / "train.py", text)
    diagnostics = await wait_for(client, uri, lambda d: len(d) == 3)
    actions = await actions_for(client, uri, diagnostics)
    preferred = [a.title for a in actions if a.is_preferred]
    assert preferred == ["aisec: fix AIS102", "aisec: fix AIS102"]
    fix_all = [a for a in actions if a.kind == "source.fixAll.aisec"]
    assert len(fix_all) == 1
    fixed = apply_edits(text, fix_all[0].edit.changes[uri])
    assert "a = torch.load('a.pt', weights_only=True)\n" in fixed
    assert "b = torch.load('b.pt', map_location='cpu', weights_only=True)\n" in fixed
    assert "c = yaml.load(s)\n" in fixed  # the unsafe fix is not part of "fix all safe"


def _notebook_cells(project: Path, cells: list[tuple[str, str]]):
    """A notebook document and its cell text documents (kind, text) as VS Code sends them."""
    uri = (project / "analysis.ipynb").as_uri()
    documents, items = [], []
    for index, (kind, text) in enumerate(cells):
        cell_uri = f"vscode-notebook-cell:{(project / 'analysis.ipynb').as_posix()}#cell{index}"
        code = kind == "code"
        documents.append(
            types.NotebookCell(
                kind=types.NotebookCellKind.Code if code else types.NotebookCellKind.Markup, document=cell_uri
            )
        )
        items.append(types.TextDocumentItem(cell_uri, "python" if code else "markdown", 1, text))
    return uri, documents, items


@pytest.mark.asyncio
async def test_notebook_findings_land_in_their_cell(client: LanguageClient, project: Path) -> None:
    cells = [
        ("markdown", "# Model\n"),
        ("code", "%pip install torch\nimport pickle\n"),
        ("code", "blob = open('m.bin', 'rb').read()\nmodel = pickle.loads(blob)"),
        ("code", "import yaml\ncfg = yaml.load(text)\n"),
    ]
    uri, notebook_cells, items = _notebook_cells(project, cells)
    (project / "analysis.ipynb").write_text("{}", encoding="utf-8")
    client.notebook_document_did_open(
        types.DidOpenNotebookDocumentParams(
            notebook_document=types.NotebookDocument(
                uri=uri, notebook_type="jupyter-notebook", version=1, cells=notebook_cells
            ),
            cell_text_documents=items,
        )
    )
    third = items[2].uri
    diagnostics = await wait_for(client, third, lambda d: len(d) == 1)
    assert diagnostics[0].code == "AIS101"
    assert diagnostics[0].range.start == types.Position(1, 8)  # line 2 of the third cell
    assert list(client.diagnostics[items[1].uri]) == []

    # The suppression action edits the cell, not the notebook's joined code.
    actions = await actions_for(client, third, diagnostics)
    suppress = next(a for a in actions if "suppress" in a.title)
    assert suppress.edit.changes[third][0].range.start == types.Position(1, 26)

    # A fix inside one cell is offered as an edit of that cell.
    fourth = items[3].uri
    diagnostics = await wait_for(client, fourth, lambda d: len(d) == 1)
    actions = await actions_for(client, fourth, diagnostics)
    fix = next(a for a in actions if "unsafe fix" in a.title)
    assert list(fix.edit.changes) == [fourth]
    assert apply_edits(cells[3][1], fix.edit.changes[fourth]) == "import yaml\ncfg = yaml.safe_load(text)\n"

    # Editing the cell (notebook sync) clears the finding.
    client.notebook_document_did_change(
        types.DidChangeNotebookDocumentParams(
            notebook_document=types.VersionedNotebookDocumentIdentifier(version=2, uri=uri),
            change=types.NotebookDocumentChangeEvent(
                cells=types.NotebookDocumentCellChanges(
                    text_content=[
                        types.NotebookDocumentCellContentChanges(
                            document=types.VersionedTextDocumentIdentifier(version=2, uri=third),
                            changes=[
                                types.TextDocumentContentChangeWholeDocument(
                                    text="model = json.loads(blob)\n"
                                )
                            ],
                        )
                    ]
                )
            ),
        )
    )
    await wait_for(client, third, lambda d: d == [])


@pytest.mark.asyncio
async def test_config_changes_are_picked_up(client: LanguageClient, project: Path) -> None:
    uri = open_file(client, project / "app.py", VULNERABLE)
    await wait_for(client, uri, lambda d: codes(d) == ["AIS101", "AIS105"])
    [registration] = client.registrations
    assert registration.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
    patterns = [watcher["globPattern"] for watcher in registration.register_options["watchers"]]
    assert "**/pyproject.toml" in patterns and "**/aisec.toml" in patterns
    pyproject = project / "pyproject.toml"
    pyproject.write_text('[tool.aisec]\nignore = ["AIS105"]\n', encoding="utf-8")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=pyproject.as_uri(), type=types.FileChangeType.Created)]
        )
    )
    await wait_for(client, uri, lambda d: codes(d) == ["AIS101"])

    # A broken config is a diagnostic on the file and a log message; the server lives on.
    pyproject.write_text('[tool.aisec]\nselect = ["NOPE1"]\n', encoding="utf-8")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=pyproject.as_uri(), type=types.FileChangeType.Changed)]
        )
    )
    diagnostics = await wait_for(client, uri, lambda d: len(d) == 1 and d[0].code is None)
    assert "NOPE1" in diagnostics[0].message and diagnostics[0].severity == types.DiagnosticSeverity.Error
    assert any("NOPE1" in message.message for message in client.log_messages)


PLUGIN = """\
from aisec.hooks import Rule, Severity, hookimpl


class Crashes(Rule):
    code = "TEAM001"
    name = "crashes"
    severity = Severity.LOW
    triggers = ("pickle",)
    description = rationale = remediation = "x"
    invalid = valid = []

    def visit_Call(self, node):
        raise RuntimeError("boom")


@hookimpl
def aisec_rules():
    return [Crashes]
"""


@pytest.mark.asyncio
async def test_failing_plugins_are_diagnostics_not_a_dead_server(
    client: LanguageClient, project: Path
) -> None:
    # A rule that raises on a file: its error is shown, the other rules' findings too.
    (project / "team_rules.py").write_text(PLUGIN, encoding="utf-8")
    (project / "pyproject.toml").write_text('[tool.aisec]\nplugins = ["team_rules"]\n', encoding="utf-8")
    uri = open_file(client, project / "app.py", VULNERABLE)
    diagnostics = await wait_for(client, uri, lambda d: len(d) == 3)
    error = next(d for d in diagnostics if d.code is None)
    assert "TEAM001 raised RuntimeError: boom" in error.message
    assert codes([d for d in diagnostics if d.code]) == ["AIS101", "AIS105"]
    assert any("boom" in message.message for message in client.log_messages)

    # A plugin that cannot even be imported: one error on the file of that project only.
    other = project / "other"
    (other / ".git").mkdir(parents=True)
    (other / "pyproject.toml").write_text('[tool.aisec]\nplugins = ["missing_plugin"]\n', encoding="utf-8")
    broken = open_file(client, other / "job.py", VULNERABLE)
    diagnostics = await wait_for(client, broken, lambda d: len(d) == 1)
    assert "missing_plugin" in diagnostics[0].message
    healthy = open_file(client, project / "again.py", "import pickle\npickle.loads(b)\n")
    await wait_for(client, healthy, lambda d: "AIS101" in codes(d))


@pytest.mark.asyncio
async def test_stale_versions_are_superseded(client: LanguageClient, project: Path) -> None:
    uri = open_file(client, project / "app.py", VULNERABLE)
    await wait_for(client, uri, lambda d: len(d) == 2)
    before = len(client.published)
    text = VULNERABLE
    for version in range(2, 12):  # typing faster than the debounce: only the last one is checked
        text += f"x{version} = {version}\n"
        change(client, uri, version, text)
    change(client, uri, 12, "import json\n")
    await wait_for(client, uri, lambda d: d == [])
    versions = [p.version for p in client.published[before:] if p.uri == uri]
    assert versions == [12]


@pytest.mark.asyncio
async def test_columns_are_utf16_and_closing_clears(client: LanguageClient, project: Path) -> None:
    # VS Code counts UTF-16 code units: the emoji is two of them, one code point
    uri = open_file(client, project / "emoji.py", 'import pickle\nx = "\U0001f600"; y = pickle.loads(b)\n')
    [diagnostic] = await wait_for(client, uri, lambda d: len(d) == 1)
    assert diagnostic.range.start == types.Position(1, 14)  # code point 13
    assert diagnostic.range.end == types.Position(1, 29)
    client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri)))
    await wait_for(client, uri, lambda d: d == [])


@pytest.mark.asyncio
async def test_server_answers_while_a_large_file_is_analysed(client: LanguageClient, project: Path) -> None:
    small = open_file(client, project / "small.py", VULNERABLE)
    await wait_for(client, small, lambda d: len(d) == 2)
    # about a second of analysis (3,000 findings)
    body = "".join(f"def f{i}(blob):\n    return pickle.loads(blob)\n" for i in range(3000))
    big = open_file(client, project / "big.py", "import pickle\n" + body)
    order: list[str] = []
    hover_position = types.HoverParams(types.TextDocumentIdentifier(small), types.Position(5, 15))

    async def hover() -> None:
        await client.text_document_hover_async(hover_position)
        order.append("hover")

    async def diagnostics() -> None:
        await wait_for(client, big, lambda d: len(d) > 0)
        order.append("diagnostics")

    await asyncio.gather(diagnostics(), hover())
    assert order == ["hover", "diagnostics"]


FLOW = textwrap.dedent(
    """\
    from flask import request
    from openai import OpenAI

    client = OpenAI()


    def build(text):
        return f"You are a helpful bot. Context: {text}"


    def chat():
        persona = request.args["persona"]
        system = build(persona)
        return client.chat.completions.create(model="m", messages=[{"role": "system", "content": system}])
    """
)


@pytest.mark.asyncio
async def test_taint_flow_steps_are_related_information(client: LanguageClient, project: Path) -> None:
    uri = open_file(client, project / "routes.py", FLOW)
    [diagnostic] = await wait_for(client, uri, lambda d: len(d) == 1)
    assert diagnostic.code == "AIS201"
    steps = [
        (r.location.uri, r.location.range.start.line, r.message.split(":")[0])
        for r in diagnostic.related_information
    ]
    assert steps == [(uri, 11, "source"), (uri, 12, "passes through `build()`"), (uri, 13, "sink")]
    assert diagnostic.related_information[0].location.range.start.character == 14


@pytest.mark.asyncio
async def test_model_files_the_code_loads_are_inspected(client: LanguageClient, project: Path) -> None:
    # protocol-0 pickle calling os.getpid (harmless), made here: never committed, never loaded
    (project / "model.pkl").write_bytes(b"cos\ngetpid\n(tR.")
    text = "import pickle\n\nmodel = pickle.load(open('model.pkl', 'rb'))\n"
    uri = open_file(client, project / "serve.py", text)
    diagnostics = await wait_for(client, uri, lambda d: "AIS401" in codes(d))
    artifact = next(d for d in diagnostics if d.code == "AIS401")
    assert artifact.range.start.line == 2  # on the line that loads it
    assert "model.pkl" in artifact.message and "getpid" in artifact.message


@pytest.mark.asyncio
async def test_the_result_cache_is_shared_with_check(project: Path) -> None:
    import subprocess

    source = project / "app.py"
    source.write_text(VULNERABLE, encoding="utf-8")
    check = subprocess.run([*SERVER_COMMAND[:-1], "check", "-q", "app.py"], cwd=project, capture_output=True)
    assert check.returncode == 1
    [entry] = list((project / ".aisec_cache").rglob("*.json"))
    written = entry.stat().st_mtime_ns

    client = _recording_client()
    await client.start_io(*SERVER_COMMAND, cwd=str(project))  # editors start it in the project
    try:
        await client.initialize_session(types.InitializeParams(capabilities=types.ClientCapabilities()))
        uri = open_file(client, source, VULNERABLE)
        await wait_for(client, uri, lambda d: len(d) == 2)
        assert list((project / ".aisec_cache").rglob("*.json")) == [entry]  # a hit: same run key
        assert entry.stat().st_mtime_ns == written
        edited = VULNERABLE + "x = 1\n"
        change(client, uri, 2, edited)  # an unsaved buffer is not worth an entry
        await wait_for(client, uri, lambda d: len(d) == 2 and client.published[-1].version == 2)
        assert len(list((project / ".aisec_cache").rglob("*.json"))) == 1
        source.write_text(edited, encoding="utf-8")
        client.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri)))
        for _ in range(100):  # the entry is written just before the diagnostics go out
            if len(list((project / ".aisec_cache").rglob("*.json"))) == 2:
                break
            await asyncio.sleep(0.1)
        assert len(list((project / ".aisec_cache").rglob("*.json"))) == 2
        await client.shutdown_session()
    finally:
        await client.stop()


def test_notebook_json_built_from_cells_matches_the_engine() -> None:
    """The server scans a notebook as the engine scans its `.ipynb` file (same joined code)."""
    from aisec.notebooks import notebook_code
    from aisec.server.documents import notebook_snapshot

    cells = [("c0", False, "# Title"), ("c1", True, "import pickle\n"), ("c2", True, "x = pickle.loads(b)")]
    snapshot = notebook_snapshot("file:///n.ipynb", 1, Path("/n.ipynb"), cells)
    code, cell_of_line = notebook_code(snapshot.data.decode("utf-8"))
    assert code == "import pickle\nx = pickle.loads(b)\n" and cell_of_line == [2, 3]
    assert [(c.uri, c.position, c.first_line) for c in snapshot.cells] == [("c1", 2, 1), ("c2", 3, 2)]
    assert json.loads(snapshot.data)["cells"][0]["cell_type"] == "markdown"


HELPER_USER = 'from openai import OpenAI\n\nclient = OpenAI()\n\n\ndef ask(q):\n    return client.chat.completions.create(model="m", messages=[{"role": "user", "content": q}])\n'
ROUTE = (
    'from flask import request\n\nfrom llm import ask\n\n\ndef chat():\n    return ask(request.args["q"])\n'
)


@pytest.mark.asyncio
async def test_a_helper_changed_on_disk_is_seen_by_its_callers(client: LanguageClient, project: Path) -> None:
    helper = project / "llm.py"
    helper.write_text(HELPER_USER, encoding="utf-8")
    uri = open_file(client, project / "routes.py", ROUTE)
    assert await wait_for(client, uri, lambda d: True) == []  # request data as the user message: fine
    helper.write_text(HELPER_USER.replace('"role": "user"', '"role": "system"'), encoding="utf-8")
    change(client, uri, 2, ROUTE + "# edited\n")
    [diagnostic] = await wait_for(client, uri, lambda d: len(d) == 1)
    assert diagnostic.code == "AIS201"
