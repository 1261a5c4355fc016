"""drukmonitor: reproducible pipeline for the monitor of experienced improper pressure."""

__version__ = "0.1.0"
