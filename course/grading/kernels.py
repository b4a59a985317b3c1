"""Kernel managers and clients for grading: kernels forked from a warm template.

:class:`ForkedKernelManager` is a :class:`~course.grading.sandbox.SandboxedKernelManager`
that builds exactly the same sandbox spec, environment, scratch folder and private uid,
then asks the worker's :class:`~course.grading.template.Template` to fork the kernel
instead of starting a new Python with ``exec``.

:class:`GradingClient`, used by both executors, is jupyter_client's asynchronous client
with two changes:

* ``wait_for_ready`` returns as soon as the kernel has answered and gone idle, instead
  of after 0.2 s without IOPub messages;
* its channels look at their socket again at least every :data:`POLL_SLICE` seconds.
  With pyzmq 27 and ipykernel 7 an awaited ``socket.poll`` sometimes missed the arrival
  of a reply (here, in about one module-04 notebook in eight, always at its widget
  cell): nbclient then waited for the whole cell timeout (15 s) and interrupted a
  kernel that had long finished. A fresh poll sees the message at once.

Importing this module imports jupyter_client: only grading workers do.
"""

from __future__ import annotations

import contextlib
import subprocess
import time
from queue import Empty
from typing import Any

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.channels import AsyncZMQSocketChannel
from jupyter_core.utils import ensure_async, run_sync
from traitlets import Any as AnyTrait
from traitlets import DottedObjectName, Type

from course.grading import sandbox
from course.grading.template import ForkedProcess

#: The client class grading kernel managers use (a ``client_class`` value).
CLIENT = f"{__name__}.GradingClient"
#: Longest wait on one ``socket.poll`` before looking at the socket again.
POLL_SLICE = 0.25
#: Seconds to wait for a kernel_info reply before asking again.
REPLY_WAIT = 1.0
#: Seconds to wait for that request's IOPub status (a late subscriber misses it).
IDLE_WAIT = 0.1


class SlicedChannel(AsyncZMQSocketChannel):
    """A channel whose ``get_msg`` polls in slices of at most :data:`POLL_SLICE` seconds."""

    async def get_msg(self, timeout: float | None = None) -> dict[str, Any]:  # type: ignore[override]
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            step = POLL_SLICE if left is None else min(left, POLL_SLICE)
            if await self.socket.poll(int(step * 1000)):
                return await self._recv()
            if left is not None and left <= step:
                raise Empty


class GradingClient(AsyncKernelClient):
    """An AsyncKernelClient whose readiness check ends when the kernel is idle.

    Like jupyter_client's, it asks ``kernel_info`` until a reply comes and IOPub is
    connected (late IOPub subscribers miss messages, so it asks again when this request's
    status messages do not arrive); it then returns at this request's ``idle`` status,
    which comes after every IOPub message the request caused.
    """

    shell_channel_class = Type(SlicedChannel)
    iopub_channel_class = Type(SlicedChannel)
    stdin_channel_class = Type(SlicedChannel)
    control_channel_class = Type(SlicedChannel)

    async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            msg_id = self.kernel_info()
            if await self._answered(msg_id) and await self._went_idle(msg_id):
                return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")

    # AsyncKernelClient binds the public name to the base coroutine at class creation.
    wait_for_ready = _async_wait_for_ready

    async def _answered(self, msg_id: str) -> bool:
        end = time.monotonic() + REPLY_WAIT
        while (left := end - time.monotonic()) > 0:
            try:
                msg = await ensure_async(self.shell_channel.get_msg(timeout=left))
            except Empty:
                return False
            if (msg["msg_type"] == "kernel_info_reply"
                    and msg["parent_header"].get("msg_id") == msg_id):
                self._handle_kernel_info_reply(msg)
                return True
        return False

    async def _went_idle(self, msg_id: str) -> bool:
        end = time.monotonic() + IDLE_WAIT
        while (left := end - time.monotonic()) > 0:
            try:
                msg = await ensure_async(self.iopub_channel.get_msg(timeout=left))
            except Empty:
                return False
            if (msg["msg_type"] == "status"
                    and msg["parent_header"].get("msg_id") == msg_id
                    and msg["content"].get("execution_state") == "idle"):
                return True
        return False


class ForkedKernelManager(sandbox.SandboxedKernelManager):  # type: ignore[misc, valid-type]
    """A SandboxedKernelManager whose kernels are forked from a warm template.

    The sandbox spec is the one :class:`~course.grading.sandbox.SandboxedKernelManager`
    builds; :mod:`course.grading.template` applies it the same way, then starts the kernel
    in the forked, already sandboxed process instead of ``exec``-ing a new Python.
    """

    template = AnyTrait(None, help="the worker's course.grading.template.Template")
    client_class = DottedObjectName(CLIENT)
    seeds_font_cache = False  # the template's matplotlib has loaded its fonts

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        if self.template is None:
            raise RuntimeError("ForkedKernelManager needs a template")
        spec = dict(self.spec)
        if spec.get("mount"):
            spec["make_dirs"] = list(self.template.private_dirs)
        process = self.template.fork(spec, self.kernel_cmd, dict(kw.get("env") or {}))
        provisioner = self.provisioner
        provisioner.process = process
        provisioner.pid = process.pid
        provisioner.pgid = process.pid  # the launcher leads its own session
        provisioner.cwd = kw.get("cwd")
        self._reconcile_connection_info(provisioner.connection_info)

    _launch_kernel = run_sync(_async_launch_kernel)

    async def _async_kill_kernel(self, restart: bool = False) -> None:
        process = getattr(self.provisioner, "process", None)
        self.kill_leftovers()
        if isinstance(process, ForkedProcess):
            # The pidfd says the moment the launcher is gone; jupyter_client would poll
            # every 0.1 s, an idle pause per notebook.
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)
        await super()._async_kill_kernel(restart=restart)

    _kill_kernel = _async_kill_kernel
