"""Run the `incident` command as `python -m incident_beads`."""

from incident_beads.cli import main

if __name__ == "__main__":
    main()
