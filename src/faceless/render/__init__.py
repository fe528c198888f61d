"""Rendering: ffmpeg commands as data (graph), the single place that runs them (run), probing."""
