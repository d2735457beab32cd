"""Regenerate the CSV files in this folder from scikit-learn (python data/make_csvs.py)."""

import csv
from pathlib import Path

import numpy as np
from sklearn.datasets import load_wine, make_moons

HERE = Path(__file__).resolve().parent


def write(path, header, rows):
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


wine = load_wine()
names = [n.replace("/", "_") for n in wine.feature_names]
write(HERE / "wine.csv", [*names, "target"],
      [[f"{v:g}" for v in x] + [wine.target_names[t]] for x, t in zip(wine.data, wine.target)])

X, y = make_moons(n_samples=500, noise=0.2, random_state=0)
write(HERE / "moons.csv", ["x1", "x2", "label"],
      [[f"{a:.5f}", f"{b:.5f}", int(t)] for (a, b), t in zip(np.round(X, 5), y)])
