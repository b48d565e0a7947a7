"""Churn, renewal and any-target prediction from the event log (PRODUCT §6).

The library entry point is `run_predict`; `predict_placed` scores placements with a saved model.
"""

from journeyctl.predict.run import PredictResult, predict_placed, run_predict

__all__ = ["PredictResult", "predict_placed", "run_predict"]
