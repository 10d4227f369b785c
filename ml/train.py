"""Trains the learned anomaly model and exports it to ONNX.

Run through `bash ml/train.sh` (pinned environment). Writes:
- ml/models/anomaly-mlp.onnx            the model (committed)
- ml/models/anomaly-mlp.metrics.json    held-out scores on generated data (for MODEL_CARD.md)
- ml/testdata/feature-vectors.json      features and model outputs that the TypeScript tests check
"""
from __future__ import annotations

import json
import pathlib
import random
import sys
import time

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from skl2onnx import to_onnx
from skl2onnx.common.data_types import FloatTensorType

from pharos_ml.features import FEATURE_COUNT, FEATURE_NAMES, FEATURE_VERSION, series_features
from pharos_ml.synth import KINDS, ONSET_LABEL_POINTS, make_series

ROOT = pathlib.Path(__file__).resolve().parent
TRAIN_SEED, TEST_SEED, VECTOR_SEED = 20261126, 77, 5
TRAIN_SERIES, TEST_SERIES = 240, 60
NEGATIVES_PER_POSITIVE = 12
INPUT_NAME, LABEL_NAME, PROB_NAME = "features", "label", "probabilities"


def dataset(seed: int, count: int):
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for _ in range(count):
        s = make_series(rng)
        xs.append(series_features(float(s.values.min()), float(s.values.max()), s.values))
        ys.append(s.labels)
    return np.concatenate(xs), np.concatenate(ys)


def main() -> int:
    random.seed(0)
    started = time.time()  # printed, not stored: the outputs must not change between runs
    x_train, y_train = dataset(TRAIN_SEED, TRAIN_SERIES)
    x_test, y_test = dataset(TEST_SEED, TEST_SERIES)
    # Anomalous rows are rare: keep every positive and a fixed-seed sample of negatives.
    rng = np.random.default_rng(1)
    pos = np.flatnonzero(y_train == 1)
    neg = np.flatnonzero(y_train == 0)
    neg = rng.choice(neg, size=min(len(neg), NEGATIVES_PER_POSITIVE * len(pos)), replace=False)
    idx = np.sort(np.concatenate([pos, neg]))
    model = make_pipeline(
        StandardScaler(),
        MLPClassifier(hidden_layer_sizes=(24, 12), alpha=1e-3, max_iter=60, random_state=0, early_stopping=True),
    )
    model.fit(x_train[idx].astype(np.float32), y_train[idx])
    p_test = model.predict_proba(x_test.astype(np.float32))[:, 1]
    metrics = {
        "feature_version": FEATURE_VERSION,
        "train_rows": int(len(idx)),
        "train_series": TRAIN_SERIES,
        "test_series": TEST_SERIES,
        "test_rows": int(len(y_test)),
        "test_positive_rows": int(y_test.sum()),
        "test_roc_auc": round(float(roc_auc_score(y_test, p_test)), 4),
        "test_average_precision": round(float(average_precision_score(y_test, p_test)), 4),
        "kinds": list(KINDS),
        "onset_label_points": ONSET_LABEL_POINTS,
    }

    onx = to_onnx(
        model,
        initial_types=[(INPUT_NAME, FloatTensorType([None, FEATURE_COUNT]))],
        options={id(model.steps[-1][1]): {"zipmap": False}},
        target_opset={"": 17, "ai.onnx.ml": 3},
    )
    names = [o.name for o in onx.graph.output]
    if names != [LABEL_NAME, PROB_NAME]:
        raise SystemExit(f"unexpected ONNX outputs {names}")
    onx.doc_string = f"Pharos anomaly MLP, features v{FEATURE_VERSION}: {','.join(FEATURE_NAMES)}"
    models = ROOT / "models"
    models.mkdir(exist_ok=True)
    (models / "anomaly-mlp.onnx").write_bytes(onx.SerializeToString())
    (models / "anomaly-mlp.metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")

    # Test vectors: awkward inputs as well as ordinary ones (flat, negative, quantised).
    vrng = np.random.default_rng(VECTOR_SEED)
    cases = []
    for i in range(3):
        s = make_series(vrng)
        cases.append((f"generated-{i}", s.timestamps[:400], s.values[:400]))
    cases.append(("flat", np.arange(50, dtype=np.int64) * 60_000, np.full(50, 3.5)))
    cases.append(("negative-steps", np.arange(200, dtype=np.int64) * 60_000, np.repeat([-5.0, -1.0, -3.0, 7.0], 50)))
    vectors = []
    for name, ts, vs in cases:
        lo, hi = float(vs.min()), float(vs.max())
        f = series_features(lo, hi, vs)
        vectors.append(
            {
                "name": name,
                "range": {"min": lo, "max": hi},
                "timestamps": [int(t) for t in ts],
                "values": [float(v) for v in vs],
                "features": [[float(v) for v in row] for row in f],
                "probability": [float(p) for p in model.predict_proba(f.astype(np.float32))[:, 1]],
            }
        )
    (ROOT / "testdata").mkdir(exist_ok=True)
    (ROOT / "testdata" / "feature-vectors.json").write_text(
        json.dumps({"feature_version": FEATURE_VERSION, "feature_names": FEATURE_NAMES, "cases": vectors}) + "\n"
    )
    # A deliberately mismatched model (11 feature columns) that the Node side must refuse at load.
    wrong_x = np.random.default_rng(2).normal(size=(100, FEATURE_COUNT - 1)).astype(np.float32)
    wrong = LogisticRegression().fit(wrong_x, (wrong_x[:, 0] > 0).astype(int))
    wrong_onx = to_onnx(
        wrong,
        initial_types=[(INPUT_NAME, FloatTensorType([None, FEATURE_COUNT - 1]))],
        options={id(wrong): {"zipmap": False}},
        target_opset={"": 17, "ai.onnx.ml": 3},
    )
    (ROOT / "testdata" / "wrong-width.onnx").write_bytes(wrong_onx.SerializeToString())
    print(json.dumps(metrics, indent=2))
    print(f"trained in {time.time() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
