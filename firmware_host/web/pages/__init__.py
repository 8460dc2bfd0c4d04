"""One module per page of the panel, each a Flask blueprint named like its nav entry
(:data:`firmware_host.web.nav.PAGES`): ``login``, ``home``, ``system``, and until the
library's restructure lands, ``later`` for the pages still to come."""
