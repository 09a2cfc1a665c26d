"""python -m demo_line: run the demo line in the foreground."""

import argparse
import time

from .server import DemoLineServer


def main() -> None:
    parser = argparse.ArgumentParser(description="The demo line (Linq v3 check protocol).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5055)
    parser.add_argument("--api-key", default=None, help="Require this Bearer token.")
    parser.add_argument("--latency", type=float, default=0.2, help="Seconds before each answer.")
    parser.add_argument("--rate-per-minute", type=int, default=None, help="Answer 429 beyond this.")
    parser.add_argument("--error-rate", type=float, default=0.0, help="Share of requests answered 500.")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    server = DemoLineServer(
        args.host,
        args.port,
        api_key=args.api_key,
        latency=args.latency,
        rate_per_minute=args.rate_per_minute,
        error_rate=args.error_rate,
        seed=args.seed,
    ).start()
    print(f"Demo line listening: {server.url}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
