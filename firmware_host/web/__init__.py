"""The officer's screen: a web panel served by the box, for a phone, in Vietnamese first.

A separate process (``loaxa web``, unit ``loaxa-web.service``) that the broadcast daemon
never imports: it asks the daemon over its control socket what is on air
(:class:`firmware_host.control.ControlClient`) and does everything else through the same
library functions as the command line. Flask renders the pages on the server (Jinja2,
autoescaped), cheroot serves them from a small pool of threads, with TLS when
``[web] tls_cert``/``tls_key`` are set (:mod:`~firmware_host.web.server`).

Importing this package imports no web framework: the command line's ``loaxa users``
uses :mod:`~firmware_host.web.users` without paying for Flask.
"""
