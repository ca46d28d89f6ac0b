"""The chain Lambda's decision function on the cases a week of simulation does not reach:
an event delivered twice, a start call that fails, two predecessors' counts."""

from __future__ import annotations

import pytest

from alur_runtime.chain import STARTED, Chains, on_state_change


class Store:
    def __init__(self) -> None:
        self.items: dict[tuple[str, str], dict[str, str]] = {}

    def get(self, pk: str, sk: str) -> dict[str, str] | None:
        item = self.items.get((pk, sk))
        return None if item is None else dict(item)

    def put_if(
        self, pk: str, sk: str, item: dict[str, str], expected: dict[str, str] | None
    ) -> bool:
        if self.items.get((pk, sk)) != expected:
            return False
        self.items[(pk, sk)] = dict(item)
        return True


CHAINS = Chains({"s": ("a", "b")})


def test_an_event_delivered_twice_counts_once() -> None:
    store, started = Store(), []
    start = lambda job: not started.append(job)  # noqa: E731
    on_state_change(CHAINS, store, "b", "SUCCEEDED", "t1", start, run_id="jr_b1")
    on_state_change(CHAINS, store, "a", "SUCCEEDED", "t2", start, run_id="jr_a1")
    assert started == ["s"]
    # EventBridge / Lambda retry the same events: nothing new succeeded, nothing starts
    on_state_change(CHAINS, store, "a", "SUCCEEDED", "t2", start, run_id="jr_a1")
    on_state_change(CHAINS, store, "b", "SUCCEEDED", "t1", start, run_id="jr_b1")
    assert started == ["s"]
    on_state_change(CHAINS, store, "a", "SUCCEEDED", "t3", start, run_id="jr_a2")
    assert started == ["s"]  # b has not succeeded again
    decisions = on_state_change(CHAINS, store, "b", "SUCCEEDED", "t4", start, run_id="jr_b2")
    assert started == ["s", "s"] and [d.action for d in decisions] == ["started"]


def test_a_failing_start_call_gives_the_successes_back() -> None:
    store = Store()
    on_state_change(CHAINS, store, "a", "SUCCEEDED", "t1", lambda j: True, run_id="jr_a1")

    def broken(job: str) -> bool:
        raise ConnectionError("throttled")

    with pytest.raises(ConnectionError):
        on_state_change(CHAINS, store, "b", "SUCCEEDED", "t2", broken, run_id="jr_b1")
    assert store.get("s", STARTED) == {"seen": "{}", "at": "", "by": ""}
    # the Lambda retries the same event: now the start goes through, once
    started: list[str] = []
    retry = on_state_change(
        CHAINS, store, "b", "SUCCEEDED", "t2", lambda j: not started.append(j), run_id="jr_b1"
    )
    assert started == ["s"] and [d.action for d in retry] == ["started"]


def test_refused_start_waits_for_the_next_success_and_failures_hold() -> None:
    store = Store()
    on_state_change(CHAINS, store, "a", "SUCCEEDED", "t1", lambda j: True, run_id="1")
    refused = on_state_change(CHAINS, store, "b", "SUCCEEDED", "t2", lambda j: False, run_id="2")
    assert [d.action for d in refused] == ["refused"]
    held = on_state_change(CHAINS, store, "a", "FAILED", "t3", lambda j: True, run_id="3")
    assert [(d.action, d.reason) for d in held] == [("held", "latest run a FAILED")]
    again = on_state_change(CHAINS, store, "a", "SUCCEEDED", "t4", lambda j: True, run_id="4")
    assert [d.action for d in again] == ["started"]
    assert on_state_change(CHAINS, store, "x", "SUCCEEDED", "t5", lambda j: True) == []
    assert on_state_change(CHAINS, store, "a", "RUNNING", "t5", lambda j: True) == []
