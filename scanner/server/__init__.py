"""`aisec server`: the scanner as a language server (LSP over stdio), for editors.

Diagnostics on open, change (debounced) and save, for Python files and notebooks; code actions
(fix, suppress, fix all safe); the rule's documentation on hover. Needs the `lsp` extra
(pygls, lsprotocol): `aisec check` never imports any of this.
"""

from __future__ import annotations

from pathlib import Path

LSP_EXTRA_HINT = "`aisec server` needs the lsp extra: pip install 'aisec[lsp]'"


def serve() -> int:
    """Run the server on stdin/stdout until the client ends the session."""
    try:
        from .protocol import build_server
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] not in ("pygls", "lsprotocol"):
            raise
        from aisec.run import UsageError

        raise UsageError(f"{LSP_EXTRA_HINT} ({exc})") from None
    build_server(Path.cwd()).start_io()
    return 0
