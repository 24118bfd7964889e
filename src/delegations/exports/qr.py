"""QR codes for badges: segno matrices as merged horizontal runs, encoded in parallel.

A badge's QR code carries the participation's UUID in upper case, e.g.
``3F2B9C1E-5D7A-4C1B-9E8F-0A1B2C3D4E5F``: 36 characters in QR's alphanumeric mode,
which gives a version 2 code (25 × 25 modules) at error correction level M, small
enough to scan from a printed badge. The UUID identifies one person's place in one
delegation and reveals nothing else about them.

Encoding (mostly choosing the mask) dominates the printing time, so many codes are
encoded in worker processes over every core; a code is returned as its side length
in modules, its dark runs ``(row, first column, length)`` and those runs already
written as PDF path operators, which the drawing code fills as ONE path per code.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

PARALLEL_FROM = 64
"""Below this many codes, encoding in this process is faster than starting workers."""
CHUNK = 50
"""Codes per task for the workers: small enough to start drawing early."""


@dataclass(frozen=True)
class QrRuns:
    """A QR code without its quiet zone: ``size`` modules square, dark ``runs``.

    ``path`` is the same runs as PDF path operators in module units (x right, y
    down from the top-left corner): ``x y width 1 re`` per run, to be filled once.
    """

    size: int
    runs: tuple[tuple[int, int, int], ...]
    path: str


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
    path = " ".join(f"{column} {row} {length} 1 re" for row, column, length in runs)
    return QrRuns(size=len(code.matrix), runs=tuple(runs), path=path)


def _encode_chunk(chunk: Sequence[str]) -> list[QrRuns]:
    return [encode(data) for data in chunk]


def encode_stream(
    payloads: Sequence[str], workers: int | None = None
) -> Generator[QrRuns, None, None]:
    """Encode ``payloads``, yielding codes in order as soon as they are ready.

    With many codes the work goes to ``workers`` processes (default: every core) in
    small chunks, so that the caller can draw the first badges while later codes
    are still being encoded. Closing the iterator early cancels what is pending.
    """
    workers = workers or os.cpu_count() or 1
    if workers < 2 or len(payloads) < PARALLEL_FROM:
        for data in payloads:
            yield encode(data)
        return
    size = max(8, min(CHUNK, -(-len(payloads) // (workers * 2))))
    done = 0
    try:
        pool = ProcessPoolExecutor(max_workers=workers)
        try:
            futures = [
                pool.submit(_encode_chunk, payloads[i : i + size])
                for i in range(0, len(payloads), size)
            ]
            for future in futures:
                chunk = future.result()
                done += len(chunk)
                yield from chunk
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    except (BrokenProcessPool, OSError):
        # No worker processes here (a sandbox, a frozen app): the rest in this one.
        for data in payloads[done:]:
            yield encode(data)


def encode_many(payloads: Sequence[str], workers: int | None = None) -> list[QrRuns]:
    """Encode ``payloads`` in order (see ``encode_stream``)."""
    return list(encode_stream(payloads, workers))
