"""A week of virtual time: the job starts alurc's AWS chain logic produces, against a reference.

Implementation side: alurc's cron iterator (semantic/cron_times.py) feeds an event queue;
each job's final state goes through `alur_runtime.chain.on_state_change`, the function the
chain Lambda runs, over an in-memory compare-and-set store. Reference side, written
independently here: minute-by-minute stepping with its own cron matcher (no alurc code),
and the semantics of specs/schedule.md kept as plain sets ("which predecessors succeeded
since S last started"). The world both see: each job takes a fixed number of minutes, at
most one run of a job at a time (Glue refuses a second), some runs fail and later ones
recover, some runs are started by hand. Within one minute, runs end first, then the
max_wait sweep runs (every 5 minutes, like the chain Lambda's timer rule), then runs start;
each group by job name. Both sides record every start with what caused it (cron, hand,
chain, late: a max_wait that ran the job) and every max_wait alert.
"""

from __future__ import annotations

import calendar
import functools
import heapq
import random
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from alur_compiler.api import load_project
from alur_compiler.semantic.cron_times import firing_times
from alur_runtime.chain import Chains, Wait, on_state_change
from alur_runtime.chain_wait import on_timer
from alur_runtime.memory_state import MemoryStateStore

ROOT = Path(__file__).resolve().parents[2]
WEEK = 7 * 24 * 60
SWEEP = 5  # minutes between two max_wait sweeps
Start = tuple[int, str, str]  # (minute, job, cause: cron | hand | chain | late)
T0 = datetime(2026, 11, 30, tzinfo=UTC)  # a Monday; the week crosses into December


@dataclass
class World:
    crons: dict[str, str]  # job -> AWS cron
    after: dict[str, tuple[str, ...]]
    disabled: frozenset[str] = frozenset()
    minutes: dict[str, int] = field(default_factory=dict)  # run length
    failing: frozenset[tuple[str, int]] = frozenset()  # (job, run number) that fail
    hand: tuple[tuple[int, str], ...] = ()  # (minute, job) started by a person
    after_any: dict[str, tuple[str, ...]] = field(default_factory=dict)
    waits: dict[str, tuple[int, str]] = field(default_factory=dict)  # job -> (minutes, on)

    def outcome(self, job: str, run: int) -> str:
        return "FAILED" if (job, run) in self.failing else "SUCCEEDED"


def simulate_alurc(w: World) -> tuple[list[Start], list[tuple[int, str]]]:
    end = T0 + timedelta(minutes=WEEK)
    # (minute, 0 end | 1 sweep | 2 start, job, state or cause)
    queue: list[tuple[int, int, str, str]] = []
    for job, expr in w.crons.items():
        for t in firing_times(expr, T0, end):
            queue.append((int((t - T0).total_seconds()) // 60, 2, job, "cron"))
    queue += [(m, 2, job, "hand") for m, job in w.hand]
    if w.waits:
        queue += [(m, 1, "", "") for m in range(0, WEEK, SWEEP)]
    heapq.heapify(queue)
    waits = {s: Wait(m, on) for s, (m, on) in w.waits.items()}
    chains, store = Chains(w.after, w.disabled, w.after_any, waits), MemoryStateStore()
    running: set[str] = set()
    runs: dict[str, int] = {}
    starts: list[Start] = []
    alerts: list[tuple[int, str]] = []

    def start(job: str, now: int, cause: str) -> bool:
        if job in running:
            return False
        running.add(job)
        runs[job] = runs.get(job, 0) + 1
        starts.append((now, job, cause))
        state = w.outcome(job, runs[job])
        heapq.heappush(queue, (now + w.minutes.get(job, 10), 0, job, state))
        return True

    while queue:
        now, kind, job, state = heapq.heappop(queue)
        if now >= WEEK:
            break
        at = (T0 + timedelta(minutes=now)).isoformat()
        if kind == 2:
            start(job, now, state)
        elif kind == 1:
            late = lambda s, now=now: start(s, now, "late")  # noqa: E731
            on_timer(chains, store, at, late, lambda s, msg, now=now: alerts.append((now, s)))
        else:
            running.discard(job)
            chained = lambda s, now=now: start(s, now, "chain")  # noqa: E731
            on_state_change(chains, store, job, state, at, chained)
    return starts, alerts


# -- the reference: its own cron matcher, minute stepping, sets ---------------------------

NAMES = {
    3: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"],
    4: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
}
BOUNDS = [(0, 59), (1, 24), (1, 31), (1, 12), (1, 7), (1970, 2199)]


def _num(text: str, i: int) -> int:
    return NAMES[i].index(text.upper()) + 1 if text.upper() in NAMES.get(i, []) else int(text)


@functools.cache
def _in_field(value: int, token: str, i: int) -> bool:
    lo, hi = BOUNDS[i] if i != 1 else (0, 23)
    for part in token.split(","):
        rng, _, step = part.partition("/")
        if rng == "*":
            a, b = lo, hi
        elif "-" in rng:
            a, b = (_num(x, i) for x in rng.split("-"))
        else:
            a = _num(rng, i)
            b = hi if step else a
        seq = (
            [a + k for k in range(b - a + 1)]
            if a <= b
            else (list(range(a, hi + 1)) + list(range(lo, b + 1)))
        )
        if value in seq[:: int(step) if step else 1]:
            return True
    return False


def _weekday(t: datetime) -> int:  # 1 = Sunday
    return t.isoweekday() % 7 + 1


def _dom_ok(t: datetime, token: str) -> bool:
    days = calendar.monthrange(t.year, t.month)[1]
    tok = token.upper()
    if tok == "L":
        return t.day == days
    if tok.endswith("W"):
        if tok == "LW":
            target = days
        else:
            target = int(tok[:-1])
            if target > days:
                return False
        candidates = [
            d for d in range(1, days + 1) if datetime(t.year, t.month, d).isoweekday() <= 5
        ]
        best = min(candidates, key=lambda d: (abs(d - target), d > target))
        if tok == "LW":
            best = max(candidates)
        return t.day == best
    return _in_field(t.day, token, 2)


def _dow_ok(t: datetime, token: str) -> bool:
    tok = token.upper()
    days = calendar.monthrange(t.year, t.month)[1]
    if tok == "L":
        return _weekday(t) == 7
    if "#" in tok:
        d, n = tok.split("#")
        nth = sum(1 for k in range(1, t.day + 1) if _weekday(t.replace(day=k)) == _num(d, 4))
        return _weekday(t) == _num(d, 4) and nth == int(n)
    if tok.endswith("L"):
        return _weekday(t) == _num(tok[:-1], 4) and t.day > days - 7
    return _in_field(_weekday(t), token, 4)


def matches(expr: str, t: datetime) -> bool:
    mi, hr, dom, mon, dow, yr = expr.split()
    if not (_in_field(t.minute, mi, 0) and _in_field(t.hour, hr, 1)):
        return False
    day_ok = _dom_ok(t, dom) if dow == "?" else _dow_ok(t, dow)
    return day_ok and _in_field(t.month, mon, 3) and _in_field(t.year, yr, 5)


def simulate_reference(w: World) -> tuple[list[Start], list[tuple[int, str]]]:
    ends: dict[int, list[tuple[str, str]]] = {}
    chained = {**w.after, **w.after_any}
    since = {s: set() for s in chained}  # predecessors that succeeded since s last started
    waiting: dict[str, int] = {}  # s -> minute of the first success since it last started
    alerted: set[str] = set()  # successors alerted about in their current wait
    latest: dict[str, str] = {}
    running, runs, starts, alerts = set(), {}, [], []  # type: ignore[var-annotated]

    def start(job: str, m: int, cause: str) -> bool:
        if job in running:
            return False
        running.add(job)
        runs[job] = runs.get(job, 0) + 1
        starts.append((m, job, cause))
        ends.setdefault(m + w.minutes.get(job, 10), []).append((job, w.outcome(job, runs[job])))
        return True

    def chain_start(succ: str, m: int, cause: str) -> None:
        if start(succ, m, cause):
            since[succ] = set()
            waiting.pop(succ, None)
            alerted.discard(succ)

    for m in range(WEEK):
        for job, state in sorted(ends.pop(m, [])):
            running.discard(job)
            latest[job] = state
            for succ in sorted(s for s, preds in chained.items() if job in preds):
                if succ in w.disabled:
                    continue
                if state == "SUCCEEDED":
                    since[succ].add(job)
                if succ in w.after_any:
                    ready = clean = True
                else:
                    ready = since[succ] >= set(w.after[succ])
                    clean = all(latest.get(p) == "SUCCEEDED" for p in w.after[succ])
                if state == "SUCCEEDED" and ready and clean:
                    chain_start(succ, m, "chain")
                if state == "SUCCEEDED" and succ in w.waits and since[succ]:
                    waiting.setdefault(succ, m)
        if m % SWEEP == 0:
            for succ, (minutes, on) in sorted(w.waits.items()):
                if succ in w.disabled or succ not in waiting or m - waiting[succ] < minutes:
                    continue
                if on == "run":
                    chain_start(succ, m, "late")
                elif succ not in alerted:
                    alerted.add(succ)
                    alerts.append((m, succ))
        t = T0 + timedelta(minutes=m)
        due = [(j, "cron") for j, e in w.crons.items() if matches(e, t)]
        for job, cause in sorted(due + [(j, "hand") for hm, j in w.hand if hm == m]):
            start(job, m, cause)
    return starts, alerts


# -- the worlds ----------------------------------------------------------------------------

CRONS = [
    "15 * * * ? *",
    "0 1 * * ? *",
    "0/20 * * * ? *",
    "0 6 ? * MON-FRI *",
    "30 22-2 * * ? *",
    "0 12 L * ? *",
    "0 9 ? * 2#1 *",
    "45 */3 * * ? *",
    "0 8 30W * ? *",
    "10 0 ? * FRI-MON *",
    "0 4 ? * 6L *",
    "5 5 1,2,3 DEC ? 2026",
    "0 0 LW * ? *",
    "0 7 ? * L *",
    "0 3 * * ? 2027",
    "0/45 8-17 ? * 2-6 *",
    "20 2 1W * ? *",
    "0 23 ? * 1#5 *",
]


def random_world(seed: int) -> World:
    rnd = random.Random(seed)
    n = rnd.randint(4, 12)
    names = [f"j{i}" for i in range(n)]
    crons: dict[str, str] = {}
    after: dict[str, tuple[str, ...]] = {}
    after_any: dict[str, tuple[str, ...]] = {}
    for i, name in enumerate(names):
        if i < 2 or rnd.random() < 0.35:
            crons[name] = rnd.choice(CRONS)
        else:
            preds = tuple(sorted(rnd.sample(names[:i], rnd.randint(1, min(3, i)))))
            (after_any if rnd.random() < 0.25 else after)[name] = preds
    waits = {
        s: (rnd.choice([15, 30, 60, 90, 180, 360, 720]), rnd.choice(["run", "alert"]))
        for s in after
        if rnd.random() < 0.4
    }
    failing = frozenset(
        (name, run) for name in names for run in range(1, 200) if rnd.random() < 0.15
    )
    hand = tuple((rnd.randrange(WEEK), rnd.choice(names)) for _ in range(rnd.randint(0, 6)))
    disabled = frozenset(s for s in [*after, *after_any] if rnd.random() < 0.1)
    minutes = {name: rnd.randint(1, 70) for name in names}
    return World(crons, after, disabled, minutes, failing, hand, after_any, waits)


def retail_world(failing: frozenset[tuple[str, int]] = frozenset()) -> World:
    project, diags = load_project(ROOT / "examples" / "retail")
    assert project is not None, diags.items
    crons = {j.name: j.schedule.cron for j in project.jobs if j.schedule and j.schedule.cron}
    after = {j.name: j.schedule.after for j in project.jobs if j.schedule and j.schedule.after}
    return World(crons, after, failing=failing, minutes={"clean_orders": 12})


def test_retail_daily_revenue_fires_once_a_day() -> None:
    w = retail_world()
    got, alerts = simulate_alurc(w)
    assert (got, alerts) == simulate_reference(w) and alerts == []
    revenue = [m for m, job, _ in got if job == "daily_revenue"]
    # ingest_products 01:00 -> clean_products 01:10 -> daily_revenue at 01:20, every day
    assert revenue == [day * 1440 + 80 for day in range(7)]


def test_retail_with_a_failing_predecessor() -> None:
    # the 2nd and 3rd clean_products runs fail: daily_revenue waits for its recovery
    w = retail_world(frozenset({("clean_products", 2), ("clean_products", 3)}))
    got, _ = simulate_alurc(w)
    assert (got, []) == simulate_reference(w)
    revenue = [m // 1440 for m, job, _ in got if job == "daily_revenue"]
    assert revenue == [0, 3, 4, 5, 6]


def test_retail_failing_predecessor_with_max_wait() -> None:
    """The same failures, daily_revenue with `max_wait: 1d`. Its wait counts from the first
    clean_orders success after its last start: that run ends 17 minutes after the hourly
    ingest_orders (:15 + 10 + 12 = :37), in the hour after daily_revenue started."""
    failing = frozenset({("clean_products", 2), ("clean_products", 3)})
    run = replace(retail_world(failing), waits={"daily_revenue": (1440, "run")})
    got, alerts = simulate_alurc(run)
    assert (got, alerts) == simulate_reference(run) and alerts == []
    late = [(m // 1440, m % 1440) for m, job, cause in got if cause == "late"]
    # day 0: started 01:20, wait from 01:37; day 1 clean_products fails, at 01:37 the wait
    # elapses and the 01:40 sweep starts it anyway; its next wait is from 02:37 (the 01:40
    # start used the 01:37 success); day 2 fails again: 02:40. Day 3 clean_products succeeds
    # at 01:20, before the wait elapses: an ordinary start again.
    assert late == [(1, 100), (2, 160)]
    assert [m for m, job, _ in got if job == "daily_revenue"][3:] == [
        day * 1440 + 80 for day in range(3, 7)
    ]
    alert = replace(run, waits={"daily_revenue": (1440, "alert")})
    got, alerts = simulate_alurc(alert)
    assert (got, alerts) == simulate_reference(alert)
    assert alerts == [(1440 + 100, "daily_revenue")]  # one wait (days 0 to 3): one alert
    assert [m // 1440 for m, job, _ in got if job == "daily_revenue"] == [0, 3, 4, 5, 6]


def test_generated_worlds_agree_with_the_reference() -> None:
    causes: dict[str, int] = {}
    alerted = any_started = 0
    for seed in range(24):
        w = random_world(seed)
        got, alerts = simulate_alurc(w)
        assert (got, alerts) == simulate_reference(w), f"seed {seed}"
        for _, job, cause in got:
            causes[cause] = causes.get(cause, 0) + 1
            any_started += cause == "chain" and job in w.after_any
        alerted += len(alerts)
    # every kind of start happened, many times: the comparison is not vacuous
    assert causes["chain"] > 200 and any_started > 50
    assert causes["late"] > 10 and alerted > 10 and causes["hand"] > 10


def test_reference_cron_matcher_agrees_on_special_forms() -> None:
    end = T0 + timedelta(days=240)
    for expr in CRONS:
        fast = list(firing_times(expr, T0, end))
        brute = [  # every minute of CRONS is a multiple of 5
            T0 + timedelta(minutes=m)
            for m in range(0, 240 * 1440, 5)
            if matches(expr, T0 + timedelta(minutes=m))
        ]
        assert fast == brute, expr
