"""The built-in problem library. Each ``*.py`` here declares module-level ``Problem`` objects;
``workbench.discover_problems()`` loads them by path (files starting with ``_`` are skipped)."""
