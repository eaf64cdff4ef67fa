"""The floorline backend: the event log, the command path, the live feed, the scheduler."""
