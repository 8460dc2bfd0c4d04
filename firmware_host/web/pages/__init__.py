"""One module per page of the panel, each a Flask blueprint named like its nav entry
(:data:`firmware_host.web.nav.PAGES`): ``login``, ``home``, ``clips``, ``schedules``,
``approval``, ``emergency``, ``log``, ``system``, and ``jobs`` for the background work."""
