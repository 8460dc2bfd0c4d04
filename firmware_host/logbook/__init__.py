"""The log and what makes it provable: month files of entries, and the hash chain beside them."""
