"""A git merge driver for `.beads/issues.jsonl`: three-way by issue id, never dropping an issue."""

from incident_beads.mergedriver.file_merge import (
    Conflict,
    MergeResult,
    merge_files,
    merge_in_place,
)
from incident_beads.mergedriver.register import (
    Registration,
    driver_command,
    register_merge_driver,
)

__all__ = ["Conflict", "MergeResult", "Registration", "driver_command", "merge_files",
           "merge_in_place", "register_merge_driver"]
