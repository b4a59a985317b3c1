"""Benchmark: a cohort of learners on one real JupyterHub, start to graded.

Builds a hub with ``wbcourse hub init --spawner simple`` (every server runs as this
machine's root user: no Unix accounts, so a load test needs no clean-up of accounts;
for workshops use the default, one Unix account per learner), starts it with
``wbcourse hub start`` on 127.0.0.1, publishes module 08, then:

1. baseline: one learner alone spawns, fetches, writes an answer and submits;
2. N learners at once: spawn (time until every server is ready), then fetch + write +
   submit (time until every submission is in the exchange);
3. every learner starts a kernel and runs the module's setup cell (as opening the
   notebook does), to size the memory a working learner needs;
4. the instructor collects and grades all N (``wbcourse grade``), after grading the
   baseline learner alone.

It prints the times next to the one-learner baseline, the resident memory of the hub,
the proxy, each learner's server and kernel, and checks that every submission was
graded (nothing lost). Run as root (the hub runs servers as its own user):

    python bench/hub_load.py [--learners 20] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "hub"))

from flow import (  # noqa: E402
    MODULE,
    STRONG,
    WEAK,
    checks_grade_id,
    fetch_write_submit,
    notebook_path,
)
from hubctl import HubRun, wbcourse  # noqa: E402

MB = 1024 * 1024


def rss(pid: int) -> int:
    """Resident memory of a process, in bytes (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def processes_by_user() -> dict[str, dict[str, list[int]]]:
    """Learners' servers and kernels under the hub: {user: {"server": [...], "kernel": [...]}}."""
    found: dict[str, dict[str, list[int]]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        env = dict(item.decode(errors="replace").split("=", 1) for item in environ
                   if b"=" in item)
        user = env.get("JUPYTERHUB_USER")
        if not user:
            continue
        if "jupyterhub-singleuser" in cmdline:
            found.setdefault(user, {"server": [], "kernel": []})["server"].append(int(entry.name))
        elif "ipykernel" in cmdline:
            found.setdefault(user, {"server": [], "kernel": []})["kernel"].append(int(entry.name))
    return found


def run_setup_cell(hub: HubRun, user: str, code: str, timeout: float = 300) -> float:
    """Start a kernel in ``user``'s server and run ``code`` over its websocket; seconds."""
    import websocket

    start = time.monotonic()
    kernel = hub.server(user, "POST", "api/kernels", {"name": "python3"})
    url = f"ws://127.0.0.1:{hub.port}/user/{user}/api/kernels/{kernel['id']}/channels"
    ws = websocket.create_connection(url, header=[f"Authorization: token {hub.token}"],
                                     timeout=timeout)
    try:
        msg_id = uuid.uuid4().hex
        ws.send(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": user,
                       "session": uuid.uuid4().hex, "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell",
            "content": {"code": code, "silent": False, "store_history": True,
                        "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
        }))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            reply = json.loads(ws.recv())
            if reply.get("parent_header", {}).get("msg_id") == msg_id and \
                    reply.get("msg_type") == "execute_reply":
                status = reply["content"]["status"]
                if status != "ok":
                    raise RuntimeError(f"the setup cell failed for {user}: {reply['content']}")
                return time.monotonic() - start
        raise TimeoutError(f"the setup cell did not finish for {user}")
    finally:
        ws.close()


def _timed(fn, *args):
    start = time.monotonic()
    fn(*args)
    return time.monotonic() - start


def _all(fn, items, workers: int) -> tuple[float, list]:
    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(fn, items))
    return time.monotonic() - start, results


def _mb(values: list[int]) -> str:
    if not values:
        return "-"
    return (f"{statistics.mean(values) / MB:6.0f} MB mean, {max(values) / MB:4.0f} max")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2, help="grading workers")
    parser.add_argument("--keep", action="store_true", help="keep the hub folder")
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("run as root: the hub starts its servers as its own (root) user")
    if shutil.which("configurable-http-proxy") is None:
        raise SystemExit("configurable-http-proxy is missing: bash scripts/ensure_system_deps.sh")

    base = Path(tempfile.mkdtemp(prefix="wbl-", dir="/tmp"))  # short: socket paths
    os.chmod(base, 0o755)
    learners = [f"load{i:02d}" for i in range(1, args.learners + 1)]
    solo = "solo"
    roster = base / "roster.csv"
    roster.write_text("username,name,email\n" + "".join(f"{u},,\n" for u in [solo, *learners]))
    course = f"wbload{uuid.uuid4().hex[:6]}"
    hub = None
    try:
        print(f"hub: {args.learners} learners + 1 baseline learner, module {MODULE}, "
              f"{os.cpu_count()} CPUs", flush=True)
        t_init = time.monotonic()
        wbcourse("hub", "init", str(base / "hub"), "--course", course, "--instructor", "ines",
                 "--learners", str(roster), "--spawner", "simple", "--python", sys.executable,
                 "--module", MODULE)
        t_init = time.monotonic() - t_init
        hub = HubRun.start(base / "hub", base / "hub.log")
        ws = str(base / "hub" / "grading")
        env = {"WBCOURSE_ROOT": str(base / "hub" / "grading" / "course-source")}
        wbcourse("release", MODULE, "--to-exchange", "--workspace", ws, env=env)
        proxy_pid = int((base / "hub" / "state" / "proxy.pid").read_text().strip())
        hub_before, proxy_before = rss(hub.process.pid), rss(proxy_pid)

        # 1. one learner alone
        solo_spawn = _timed(hub.spawn, solo)
        solo_turn = _timed(fetch_write_submit, hub, solo, STRONG)

        # 2. everyone at once
        spawn_all, _ = _all(hub.spawn, learners, len(learners))
        answers = [(u, STRONG if i % 2 == 0 else WEAK) for i, u in enumerate(learners)]
        turn_all, _ = _all(lambda pair: fetch_write_submit(hub, *pair), answers, len(learners))

        # 3. a kernel per learner running the setup cell
        cells = json.loads((Path(hub.settings.exchange) / course / "outbound" / MODULE /
                            Path(notebook_path(hub)).name).read_text())["cells"]
        setup = "".join(next(c for c in cells if c["cell_type"] == "code")["source"])
        solo_kernel = run_setup_cell(hub, solo, setup)
        kernels_all, _ = _all(lambda u: run_setup_cell(hub, u, setup), learners, len(learners))
        procs = processes_by_user()
        servers = [rss(p) for u in learners for p in procs.get(u, {}).get("server", [])]
        kernels = [rss(p) for u in learners for p in procs.get(u, {}).get("kernel", [])]
        hub_after, proxy_after = rss(hub.process.pid), rss(proxy_pid)

        # 4. collect and grade
        collect = time.monotonic()
        out = wbcourse("collect", MODULE, "--workspace", ws, "--from", "exchange", env=env)
        collect = time.monotonic() - collect
        grade_solo = time.monotonic()
        wbcourse("grade", MODULE, "--workspace", ws, "--learner", solo, "--workers", "1",
                 "--no-progress", env=env)
        grade_solo = time.monotonic() - grade_solo
        grade_all = time.monotonic()
        wbcourse("grade", MODULE, "--workspace", ws, "--workers", str(args.workers),
                 "--no-progress", env=env, timeout=3600)
        grade_all = time.monotonic() - grade_all
        export = base / "grades.json"
        wbcourse("export", "--workspace", ws, "-o", str(export), env=env)
        rows = {r["learner"]: r for r in json.loads(export.read_text()) if r["module"] == MODULE}
        graded = [u for u in learners if rows.get(u, {}).get("status") == "graded"]
        answer_col = checks_grade_id(cells)
        strong = [rows[u][answer_col] for u, a in answers if a is STRONG and u in rows]
        weak = [rows[u][answer_col] for u, a in answers if a is WEAK and u in rows]

        n = len(learners)
        print(f"\nset-up: hub init {t_init:.1f} s; {out.stdout.splitlines()[0]}")
        print(f"{'phase':34} {'one learner':>12} {f'{n} at once':>12} {'ratio':>7}")
        for name, one, many in (("spawn (server ready)", solo_spawn, spawn_all),
                                ("fetch + write + submit", solo_turn, turn_all),
                                ("kernel + setup cell", solo_kernel, kernels_all),
                                ("grade", grade_solo, grade_all)):
            print(f"{name:34} {one:10.1f} s {many:10.1f} s {many / one:6.1f}x")
        print(f"{'collect from the exchange':34} {'':12} {collect:10.1f} s")
        print(f"\nmemory (resident) with {n} learners working:")
        print(f"  hub process     {hub_before / MB:5.0f} MB before -> {hub_after / MB:5.0f} MB; "
              f"{(hub_after - hub_before) / n / MB:.1f} MB per learner")
        print(f"  proxy (node)    {proxy_before / MB:5.0f} MB before -> {proxy_after / MB:5.0f} MB")
        print(f"  learner server  {_mb(servers)} ({len(servers)} servers)")
        print(f"  learner kernel  {_mb(kernels)} ({len(kernels)} kernels, setup cell run)")
        per = (statistics.mean(servers) + statistics.mean(kernels)) / MB
        print(f"  per learner     {per:.0f} MB (server + one kernel) + "
              f"{(hub_after - hub_before + proxy_after - proxy_before) / n / MB:.1f} MB "
              "in the hub and proxy")
        print(f"\ngraded {len(graded)}/{n} submissions (+ the baseline learner); "
              f"written answer points: strong {statistics.mean(strong):.2f}, "
              f"weak {statistics.mean(weak):.2f}")
        lost = sorted(set(learners) - set(graded))
        if lost:
            print(f"error: not graded: {', '.join(lost)}", file=sys.stderr)
            return 1
        return 0
    finally:
        if hub is not None:
            forced = hub.stop()
            if forced:
                print(f"warning: killed after the hub stopped: {forced}", file=sys.stderr)
        if args.keep:
            print(f"kept {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
