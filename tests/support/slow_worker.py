"""A real worker process that applies events slowly, so a test can SIGKILL it mid-batch.

Usage: python -m tests.support.slow_worker CONFIG_PATH
"""

import sys
import threading
import time

from bridge.config.settings import load_settings
from bridge.runtime import build_runtime


def main(config_path: str) -> None:
    runtime = build_runtime(load_settings(config_path))
    apply = runtime.processor.apply

    def slow_apply(*args, **kwargs):
        outcome = apply(*args, **kwargs)
        time.sleep(0.01)  # inside the transaction: a kill here must roll the event back
        return outcome

    runtime.processor.apply = slow_apply
    runtime.new_worker("doomed").run(threading.Event())


if __name__ == "__main__":
    main(sys.argv[1])
