"""Start-up of the bundled application: process start to main window shown.

    make bundle
    xvfb-run -a .venv/bin/python benchmarks/bench_bundle_start.py [--runs 3]

A fresh process per run, timed from just before it starts to the time its window
writes when first shown (``DELEGATIONS_STARTUP_PROBE``; it then quits), for:

* the bundle: ``dist/delegations/delegations`` (PyInstaller one-folder);
* the same application from the virtualenv: ``.venv/bin/delegations``;
* the baseline: a bare PySide6 script in the virtualenv's Python that shows an empty
  QMainWindow and does nothing else.

Turns alternate (bundle, virtualenv, bare, then again). Prints the very first run of
the bundle apart, then min and median of the runs after a warm-up, and the ratio
bundle / bare; then the same cold, with the page cache dropped before every run
(Linux, as root; said when it cannot be done). Target: the bundled window shown < 1.5 s cold.
Uses ``$QT_QPA_PLATFORM`` (xcb under xvfb-run; offscreen when there is no display).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BARE = """
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

class Window(QMainWindow):
    def showEvent(self, event):
        super().showEvent(event)
        with open(sys.argv[1], "w") as probe:
            probe.write(f"{time.time():.6f}\\n")
        QTimer.singleShot(0, QApplication.quit)

app = QApplication(sys.argv[:1])
window = Window()
window.resize(1200, 800)
window.show()
app.exec()
"""


def drop_caches() -> bool:
    """Empty the kernel's page cache (Linux, root), so the next start reads every file
    from disk: a real cold start. False where that is not allowed."""
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError:
        return False
    return True


def shown_after(command: list[str], env: dict[str, str], probe: Path, cold: bool = False) -> float:
    probe.unlink(missing_ok=True)
    if cold:
        drop_caches()
    started = time.time()
    subprocess.run(command, env=env, check=True, timeout=120, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)  # fmt: skip
    return float(probe.read_text()) - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / "delegations")
    options = parser.parse_args()
    bundled = options.bundle / "delegations"
    if not bundled.is_file():
        print(f"no bundle at {bundled}: run `make bundle` first", file=sys.stderr)
        return 1
    venv = Path(sys.executable).parent
    work = Path(tempfile.mkdtemp(prefix="bench-bundle-"))
    try:
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": str(work),
            "LANG": "C.UTF-8",
            "DELEGATIONS_SETTINGS_DIR": str(work / "settings"),
            "QT_QPA_PLATFORM": os.environ.get(
                "QT_QPA_PLATFORM", "xcb" if os.environ.get("DISPLAY") else "offscreen"
            ),
        }
        for name in ("DISPLAY", "XAUTHORITY"):  # xvfb-run's display
            if os.environ.get(name):
                env[name] = os.environ[name]
        probe = work / "shown"
        db = work / "visit.db"
        (work / "bare.py").write_text(BARE)
        commands = {
            "bundle": [str(bundled), "--db", str(db)],
            "virtualenv": [str(venv / "delegations"), "--db", str(db)],
            "bare PySide6": [str(venv / "python"), str(work / "bare.py"), str(probe)],
        }
        probed = dict(env, DELEGATIONS_STARTUP_PROBE=str(probe))
        first = shown_after(commands["bundle"], probed, probe)  # also creates the database
        subprocess.run([str(bundled), "--db", str(db), "demo"], env=env, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        for command in commands.values():  # warm-up
            shown_after(command, probed, probe)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for turn in range(options.runs):
            order = list(commands) if turn % 2 == 0 else list(reversed(commands))
            for name in order:
                times[name].append(shown_after(commands[name], probed, probe))
        print(f"platform {env['QT_QPA_PLATFORM']}; {options.runs} runs after a warm-up")
        print(f"bundle, first run (empty database, right after the build): {first:.3f} s")
        for name, values in times.items():
            print(f"{name:>13}: min {min(values):.3f} s, median {statistics.median(values):.3f} s")
        ratio = [b / p for b, p in zip(times["bundle"], times["bare PySide6"], strict=True)]
        print(f"bundle / bare PySide6: min {min(ratio):.2f}, median {statistics.median(ratio):.2f}")
        if drop_caches():
            cold: dict[str, list[float]] = {name: [] for name in commands}
            for turn in range(options.runs):
                order = list(commands) if turn % 2 == 0 else list(reversed(commands))
                for name in order:
                    cold[name].append(shown_after(commands[name], probed, probe, cold=True))
            print(f"cold (page cache dropped before each run), {options.runs} runs:")
            for name, values in cold.items():
                print(
                    f"{name:>13}: min {min(values):.3f} s, median {statistics.median(values):.3f} s"
                )
            ratio = [b / p for b, p in zip(cold["bundle"], cold["bare PySide6"], strict=True)]
            print(
                f"cold bundle / bare PySide6: min {min(ratio):.2f}, "
                f"median {statistics.median(ratio):.2f}"
            )
        else:
            print("cold runs skipped: the page cache cannot be dropped here (root on Linux)")
        print(f"bundle, unpacked: {_size(options.bundle) / 1e6:.0f} MB; target < 1.5 s cold")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


if __name__ == "__main__":
    sys.exit(main())
