"""Generated series with injected anomalies of known kinds: the only training data.

No NAB data is used, so NAB scores of the model are out-of-sample by
construction. Every series is drawn from a numpy Generator seeded by the
caller, so the data (and the model) are reproducible.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

STEP_MS = 300_000
DAY_POINTS = 288
KINDS = ("spike", "level_shift", "trend", "variance", "season_break", "flatline", "dropout")
ONSET_LABEL_POINTS = 12


@dataclass
class Series:
    timestamps: np.ndarray  # int64 ms
    values: np.ndarray  # float64
    labels: np.ndarray  # 1 from an anomaly's onset for ONSET_LABEL_POINTS points
    kinds: list[str]


def _background(rng: np.random.Generator, n: int) -> tuple[np.ndarray, float]:
    t = np.arange(n)
    sigma = rng.uniform(0.5, 3.0)
    level = rng.uniform(10, 100)
    y = np.full(n, level)
    if rng.random() < 0.6:
        amp = rng.uniform(0.5, 8.0) * sigma
        phase = rng.uniform(0, 2 * np.pi)
        y += amp * np.sin(2 * np.pi * t / DAY_POINTS + phase)
        if rng.random() < 0.3:
            y += 0.5 * amp * np.sign(np.sin(2 * np.pi * t / (7 * DAY_POINTS) + phase))
    if rng.random() < 0.2:
        # A square wave (batch jobs, on/off load).
        y += rng.uniform(3, 10) * sigma * (np.sin(2 * np.pi * t / DAY_POINTS) > 0)
    if rng.random() < 0.3:
        y += np.cumsum(rng.normal(0, 0.05 * sigma, n))
    noise = rng.standard_t(df=rng.choice([3, 5, 30]), size=n) * sigma
    if rng.random() < 0.25:
        # Bursty but normal: occasional small spikes that are part of the pattern.
        mask = rng.random(n) < rng.uniform(0.005, 0.03)
        noise += mask * rng.uniform(2, 5) * sigma
    y += noise
    if rng.random() < 0.3:
        y = np.round(y / (sigma * rng.uniform(0.5, 2.0))) * (sigma * rng.uniform(0.5, 2.0))
    return y, sigma


def _inject(rng: np.random.Generator, y: np.ndarray, sigma: float, at: int, kind: str) -> None:
    n = len(y)
    size = rng.uniform(4, 12) * sigma * rng.choice([-1, 1])
    if kind == "spike":
        width = int(rng.integers(1, 4))
        y[at : at + width] += size
    elif kind == "level_shift":
        end = n if rng.random() < 0.5 else min(n, at + int(rng.integers(50, 600)))
        y[at:end] += size
    elif kind == "trend":
        end = min(n, at + int(rng.integers(100, 800)))
        y[at:end] += np.linspace(0, size * rng.uniform(1, 3), end - at)
    elif kind == "variance":
        end = min(n, at + int(rng.integers(50, 500)))
        y[at:end] += rng.normal(0, rng.uniform(3, 6) * sigma, end - at)
    elif kind == "season_break":
        end = min(n, at + DAY_POINTS)
        seg = y[at:end].copy()
        y[at:end] = np.roll(seg, DAY_POINTS // 2) if rng.random() < 0.5 else seg.mean() + rng.normal(0, sigma, end - at)
    elif kind == "flatline":
        end = min(n, at + int(rng.integers(100, 500)))
        y[at:end] = y[at - 1]
    elif kind == "dropout":
        end = min(n, at + int(rng.integers(5, 60)))
        y[at:end] = y.min() - rng.uniform(0, 2) * sigma
    else:
        raise ValueError(f"unknown anomaly kind {kind}")


def make_series(rng: np.random.Generator) -> Series:
    n = int(rng.integers(2000, 6000))
    y, sigma = _background(rng, n)
    labels = np.zeros(n, dtype=np.int8)
    kinds: list[str] = []
    count = int(rng.choice([0, 1, 1, 2, 2, 3]))
    # Anomalies start after the first 20% (what NAB calls the probationary period) and are spaced apart.
    slots = np.sort(rng.choice(np.arange(int(0.2 * n), n - 50, 300), size=count, replace=False)) if count else []
    for at in slots:
        kind = str(rng.choice(KINDS))
        _inject(rng, y, sigma, int(at), kind)
        labels[int(at) : int(at) + ONSET_LABEL_POINTS] = 1
        kinds.append(kind)
    start = int(rng.integers(1_400_000_000, 1_500_000_000)) * 1000
    timestamps = start - start % STEP_MS + STEP_MS * np.arange(n, dtype=np.int64)
    return Series(timestamps, y, labels, kinds)
