"""One ingest at a time per data folder, and the repair of what an interrupted ingest or build left behind.

The lock is an exclusive ``flock`` on ``<data>/.ingest/lock``, which the kernel releases when the process ends,
however it ends; the staging folders of ingests live beside it (``.ingest/stage-*``), hidden from the data.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from guidancekg.graph.errors import IngestBusy, StoreError
from guidancekg.graph.stores.builds import clean

INGEST_DIR = ".ingest"  # under the data folder: the lock file and staging folders
STAGE_PREFIX = "stage-"
LOCK_FILE = "lock"
LOCK_TIMEOUT = 120.0  # seconds an ingest waits for another one to finish

Say = Callable[[str], None]


# -- the lock ---------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def ingest_lock(data_dir: Path, *, timeout: float = LOCK_TIMEOUT) -> Iterator[Path]:
    """Hold the data folder's ingest lock (``flock``; released by the kernel if the process dies)."""
    folder = Path(data_dir) / INGEST_DIR
    try:
        folder.mkdir(exist_ok=True)
        fd = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StoreError(f"cannot write to the data folder {data_dir}: {exc.strerror}") from None
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise IngestBusy(f"another ingest into {data_dir} is still running; try again later") from None
                time.sleep(0.05)
        try:
            yield folder
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


# -- recovery ---------------------------------------------------------------------------------------------------


def recover(data_dir: Path, store_root: Path | None = None, *, say: Say = lambda _m: None) -> list[str]:
    """Repair what an interrupted ingest or build left behind; return what was done. Never raises.

    - Staging folders ``<data>/.ingest/stage-*`` are discarded (an ingest that did not reach its rename never
      happened). Skipped while another process holds the ingest lock: its staging folder is in use.
    - In ``store_root``: what :func:`.builds.clean` removes (abandoned build directories, links of processes
      that are gone, superseded builds no process leases).

    A version folder whose store build is missing needs nothing here: the store's fingerprint no longer
    matches the data, and the store's ``open_data`` rebuilds it.
    """
    done: list[str] = []
    folder = Path(data_dir) / INGEST_DIR
    try:
        if folder.is_dir() and any(p.name.startswith(STAGE_PREFIX) for p in folder.iterdir()):
            with ingest_lock(data_dir, timeout=0):
                done += discard_staging(folder)
    except IngestBusy:
        pass
    except OSError as exc:
        say(f"recover: cannot clean {folder}: {exc}")
    except StoreError as exc:
        say(f"recover: {exc}")
    if store_root is not None:
        try:
            done += clean(Path(store_root))
        except OSError as exc:
            say(f"recover: cannot clean {store_root}: {exc}")
    for line in done:
        say(f"recover: {line}")
    return done


def discard_staging(folder: Path) -> list[str]:
    done = []
    for p in folder.iterdir():
        if p.name.startswith(STAGE_PREFIX):
            shutil.rmtree(p, ignore_errors=True)
            done.append(f"discarded the unfinished ingest {p.name}")
    return done
