"""The cycle collector is paused while a plan is made, and left as it was found afterwards."""

from __future__ import annotations

import datetime as dt
import gc

import pytest

from mkdocs_exdr import pipeline
from mkdocs_exdr.common.collection import collection_paused
from mkdocs_exdr.pipeline import build_plan
from mkdocs_exdr.plan.engine import plan_organization
from tests.conftest import EXAMPLE_INVENTORY


def test_the_collector_is_off_inside_and_on_again_after_an_error() -> None:
    assert gc.isenabled()
    with pytest.raises(ZeroDivisionError), collection_paused():
        assert not gc.isenabled()
        _ = 1 / 0
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    try:
        with collection_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_planning_leaves_the_collector_on(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []
    real = plan_organization

    def spy(*args: object, **kwargs: object) -> object:
        seen.append(gc.isenabled())
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "plan_organization", spy)
    build_plan(EXAMPLE_INVENTORY, None, dt.date(2026, 11, 20))
    assert seen == [False] and gc.isenabled()
