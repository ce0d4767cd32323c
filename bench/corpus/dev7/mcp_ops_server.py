"""Ops MCP server: exposes deployment helpers to an AI coding assistant over MCP."""
from __future__ import annotations

import importlib
import shlex
import shutil
import subprocess
from pathlib import Path

from mcp.server.fastmcp import FastMCP

mcp = FastMCP("ops-helper")
WORKSPACE = Path("/srv/ops/workspace")
SERVICES = {"api": "acme-api.service", "worker": "acme-worker.service", "web": "acme-web.service"}
CHECKS = {"disk": ["df", "-h"], "memory": ["free", "-m"], "uptime": ["uptime"]}
PLUGIN_MODULES = ("ops_plugins.cache", "ops_plugins.dns", "ops_plugins.certs")


@mcp.tool()
def run_command(command: str) -> str:
    """Run a shell command on the ops host and return its output."""
    # ruleid: AIS301
    proc = subprocess.run(shlex.split(command), capture_output=True, text=True, timeout=60)
    return proc.stdout + proc.stderr


@mcp.tool()
def run_check(check: str) -> str:
    """Run one of the predefined health checks (disk, memory, uptime)."""
    if check not in CHECKS:
        return f"unknown check {check!r}"
    # ok: AIS301
    proc = subprocess.run(CHECKS[check], capture_output=True, text=True, timeout=30)
    return proc.stdout


@mcp.tool()
def restart_service(service: str) -> str:
    """Restart a known service."""
    unit = SERVICES.get(service)
    if unit is None:
        return "unknown service"
    # ok: AIS301
    subprocess.run(["systemctl", "restart", unit], check=True)
    return f"restarted {unit}"


@mcp.tool()
def clean_build_dir(path: str) -> str:
    """Delete a build directory to free space."""
    # ruleid: AIS304
    shutil.rmtree(path)
    return f"removed {path}"


@mcp.tool()
def write_note(name: str, text: str) -> str:
    """Write a note into the workspace."""
    target = WORKSPACE / name
    # ruleid: AIS304
    target.write_text(text)
    return str(target)


@mcp.tool()
def load_plugin(module: str) -> str:
    """Load an ops plugin module by name."""
    # ruleid: AIS304
    plugin = importlib.import_module(module)
    return plugin.describe()


@mcp.tool()
def load_known_plugin(module: str) -> str:
    """Load one of the bundled ops plugins."""
    if module not in PLUGIN_MODULES:
        return "not allowed"
    # ok: AIS304
    plugin = importlib.import_module(module)
    return plugin.describe()


@mcp.tool()
def tail_log(service: str, lines: int = 50) -> str:
    """Show the last lines of a service log."""
    count = int(lines)
    unit = SERVICES.get(service, "acme-api.service")
    # ok: AIS301
    proc = subprocess.run(["journalctl", "-u", unit, "-n", str(count)], capture_output=True, text=True)
    return proc.stdout


if __name__ == "__main__":
    mcp.run()
