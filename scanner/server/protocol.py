"""The language server: LSP wiring over stdio with pygls.

Analysis never runs on the event loop: every scan (diagnostics, and the fix scans of code
actions) goes to one worker thread, so the server keeps answering hovers, edits and cancellations
while a large file is analysed. A newer version of a document supersedes the older one: a scan
still waiting (debounce or queue) is cancelled, and the result of one already running is dropped
instead of published.
"""

from __future__ import annotations

import asyncio
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from aisec import __version__
from aisec.engine import FileResult
from aisec.hooks import Applicability
from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path, uri_scheme

from .actions import FIX_ALL_KIND, code_actions
from .analysis import Analysis, analyse, fix_scan
from .diagnostics import Converter, by_document
from .documents import Snapshot, notebook_snapshot, text_snapshot
from .hover import rule_hover
from .projects import WATCHED, Projects

DEBOUNCE_SECONDS = 0.2  # after a keystroke; open and save are checked at once
NOTEBOOK_SYNC = types.NotebookDocumentSyncOptions(
    notebook_selector=[
        types.NotebookDocumentFilterWithCells(
            cells=[types.NotebookCellLanguage(language="python")], notebook="*"
        )
    ],
    save=True,
)


class AisecServer(LanguageServer):
    """Open documents, their latest analyses and the scheduling of scans."""

    def __init__(self, cwd: Path) -> None:
        super().__init__("aisec", __version__, notebook_document_sync=NOTEBOOK_SYNC)
        self.projects = Projects(cwd)
        self.cwd = cwd
        # One worker thread runs every scan (diagnostics and code actions): never two at once, so
        # plugins need not be thread-safe, and the event loop stays free for the client.
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="aisec-scan")
        self._pending: dict[str, asyncio.Future[Any]] = {}
        self.analyses: dict[str, Analysis] = {}
        self.shown: dict[str, dict[str, list[types.Diagnostic]]] = {}  # key -> uri -> diagnostics
        self._fix_memo: dict[tuple[str, int | None, str | None], FileResult | None] = {}

    # ----- documents -----

    def path_of(self, uri: str, suffix: str = ".py") -> Path:
        path = to_fs_path(uri) if uri_scheme(uri) == "file" else None
        return Path(path) if path else self.cwd / f"untitled{suffix}"

    def key_of(self, uri: str) -> str:
        """The analysed document a URI belongs to (a notebook for its cells)."""
        notebook = self.workspace.get_notebook_document(cell_uri=uri)
        return notebook.uri if notebook is not None else uri

    def snapshot(self, key: str) -> Snapshot | None:
        notebook = self.workspace.get_notebook_document(notebook_uri=key)
        if notebook is not None:
            cells = [
                (
                    cell.document,
                    cell.kind == types.NotebookCellKind.Code,
                    self.workspace.get_text_document(cell.document).source,
                )
                for cell in notebook.cells
            ]
            return notebook_snapshot(key, notebook.version, self.path_of(key, ".ipynb"), cells)
        document = self.workspace.text_documents.get(key)
        if document is None:
            return None
        return text_snapshot(key, document.version, self.path_of(key), document.source)

    # ----- scheduling -----

    def schedule(self, key: str, delay: float = 0.0, *, saved: bool = False) -> None:
        """Scan `key` after `delay`, superseding any scan of it not published yet."""
        previous = self._pending.pop(key, None)
        if previous is not None:
            previous.cancel()
        self._pending[key] = asyncio.ensure_future(self._scan_later(key, delay, saved))

    async def _scan_later(self, key: str, delay: float, saved: bool) -> None:
        try:
            if delay:
                await asyncio.sleep(delay)
            snapshot = self.snapshot(key)
            if snapshot is not None:
                await self._scan(key, snapshot, saved)
        finally:
            if self._pending.get(key) is asyncio.current_task():
                del self._pending[key]

    async def _scan(self, key: str, snapshot: Snapshot, saved: bool) -> None:
        messages: list[str] = []
        loop = asyncio.get_running_loop()
        analysis = await loop.run_in_executor(
            self._worker, lambda: analyse(self.projects, snapshot, messages.append, store=saved)
        )
        for message in messages:
            self.window_log_message(types.LogMessageParams(type=types.MessageType.Error, message=message))
        try:
            self.publish(key, analysis)
        except Exception:  # an aisec bug: the log has it, the server goes on
            self.window_log_message(
                types.LogMessageParams(
                    type=types.MessageType.Error,
                    message=f"aisec: internal error publishing {key} (please report it):\n{traceback.format_exc()}",
                )
            )

    def publish(self, key: str, analysis: Analysis) -> None:
        snapshot = analysis.snapshot
        converter = Converter(snapshot, self.workspace.position_codec)
        pairs = [
            converter.finding(finding, analysis.rules, analysis.rule_docs_url)
            for finding in analysis.findings
        ]
        pairs += [converter.error(message) for message in analysis.errors]
        grouped = by_document(snapshot, pairs)
        for uri in self.shown.get(key, {}):
            grouped.setdefault(uri, [])  # a cell that is gone or clean: clear what it showed
        self.analyses[key] = analysis
        self.shown[key] = grouped
        version = None if snapshot.is_notebook else snapshot.version
        for uri, diagnostics in grouped.items():
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version)
            )

    def close(self, key: str) -> None:
        pending = self._pending.pop(key, None)
        if pending is not None:
            pending.cancel()
        self.analyses.pop(key, None)
        for memo_key in [k for k in self._fix_memo if k[0] == key]:  # a snapshot's uri is its key
            del self._fix_memo[memo_key]
        for uri in self.shown.pop(key, {}):
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    def reload(self) -> None:
        """A config or requirements file changed: reload the projects and re-check every document."""
        self.projects.forget()
        self._fix_memo.clear()
        for key in list(self.analyses):
            self.schedule(key)

    # ----- code actions -----

    def fix_result(self, snapshot: Snapshot, fix: Applicability | None) -> FileResult | None:
        """A fix scan of a snapshot, done once per document version (runs on the worker thread)."""
        memo_key = (snapshot.uri, snapshot.version, str(fix) if fix else None)
        if memo_key not in self._fix_memo:
            for stale in [k for k in self._fix_memo if k[0] == snapshot.uri and k[1] != snapshot.version]:
                self._fix_memo.pop(stale, None)
            self._fix_memo[memo_key] = fix_scan(self.projects, snapshot, fix, lambda message: None)
        return self._fix_memo[memo_key]

    async def actions(self, params: types.CodeActionParams) -> list[types.CodeAction]:
        key = self.key_of(params.text_document.uri)
        analysis = self.analyses.get(key)
        snapshot = self.snapshot(key)
        if analysis is None or snapshot is None:
            return []
        current = Analysis(snapshot, analysis.findings, analysis.errors, analysis.rules)
        converter = Converter(snapshot, self.workspace.position_codec)
        loop = asyncio.get_running_loop()
        actions = await loop.run_in_executor(
            self._worker, lambda: code_actions(current, params, converter, self.fix_result)
        )
        latest = self.snapshot(key)
        if latest is None or latest.version != snapshot.version:
            return []  # the document changed meanwhile: these edits are for text that is gone
        return actions

    def hover(self, params: types.HoverParams) -> types.Hover | None:
        uri = params.text_document.uri
        key = self.key_of(uri)
        analysis = self.analyses.get(key)
        if analysis is None:
            return None
        return rule_hover(self.shown.get(key, {}).get(uri, []), analysis.rules, params.position)

    def shutdown(self) -> None:
        for pending in self._pending.values():
            pending.cancel()
        self._worker.shutdown(wait=False, cancel_futures=True)
        super().shutdown()


# (method, options, params field holding the document, debounce, the buffer is the saved file)
DOCUMENT_EVENTS: tuple[tuple[str, Any, str, float, bool], ...] = (
    (types.TEXT_DOCUMENT_DID_OPEN, None, "text_document", 0.0, True),
    (types.TEXT_DOCUMENT_DID_CHANGE, None, "text_document", DEBOUNCE_SECONDS, False),
    (types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False), "text_document", 0.0, True),
    (types.NOTEBOOK_DOCUMENT_DID_OPEN, None, "notebook_document", 0.0, False),
    (types.NOTEBOOK_DOCUMENT_DID_CHANGE, None, "notebook_document", DEBOUNCE_SECONDS, False),
    (types.NOTEBOOK_DOCUMENT_DID_SAVE, None, "notebook_document", 0.0, False),
)
CLOSE_EVENTS = (
    (types.TEXT_DOCUMENT_DID_CLOSE, "text_document"),
    (types.NOTEBOOK_DOCUMENT_DID_CLOSE, "notebook_document"),
)


def _schedules(field: str, delay: float, saved: bool) -> Any:
    def handler(ls: AisecServer, params: Any) -> None:
        ls.schedule(getattr(params, field).uri, delay, saved=saved)

    return handler


def _closes(field: str) -> Any:
    def handler(ls: AisecServer, params: Any) -> None:
        ls.close(getattr(params, field).uri)

    return handler


def build_server(cwd: Path) -> AisecServer:
    """The server with every feature registered."""
    server = AisecServer(cwd)

    @server.feature(types.INITIALIZED)
    async def initialized(ls: AisecServer, params: types.InitializedParams) -> None:
        watched = (
            ls.client_capabilities.workspace and ls.client_capabilities.workspace.did_change_watched_files
        )
        if watched and watched.dynamic_registration:
            watchers = [types.FileSystemWatcher(glob_pattern=pattern) for pattern in WATCHED]
            registration = types.Registration(
                id="aisec-config-files",
                method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers),
            )
            try:
                await ls.client_register_capability_async(
                    types.RegistrationParams(registrations=[registration])
                )
            except Exception as exc:  # the client refused: config changes then need a restart
                ls.window_log_message(
                    types.LogMessageParams(
                        type=types.MessageType.Warning,
                        message=f"aisec: cannot watch config files ({exc}); restart the server after changing them",
                    )
                )

    for method, options, field, delay, saved in DOCUMENT_EVENTS:
        server.feature(method, options)(_schedules(field, delay, saved))
    for method, field in CLOSE_EVENTS:
        server.feature(method)(_closes(field))

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched_files(ls: AisecServer, params: types.DidChangeWatchedFilesParams) -> None:
        ls.reload()

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND]),
    )
    async def code_action(ls: AisecServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        return await ls.actions(params)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: AisecServer, params: types.HoverParams) -> types.Hover | None:
        return ls.hover(params)

    return server
