"""Run the push guard: `python -m incident_beads.guard pre-push <remote> <url>` or `pre-receive`."""

from incident_beads.guard.hook import main

if __name__ == "__main__":
    main()
