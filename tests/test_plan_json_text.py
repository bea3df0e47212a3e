"""plan.json's text is what ``json.dumps`` writes (two-space indent, sorted keys, no ASCII
escapes), written by orjson for speed."""

from __future__ import annotations

import datetime as dt
import json

from mkdocs_exdr.pipeline import build_plan
from mkdocs_exdr.render.plan_json import dumps, plan_json
from tests.conftest import EXAMPLE_INVENTORY


def test_the_example_plan_is_written_as_json_dumps_writes_it() -> None:
    data = plan_json(build_plan(EXAMPLE_INVENTORY, None, dt.date(2026, 11, 20)))
    assert dumps(data) == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_text_and_numbers_orjson_writes_like_json_dumps() -> None:
    data = {"b": [1, 2.5, None, True, {}, []], "a": 'é \u2028 < " \\ \x7f', "c": 10**30}
    assert dumps(data) == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert json.loads(dumps({"tiny": 1e-05})) == {"tiny": 1e-05}
