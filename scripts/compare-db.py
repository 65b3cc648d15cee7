#!/usr/bin/env python3
"""Compares two results.db files table by table, leaving out what differs between equal runs
(wall-clock times, throughput, hosts and owners).

  scripts/compare-db.py A/results.db B/results.db

Prints one line per table ('equal' or how many rows differ, with the first difference) and exits 0 only when
every table present in both is equal.
"""
import re
import sqlite3
import sys

TIMING = re.compile(r"time|second|host|owner|_at$|created|duration|images_per|wall|elapsed", re.I)
JSON_TIMING = re.compile(r'^\s*"[^"]*(seconds|images_per_second|host|_at)": .*$', re.M)


def rows(db, table):
    cols = [r[1] for r in db.execute(f"pragma table_info({table})")]
    keep = [c for c in cols if not TIMING.search(c)]
    out = []
    for r in db.execute(f"select {','.join(keep)} from {table}"):
        out.append(tuple(JSON_TIMING.sub("", v) if isinstance(v, str) else v for v in r))
    return keep, sorted(out, key=repr)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    a, b = (sqlite3.connect(f"file:{p}?mode=ro", uri=True) for p in sys.argv[1:])
    tables = lambda db: {t for (t,) in db.execute("select name from sqlite_master where type='table'")}
    ta, tb = tables(a), tables(b)
    equal = True
    for t in sorted(ta ^ tb):
        print(f"{t}: only in {'the first' if t in ta else 'the second'}")
        equal = False
    for t in sorted(ta & tb):
        ca, ra = rows(a, t)
        cb, rb = rows(b, t)
        if ca != cb:
            print(f"{t}: columns differ: {ca} vs {cb}")
            equal = False
            continue
        diff = [(x, y) for x, y in zip(ra, rb) if x != y]
        if len(ra) != len(rb) or diff:
            equal = False
            print(f"{t}: {len(ra)} vs {len(rb)} rows, {len(diff)} differ")
            for x, y in diff[:1]:
                for c, u, v in zip(ca, x, y):
                    if u != v:
                        print(f"  {c}: {str(u)[:200]!r} vs {str(v)[:200]!r}")
        else:
            print(f"{t}: equal ({len(ra)} rows)")
    sys.exit(0 if equal else 1)


main()
