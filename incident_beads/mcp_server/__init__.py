"""The MCP server of `incident mcp`: the public API as tools and resources, over stdio.

Only this package imports the MCP SDK (the optional extra `incident_beads[mcp]`); it is named
`mcp_server` so that it never shadows the SDK's own `mcp` package.
"""
