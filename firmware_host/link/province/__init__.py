"""The province's end of the link: ``loaxa province serve | status | report | send | keys``.

Runs on the province's machine, never on a box: it stores every box's log with the
box's own storage (month files and hash chains, :mod:`firmware_host.logbook`), so the
province's copy is verified the way a box verifies its own, and the province's report
comes from the same counting and writers as a merge of the boxes' USB exports.
"""
