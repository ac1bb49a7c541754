"""Benchmarks: the map at scale, compared with a naive folium page (see README.md)."""
