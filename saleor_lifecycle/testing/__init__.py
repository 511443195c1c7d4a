"""Test doubles for the world outside the app (Saleor itself).

Nothing here is imported by the running app; tests, benchmarks and the demo use it.
"""
