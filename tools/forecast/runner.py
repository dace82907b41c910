"""Run statsforecast on a pandas frame: locally in `n_jobs` processes, or on a dask cluster.

Scale: `n_jobs` runs series in parallel processes; `executor="dask"` sends the same statsforecast calls
through fugue to the dask cluster of the caller's current `distributed.Client`, for catalogues larger than
one machine. Its workers must run one thread each: statsforecast's compiled ETS is not thread-safe (two
threads in one process occasionally corrupted a fit in our tests), so a multi-threaded worker is refused,
and local runs hold a process-wide lock (the agent runs tools in threads).
That path returns float32 forecasts (statsforecast's fugue schema); they match local ones to ~1e-6.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from tools.forecast.errors import ForecastInputError
from tools.forecast.grain import Frequency
from tools.forecast.models import ModelSet, baseline_model

Executor = Literal["local", "dask"]
EXECUTORS: tuple[str, ...] = ("local", "dask")
Intervals = Literal["calibrated", "model"]
INTERVALS: tuple[str, ...] = ("calibrated", "model")
_FIT_LOCK = threading.Lock()  # one statsforecast run at a time per process (its compiled models share state)


@dataclass(frozen=True)
class RunOptions:
    """How to run statsforecast: model set, parallelism, executor, backtest windows, history used, and
    whether the bands are calibrated on the backtest (`calibration` module) or the models' own."""

    model_set: ModelSet = "accurate"
    n_jobs: int = 1
    executor: Executor = "local"
    n_windows: int = 2  # backtest horizons the model choice rests on, at least (`engine.selection_windows`)
    progress: bool = False
    max_train: int | None = None  # fit on at most this many recent periods (default: the grain's own cap)
    intervals: Intervals = "calibrated"


def _check_dask_workers() -> None:
    """Refuse a missing client or multi-threaded workers (see the module docstring)."""
    from distributed import get_client

    try:
        threads = get_client().nthreads()
    except ValueError:
        raise ForecastInputError("executor='dask' needs a running dask cluster: open one first, e.g. "
                                 "distributed.Client(threads_per_worker=1).") from None
    if any(n > 1 for n in threads.values()):
        raise ForecastInputError("executor='dask' needs one thread per worker (statsforecast's models are "
                                 f"not thread-safe); this cluster has {max(threads.values())}. Start it with "
                                 "threads_per_worker=1.")


def run_statsforecast(method: str, frame: pd.DataFrame, models: list[Any], freq: Frequency, season: int,
                      opts: RunOptions, **kwargs: Any) -> pd.DataFrame:
    """statsforecast `forecast` or `cross_validation` on a pandas frame, locally or on dask; a pandas
    result."""
    from statsforecast import StatsForecast

    sf = StatsForecast(models=models, freq=freq.pandas_freq, n_jobs=opts.n_jobs,
                       fallback_model=baseline_model(season), verbose=opts.progress)
    data: Any = frame
    if opts.executor == "dask":
        import dask.dataframe as dd

        _check_dask_workers()
        data = dd.from_pandas(frame,
                              npartitions=max(1, min(frame["unique_id"].nunique(), 2 * opts.n_jobs, 16)))
    if opts.executor == "dask":
        out = getattr(sf, method)(df=data, **kwargs).compute()
    else:
        with _FIT_LOCK:
            out = getattr(sf, method)(df=data, **kwargs)
    out = out.reset_index(drop=True) if "unique_id" in out.columns else out.reset_index()
    out["unique_id"] = out["unique_id"].astype(str)
    out["ds"] = pd.to_datetime(out["ds"])
    if "cutoff" in out.columns:
        out["cutoff"] = pd.to_datetime(out["cutoff"])
    values = [c for c in out.columns if c not in ("unique_id", "ds", "cutoff")]
    out[values] = out[values].astype("float64")  # dask hands back nullable Float32
    return out
