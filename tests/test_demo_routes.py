"""The demo route data fits the method files; the route generator refuses what does not."""

from __future__ import annotations

import pytest

from trajecttools.core.method import load_method
from trajecttools.outputs.demo.catalogue import ROUTES
from trajecttools.outputs.demo.routes import SHAPES, phase_walk


@pytest.mark.parametrize("code", list(ROUTES))
def test_route_data_fits_its_method(code: str) -> None:
    method = load_method(code)
    spec = ROUTES[code]
    steps = phase_walk(method, spec["phases"])
    assert steps[0][0] == method.method.initial_phase
    assert spec["shape"] in SHAPES
    for placement in spec["placements"]:
        kinds = placement["kind"] if isinstance(placement["kind"], tuple) else (placement["kind"],)
        assert set(kinds) <= set(method.placement_types)


def test_phase_walk_refuses_a_step_the_method_does_not_allow() -> None:
    method = load_method("opstapbaan")
    with pytest.raises(RuntimeError, match="intake -> aftercare"):
        phase_walk(method, [("registration", "registration"), ("intake", "intake"),
                            ("aftercare", "regular")])
    with pytest.raises(RuntimeError, match="does not fit"):
        phase_walk(method, [("intake", "intake")])
