"""Loa Xã: the broadcast controller for a commune loudspeaker system (đài truyền thanh cấp xã)."""

__version__ = "0.1.0"
