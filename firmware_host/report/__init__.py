"""Monthly reports from the playback log: the counts, then one writer per format."""
