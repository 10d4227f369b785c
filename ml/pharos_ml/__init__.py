"""Training of Pharos' learned anomaly model (see ml/MODEL_CARD.md)."""
