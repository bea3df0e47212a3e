"""A policy template is refused *before* it builds a value too large, not after (issue 13): each
case runs in a child process limited to 512 MB, where building the value would fail as
"out of memory" instead of being refused by the sandbox."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

CASES = [
    "{{ 'x' * 10**9 }}",
    "{% set s = 'x' * 999999 %}{{ ([s] * 1000) | join }}",
    "{% set s = 'x' * 999999 %}{{ ([s] * 400) | join(s) | length }}",
    "{% set s = 'x' * 999999 %}{{ ''.join([s] * 400) | length }}",
    "{% set s = 'x' * 999999 %}{{ ([s] * 400) | map('upper') | list | length }}",
    "{% set s = 'x' * 999999 %}{{ ([s] * 400) | string | length }}",
    "{% set s = 'x' * 999999 %}{{ ([s] * 400) | tojson | length }}",
    "{% set s = 'x' * 999999 %}{{ [s] * 400 }}",
    "{% set s = 'x' * 999999 %}{{ '%s' % ([s] * 400,) }}",
    "{% set s = 'x' * 999999 %}{{ (s ~ s ~ s) | length }}",
    "{% set s = 'x\\n' * 499999 %}{{ s | indent(1000) | length }}",
    "{% set s = 'x' * 999999 %}{{ s.translate(s.maketrans({'x': s})) | length }}",
    "{% set s = 'x' * 999999 %}{{ '{}{}'.format([s] * 400, 1) | length }}",
]


@pytest.mark.parametrize("source", CASES)
def test_growth_is_refused_before_the_value_is_built(source: str) -> None:
    code = f"""
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (512 << 20, 512 << 20))
        from mkdocs_exdr.policies import sandbox
        source = {source!r}
        try:
            sandbox.run(source, lambda: sandbox.template(source).render())
        except sandbox.PolicyTemplateError as error:
            print(error.limited, error)
        """
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("True stopped: "), result.stdout
    assert "memory" not in result.stdout
