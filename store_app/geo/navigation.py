"""Links that open a phone's own navigation at a point: the ``geo:`` URI (Android's map apps), Amap
(高德, the usual app in China; the marker page opens the app when it is installed) and Apple Maps
(iPhones). Pure: ``(lat, lon)`` and a label in, URLs out."""
import math
from dataclasses import dataclass
from urllib.parse import quote, urlencode


@dataclass(frozen=True)
class NavLinks:
    """Where the phone's navigation starts for one place."""

    geo: str
    amap: str
    apple: str


def nav_links(lat, lon, label):
    """The three navigation links for ``(lat, lon)`` named ``label``; None for impossible coordinates.

    Coordinates are written with 6 decimals (about 0.1 m). Amap is told they are WGS-84, as phones
    report them, so that it shifts them to its own grid itself.
    """
    if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in (lat, lon)):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    lat_s, lon_s = f"{lat:.6f}", f"{lon:.6f}"
    name = " ".join((label or "").split())[:80]
    # geo: URIs take the label in brackets after the point (RFC 5870 plus the Android "q" convention).
    geo = f"geo:{lat_s},{lon_s}?q={lat_s},{lon_s}({quote(name.replace('(', ' ').replace(')', ' '), safe='')})"
    amap = "https://uri.amap.com/marker?" + urlencode(
        {"position": f"{lon_s},{lat_s}", "name": name, "coordinate": "wgs84", "callnative": "1"})
    apple = "https://maps.apple.com/?" + urlencode({"daddr": f"{lat_s},{lon_s}"})
    return NavLinks(geo=geo, amap=amap, apple=apple)
