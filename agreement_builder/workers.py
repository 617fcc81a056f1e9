"""Worker processes that die with their parent and stop when asked.

The summit build renders agreements in a process pool (concurrent.futures, forked so the
workers start with the rendering stack already imported). Three promises on top of the pool:

- A worker never outlives the build. Each asks the kernel to kill it when its parent dies
  (Linux `PR_SET_PDEATHSIG`), so `kill -9` of the build takes the workers with it.
- Ctrl-C is the parent's to handle: workers ignore SIGINT (the terminal sends it to the whole
  process group), and the parent, on any interruption, kills them at once rather than waiting
  for the agreements in hand to finish.
- A worker that dies (killed, out of memory) fails its agreement, not the build.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Callable, Iterable, Iterator, TypeVar

PR_SET_PDEATHSIG = 1

J = TypeVar("J")
R = TypeVar("R")


def die_with_parent(parent: int, sig: int = signal.SIGKILL) -> None:
    """Have the kernel send `sig` to this process when `parent` exits (Linux; elsewhere nothing).

    If the parent is already gone (it died between the fork and this call), exit now.
    """
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
        except (OSError, AttributeError):  # no prctl here: the pool's own shutdown still stops the workers
            pass
    if os.getppid() != parent:
        os._exit(1)


def _worker_started(parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's handler, inherited through fork
    die_with_parent(parent)


def run_all(function: Callable[[J], R], jobs: list[J], workers: int,
            died: Callable[[J, BaseException], R]) -> Iterator[tuple[J, R]]:
    """Yield (job, result) as each `function(job)` finishes, in `workers` processes.

    `died(job, exc)` makes the result of a job whose worker process stopped. With one worker
    the jobs run here, one after the other. However the caller stops iterating (an exception,
    Ctrl-C, a closed generator), the workers are killed before this returns.
    """
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            yield job, function(job)
        return
    import multiprocessing

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    pool = ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=multiprocessing.get_context(method),
                               initializer=_worker_started, initargs=(os.getpid(),))
    finished_normally = False
    try:
        futures: dict[Future, int] = {pool.submit(function, job): n for n, job in enumerate(jobs)}
        pending: Iterable[Future] = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=futures.__getitem__):
                job = jobs[futures[future]]
                try:
                    result = future.result()
                except Exception as exc:  # the worker died (killed, out of memory)
                    result = died(job, exc)
                yield job, result
        finished_normally = True
    finally:
        if finished_normally:
            pool.shutdown(wait=True)
        else:
            _kill(pool)


def _kill(pool: ProcessPoolExecutor) -> None:
    """Stop a pool now: cancel what has not started, kill the workers, reap them."""
    if hasattr(pool, "kill_workers"):  # Python 3.14
        pool.kill_workers()
        pool.shutdown(wait=True, cancel_futures=True)
        return
    processes = list(getattr(pool, "_processes", {}).values())  # concurrent.futures keeps them here (3.8 to 3.13)
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        try:
            process.kill()
        except (OSError, ValueError):  # already exited or closed: nothing to kill
            pass
    for process in processes:
        try:
            process.join(timeout=5)
        except (OSError, ValueError, AssertionError):  # already reaped, or not started: nothing to wait for
            pass
