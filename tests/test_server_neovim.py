"""`aisec server` under a real editor: Neovim's built-in LSP client, headless.

Neovim starts the server the way the README tells users to (`vim.lsp.start`, or
`vim.lsp.start_client` on Neovim 0.7), and the test reads back the diagnostics Neovim itself
holds for the buffer. Skipped, with the reason in the summary, only where Neovim is not installed
(`.ci/run` installs it with apt-get and says so loudly when it cannot).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from lsp_support import SERVER_COMMAND, need_module

need_module("pygls")

NVIM = shutil.which("nvim")

LUA = r"""
local bufnr = vim.api.nvim_get_current_buf()
local config = { name = "aisec", cmd = vim.fn.json_decode(vim.env.AISEC_SERVER), root_dir = vim.fn.getcwd() }
local client_id
if vim.lsp.start then
  client_id = vim.lsp.start(config)
else  -- Neovim 0.7 (Debian 12): start, then attach the buffer
  client_id = vim.lsp.start_client(config)
  vim.lsp.buf_attach_client(bufnr, client_id)
end
local ok = vim.wait(tonumber(vim.env.AISEC_WAIT_MS), function()
  return #vim.diagnostic.get(bufnr) > 0
end, 50)
local rows = {}
for _, d in ipairs(vim.diagnostic.get(bufnr)) do
  table.insert(rows, { lnum = d.lnum, col = d.col, severity = d.severity, source = d.source,
                       message = d.message, code = d.code or vim.tbl_get(d, "user_data", "lsp", "code") })
end
vim.fn.writefile({ vim.fn.json_encode({ ok = ok, diagnostics = rows }) }, vim.env.AISEC_OUT)
vim.lsp.stop_client(client_id)
vim.wait(5000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 50)
vim.cmd("qa!")
"""


@pytest.mark.skipif(NVIM is None, reason="Neovim (nvim) is not installed: the editor-client test is SKIPPED")
def test_neovim_shows_the_servers_diagnostics(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)
    source = project / "app.py"
    source.write_text("import os\nimport pickle\n\nmodel = pickle.load(open(os.environ['M'], 'rb'))\n")
    script = tmp_path / "attach.lua"
    script.write_text(LUA, encoding="utf-8")
    out = tmp_path / "diagnostics.json"
    env = {
        **os.environ,
        "AISEC_SERVER": json.dumps(SERVER_COMMAND),
        "AISEC_OUT": str(out),
        "AISEC_WAIT_MS": "30000",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }
    command = [NVIM, "--headless", "--clean", "-i", "NONE", "-n", str(source), "-c", f"luafile {script}"]
    completed = subprocess.run(
        command, cwd=project, env=env, capture_output=True, text=True, timeout=90, stdin=subprocess.DEVNULL
    )
    assert out.exists(), f"Neovim wrote no result (exit {completed.returncode}): {completed.stderr[-2000:]}"
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["ok"], "Neovim showed no diagnostics within 30 s"
    [diagnostic] = result["diagnostics"]
    assert (diagnostic["lnum"], diagnostic["col"], diagnostic["code"]) == (3, 8, "AIS101")
    assert diagnostic["source"] == "aisec" and diagnostic["severity"] == 1  # vim.diagnostic.severity.ERROR
    assert "pickle.load" in diagnostic["message"]
