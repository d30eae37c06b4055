"""Monitoring (notice 九): daily rollups of registry and matching activity."""
