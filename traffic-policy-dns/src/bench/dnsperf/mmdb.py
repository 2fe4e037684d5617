"""A small reader of MaxMind DB files (GeoLite2 City), Python standard library only.

The bench needs one thing from the database: the continent code and country ISO code of an address, to draw client
subnets spread over continents and to know which region the policy sends each of them to. This module reads the
format as MaxMind documents it (a binary search tree over the address bits, then a data section of typed values),
holds the whole file in memory and keeps the place of each data record once decoded.
"""
import struct

_METADATA_MARKER = b"\xab\xcd\xefMaxMind.com"


class Database:
    """An opened database: `locate(address_int, version)` gives (continent, country) or (None, None)."""

    def __init__(self, path):
        with open(path, "rb") as f:
            self._buf = f.read()
        start = self._buf.rfind(_METADATA_MARKER)
        if start < 0:
            raise ValueError("%s: not a MaxMind DB file (no metadata marker)" % path)
        meta, _ = self._decode(start + len(_METADATA_MARKER), 0)
        self.metadata = meta
        self._nodes = meta["node_count"]
        self._record_bits = meta["record_size"]
        if self._record_bits not in (24, 28, 32):
            raise ValueError("%s: unsupported record size %d" % (path, self._record_bits))
        self._node_bytes = self._record_bits // 4
        self._data = self._nodes * self._node_bytes + 16  # the data section starts after 16 zero bytes
        self._ip_version = meta["ip_version"]
        self._places = {}
        # IPv4 addresses live under ::/96 in an IPv6 tree: find that node once.
        node = 0
        if self._ip_version == 6:
            for _ in range(96):
                if node >= self._nodes:
                    break
                node = self._record(node, 0)
        self._ipv4_start = node

    def _record(self, node, bit):
        b, off = self._buf, node * self._node_bytes
        if self._record_bits == 24:
            off += 3 * bit
            return (b[off] << 16) | (b[off + 1] << 8) | b[off + 2]
        if self._record_bits == 28:
            if bit == 0:
                return ((b[off + 3] & 0xF0) << 20) | (b[off] << 16) | (b[off + 1] << 8) | b[off + 2]
            return ((b[off + 3] & 0x0F) << 24) | (b[off + 4] << 16) | (b[off + 5] << 8) | b[off + 6]
        return struct.unpack_from(">I", b, off + 4 * bit)[0]

    def _offset(self, address, version):
        """The data section offset of an address (an int), or None when the database has no data for it."""
        if version == 4:
            node, bits = (0 if self._ip_version == 4 else self._ipv4_start), 32
        elif self._ip_version == 4:
            return None
        else:
            node, bits = 0, 128
        for i in range(bits - 1, -1, -1):
            if node >= self._nodes:
                break
            node = self._record(node, (address >> i) & 1)
        if node <= self._nodes:  # == node count: no data; below: the address ran out first (not in a valid tree)
            return None
        return node - self._nodes - 16

    def lookup(self, address, version):
        """The data record (a dict) for an address given as an int, or None when the database has none."""
        offset = self._offset(address, version)
        return None if offset is None else self._decode(self._data + offset, self._data)[0]

    def locate(self, address, version):
        """(continent code, country ISO code) of an address, either None when unknown; cached per data record."""
        offset = self._offset(address, version)
        if offset is None:
            return None, None
        place = self._places.get(offset)
        if place is None:
            rec = self._decode(self._data + offset, self._data)[0]
            place = ((rec.get("continent") or {}).get("code"), (rec.get("country") or {}).get("iso_code"))
            self._places[offset] = place
        return place

    def _decode(self, pos, base):
        """Decodes the value at pos; pointers are relative to base. Returns (value, position after it)."""
        b = self._buf
        ctrl = b[pos]
        pos += 1
        kind = ctrl >> 5
        if kind == 1:  # pointer: its size bits choose 11, 19, 27 or 32 bits of offset
            size = (ctrl >> 3) & 3
            low = ctrl & 7
            if size == 0:
                target = (low << 8) | b[pos]
            elif size == 1:
                target = 2048 + ((low << 16) | (b[pos] << 8) | b[pos + 1])
            elif size == 2:
                target = 526336 + ((low << 24) | (b[pos] << 16) | (b[pos + 1] << 8) | b[pos + 2])
            else:
                target = struct.unpack_from(">I", b, pos)[0]
            value, _ = self._decode(base + target, base)
            return value, pos + size + 1
        if kind == 0:  # extended type in the next byte
            kind = 7 + b[pos]
            pos += 1
        size = ctrl & 0x1F
        if size == 29:
            size = 29 + b[pos]
            pos += 1
        elif size == 30:
            size = 285 + ((b[pos] << 8) | b[pos + 1])
            pos += 2
        elif size == 31:
            size = 65821 + ((b[pos] << 16) | (b[pos + 1] << 8) | b[pos + 2])
            pos += 3
        if kind == 2:  # UTF-8 string
            return b[pos:pos + size].decode("utf-8"), pos + size
        if kind == 7:  # map
            out = {}
            for _ in range(size):
                key, pos = self._decode(pos, base)
                out[key], pos = self._decode(pos, base)
            return out, pos
        if kind == 11:  # array
            out = []
            for _ in range(size):
                item, pos = self._decode(pos, base)
                out.append(item)
            return out, pos
        if kind in (5, 6, 9, 10):  # unsigned integers of 16, 32, 64, 128 bits, stored in `size` bytes
            return int.from_bytes(b[pos:pos + size], "big"), pos + size
        if kind == 8:  # int32
            return int.from_bytes(b[pos:pos + size], "big", signed=size == 4), pos + size
        if kind == 3:  # double
            return struct.unpack_from(">d", b, pos)[0], pos + 8
        if kind == 15:  # float
            return struct.unpack_from(">f", b, pos)[0], pos + 4
        if kind == 14:  # boolean: the value is the size
            return size != 0, pos
        if kind == 4:  # bytes
            return bytes(b[pos:pos + size]), pos + size
        raise ValueError("MaxMind DB: unsupported data type %d at byte %d" % (kind, pos))
