"""aisec's built-in plugins, written exactly like a team's: they import only `aisec.hooks`."""
