"""The fleet: incident stores and knowledge of many repositories, fetched and read with git.

Other commands do not import this package: `--fleet` and `incident fleet` load it when used.
The public class is `incident_beads.fleet.api.Fleet`.
"""
