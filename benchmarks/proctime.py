#!/usr/bin/env python3
"""Whole-process wall time of commands, measured side by side (benchmarks/run.sh).

usage: proctime.py RUNS [--clean DIR] [--cwd DIR] LABEL=COMMAND...

The first command is the reference. Each round runs every command once, in an order rotated from round to round
(no command always runs first or after the same neighbour); DIR is removed before every run, outside the timed span.
A command is split like a shell word list but run without a shell, its output discarded; it must exit 0 (checked
once before timing). The timer is time.perf_counter_ns (sub-microsecond). Prints, per command, the median and
minimum wall time and the median and minimum of its per-round ratio to the reference.
"""
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import time


def main(argv):
    runs = int(argv.pop(0))
    clean = cwd = None
    while argv and argv[0].startswith("--"):
        flag, value = argv.pop(0), argv.pop(0)
        if flag == "--clean":
            clean = value
        elif flag == "--cwd":
            cwd = value
        else:
            sys.exit(f"unknown option {flag}")
    commands = []
    for spec in argv:
        label, _, command = spec.partition("=")
        commands.append((label, shlex.split(command)))
    if not commands:
        sys.exit(__doc__)

    def run(argv_):
        if clean:
            shutil.rmtree(clean, ignore_errors=True)
        start = time.perf_counter_ns()
        try:
            code = subprocess.run(argv_, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd).returncode
        except OSError as error:
            sys.exit(f"cannot run {shlex.join(argv_)}: {error}")
        return time.perf_counter_ns() - start, code

    for label, argv_ in commands:  # must work before it is timed; also warms the page cache
        _, code = run(argv_)
        if code != 0:
            sys.exit(f"{label}: exit code {code}: {shlex.join(argv_)}")

    times = [[] for _ in commands]
    for round_ in range(runs):
        order = [(round_ + i) % len(commands) for i in range(len(commands))]
        for i in order:
            elapsed, _ = run(commands[i][1])
            times[i].append(elapsed / 1e6)

    reference = times[0]
    width = max(len(label) for label, _ in commands)
    for (label, _), samples in zip(commands, times):
        ratios = [s / r for s, r in zip(samples, reference)]
        print(f"  {label:<{width}}  median {statistics.median(samples):8.2f} ms  min {min(samples):8.2f} ms"
              f"  ratio to {commands[0][0]}: median {statistics.median(ratios):6.2f}  min {min(ratios):6.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
