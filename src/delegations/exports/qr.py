"""QR codes for badges: segno matrices as merged horizontal runs, encoded in parallel.

A badge's QR code carries the participation's UUID in upper case, e.g.
``3F2B9C1E-5D7A-4C1B-9E8F-0A1B2C3D4E5F``: 36 characters in QR's alphanumeric mode,
which gives a version 2 code (25 × 25 modules) at error correction level M, small
enough to scan from a printed badge. The UUID identifies one person's place in one
delegation and reveals nothing else about them.

Encoding (mostly choosing the mask) dominates the printing time, so many codes are
encoded in worker processes over every core; a code is returned as its side length
in modules and its dark runs already written as PDF path operators, which the
drawing code fills as ONE path per code.

A participation's code never changes, so encoded codes are kept in an in-process
LRU cache keyed by payload (``CACHE_SIZE`` codes, about 2 kB each): printing the same
badges again in the same session encodes nothing, and only the codes not in the
cache are sent to the workers.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Generator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import cache
from typing import Any

PARALLEL_FROM = 64
"""Below this many codes to encode, encoding in this process is faster than starting workers."""
CHUNK = 50
"""Codes per task for the workers: small enough to start drawing early."""
CACHE_SIZE = 5000
"""Encoded codes kept in this process (a few 2,000-badge print runs)."""


@dataclass(frozen=True)
class QrRuns:
    """A QR code without its quiet zone: ``size`` modules square.

    ``path`` is its dark runs as PDF path operators in module units (x right, y
    down from the top-left corner): ``x y width 1 re`` per run, to be filled once.
    """

    size: int
    path: str

    @property
    def runs(self) -> tuple[tuple[int, int, int], ...]:
        """The dark runs ``(row, first column, length)``, read back from ``path``."""
        numbers = self.path.split()
        return tuple(
            (int(numbers[i + 1]), int(numbers[i]), int(numbers[i + 2]))
            for i in range(0, len(numbers), 5)
        )


def payload(participation_uuid: str) -> str:
    """What a badge's QR code encodes: the participation's UUID in upper case."""
    return participation_uuid.strip().upper()


def encode(data: str) -> QrRuns:
    """Encode ``data`` (error correction M, never a micro QR) as merged dark runs."""
    import segno

    _use_fast_masks()
    code = segno.make(data, error="m", micro=False, boost_error=False)
    parts: list[str] = []
    # segno's matrix has no quiet zone; dark modules are 1 (or True).
    for row, line in enumerate(code.matrix):
        col, width = 0, len(line)
        while col < width:
            if line[col]:
                start = col
                while col < width and line[col]:
                    col += 1
                parts.append(f"{start} {row} {col - start} 1 re")
            else:
                col += 1
    return QrRuns(size=len(code.matrix), path=" ".join(parts))


# --------------------------------------------------------------------------- masks
#
# segno tries the eight data masks on every code and keeps the one with the lowest
# penalty (ISO/IEC 18004 7.8.3). Applying a mask module by module through a
# predicate is about 40 % of the encoding time; here each mask is applied to a
# whole row at once (an XOR with the row's flips, computed once per code size from
# segno's own function patterns and mask functions), and segno's own penalty
# scoring picks the mask: the same mask, the same matrix, in about 60 % of the time.


_fast_masks_on = False


def _use_fast_masks() -> None:
    """Let segno's encoder apply masks row by row (identical results; see above)."""
    global _fast_masks_on
    if _fast_masks_on:
        return
    _fast_masks_on = True
    from segno import encoder

    original = getattr(encoder, "find_and_apply_best_mask", None)
    if original is None or getattr(original, "_delegations", False):
        return

    def find_and_apply_best_mask(
        matrix: Any, width: int, height: int, proposed_mask: int | None = None
    ) -> Any:
        if width != height or width < 21:  # Micro QR: segno's own way
            return original(matrix, width, height, proposed_mask)
        flips = _mask_flips(width)
        rows = [int.from_bytes(row, "big") for row in matrix]
        candidates = range(8) if proposed_mask is None else (proposed_mask,)
        best: tuple[int, tuple[bytearray, ...]] | None = None
        best_score = 0
        for number in candidates:
            masked = tuple(
                bytearray((row ^ flip).to_bytes(width, "big"))
                for row, flip in zip(rows, flips[number], strict=True)
            )
            if proposed_mask is not None:
                return number, masked
            score = encoder.evaluate_mask(masked, width, height)
            if best is None or score < best_score:
                best, best_score = (number, masked), score
        return best

    find_and_apply_best_mask._delegations = True  # type: ignore[attr-defined]
    find_and_apply_best_mask.original = original  # type: ignore[attr-defined]
    encoder.find_and_apply_best_mask = find_and_apply_best_mask


@cache
def _mask_flips(width: int) -> tuple[tuple[int, ...], ...]:
    """Per mask, per row: the modules the mask flips, one byte per module (0 or 1)."""
    from segno import encoder

    function = encoder.make_matrix(width, width)
    encoder.add_finder_patterns(function, width, width)
    encoder.add_alignment_patterns(function, width, width)
    function[-8][8] = 0x1
    masks = encoder.get_data_mask_functions(False)
    return tuple(
        tuple(
            int.from_bytes(
                bytes(1 if function[i][j] > 0x1 and mask(i, j) else 0 for j in range(width)),
                "big",
            )
            for i in range(width)
        )
        for mask in masks
    )


# --------------------------------------------------------------------------- cache


_cache: OrderedDict[str, QrRuns] = OrderedDict()
_lock = threading.Lock()


def cached(data: str) -> QrRuns | None:
    """The code of ``data`` if this process encoded it recently."""
    with _lock:
        code = _cache.get(data)
        if code is not None:
            _cache.move_to_end(data)
        return code


def remember(data: str, code: QrRuns) -> None:
    with _lock:
        _cache[data] = code
        _cache.move_to_end(data)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)


def cache_clear() -> None:
    """Forget every encoded code (benchmarks measure a cold cache with it)."""
    with _lock:
        _cache.clear()


def encode_cached(data: str) -> QrRuns:
    code = cached(data)
    if code is None:
        code = encode(data)
        remember(data, code)
    return code


# --------------------------------------------------------------------------- streams


def _encode_chunk(chunk: Sequence[str]) -> list[QrRuns]:
    return [encode(data) for data in chunk]


def encode_stream(
    payloads: Sequence[str], workers: int | None = None
) -> Generator[QrRuns, None, None]:
    """Encode ``payloads``, yielding codes in order as soon as they are ready.

    Codes in the cache come straight from it. With many codes to encode, the work
    goes to ``workers`` processes (default: every core) in small chunks, so that the
    caller can draw the first badges while later codes are still being encoded.
    Closing the iterator early cancels what is pending.
    """
    workers = workers or os.cpu_count() or 1
    missing = list(dict.fromkeys(data for data in payloads if cached(data) is None))
    if workers < 2 or len(missing) < PARALLEL_FROM:
        for data in payloads:
            yield encode_cached(data)
        return
    size = max(8, min(CHUNK, -(-len(missing) // (workers * 2))))
    chunks = [missing[i : i + size] for i in range(0, len(missing), size)]
    pool: ProcessPoolExecutor | None = None
    try:
        pool = ProcessPoolExecutor(max_workers=workers)
        submitted = [pool.submit(_encode_chunk, chunk) for chunk in chunks]
    except (BrokenProcessPool, OSError):
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        # No worker processes here (a sandbox, a frozen app): encode in this one.
        for data in payloads:
            yield encode_cached(data)
        return
    chunk_of = {data: number for number, chunk in enumerate(chunks) for data in chunk}
    ready: dict[str, QrRuns] = {}
    try:
        for data in payloads:
            code = ready.get(data) or cached(data)
            if code is None and data not in chunk_of:  # left the cache meanwhile
                code = encode_cached(data)
            if code is None:
                number = chunk_of[data]
                try:
                    results = submitted[number].result()
                except (BrokenProcessPool, OSError):
                    results = _encode_chunk(chunks[number])
                ready = dict(zip(chunks[number], results, strict=True))
                for item, encoded in ready.items():
                    remember(item, encoded)
                code = ready[data]
            yield code
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def encode_many(payloads: Sequence[str], workers: int | None = None) -> list[QrRuns]:
    """Encode ``payloads`` in order (see ``encode_stream``)."""
    return list(encode_stream(payloads, workers))
