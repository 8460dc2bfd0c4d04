"""The box's end of the province link: ``loaxa link``, a process of its own.

It reads the box's log (the hash chains are its outbox), the daemon's control socket and
the clip library and schedules through the same library functions the command line
uses; it never drives a relay. Above :mod:`firmware_host.link` (the wire format and the
bulletin checks), beside the stick exchange, because it acts on what it receives.
"""
