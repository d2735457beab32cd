"""Independent training runs side by side: one after another in this process, in local
worker processes (joblib), or on a Dask cluster (``dask.distributed``). ``tinynet bench``
and ``tinynet compare --jobs`` both run through ``each``.

Every run gets one BLAS thread wherever it runs: a matrix product split over threads may
round differently, so on one machine a run gives the same numbers here, in a worker and on a
cluster (another CPU's BLAS kernel may round differently still: README, "Benchmark your
optimizer"); and N workers on N cores do not fight over them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator


def call(fn: Callable, item, imports: tuple = ()):
    """``fn(item)`` with one BLAS thread, after importing the ``--import`` targets this
    process has not imported yet (a worker's first run imports a user's optimizer)."""
    from threadpoolctl import threadpool_limits

    from .usercode import import_once

    import_once(imports)
    with threadpool_limits(limits=1):
        return fn(item)


def _numbered(fn: Callable, i: int, item, imports: tuple) -> tuple:
    return i, call(fn, item, imports)


def each(fn: Callable, items: Iterable, jobs: int = 1, client=None,
         imports: tuple = ()) -> Iterator[tuple]:
    """``(item, fn(item))`` for every item, as each finishes (in any order unless
    ``jobs == 1``): on the Dask ``client``'s cluster, in ``jobs`` local processes, or here.

    ``fn`` and the items go to the workers by pickle (functions by cloudpickle), and the
    workers import ``imports`` (what this process imported with ``--import``) themselves.
    Stopping early (Ctrl-C, an error, a closed generator) stops the workers' remaining runs.
    """
    items = list(items)
    if not items:
        return
    if client is not None:
        yield from _on_dask(fn, items, client, imports)
    elif jobs == 1:  # this process has imported them already
        for item in items:
            yield item, call(fn, item)
    else:
        from joblib import Parallel, delayed

        parallel = Parallel(n_jobs=jobs, return_as="generator_unordered")
        tasks = (delayed(_numbered)(fn, i, item, imports) for i, item in enumerate(items))
        for i, result in parallel(tasks):
            yield items[i], result


def _on_dask(fn: Callable, items: list, client, imports: tuple) -> Iterator[tuple]:
    from distributed import as_completed

    futures = []
    try:
        futures = client.map(_numbered, [fn] * len(items), range(len(items)), items,
                             imports=imports, pure=False)
        for future in as_completed(futures):
            i, result = future.result()
            yield items[i], result
    finally:  # Ctrl-C or an error: the cluster drops what is left
        client.cancel(futures)


def connect(address: str):
    """A ``dask.distributed`` client of the scheduler at ``address``, or one line saying how
    to start one."""
    try:
        from distributed import Client
    except ImportError:
        raise ValueError("--dask needs dask.distributed: pip install -e '.[cluster]'") from None
    try:
        return Client(address, timeout="10s")
    except (OSError, TimeoutError) as err:
        raise ValueError(f"cannot reach a Dask scheduler at {address} ({err}): start one "
                         f"with `dask scheduler`, and workers with `dask worker ADDRESS`") from None
