"""Train lstm_edu and the LSTM simulator of Hochreiter's lab from the same weights on the same sequences.

The lab's simulator (Johannes Kepler University Linz, Institute of Bioinformatics; a public copy is
``projects/meta-maze/work/lstm/lstm.c`` of the GitHub repository portegys/Mona) is a C program that reads
its architecture from ``lstmpars.txt`` and its sequences from ``lstmtrain.txt``. This script never ships
it: give it the path of your own copy. It copies the file into a temporary folder, applies the patches it
prints (each one a place where the lab code's conventions differ from the paper's Appendix A as the book
reads it, or a way in and out for the weights), compiles it with ``cc``, and trains

- the lab code, with activations reset to 0 at every sequence start and its weights changed once at the
  end of each sequence, and
- ``lstm_edu``'s NumPy reference and compiled engine, once per sequence (``schedule="sequence"``),

from the initial weights of trial ``--seed`` of row ``--row`` on that trial's first ``--sequences``
training sequences, and prints the largest difference of any weight at the end.

    python scripts/compare_lab_code.py PATH/TO/lstm.c --row 4-1 --sequences 100

Rows whose architecture the lab code has: connectivity F with output gates and the text's ranges of g and
h (Experiments 1, 2c, 3 to 6; not 2a/2b, not the caption's ranges).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from lstm_edu import experiments, lstm1997, lstm_trials

#: (what the patch does, pattern, replacement, how many places it must change). Sizes are filled in later.
PATCHES = (
    ("declare exit() and the weight update used before its definition (modern C compilers refuse implicit "
     "declarations)", r"#include <stdio.h>\n", "#include <stdio.h>\n#include <stdlib.h>\nvoid weight_update();\n", 1),
    ("reset every activation to 0 at a sequence start, as Appendix A's net starts (the lab uses 0.5)",
     r"(Yk_mod_new\[i\]=|Yk_mod_old\[i\]=|Yc\[u\]\[v\]=)0\.5;", r"\g<1>0.0;", 3),
    ("change the weights at the end of each sequence, after its last step (the lab changes them after the "
     "first step of the next sequence)", r"if \(w_up==1\)\s*weight_up=1;", "if (w_up==1)\n\tweight_update();", 1),
    ("read the initial weights and the mask of weights that exist (given_weights.txt) instead of drawing them",
     r"(\n\s*/\* reset activations and derivatives \*/)", "\n  read_given_weights();\\1", 1),
    ("keep weights that lstm_edu's net does not have at 0 (e.g. the cells' biases, which the lab code has)",
     r"(void weight_update\(\)\s*\{\s*int i,j,k,u,v;)",
     "\\1\n  for (i=0;i<ges_mod;i++) for (j=0;j<ges_mod;j++) DW[i][j]*=MASK[i][j];", 1),
    ("write the final weights (lab_weights.txt) instead of the test on the test set",
     r"weight_out\(\);\s*test\(\);", "write_given_weights();", 1),
    ("the functions that read and write the weights", r"(\nvoid initia\(\))", r"\n" + r"""
double MASK[max_units][max_units];
void read_given_weights()
{
  int i, j;
  FILE *fp = fopen("given_weights.txt", "r");
  for (i=0;i<ges_mod;i++) for (j=0;j<ges_mod;j++) fscanf(fp, "%lf", &W_mod[i][j]);
  for (i=0;i<ges_mod;i++) for (j=0;j<ges_mod;j++) fscanf(fp, "%lf", &MASK[i][j]);
  fclose(fp);
}
void write_given_weights()
{
  int i, j;
  FILE *fp = fopen("lab_weights.txt", "w");
  for (i=0;i<ges_mod;i++) { for (j=0;j<ges_mod;j++) fprintf(fp, "%.17g ", W_mod[i][j]); fprintf(fp, "\n"); }
  fclose(fp);
}
""".replace("\\", "\\\\") + r"\1", 1),
)
#: The size limits of the lab code (``#define``) that the script raises to fit the row.
SIZES = ("max_blocks", "max_size", "max_units", "max_inputs", "max_outputs", "max_sequence_length",
         "max_training_size", "max_test_size")
#: A value above 10 in the first input column ends a sequence in the lab's files; a target above 1 means "none".
END, NO_TARGET = 100.0, 99.0


# ------------------------------------------------------------------------------------------- the nets
def check_row(name: str):
    """The experiment of row ``name`` if the lab code has its architecture, else ValueError naming why."""
    exp = experiments.experiment(name)
    cfg = exp.architecture
    if cfg.connectivity != "F" or not cfg.output_gate or cfg.squashing != "1997":
        raise ValueError(f"--row must be a row whose net the lab code has (connectivity F, output gates, the text's "
                         f"ranges of g and h: Experiments 1, 2c, 3-6), got {name!r} (connectivity "
                         f"{cfg.connectivity}, output gates {cfg.output_gate}, squashing {cfg.squashing!r})")
    return exp


def lab_indices(net) -> tuple[dict, dict, int]:
    """Where lstm_edu's hidden units and sources stand among the lab code's units, and its unit count.

    The lab numbers its units: inputs (then a constant 1 if gates or cells are biased), hidden units (none
    here; a constant 1 if the outputs are biased), per block the input gate, the output gate and the cells,
    then the outputs. Returns ``(units, sources, n_units)``: lstm_edu's unit and source names -> lab index
    (``"output_bias"``: the constant the outputs read)."""
    cfg = net.cfg
    bias_in, bias_out = cfg.bias != "none", cfg.bias == "all"
    first_block = cfg.n_in + bias_in + bias_out
    units = {}
    for j in range(net.B):
        start = first_block + j * (2 + net.S)
        units[f"input_gate[{j}]"], units[f"output_gate[{j}]"] = start, start + 1
        units.update({f"cell[{j},{v}]": start + 2 + v for v in range(net.S)})
    sources = {f"input[{i}]": i for i in range(cfg.n_in)} | units
    if bias_in:
        sources["bias"] = cfg.n_in
    if bias_out:
        sources["output_bias"] = cfg.n_in + bias_in
    n_units = first_block + net.B * (2 + net.S) + cfg.n_out
    return units, sources, n_units


def lab_weights(net) -> tuple[np.ndarray, np.ndarray]:
    """Network 0 of ``net`` as the lab's weight matrix W[to, from] and the 0/1 mask of weights it has."""
    units, sources, n = lab_indices(net)
    W, mask = np.zeros((n, n)), np.zeros((n, n))
    for h, unit in enumerate(net.unit_names):
        for m, source in enumerate(net.source_names):
            W[units[unit], sources[source]], mask[units[unit], sources[source]] = net.w_hidden[0, h, m], \
                net.mask_hidden[h, m]
    first_output = n - net.cfg.n_out
    for m, source in enumerate(net.output_source_names):
        column = sources["output_bias" if source == "bias" else source]
        W[first_output:, column], mask[first_output:, column] = net.w_output[0, :, m], 1.0
    return W, mask


def from_lab(W: np.ndarray, net) -> tuple[np.ndarray, np.ndarray]:
    """The lab's weight matrix read back into lstm_edu's (H, M) and (n_out, M_out) layout."""
    units, sources, n = lab_indices(net)
    w_hidden = np.array([[W[units[u], sources[s]] for s in net.source_names] for u in net.unit_names])
    columns = [sources["output_bias" if s == "bias" else s] for s in net.output_source_names]
    return w_hidden * net.mask_hidden, W[n - net.cfg.n_out:, columns]


def sequences(exp, seed: int, n: int) -> list[tuple]:
    """The first ``n`` training sequences of trial ``seed``, each ``(x (T, n_in), targets (T, n_out), mask (T,))``."""
    task, gen = exp.make(seed), lstm_trials.trial_streams(exp, seed)[1]
    out = []
    for _ in range(n):
        b = task.train(1, gen)
        T = int(b.lengths[0])
        out.append((b.x[0, :T], b.targets[0, :T], b.target_mask[0, :T, 0]))
    return out


def train_ours(name: str, seed: int, seqs, engine: str):
    """Trial ``seed``'s initial net of row ``name`` after one update per sequence of ``seqs`` with ``engine``."""
    net = experiments.initial_net(name, [seed])
    for x, y, m in seqs:
        net.train(x[None], y[None], m[None], schedule="sequence", engine=engine)
    return net


# ------------------------------------------------------------------------------------------- the lab code
def patched_source(text: str, sizes: dict) -> tuple[str, list[str]]:
    """The lab code with :data:`PATCHES` applied and its size limits raised to ``sizes``; the patches'
    descriptions. ValueError naming the patch where the code is not the version this script knows."""
    done = []
    for what, pattern, replacement, count in PATCHES:
        text, n = re.subn(pattern, replacement, text)
        if n != count:
            raise ValueError(f"the lab code is not the version this script knows: the patch '{what}' changed {n} "
                             f"places instead of {count} (expected lstm.c of portegys/Mona, "
                             "projects/meta-maze/work/lstm)")
        done.append(what)
    for name, value in sizes.items():
        text, n = re.subn(rf"#define {name} \d+", f"#define {name} {value}", text)
        if n != 1:
            raise ValueError(f"the lab code is not the version this script knows: no '#define {name}'")
    done.append("size limits raised to fit the row: " + ", ".join(f"{k} {v}" for k, v in sizes.items()))
    return text, done


def _line(values) -> str:
    return " ".join(repr(float(v)) for v in values) + "\n"


def write_inputs(folder: Path, net, seqs, W, mask) -> None:
    """The lab's parameter file, training set (the sequences), a one-sequence test set and the weights."""
    cfg = net.cfg
    bias_in, bias_out = cfg.bias != "none", cfg.bias == "all"
    blocks = "".join(f"**block number: {j + 1}**\nblock size: {net.S}\n"
                     + ("initial input gate bias: 0.0\ninitial output gate bias: 0.0\n" if bias_in else "")
                     for j in range(net.B))
    (folder / "lstmpars.txt").write_text(
        f"number inputs: {cfg.n_in}\nnumber outputs: {cfg.n_out}\noutput layer biased: {int(bias_out)}\n"
        f"number hidden units: 0\nhidden layer biased: {int(bias_in)}\nnumber memory cell blocks: {net.B}\n"
        f"###here definitions for each block###\n{blocks}###end definitions for each block###\n"
        f"learning rate: {cfg.alpha!r}\nmax. error for correct sequence: 0.3\n"
        "half interval length for intialization: 0.1\nperforming test after ? epochs: 1\n"
        "performing test after fewer than ? wrong classifications on training set: 0\n"
        "write weight after ? epochs: 1000000\nmax. number of trials: 1\nstop learning once MSE per epoch <: 0.0\n"
        "stop learning once wrong classifications per epoch <: 0\nepochs to be learned after stop learning is set: 0\n"
        "initialization of random generator: 1\nreset the net after each sequence?: 1\n"
        f"weight update after sequence or epoch?: 1\nmax. number of epochs: 1\nsize of training set: {len(seqs)}\n"
        "size of test set: 1\n")
    end = _line([END] + [0.0] * (cfg.n_in + cfg.n_out - 1))

    def text(chosen):
        lines = []
        for x, y, m in chosen:
            lines += [_line(np.concatenate([x[t], y[t] if m[t] else np.full(cfg.n_out, NO_TARGET)]))
                      for t in range(len(x))] + [end]
        return "".join(lines) + end

    (folder / "lstmtrain.txt").write_text(text(seqs))
    (folder / "lstmtest.txt").write_text(text(seqs[:1]))
    (folder / "given_weights.txt").write_text("".join(_line(row) for row in W) + "".join(_line(row) for row in mask))


def run_lab(source: Path, folder: Path, net, seqs, cc: str) -> tuple[np.ndarray, list[str]]:
    """Patch, compile and run the lab code in ``folder``; its final weight matrix and the patches applied."""
    W, mask = lab_weights(net)
    longest = max(len(x) for x, _, _ in seqs)
    sizes = {"max_blocks": max(10, net.B), "max_size": max(10, net.S), "max_units": max(80, len(W)),
             "max_inputs": max(10, net.cfg.n_in + 1), "max_outputs": max(10, net.cfg.n_out),
             "max_sequence_length": max(500, longest + 2), "max_training_size": len(seqs) + 1, "max_test_size": 2}
    text, patches = patched_source(source.read_text(errors="replace"), sizes)
    (folder / "lstm.c").write_text(text)
    write_inputs(folder, net, seqs, W, mask)
    built = subprocess.run([cc, "-O2", "-std=gnu99", "-w", "-o", "lstm", "lstm.c", "-lm"], cwd=folder,
                           capture_output=True, text=True)
    if built.returncode:
        raise RuntimeError(f"compiling the patched lab code failed ({cc}):\n{built.stderr[-2000:]}")
    ran = subprocess.run(["./lstm"], cwd=folder, capture_output=True, text=True)
    if ran.returncode or not (folder / "lab_weights.txt").exists():
        raise RuntimeError(f"the lab code stopped without its weights (exit {ran.returncode}):\n{ran.stdout[-2000:]}")
    return np.loadtxt(folder / "lab_weights.txt"), patches


def compare(source, row: str = "4-1", seed: int = 0, n_sequences: int = 100, cc: str = "cc", keep=None) -> dict:
    """Train both codes (module docstring); the largest |weight difference| of the lab code against the NumPy
    reference (``"numpy"``) and the compiled engine (``"compiled"``), the largest |weight| and the largest
    change of a weight in training (the scale the differences compare with), the patches."""
    exp = check_row(row)
    seqs = sequences(exp, seed, n_sequences)
    start = experiments.initial_net(row, [seed])
    folder = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="lstm-lab-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        W, patches = run_lab(Path(source), folder, start, seqs, cc)
    finally:
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)
    lab_hidden, lab_output = from_lab(W, start)
    result = {"row": row, "seed": seed, "sequences": n_sequences, "patches": patches}
    for engine in lstm1997.ENGINES:
        net = train_ours(row, seed, seqs, engine)
        result[engine] = float(max(np.abs(net.w_hidden[0] - lab_hidden).max(),
                                   np.abs(net.w_output[0] - lab_output).max()))
        result["largest_weight"] = float(max(np.abs(net.w_hidden).max(), np.abs(net.w_output).max()))
        result["largest_change"] = float(max(np.abs(net.w_hidden - start.w_hidden).max(),
                                             np.abs(net.w_output - start.w_output).max()))
    return result


# ------------------------------------------------------------------------------------------- command line
def parse(argv) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lab_code", metavar="PATH_TO_LSTM_C", help="your copy of the lab's lstm.c")
    parser.add_argument("--row", default="4-1", help="a row of Tables 1-9 (default 4-1)")
    parser.add_argument("--seed", type=int, default=0, help="the trial whose weights and sequences are used")
    parser.add_argument("--sequences", type=int, default=100, help="training sequences (default 100)")
    parser.add_argument("--cc", default="cc", help="the C compiler (default cc)")
    parser.add_argument("--keep", help="work in this folder and keep it (default: a temporary one)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    if not Path(args.lab_code).is_file():
        parser.error(f"PATH_TO_LSTM_C must be a file (the lab's lstm.c), got {args.lab_code!r}")
    if args.row not in experiments.EXPERIMENTS:
        parser.error(f"--row must be a row of Tables 1-9 ({', '.join(experiments.EXPERIMENTS)}), got {args.row!r}")
    try:
        check_row(args.row)
    except ValueError as exc:
        parser.error(str(exc))
    if args.seed < 0 or args.sequences < 1:
        parser.error(f"--seed must be >= 0 and --sequences >= 1, got {args.seed} and {args.sequences}")
    if shutil.which(args.cc) is None:
        parser.error(f"--cc must name a C compiler on PATH, got {args.cc!r}")
    return args


def main(argv=None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    result = compare(args.lab_code, args.row, args.seed, args.sequences, args.cc, args.keep)
    if args.json:
        print(json.dumps(result, indent=1))
        return 0
    print(f"row {args.row}, trial {args.seed}: {args.sequences} training sequences, one weight update per sequence")
    print(f"patched copy of {args.lab_code}" + (f" in {args.keep}" if args.keep else "") + ":")
    for what in result["patches"]:
        print(f"  - {what}")
    print(f"largest |weight difference| after {args.sequences} sequences: lab code vs NumPy reference "
          f"{result['numpy']:.1e}, vs compiled engine {result['compiled']:.1e} (largest |weight| "
          f"{result['largest_weight']:.3g}, largest change of a weight in training {result['largest_change']:.3g})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
