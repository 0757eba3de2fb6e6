#!/usr/bin/python3
"""Runs cells in a real tlbrace kernel and reports what each one showed.

    /usr/bin/python3 test/kernel_cells.py CWD < cells.json

cells.json is a list of {"code": ..., "interruptAfter": seconds?, "now": bool?}. The
kernel starts in CWD, as Jupyter starts it in a notebook's folder. Prints
one JSON list: per cell its reply status and its outputs as
[kind, text] pairs (stream name, "error", or the display's text/plain,
then its MIME types).
"""
import json
import sys
import time

from jupyter_client.manager import start_new_kernel


def collect(kc, msg_id, timeout):
    outputs = []
    while True:
        msg = kc.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        t, c = msg["msg_type"], msg["content"]
        if t == "stream":
            outputs.append((c["name"], c["text"]))
        elif t in ("display_data", "update_display_data", "execute_result"):
            outputs.append((t, c["data"].get("text/plain", ""), sorted(c["data"])))
        elif t == "error":
            outputs.append(("error", c["ename"] + ": " + c["evalue"] + "\n" + "\n".join(c.get("traceback") or [])))
        elif t == "status" and c["execution_state"] == "idle":
            return outputs


def status_of(kc, msg_id, timeout):
    while True:
        reply = kc.get_shell_msg(timeout=timeout)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply["content"]["status"]


def main():
    cells = json.load(sys.stdin)
    km, kc = start_new_kernel(kernel_name="tlbrace", cwd=sys.argv[1], startup_timeout=120)
    results = []
    try:
        for cell in cells:
            # "now": sent at once after the cell before (no pause after an error).
            if not cell.get("now"):
                time.sleep(0.3)
            msg_id = kc.execute(cell["code"])
            if "interruptAfter" in cell:
                time.sleep(cell["interruptAfter"])
                km.interrupt_kernel()
            outputs = collect(kc, msg_id, 180)
            results.append({"status": status_of(kc, msg_id, 60), "outputs": outputs})
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
