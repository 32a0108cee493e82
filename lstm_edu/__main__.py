"""Command line: ``python -m lstm_edu COMMAND [options]``.

Each command lives in the module of the book chapter it belongs to; this file only dispatches.
"""

from __future__ import annotations

import argparse
import importlib
import sys

#: command -> (module, one-line help). The module provides ``add_arguments(parser)`` and ``main(args)``.
COMMANDS = {
    "abuse": ("lstm_edu.abuse", "regenerate results/abuse: the abuse problem on Experiment 1 with zero, staggered "
              "output-gate biases and sequential network construction"),
    "alternatives": ("lstm_edu.alternatives", "regenerate results/alternatives: Bengio et al.'s alternatives "
                     "to gradient descent and random weight guessing"),
    "bench": ("lstm_edu.bench", "time training of the adding-problem LSTM for P = 1, 32, 256, 1024 networks"),
    "run": ("lstm_edu.experiments", "run (or resume) the trials of one LSTM row of the paper's Tables 1-9"),
    "summary": ("lstm_edu.reproduction", "the reproduction summary: every row of Tables 1-9, the paper's figures "
                "beside ours from results/, and a status"),
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lstm_edu", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    modules = {}
    for name, (module, help_text) in COMMANDS.items():
        modules[name] = importlib.import_module(module)
        modules[name].add_arguments(sub.add_parser(name, help=help_text, description=help_text))
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    return int(modules[args.command].main(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
