"""CPU time per unit of work, per process, from /proc (Linux), because on this machine throughput swings
by about 15% between identical runs while CPU per unit moves much less.

  cpu.py sample SERVICE_PID [BROKER_PID]      CPU ticks so far of the service, its JIT threads, the
                                              broker, PostgreSQL and Redis, and the machine, as JSON
  cpu.py report BEFORE_JSON AFTER_JSON UNITS   microseconds of CPU per unit between two samples
"""
import json
import os
import sys

TICK_US = 1_000_000 / os.sysconf("SC_CLK_TCK")


def ticks(stat_path):
    with open(stat_path) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def process_ticks(pid):
    try:
        return ticks(f"/proc/{pid}/stat")
    except (FileNotFoundError, ProcessLookupError, ValueError):
        return 0


def jit_ticks(pid):
    """CPU of the JVM's compiler threads ("C1 CompilerThre", "C2 CompilerThre")."""
    total = 0
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except FileNotFoundError:
        return 0
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/comm") as f:
                if "CompilerThre" in f.read():
                    total += ticks(f"/proc/{pid}/task/{task}/stat")
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total


def ticks_of_commands(names):
    """CPU of the live processes whose command name is one of names (PostgreSQL's backends, redis-server)."""
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/comm") as f:
                if f.read().strip() in names:
                    total += process_ticks(pid)
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total


def machine():
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]
    return {"busy": sum(values) - idle, "all": sum(values)}


def sample(service_pid, broker_pid):
    return {
        "service": process_ticks(service_pid),
        "serviceJit": jit_ticks(service_pid),
        "broker": process_ticks(broker_pid) if broker_pid else 0,
        "postgres": ticks_of_commands({"postgres"}),
        "redis": ticks_of_commands({"redis-server"}),
        "machine": machine(),
    }


def report(before, after, units):
    def per_unit(key):
        return round((after[key] - before[key]) * TICK_US / units, 1)

    service = after["service"] - before["service"]
    busy = after["machine"]["busy"] - before["machine"]["busy"]
    return {
        "units": units,
        "serviceUs": per_unit("service"),
        "brokerUs": per_unit("broker"),
        "postgresUs": per_unit("postgres"),
        "redisUs": per_unit("redis"),
        "serviceJitShare": round((after["serviceJit"] - before["serviceJit"]) / service, 3) if service else 0,
        "machineBusy": round(busy / (after["machine"]["all"] - before["machine"]["all"]), 3),
    }


if __name__ == "__main__":
    if sys.argv[1] == "sample":
        print(json.dumps(sample(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else "")))
    else:
        print(json.dumps(report(json.loads(sys.argv[2]), json.loads(sys.argv[3]), int(sys.argv[4]))))
