"""Command line: ``python -m lstm_edu COMMAND [options]``.

Each command lives in the module it belongs to; this file only dispatches, and imports only the module of
the command it runs.
"""

from __future__ import annotations

import argparse
import importlib
import sys

#: command -> (module, one-line help). The module provides ``add_arguments(parser)`` and ``main(args)``.
COMMANDS = {
    "bench": ("lstm_edu.bench", "time training of the LSTM: the NumPy reference and the compiled engine on the "
              "adding problem (ns per network-step, the speed-up at equal P), and rows 4-1, 1-5, 2c-2 bare and "
              "end to end (the whole run)"),
    "run": ("lstm_edu.registry", "run (or resume, or --check) the trials of one registry entry: an LSTM row of "
            "the paper's Tables 1-9, a variant of one, or an entry of another study (the abuse study's "
            "variants of row 1-4, Bengio et al.'s alternatives)"),
    "sweep": ("lstm_edu.lag_sweep", "run (or resume, or --check) the lag sweep: every method's success rate against "
              "the time lag on four task families, shortest lags first, skipping a method's longer lags after two "
              "lags without a success (results/sweep/)"),
    "summary": ("lstm_edu.reproduction", "the reproduction summary: every row of Tables 1-9, the paper's figures "
                "beside ours from results/, and a status"),
}


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = argparse.ArgumentParser(prog="python -m lstm_edu", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    chosen = None
    for name, (module, help_text) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text)
        if argv and argv[0] == name:
            chosen = importlib.import_module(module)
            chosen.add_arguments(command)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    return int(chosen.main(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
