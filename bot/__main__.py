"""The ``porchlight`` command: run the bot, check a config, or classify messages."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import logging
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.config import ConfigError, Settings, load_settings
from bot.ports import Clock, ManualClock, SystemClock

log = logging.getLogger("porchlight")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="porchlight",
        description="A peer-support bot: gentle check-ins, witnesses, crisis pages to humans.",
    )
    parser.add_argument("--config", type=Path, metavar="PATH",
                        help="TOML config file (default: none; the console demo runs)")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the configured adapters (the default)")
    sub.add_parser("check-config", help="validate the config and print it, secrets hidden")
    classify = sub.add_parser("classify",
                              help="read messages on stdin, one per line; print JSON tiers")
    classify.add_argument("--model", action="store_true",
                          help="add the optional model stage (needs porchlight[model])")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "classify":
        from bot.crisis.detection.cli import run_classify

        # One message per line, whatever bytes arrive: undecodable ones become U+FFFD and a
        # lone carriage return does not split a message.
        stdin = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace",
                                 newline="\n")
        return run_classify(stdin, sys.stdout, with_model=args.model)
    try:
        settings = load_settings(args.config)
        if args.command == "check-config":
            from adapters import check_adapter_config
            from bot.crisis import load_model_stage

            problems: list[str] = []
            for check in (check_adapter_config, load_model_stage):  # the model loads if on
                try:
                    check(settings)
                except ConfigError as exc:
                    problems += exc.problems
            if problems:
                raise ConfigError(problems)
            print(settings.model_dump_json(indent=2))
            return 0
        _configure_logging(settings)
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(_run(settings))
    except ConfigError as exc:  # also what adapters and features find wrong at start-up
        where = args.config or "the environment"
        print(f"porchlight: the config in {where} has problems:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    return 0


def _configure_logging(settings: Settings) -> None:
    level = logging.getLevelName(settings.bot.log_level)
    if settings.bot.adapters == ["console"] and sys.stdin.isatty():
        level = max(level, logging.WARNING)  # keep the conversation readable
    logging.basicConfig(level=level, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def _clock(settings: Settings) -> Clock:
    if settings.bot.adapters == ["console"] and settings.console.demo:
        return ManualClock(datetime.now(UTC).replace(second=0, microsecond=0))
    return SystemClock()


async def _run(settings: Settings) -> None:
    from adapters import build_adapters
    from adapters.console import ConsoleAdapter
    from bot.app import App
    from bot.features import ALL_FEATURES

    clock = _clock(settings)
    adapters = build_adapters(settings, clock)
    async with App(settings, clock, adapters, ALL_FEATURES) as app:
        for adapter in adapters:
            if isinstance(adapter, ConsoleAdapter):
                adapter.bind(app)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, app.request_stop)
        await app.wait_closed()


if __name__ == "__main__":
    sys.exit(main())
