"""Knowledge-base MCP server: tools and resources that an assistant uses to search and edit team notes."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx
import jinja2
from jinja2.sandbox import SandboxedEnvironment
from mcp.server.fastmcp import Context, FastMCP

mcp = FastMCP("team-kb")
NOTES = Path("/srv/kb/notes")
conn = sqlite3.connect("/srv/kb/index.db")
MIRRORS = {"docs": "https://docs.internal.example/api/", "wiki": "https://wiki.internal.example/rest/"}
sandbox = SandboxedEnvironment()


@mcp.tool()
def search_notes(query: str, limit: int = 10) -> list[str]:
    """Full-text search over the notes index."""
    # ok: AIS302
    rows = conn.execute("SELECT path FROM notes_fts WHERE notes_fts MATCH ? LIMIT ?", (query, int(limit))).fetchall()
    return [r[0] for r in rows]


@mcp.tool()
def run_report(sql: str) -> str:
    """Run a maintenance script (several statements) against the index."""
    # ruleid: AIS302
    conn.executescript(sql)
    return "done"


@mcp.tool()
def tag_counts(tag: str) -> int:
    """How many notes carry a tag."""
    # ruleid: AIS302
    return conn.execute("SELECT count(*) FROM tags WHERE tag = '%s'" % tag).fetchone()[0]


@mcp.tool()
async def fetch_page(url: str, ctx: Context) -> str:
    """Fetch a web page so it can be summarised into a note."""
    await ctx.info(f"fetching {url}")
    async with httpx.AsyncClient() as http:
        # ruleid: AIS304
        resp = await http.get(url, timeout=20)
    return resp.text


@mcp.tool()
def fetch_mirror(mirror: str, page: str) -> str:
    """Fetch a page from one of the internal mirrors."""
    if mirror not in MIRRORS:
        return "unknown mirror"
    # ok: AIS304
    return httpx.get(MIRRORS[mirror] + "index.json", timeout=20).text


@mcp.tool()
def save_note(title: str, body: str) -> str:
    """Save a note under its title."""
    path = NOTES / f"{title}.md"
    # ruleid: AIS304
    path.write_text(body)
    return str(path)


@mcp.tool()
def delete_note(note_id: str) -> str:
    """Delete a note by its numeric id."""
    # ok: AIS304
    (NOTES / f"{int(note_id)}.md").unlink(missing_ok=True)
    return "deleted"


@mcp.tool()
def render_snippet(template: str, title: str) -> str:
    """Render a Jinja snippet for a note header."""
    # ruleid: AIS203, AIS301
    return jinja2.Environment().from_string(template).render(title=title)


@mcp.tool()
def render_snippet_safely(template: str, title: str) -> str:
    """Render a Jinja snippet in the sandbox."""
    # ok: AIS301
    return sandbox.from_string(template).render(title=title)


@mcp.resource("kb://notes/{name}")
def note_resource(name: str) -> str:
    """A note's markdown, by file name."""
    # ok: AIS304
    return (NOTES / name).read_text()


@mcp.resource("kb://tags")
def all_tags() -> str:
    """Every tag in the index."""
    # ok: AIS302
    return "\n".join(r[0] for r in conn.execute("SELECT DISTINCT tag FROM tags"))


@mcp.prompt()
def summarise_note(name: str) -> str:
    """A prompt template the client fills for the user."""
    return f"Summarise the note {name} in five bullet points."


if __name__ == "__main__":
    mcp.run()
