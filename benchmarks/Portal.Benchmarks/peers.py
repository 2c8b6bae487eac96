"""Peers for the agreement benchmark, run by Portal.Benchmarks on the same files it measures itself on.

usage: peers.py nltk-alpha FILE          time NLTK AnnotationTask.alpha() in memory (data loaded first)
       peers.py nltk-cli FILE            read the CSV and compute NLTK alpha, end to end (timed by the caller)
       peers.py numpy-alpha FILE         a vectorised NumPy nominal alpha (the fast-krippendorff approach)
FILE is a reliability CSV: unit,coder1,coder2,... with empty cells for missing values.
Prints one line: seconds=<float> alpha=<float>.
"""
import csv
import sys
import time


def read_triples(path):
    triples = []
    with open(path, newline="") as f:
        reader = csv.reader(f)
        coders = next(reader)[1:]
        for row in reader:
            unit = row[0]
            for coder, value in zip(coders, row[1:]):
                if value != "":
                    triples.append((coder, unit, value))
    return triples


def nltk_alpha(triples):
    from nltk.metrics.agreement import AnnotationTask
    return AnnotationTask(data=triples).alpha()


def main():
    mode, path = sys.argv[1], sys.argv[2]
    if mode == "nltk-alpha":
        triples = read_triples(path)
        start = time.perf_counter()
        alpha = nltk_alpha(triples)
        print(f"seconds={time.perf_counter() - start:.4f} alpha={alpha:.10f}")
    elif mode == "nltk-cli":
        start = time.perf_counter()
        alpha = nltk_alpha(read_triples(path))
        print(f"seconds={time.perf_counter() - start:.4f} alpha={alpha:.10f}")
    elif mode == "numpy-alpha":
        import numpy as np
        with open(path) as f:
            header = f.readline().rstrip("\n").split(",")
            rows = [line.rstrip("\n").split(",")[1:] for line in f]
        values = sorted({v for row in rows for v in row if v != ""})
        index = {v: i for i, v in enumerate(values)}
        data = np.array([[index[v] if v != "" else -1 for v in row] for row in rows], dtype=np.int64)
        start = time.perf_counter()
        k = len(values)
        counts = np.zeros((data.shape[0], k))
        for coder in range(data.shape[1]):
            column = data[:, coder]
            present = column >= 0
            counts[np.nonzero(present)[0], column[present]] += 1
        m = counts.sum(axis=1)
        pairable = m >= 2
        counts, m = counts[pairable], m[pairable]
        o = (counts[:, :, None] * counts[:, None, :]) / (m - 1)[:, None, None]
        o = o.sum(axis=0) - np.diag((counts / (m - 1)[:, None]).sum(axis=0))
        n_c = o.sum(axis=1)
        n = n_c.sum()
        d_o = (o.sum() - np.trace(o)) / n
        d_e = (n_c.sum() ** 2 - (n_c ** 2).sum()) / (n * (n - 1))
        alpha = 1 - d_o / d_e
        print(f"seconds={time.perf_counter() - start:.4f} alpha={alpha:.10f}")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
