"""The world's ports the demo fleet calls at: UN/LOCODEs with approximate positions."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Port:
    port_id: str  # UN/LOCODE
    name: str
    country: str  # ISO 3166-1 alpha-2
    latitude: float
    longitude: float
    timezone: str  # IANA time zone
    area: str  # trade area, used to plan voyages; not written out

    @property
    def position(self) -> tuple[float, float]:
        return (self.latitude, self.longitude)


PORTS: tuple[Port, ...] = (
    Port("NLRTM", "Rotterdam", "NL", 51.9496, 4.1453, "Europe/Amsterdam", "north_europe"),
    Port("BEANR", "Antwerp", "BE", 51.2637, 4.3986, "Europe/Brussels", "north_europe"),
    Port("DEHAM", "Hamburg", "DE", 53.5396, 9.9668, "Europe/Berlin", "north_europe"),
    Port("DEBRV", "Bremerhaven", "DE", 53.5636, 8.5546, "Europe/Berlin", "north_europe"),
    Port("GBFXT", "Felixstowe", "GB", 51.9566, 1.3184, "Europe/London", "north_europe"),
    Port("GBSOU", "Southampton", "GB", 50.8998, -1.4044, "Europe/London", "north_europe"),
    Port("FRLEH", "Le Havre", "FR", 49.4839, 0.1077, "Europe/Paris", "north_europe"),
    Port("DKAAR", "Aarhus", "DK", 56.1533, 10.2274, "Europe/Copenhagen", "north_europe"),
    Port("PLGDN", "Gdansk", "PL", 54.3989, 18.6672, "Europe/Warsaw", "north_europe"),
    Port("ESVLC", "Valencia", "ES", 39.4436, -0.3158, "Europe/Madrid", "mediterranean"),
    Port("ESALG", "Algeciras", "ES", 36.1315, -5.4411, "Europe/Madrid", "mediterranean"),
    Port("ITGOA", "Genoa", "IT", 44.4056, 8.9101, "Europe/Rome", "mediterranean"),
    Port("GRPIR", "Piraeus", "GR", 37.9421, 23.6303, "Europe/Athens", "mediterranean"),
    Port("TRAMB", "Ambarli", "TR", 40.9700, 28.6900, "Europe/Istanbul", "mediterranean"),
    Port("MAPTM", "Tanger Med", "MA", 35.8889, -5.5000, "Africa/Casablanca", "mediterranean"),
    Port("EGPSD", "Port Said", "EG", 31.2565, 32.3019, "Africa/Cairo", "mediterranean"),
    Port("AEJEA", "Jebel Ali", "AE", 25.0112, 55.0613, "Asia/Dubai", "middle_east"),
    Port("SAJED", "Jeddah", "SA", 21.4817, 39.1729, "Asia/Riyadh", "middle_east"),
    Port("OMSLL", "Salalah", "OM", 16.9446, 54.0068, "Asia/Muscat", "middle_east"),
    Port("INNSA", "Nhava Sheva", "IN", 18.9498, 72.9512, "Asia/Kolkata", "middle_east"),
    Port("LKCMB", "Colombo", "LK", 6.9497, 79.8440, "Asia/Colombo", "middle_east"),
    Port("ZADUR", "Durban", "ZA", -29.8711, 31.0262, "Africa/Johannesburg", "africa"),
    Port("NGLOS", "Lagos", "NG", 6.4402, 3.3880, "Africa/Lagos", "africa"),
    Port("SGSIN", "Singapore", "SG", 1.2644, 103.8400, "Asia/Singapore", "southeast_asia"),
    Port("MYPKG", "Port Klang", "MY", 2.9990, 101.3900, "Asia/Kuala_Lumpur", "southeast_asia"),
    Port("MYTPP", "Tanjung Pelepas", "MY", 1.3626, 103.5509, "Asia/Kuala_Lumpur", "southeast_asia"),
    Port("THLCH", "Laem Chabang", "TH", 13.0827, 100.8830, "Asia/Bangkok", "southeast_asia"),
    Port("VNSGN", "Ho Chi Minh City", "VN", 10.7690, 106.7110, "Asia/Ho_Chi_Minh", "southeast_asia"),
    Port("CNSHA", "Shanghai", "CN", 31.2304, 121.4910, "Asia/Shanghai", "northeast_asia"),
    Port("CNNGB", "Ningbo", "CN", 29.8683, 121.5440, "Asia/Shanghai", "northeast_asia"),
    Port("CNSZX", "Shenzhen", "CN", 22.5431, 114.0579, "Asia/Shanghai", "northeast_asia"),
    Port("CNTAO", "Qingdao", "CN", 36.0671, 120.3826, "Asia/Shanghai", "northeast_asia"),
    Port("HKHKG", "Hong Kong", "HK", 22.2855, 114.1577, "Asia/Hong_Kong", "northeast_asia"),
    Port("TWKHH", "Kaohsiung", "TW", 22.6163, 120.2830, "Asia/Taipei", "northeast_asia"),
    Port("KRPUS", "Busan", "KR", 35.1028, 129.0403, "Asia/Seoul", "northeast_asia"),
    Port("JPYOK", "Yokohama", "JP", 35.4437, 139.6380, "Asia/Tokyo", "northeast_asia"),
    Port("AUSYD", "Sydney", "AU", -33.8600, 151.2094, "Australia/Sydney", "oceania"),
    Port("AUMEL", "Melbourne", "AU", -37.8226, 144.9180, "Australia/Melbourne", "oceania"),
    Port("USLAX", "Los Angeles", "US", 33.7288, -118.2620, "America/Los_Angeles", "north_america_west"),
    Port("USSEA", "Seattle", "US", 47.6026, -122.3393, "America/Los_Angeles", "north_america_west"),
    Port("CAVAN", "Vancouver", "CA", 49.2888, -123.1111, "America/Vancouver", "north_america_west"),
    Port("USNYC", "New York", "US", 40.6840, -74.0440, "America/New_York", "north_america_east"),
    Port("USSAV", "Savannah", "US", 32.0809, -81.0912, "America/New_York", "north_america_east"),
    Port("USHOU", "Houston", "US", 29.7300, -95.2700, "America/Chicago", "north_america_east"),
    Port("PAMIT", "Manzanillo", "PA", 9.3600, -79.8800, "America/Panama", "latin_america"),
    Port("BRSSZ", "Santos", "BR", -23.9608, -46.3336, "America/Sao_Paulo", "latin_america"),
)

PORTS_BY_ID: dict[str, Port] = {port.port_id: port for port in PORTS}
