"""The pipeline: stages from input to finished video, with caching and progress."""
