#!/usr/bin/env python3
"""Mutation fuzzer for malformed input: never a crash or a hang.

Takes the project's .mlir files (tests and examples), applies seeded textual
mutations (a number replaced by an extreme one, a line deleted, duplicated or
swapped, a memory space or an op name changed, an attribute dropped, the file
cut short), and feeds each mutant to every NKI pass alone, both nki-optimize
strategies, nki-report, the lowering to LLVM and, for a sample, nki-run. Each
must exit with a diagnostic or succeed: a signal, LLVM's crash banner or a
time-out is a failure, kept in --keep for a regression test. Crashes whose
stack never enters nki-mlir's code (upstream MLIR's parser or printer) are
counted apart, and fail the run too.

  utils/mutate-inputs.py --seed S --count N [--bin DIR] [--keep DIR] [FILES]

Prints the figures per tool and pass: inputs tried, crashes, hangs.
"""
import argparse
import glob
import os
import random
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

TARGETS = [
    "nki-verify-buffers", "nki-fold-copy-loops", "nki-batch-writeback",
    "nki-align-partitions", "nki-load-slices", "nki-share-tap-loads",
    "nki-hoist-transposes", "nki-hoist-loads", "nki-group-row-blocks",
    "nki-fold-loop-constants", "nki-forward-copies", "nki-im2col",
    "nki-pack-contraction", "nki-fuse-eviction", "nki-fuse-scratch-consumers",
    "nki-drop-unread-columns", "nki-report", "nki-optimize",
    "nki-optimize=conv-strategy=im2col", "nki-to-llvm",
    "convert-linalg-to-nki", "nki-import",
]
EXTREMES = ["0", "1", "-1", "2", "3", "127", "129", "512", "513", "2147483648",
            "4611686018427387904", "9223372036854775807", "-9223372036854775808"]
SPACES = ["#nki.mem<sbuf>", "#nki.mem<psum>", "#nki.mem<hbm>", ""]
OPS = ["nki.dma_copy", "nki.tensor_copy", "nki.matmul", "nki.transpose",
       "nki.tensor_scalar", "nki.tensor_tensor", "nki.memset",
       "nki.tensor_reduce"]
TIMEOUT = 120  # seconds; under the sanitizers the report's step limit takes ~30 s


def mutate(text, rng):
    lines = text.splitlines()
    kind = rng.choice(["number", "number", "number", "delete", "duplicate",
                       "swap", "space", "op", "attribute", "truncate"])
    if kind == "number":
        numbers = [m for m in re.finditer(r"(?<![\w%#.])-?\d+(?![\w.])", text)]
        if numbers:
            m = rng.choice(numbers)
            return text[:m.start()] + rng.choice(EXTREMES) + text[m.end():]
    if kind == "delete" and lines:
        del lines[rng.randrange(len(lines))]
    if kind == "duplicate" and lines:
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i])
    if kind == "swap" and len(lines) > 1:
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    if kind == "space":
        spaces = [m for m in re.finditer(r", #nki\.mem<\w+>", text)]
        if spaces:
            m = rng.choice(spaces)
            new = rng.choice(SPACES)
            return text[:m.start()] + (", " + new if new else "") + text[m.end():]
    if kind == "op":
        ops = [m for m in re.finditer("|".join(map(re.escape, OPS)), text)]
        if ops:
            m = rng.choice(ops)
            return text[:m.start()] + rng.choice(OPS) + text[m.end():]
    if kind == "attribute":
        return re.sub(r" \{nki\.affine_range\}", "", text, count=1) \
            if rng.random() < 0.5 else \
            re.sub(r"attributes \{[^}]*\}", "", text, count=1)
    if kind == "truncate":
        return text[:rng.randrange(len(text) + 1)]
    return "\n".join(lines) + "\n"


def classify(result):
    if result is None:
        return "hang"
    if result.returncode < 0 or "PLEASE report" in result.stderr or \
            "Stack dump" in result.stderr:
        return "crash" if in_our_code(result.stderr) else "upstream-crash"
    return "ok"


def in_our_code(stderr):
    """Whether the crash's stack, below the signal handler frames and above
    the tool's main loop, passes through nki-mlir's code (our frames are
    symbolized as .cpp files or named by our binaries; libMLIR.so's are
    addresses in it)."""
    frames = [l for l in stderr.splitlines() if re.match(r"\s*#\d+ ", l)]
    for frame in frames[4:]:
        if "MlirOptMain" in frame or re.search(r" main ", frame):
            break
        if re.search(r"nki::|\w\.cpp:\d+|/nki-(opt|run)\+", frame):
            return True
    return False


def run(command):
    try:
        # A mutant may echo bytes that are not UTF-8 in a diagnostic.
        return subprocess.run(command, capture_output=True, text=True,
                              errors="replace", timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--bin", default=os.path.join(ROOT, "build", "bin"))
    parser.add_argument("--keep")
    parser.add_argument("--run-every", type=int, default=10,
                        help="also nki-run every Nth mutant that nki-opt "
                             "accepts")
    args = parser.parse_args()
    files = args.files or sorted(
        glob.glob(os.path.join(ROOT, "test", "**", "*.mlir"), recursive=True) +
        glob.glob(os.path.join(ROOT, "examples", "*.mlir")))
    corpus = [(f, open(f).read()) for f in files]
    opt = os.path.join(args.bin, "nki-opt")
    nki_run = os.path.join(args.bin, "nki-run")
    rng = random.Random(args.seed)
    figures = {}  # target -> [tried, crashes, hangs]
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(args.count):
            name, text = rng.choice(corpus)
            mutant = mutate(text, rng)
            path = os.path.join(tmp, "mutant.mlir")
            with open(path, "w") as f:
                f.write(mutant)
            target = rng.choice(TARGETS)
            result = run([opt, path, "--split-input-file", "--" + target,
                          "-o", os.devnull])
            commands = [(target, result)]
            if result is not None and result.returncode == 0 and \
                    n % args.run_every == 0 and "nki." in mutant:
                commands.append(("nki-run", run([nki_run, path])))
            for label, outcome in commands:
                stats = figures.setdefault(label, [0, 0, 0, 0])
                stats[0] += 1
                verdict = classify(outcome)
                if verdict == "ok":
                    continue
                stats[{"crash": 1, "hang": 2, "upstream-crash": 3}[verdict]] += 1
                failures.append((label, verdict, name))
                if args.keep:
                    os.makedirs(args.keep, exist_ok=True)
                    keep = os.path.join(args.keep,
                                        f"{verdict}-{args.seed}-{n}.mlir")
                    with open(keep, "w") as f:
                        f.write(f"// {verdict} in {label}, mutated from "
                                f"{os.path.relpath(name, ROOT)}\n" + mutant)
    tried = sum(s[0] for s in figures.values())
    crashes = sum(s[1] for s in figures.values())
    hangs = sum(s[2] for s in figures.values())
    upstream = sum(s[3] for s in figures.values())
    for label in sorted(figures):
        t, c, h, u = figures[label]
        print(f"  {label}: {t} inputs, {c} crashes, {h} hangs"
              + (f", {u} crashes inside upstream MLIR" if u else ""))
    for label, verdict, name in failures:
        print(f"FAILED: {verdict} in {label} on a mutant of "
              f"{os.path.relpath(name, ROOT)}")
    print(f"mutate-inputs: {tried} runs on {args.count} mutants, "
          f"{crashes} crashes, {hangs} hangs, {upstream} crashes inside "
          f"upstream MLIR (its parser or printer)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
