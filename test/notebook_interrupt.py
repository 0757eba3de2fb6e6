#!/usr/bin/python3
"""Interrupts a checkpointed tr.sweep in a real tlbrace kernel and resumes it.

Prints one JSON object: what the interrupted cell said, how many rows the
checkpoint held at the interrupt and a second later, the progress texts
seen, and whether the resumed sweep equals an uninterrupted one.
"""
import json
import os
import sys
import time

from jupyter_client.manager import start_new_kernel

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
checkpoint = sys.argv[1]


def rows():
    if not os.path.exists(checkpoint):
        return 0
    with open(checkpoint) as f:
        return max(0, sum(1 for line in f if line.strip()) - 1)


def run(kc, code, timeout=120):
    """Executes code; returns (status, outputs as (type, text) pairs)."""
    msg_id = kc.execute(code)
    outputs = []
    deadline = time.time() + timeout
    while time.time() < deadline:
        msg = kc.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        t, c = msg["msg_type"], msg["content"]
        if t == "stream":
            outputs.append((t, c["text"]))
        elif t in ("display_data", "update_display_data", "execute_result"):
            outputs.append((t, c["data"].get("text/plain", "")))
        elif t == "error":
            outputs.append((t, c["ename"] + ": " + c["evalue"]))
        elif t == "status" and c["execution_state"] == "idle":
            break
    return shell_status(kc, msg_id, timeout), outputs


def shell_status(kc, msg_id, timeout=60):
    """The status of the execute_reply to msg_id."""
    while True:
        reply = kc.get_shell_msg(timeout=timeout)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply["content"]["status"]


km, kc = start_new_kernel(kernel_name="tlbrace", cwd=REPO)
try:
    setup = ('import * as tr from "tlbrace";\n'
             'const g = tr.scenario("seed").with({ tableFree: "rcu-skip-sync" })'
             '.vary({ memoryPressure: tr.range(0, 1, 40) });\n'
             f'const opts = {{ episodes: 40000, seed: 3, workers: 1, checkpoint: {json.dumps(checkpoint)} }};')
    status, out = run(kc, setup)
    assert status == "ok", out
    msg_id = kc.execute("const first = await tr.sweep(g, opts);")
    while rows() < 3:
        time.sleep(0.05)
    km.interrupt_kernel()
    at_interrupt = rows()
    outputs = []
    while True:
        msg = kc.get_iopub_msg(timeout=60)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        t, c = msg["msg_type"], msg["content"]
        if t == "stream":
            outputs.append((t, c["text"]))
        elif t in ("display_data", "update_display_data"):
            outputs.append((t, c["data"].get("text/plain", "")))
        elif t == "error":
            outputs.append((t, c["ename"] + ": " + c["evalue"]))
        elif t == "status" and c["execution_state"] == "idle":
            break
    interrupted_status = shell_status(kc, msg_id)
    after_interrupt = rows()
    time.sleep(1.0)
    a_second_later = rows()
    status2, out2 = run(kc, 'const resumed = await tr.sweep(g, opts);\n'
                            'const whole = await tr.sweep(g, { episodes: 40000, seed: 3, workers: 2 });\n'
                            'console.log(JSON.stringify({ same: JSON.stringify(resumed.rows) === JSON.stringify(whole.rows), '
                            'cells: resumed.rows.length }));')
    result = next((json.loads(text) for t, text in out2 if t == "stream" and text.strip().startswith("{")), None)
    print(json.dumps({
        "interruptedStatus": interrupted_status,
        "interruptedOutputs": outputs,
        "rowsAtInterrupt": at_interrupt,
        "rowsAfterInterrupt": after_interrupt,
        "rowsASecondLater": a_second_later,
        "resumedStatus": status2,
        "resumedOutputs": out2,
        "result": result,
    }))
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=True)
