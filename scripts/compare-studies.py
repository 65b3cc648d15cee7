#!/usr/bin/env python3
"""How far two runs of the same study drifted apart (e.g. the same preset on two CPUs, where libtorch and oneDNN pick
other kernels): per run, test accuracy and the untargeted worst-case robust accuracy at each protocol's largest ε.

  scripts/compare-studies.py A/results.db B/results.db

Prints the number of runs compared, how many are identical, and the mean and largest absolute difference in points.
Compare the verdicts themselves in the two report.md files.
"""
import sqlite3
import sys


def load(path):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    accuracy = {(label, seed, fraction): value for label, seed, fraction, value in db.execute(
        "select r.label, r.seed, r.fraction, m.test_accuracy from runs r join metrics m on m.run_id = r.id")}
    robust = {(label, seed, protocol): value for label, seed, protocol, value in db.execute(
        "select r.label, r.seed, a.protocol, a.accuracy from runs r join attacks a on a.run_id = r.id "
        "where a.attack = 'worst-case' and a.targeted = 0 and a.eps = "
        "(select max(eps) from attacks b where b.run_id = a.run_id and b.protocol = a.protocol)")}
    return accuracy, robust


def summary(name, a, b):
    keys = [k for k in a if k in b]
    if not keys:
        return f"{name}: no run in both"
    diffs = [abs(a[k] - b[k]) * 100 for k in keys]
    same = sum(1 for k in keys if a[k] == b[k])
    return f"{name}: {len(keys)} runs, {same} identical, mean |difference| {sum(diffs) / len(diffs):.2f} pt, largest {max(diffs):.2f} pt"


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    (acc_a, rob_a), (acc_b, rob_b) = load(sys.argv[1]), load(sys.argv[2])
    print(summary("test accuracy", acc_a, acc_b))
    for protocol in sorted({k[2] for k in rob_a}):
        pick = lambda d: {k: v for k, v in d.items() if k[2] == protocol}
        print(summary(f"worst-case robust accuracy at the largest ε, {protocol}", pick(rob_a), pick(rob_b)))


if __name__ == "__main__":
    main()
