"""Run a Python module as a whole process and print its peak memory (KiB) on stderr at exit."""

import resource
import runpy
import sys

if __name__ == "__main__":
    sys.argv = sys.argv[2:] if sys.argv[1] == "-m" else sys.argv[1:]
    try:
        if len(sys.argv) and sys.argv[0] == "-c":
            exec(sys.argv[1], {"__name__": "__main__"})
        else:
            runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise
    finally:
        print(f"PEAK_KIB {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}", file=sys.stderr)
