"""Geography: the community gazetteer (buildings), coordinates, geocoding."""
