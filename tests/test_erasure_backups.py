"""What an erasure says still holds the person: every copy in the backups folder,
the damaged files a restore kept included, and ``--delete-old-backups`` deletes them."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from delegations.cli import main
from delegations.store import backups


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(args), out=out), out.getvalue()


def test_a_damaged_copy_kept_by_a_restore_is_listed_and_deleted(
    tmp_path: Path, demo_db_template: Path
) -> None:
    path = tmp_path / "work.db"
    shutil.copyfile(demo_db_template, path)
    good = tmp_path / "good.db"
    shutil.copyfile(demo_db_template, good)
    with path.open("r+b") as handle:  # damage it: the restore keeps it byte for byte
        handle.seek(100)
        handle.write(b"\xff" * 8192)
    assert run("--db", str(path), "restore", str(good), "--yes")[0] == 0
    damaged = [p for p in backups.kept_files(path) if ".damaged" in p.name]
    assert damaged and b"sophie.delacroix" in damaged[0].read_bytes()

    code, said = run("--db", str(path), "person", "erase", "sophie.delacroix", "--yes")
    assert code == 0
    held = backups.kept_files(path)  # the damaged copy and the day's backup
    assert len(held) == 2
    assert "2 backup copies made before the erasure still hold their data" in said
    assert all(f"  {p}\n" in said for p in held)

    code, said = run("--db", str(path), "person", "erase", "laia", "--yes", "--delete-old-backups")
    assert code == 0 and "Deleted" in said
    left = b"".join(p.read_bytes() for p in backups.backups_dir(path).iterdir() if p.is_file())
    assert b"sophie.delacroix" not in left
    assert not [p for p in backups.kept_files(path) if ".damaged" in p.name]
