"""QR codes for badges: segno matrices as merged horizontal runs, encoded in parallel.

A badge's QR code carries the participation's UUID in upper case, e.g.
``3F2B9C1E-5D7A-4C1B-9E8F-0A1B2C3D4E5F``: 36 characters in QR's alphanumeric mode,
which gives a version 2 code (25 × 25 modules) at error correction level M, small
enough to scan from a printed badge. The UUID identifies one person's place in one
delegation and reveals nothing else about them.

Encoding (mostly choosing the mask) dominates the printing time, so many codes are
encoded in worker processes over every core; a code is returned as its side length
in modules and its dark runs ``(row, first column, length)``, which the drawing code
turns into ONE path per code.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

PARALLEL_FROM = 64
"""Below this many codes, encoding in this process is faster than starting workers."""


@dataclass(frozen=True)
class QrRuns:
    """A QR code without its quiet zone: ``size`` modules square, dark ``runs``."""

    size: int
    runs: tuple[tuple[int, int, int], ...]


def payload(participation_uuid: str) -> str:
    """What a badge's QR code encodes: the participation's UUID in upper case."""
    return participation_uuid.strip().upper()


def encode(data: str) -> QrRuns:
    """Encode ``data`` (error correction M, never a micro QR) as merged dark runs."""
    import segno

    code = segno.make(data, error="m", micro=False, boost_error=False)
    runs: list[tuple[int, int, int]] = []
    # segno's matrix has no quiet zone; dark modules are 1 (or True).
    for row, line in enumerate(code.matrix):
        col, width = 0, len(line)
        while col < width:
            if line[col]:
                start = col
                while col < width and line[col]:
                    col += 1
                runs.append((row, start, col - start))
            else:
                col += 1
    return QrRuns(size=len(code.matrix), runs=tuple(runs))


def _encode_chunk(chunk: Sequence[str]) -> list[QrRuns]:
    return [encode(data) for data in chunk]


def encode_many(payloads: Sequence[str], workers: int | None = None) -> list[QrRuns]:
    """Encode ``payloads`` in order, spreading the work over ``workers`` processes."""
    workers = workers or os.cpu_count() or 1
    if workers < 2 or len(payloads) < PARALLEL_FROM:
        return _encode_chunk(payloads)
    # A few chunks per worker keeps both cores busy to the end without much overhead.
    parts = workers * 4
    size = -(-len(payloads) // parts)
    chunks = [payloads[i : i + size] for i in range(0, len(payloads), size)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return [code for result in pool.map(_encode_chunk, chunks) for code in result]
