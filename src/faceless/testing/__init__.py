"""Helpers shipped with the package for tests: tiny media made with ffmpeg's lavfi sources."""
