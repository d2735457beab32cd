"""parallel.each, the runner of tinynet bench and tinynet compare --jobs: every item's result,
one BLAS thread per run, a user's optimizer imported in the workers, the same comparison
with one process or two, and Ctrl-C stopping the workers (local processes, a Dask cluster)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from printouts import assert_interrupted

from tinynet import parallel
from tinynet.usercode import for_workers

ROOT = Path(__file__).resolve().parents[1]
ADABELIEF = ROOT / "examples" / "custom_optimizer.py"
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def blas_threads(_) -> list:
    from threadpoolctl import threadpool_info

    return [pool["num_threads"] for pool in threadpool_info()]


def test_each_gives_every_item_with_its_result_here_in_order():
    assert list(parallel.each(abs, [-3, 2, -1])) == [(-3, 3), (2, 2), (-1, 1)]
    assert list(parallel.each(abs, [], jobs=2)) == []
    assert list(parallel.each(abs, iter([-5]))) == [(-5, 5)]  # any iterable
    before = blas_threads(None)
    (_, threads), = parallel.each(blas_threads, [None])
    assert threads and set(threads) == {1}  # one BLAS thread inside, as in a worker
    assert blas_threads(None) == before  # and as many as before after


def test_each_in_two_processes_gives_every_item_with_its_own_result():
    items = [-4, 3, -2, 1, 0, -7]
    got = list(parallel.each(abs, items, jobs=2))
    assert sorted(got) == sorted((i, abs(i)) for i in items)
    threads = list(parallel.each(blas_threads, [0, 1], jobs=2))
    assert all(set(t) == {1} for _, t in threads)


def test_workers_import_a_users_optimizer_and_this_process_does_not_again(monkeypatch):
    def lookup(name):
        from tinynet import optimizers

        return optimizers.lookup(name).__name__

    monkeypatch.chdir(ROOT)
    imports = for_workers(["examples/custom_optimizer.py"])  # found from any folder
    assert imports == (str(ADABELIEF),) and for_workers(["some.module"]) == ("some.module",)
    got = dict(parallel.each(lookup, ["adabelief", "adabelief"], jobs=2, imports=imports))
    assert got == {"adabelief": "AdaBelief"}
    imported = []
    monkeypatch.setattr("tinynet.usercode.import_user_code", imported.extend)
    monkeypatch.setattr("tinynet.usercode._imported", set())
    assert list(parallel.each(abs, [-1], imports=imports)) == [(-1, 1)]
    assert imported == []  # one job: the command line has imported them here already
    parallel.call(abs, -1, imports=("a", "b"))
    parallel.call(abs, -1, imports=("b", "c"))
    assert imported == ["a", "b", "c"]  # a worker imports each target once


def compare_output(*extra: str) -> str:
    """tinynet compare's output without the seconds column (the only figure that may
    differ between two layouts of the same runs)."""
    done = subprocess.run([sys.executable, "-m", "tinynet", "compare", "--dataset", "iris",
                           "--epochs", "4", "--seeds", "2", "--lrs", "0.01,0.1,1",
                           "--optimizers", "sgd,adabelief", "--import", str(ADABELIEF),
                           "--no-progress", *extra], capture_output=True, text=True, env=ENV,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("optimizer "))
    assert lines[header].endswith("  seconds")
    width = len(lines[header]) - len("seconds")
    return "\n".join(lines[:header] + [line[:width] for line in lines[header:header + 4]]
                     + lines[header + 4:])


@pytest.mark.slow
def test_compare_with_two_jobs_prints_what_one_job_prints():
    one, two = compare_output(), compare_output("--jobs", "2")
    assert one == two
    assert "AdaBelief " in one and "identical initial weights and batch order" in one


def interrupt(command: list[str], started, group: bool) -> tuple[int, str, list]:
    """Run ``command``, wait until ``started()``, then press Ctrl-C: SIGINT to its whole
    process group as a terminal sends it (``group``), or to the command alone. Its exit
    status, stderr, and the worker processes it had then."""
    import psutil

    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=ENV, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not started():
            time.sleep(0.2)
        workers = psutil.Process(proc.pid).children(recursive=True)
        if group:
            os.killpg(proc.pid, signal.SIGINT)
        else:
            proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
        proc.wait()
    return proc.returncode, err, workers


@pytest.mark.slow
def test_ctrl_c_stops_compare_and_its_worker_processes():
    import psutil

    started = time.monotonic()
    status, err, workers = interrupt(
        [sys.executable, "-m", "tinynet", "compare", "--dataset", "digits", "--jobs", "2",
         "--no-progress"], lambda: time.monotonic() - started > 6, group=True)
    assert status == 130
    assert_interrupted(err, "compare")
    assert len(workers) >= 2  # two workers were training
    _, alive = psutil.wait_procs(workers, timeout=30)
    assert alive == []


@pytest.mark.slow
def test_ctrl_c_stops_a_bench_on_a_dask_cluster_and_the_cluster_drops_its_runs(tmp_path):
    distributed = pytest.importorskip("distributed", reason="pip install -e '.[test]' "
                                      "installs dask.distributed")
    out = tmp_path / "d"

    def finished() -> int:
        path = out / "results.jsonl"
        return len(path.read_text().splitlines()) if path.exists() else 0

    with distributed.LocalCluster(n_workers=2, processes=True, host="127.0.0.1",
                                  threads_per_worker=1, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        command = [sys.executable, "-m", "tinynet", "bench", "--budget", "standard",
                   "--no-progress", "--out", str(out), "--dask", cluster.scheduler_address]
        status, err, _ = interrupt(command, lambda: finished() >= 10, group=False)
        assert status == 130 and err == "tinynet bench: interrupted\n"
        kept = finished()
        assert 10 <= kept < 336
        deadline = time.monotonic() + 30  # a run already started finishes; none is left
        while time.monotonic() < deadline and client.run_on_scheduler(
                lambda dask_scheduler: len(dask_scheduler.tasks)):
            time.sleep(0.2)
        assert client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks)) == 0
        time.sleep(1)
        assert finished() == kept  # nothing written after the exit


# ----- quick tests of the parts the slow tests above run in other processes ----------------

def pid_after_a_nap(_) -> int:
    time.sleep(0.3)
    return os.getpid()


def test_each_with_two_jobs_runs_in_two_other_processes():
    pids = {pid for _, pid in parallel.each(pid_after_a_nap, range(6), jobs=2)}
    assert len(pids) == 2 and os.getpid() not in pids


def test_a_numbered_call_carries_its_index_and_imports_first(monkeypatch):
    imported = []
    monkeypatch.setattr("tinynet.usercode.import_user_code", imported.extend)
    monkeypatch.setattr("tinynet.usercode._imported", set())
    assert parallel._numbered(abs, 3, -2, ("mine",)) == (3, 2) and imported == ["mine"]


def nap(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def test_each_with_two_jobs_gives_each_result_as_it_finishes():
    order = [item for item, _ in parallel.each(nap, [1.5, 0.1, 0.1, 0.1], jobs=2)]
    assert order[0] == 0.1 and sorted(order) == [0.1, 0.1, 0.1, 1.5]  # not in their order


class FakeFuture:
    def __init__(self, value):
        self.value = value

    def result(self):
        return self.value


class FakeClient:
    """What _on_dask asks of a dask.distributed Client: map and cancel."""

    def __init__(self):
        self.cancelled, self.kwargs = None, None

    def map(self, fn, *iterables, **kwargs):
        self.kwargs = kwargs
        futures = [FakeFuture(fn(*args, imports=())) for args in zip(*iterables)]
        return futures[::-1]  # finished in another order

    def cancel(self, futures):
        self.cancelled = futures


def test_each_on_a_cluster_pairs_results_with_their_items_and_cancels_the_rest(monkeypatch):
    distributed = pytest.importorskip("distributed", reason="pip install -e '.[test]' "
                                      "installs dask.distributed")
    monkeypatch.setattr(distributed, "as_completed", iter)
    client = FakeClient()
    got = list(parallel.each(abs, [-1, 2, -3], jobs=5, client=client, imports=("m",)))
    assert got == [(-3, 3), (2, 2), (-1, 1)]
    assert client.kwargs == {"imports": ("m",), "pure": False}  # every run runs, even twice
    assert len(client.cancelled) == 3
    client = FakeClient()
    client.map = lambda *a, **kw: 1 / 0  # submitting failed: nothing to cancel
    with pytest.raises(ZeroDivisionError):
        list(parallel.each(abs, [-1], client=client))
    assert client.cancelled == []
    client = FakeClient()
    first = parallel.each(abs, [-1, 2, -3], client=client)
    assert next(first) == (-3, 3) and client.cancelled is None
    first.close()  # stopped early (Ctrl-C, an error): the cluster drops what is left
    assert [f.value for f in client.cancelled] == [(2, 3), (1, 2), (0, 1)]  # all of them


def test_connect_says_in_one_line_what_is_missing(monkeypatch):
    distributed = pytest.importorskip("distributed", reason="pip install -e '.[test]' "
                                      "installs dask.distributed")

    def refuse(address, timeout):
        assert timeout == "10s"
        raise OSError(f"Timed out trying to connect to {address}")

    monkeypatch.setattr(distributed, "Client", refuse)
    with pytest.raises(ValueError) as err:
        parallel.connect("tcp://10.0.0.1:8786")
    assert str(err.value) == (
        "cannot reach a Dask scheduler at tcp://10.0.0.1:8786 (Timed out trying to connect to "
        "tcp://10.0.0.1:8786): start one with `dask scheduler`, and workers with "
        "`dask worker ADDRESS`")
    monkeypatch.setattr(distributed, "Client", lambda address, timeout: ("client", address))
    assert parallel.connect("tcp://h:1") == ("client", "tcp://h:1")
    monkeypatch.setitem(sys.modules, "distributed", None)  # not installed
    with pytest.raises(ValueError, match=r"--dask needs dask.distributed: pip install -e "
                                         r"'.\[cluster\]'"):
        parallel.connect("tcp://h:1")
