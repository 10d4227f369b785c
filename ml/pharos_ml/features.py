"""Streaming features of the learned anomaly model.

Mirror of libs/anomaly/src/learned/features.ts: same features, same order,
same float64 arithmetic. ml/testdata/feature-vectors.json pins the two
together (written by train.py, checked by features.test.ts). Change both or
neither, and bump FEATURE_VERSION.
"""
from __future__ import annotations

import math

import numpy as np

FEATURE_NAMES = [
    "position_in_range",
    "z_fast_level",
    "z_slow_level",
    "level_shift",
    "log_scale_ratio",
    "z_step",
    "novelty_order3",
    "novelty_order2",
    "novelty_recent",
    "novelty_baseline",
    "novelty_excess",
    "maturity",
]
FEATURE_COUNT = len(FEATURE_NAMES)
FEATURE_VERSION = 1

LEVELS = 8
FAST = 0.1
SLOW = 0.01
NOVELTY_RECENT = 0.1
NOVELTY_LONG = 0.005
CLIP = 10.0
MIN_SIGMA = 0.01
ABS_DEV_TO_SIGMA = 1.2533141373155001
MATURITY_POINTS = 1000


def _clip(x: float) -> float:
    return CLIP if x > CLIP else (-CLIP if x < -CLIP else x)


def series_features(lo: float, hi: float, values) -> np.ndarray:
    """One feature row per value, computed in arrival order (no look-ahead)."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi < lo:
        raise ValueError(f"invalid series range [{lo}, {hi}]")
    span = hi - lo
    out = np.empty((len(values), FEATURE_COUNT), dtype=np.float64)
    counts2 = [0.0] * (LEVELS * LEVELS)
    counts3 = [0.0] * (LEVELS * LEVELS * LEVELS)
    fast = slow = fast_dev = slow_dev = step_dev = prev_x = 0.0
    nov_recent = nov_long = 0.0
    q1 = q2 = 0
    for n, value in enumerate(values):
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"row {n}: value is not finite")
        x = (value - lo) / span if span > 0 else 0.0
        q = math.floor(x * LEVELS)
        q = 0 if q < 0 else (LEVELS - 1 if q > LEVELS - 1 else q)
        if n == 0:
            fast = slow = prev_x = x
            q1 = q2 = q
        sigma = max(ABS_DEV_TO_SIGMA * slow_dev, MIN_SIGMA)
        step_sigma = max(ABS_DEV_TO_SIGMA * step_dev, MIN_SIGMA)
        i2 = q1 * LEVELS + q
        i3 = (q2 * LEVELS + q1) * LEVELS + q
        novelty3 = 1.0 / (1.0 + counts3[i3])
        novelty2 = 1.0 / (1.0 + counts2[i2])
        step = abs(x - prev_x)
        row = out[n]
        row[0] = x
        row[1] = _clip((x - fast) / sigma)
        row[2] = _clip((x - slow) / sigma)
        fast += FAST * (x - fast)
        slow += SLOW * (x - slow)
        row[3] = _clip((fast - slow) / sigma)
        fast_dev += FAST * (abs(x - fast) - fast_dev)
        slow_dev += SLOW * (abs(x - slow) - slow_dev)
        row[4] = max(-5.0, min(5.0, math.log((fast_dev + 1e-3) / (slow_dev + 1e-3))))
        row[5] = _clip(step / step_sigma)
        step_dev += SLOW * (step - step_dev)
        row[6] = novelty3
        row[7] = novelty2
        nov_recent += NOVELTY_RECENT * (novelty3 - nov_recent)
        nov_long += NOVELTY_LONG * (novelty3 - nov_long)
        row[8] = nov_recent
        row[9] = nov_long
        row[10] = nov_recent - nov_long
        row[11] = min(1.0, n / MATURITY_POINTS)
        counts2[i2] += 1.0
        counts3[i3] += 1.0
        q2 = q1
        q1 = q
        prev_x = x
    return out
