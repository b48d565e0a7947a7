"""Churn, renewal and any-target prediction from the event log (PRODUCT §6).

The library entry point is `run_predict`; `predict_placed` scores placements with a saved model.
"""

import sys
import types
from typing import Any

from journeyctl.predict.run import PredictResult, predict_placed, run_predict

__all__ = ["PredictResult", "predict_placed", "run_predict"]


class _CallableModule(types.ModuleType):
    """`journeyctl.predict` is both this package and the API function (PRODUCT §8): once the
    package is imported, Python binds the name to it on `journeyctl`, shadowing the function, so
    calling the package calls the function."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from journeyctl import api

        return api.predict(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
