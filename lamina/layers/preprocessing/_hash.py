"""The string hashes of TensorFlow's ``to_hash_bucket_fast`` (FarmHash Fingerprint64, through the
optional ``pyfarmhash`` package) and ``to_hash_bucket_strong`` (SipHash-2-4, written here), so
Hashing puts values in the same bins as Keras."""

from __future__ import annotations

import struct

_MASK = (1 << 64) - 1


def fingerprint64(data: bytes) -> int:
    try:
        import farmhash
    except ImportError:
        raise ImportError(
            "Hashing without a salt uses FarmHash's Fingerprint64 (TensorFlow's to_hash_bucket_fast), "
            "which needs the 'pyfarmhash' package: pip install pyfarmhash (or pip install "
            "'lamina[preprocessing]'). Alternatively pass salt=... to use SipHash, which needs nothing."
        ) from None
    return farmhash.fingerprint64(data)


def _rotl(x, b):
    return ((x << b) | (x >> (64 - b))) & _MASK


def siphash24(k0: int, k1: int, data: bytes) -> int:
    """SipHash-2-4 of ``data`` under the 128-bit key (k0, k1), as an unsigned 64-bit int."""
    v0, v1 = k0 ^ 0x736F6D6570736575, k1 ^ 0x646F72616E646F6D
    v2, v3 = k0 ^ 0x6C7967656E657261, k1 ^ 0x7465646279746573

    def rounds(n):
        nonlocal v0, v1, v2, v3
        for _ in range(n):
            v0 = (v0 + v1) & _MASK
            v1 = _rotl(v1, 13) ^ v0
            v0 = _rotl(v0, 32)
            v2 = (v2 + v3) & _MASK
            v3 = _rotl(v3, 16) ^ v2
            v0 = (v0 + v3) & _MASK
            v3 = _rotl(v3, 21) ^ v0
            v2 = (v2 + v1) & _MASK
            v1 = _rotl(v1, 17) ^ v2
            v2 = _rotl(v2, 32)

    n = len(data)
    tail_start = n - n % 8
    for i in range(0, tail_start, 8):
        m = struct.unpack_from("<Q", data, i)[0]
        v3 ^= m
        rounds(2)
        v0 ^= m
    last = (n & 0xFF) << 56
    for i, byte in enumerate(data[tail_start:]):
        last |= byte << (8 * i)
    v3 ^= last
    rounds(2)
    v0 ^= last
    v2 ^= 0xFF
    rounds(4)
    return v0 ^ v1 ^ v2 ^ v3
