"""An agent worker's capacity is explicit: lectures over AGENT_MAX_JOBS count as load in every mode."""

from types import SimpleNamespace

from agent import worker


def test_a_worker_at_its_job_limit_reports_full_load(settings) -> None:
    settings.AGENT_MAX_JOBS = 2
    load = worker.WorkerLoad()
    load.server = SimpleNamespace(active_jobs=[object()])  # type: ignore[assignment]  # as the library lists jobs
    assert not load.full and 0.5 <= load() < settings.AGENT_LOAD_THRESHOLD
    load.server = SimpleNamespace(active_jobs=[object(), object()])  # type: ignore[assignment]
    assert load.full and load() >= settings.AGENT_LOAD_THRESHOLD


def test_the_load_threshold_applies_in_development_too(settings) -> None:
    server = worker.build_server()
    assert server._load_threshold == settings.AGENT_LOAD_THRESHOLD
    assert worker.LOOKUP_PATIENCE_SECONDS < 5, "answer LiveKit's job offer well within its deadline"
