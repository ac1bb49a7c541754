"""Page pieces: widgets and the map. They call `geo`, never the reverse."""
