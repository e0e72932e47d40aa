"""Shop and ads syncs, extras, writers, cursors, run log and CSV import."""
