"""The province link: what crosses the network between a box and its province, and why trust it."""
