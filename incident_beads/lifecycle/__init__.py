"""The incident lifecycle: declare, communicate, mitigate and resolve (phases 1, 2, 3 and 5)."""
