"""A week of virtual time: the job starts alurc's AWS chain logic produces, against a reference.

Implementation side: alurc's cron iterator (semantic/cron_times.py) feeds an event queue;
each job's final state goes through `alur_runtime.chain.on_state_change`, the function the
chain Lambda runs, over an in-memory compare-and-set store. Reference side, written
independently here: minute-by-minute stepping with its own cron matcher (no alurc code),
and the semantics of specs/schedule.md kept as plain sets ("which predecessors succeeded
since S last started"). The world both see: each job takes a fixed number of minutes, at
most one run of a job at a time (Glue refuses a second), some runs fail and later ones
recover, some runs are started by hand. Within one minute, runs end before runs start, each
group by job name.
"""

from __future__ import annotations

import calendar
import functools
import heapq
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from alur_compiler.api import load_project
from alur_compiler.semantic.cron_times import firing_times
from alur_runtime.chain import Chains, on_state_change

ROOT = Path(__file__).resolve().parents[2]
WEEK = 7 * 24 * 60
T0 = datetime(2026, 11, 30, tzinfo=UTC)  # a Monday; the week crosses into December


@dataclass
class World:
    crons: dict[str, str]  # job -> AWS cron
    after: dict[str, tuple[str, ...]]
    disabled: frozenset[str] = frozenset()
    minutes: dict[str, int] = field(default_factory=dict)  # run length
    failing: frozenset[tuple[str, int]] = frozenset()  # (job, run number) that fail
    hand: tuple[tuple[int, str], ...] = ()  # (minute, job) started by a person

    def outcome(self, job: str, run: int) -> str:
        return "FAILED" if (job, run) in self.failing else "SUCCEEDED"


class MemoryStore:
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


def simulate_alurc(w: World) -> list[tuple[int, str]]:
    end = T0 + timedelta(minutes=WEEK)
    queue: list[tuple[int, int, str, str]] = []  # (minute, 0 end | 1 start, job, state)
    for job, expr in w.crons.items():
        for t in firing_times(expr, T0, end):
            queue.append((int((t - T0).total_seconds()) // 60, 1, job, ""))
    queue += [(m, 1, job, "") for m, job in w.hand]
    heapq.heapify(queue)
    chains, store = Chains(w.after, w.disabled), MemoryStore()
    running: set[str] = set()
    runs: dict[str, int] = {}
    starts: list[tuple[int, str]] = []

    def start(job: str, now: int) -> bool:
        if job in running:
            return False
        running.add(job)
        runs[job] = runs.get(job, 0) + 1
        starts.append((now, job))
        state = w.outcome(job, runs[job])
        heapq.heappush(queue, (now + w.minutes.get(job, 10), 0, job, state))
        return True

    while queue:
        now, kind, job, state = heapq.heappop(queue)
        if now >= WEEK:
            break
        if kind == 1:
            start(job, now)
            continue
        running.discard(job)
        at = (T0 + timedelta(minutes=now)).isoformat()
        on_state_change(chains, store, job, state, at, lambda s, now=now: start(s, now))
    return starts


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


def simulate_reference(w: World) -> list[tuple[int, str]]:
    ends: dict[int, list[tuple[str, str]]] = {}
    since = {s: set() for s in w.after}  # predecessors that succeeded since s last started
    latest: dict[str, str] = {}
    running, runs, starts = set(), {}, []  # type: ignore[var-annotated]

    def start(job: str, m: int) -> bool:
        if job in running:
            return False
        running.add(job)
        runs[job] = runs.get(job, 0) + 1
        starts.append((m, job))
        ends.setdefault(m + w.minutes.get(job, 10), []).append((job, w.outcome(job, runs[job])))
        return True

    for m in range(WEEK):
        for job, state in sorted(ends.pop(m, [])):
            running.discard(job)
            latest[job] = state
            for succ in sorted(s for s, preds in w.after.items() if job in preds):
                if state == "SUCCEEDED":
                    since[succ].add(job)
                ready = since[succ] >= set(w.after[succ])
                clean = all(latest.get(p) == "SUCCEEDED" for p in w.after[succ])
                due = state == "SUCCEEDED" and ready and clean and succ not in w.disabled
                if due and start(succ, m):
                    since[succ] = set()
        t = T0 + timedelta(minutes=m)
        due = [j for j, e in w.crons.items() if matches(e, t)]
        for job in sorted(due + [j for hm, j in w.hand if hm == m]):
            start(job, m)
    return starts


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
    crons, after = {}, {}
    for i, name in enumerate(names):
        if i < 2 or rnd.random() < 0.35:
            crons[name] = rnd.choice(CRONS)
        else:
            after[name] = tuple(sorted(rnd.sample(names[:i], rnd.randint(1, min(3, i)))))
    failing = frozenset(
        (name, run) for name in names for run in range(1, 200) if rnd.random() < 0.15
    )
    hand = tuple((rnd.randrange(WEEK), rnd.choice(names)) for _ in range(rnd.randint(0, 6)))
    disabled = frozenset(s for s in after if rnd.random() < 0.1)
    minutes = {name: rnd.randint(1, 70) for name in names}
    return World(crons, after, disabled, minutes, failing, hand)


def retail_world(failing: frozenset[tuple[str, int]] = frozenset()) -> World:
    project, diags = load_project(ROOT / "examples" / "retail")
    assert project is not None, diags.items
    crons = {j.name: j.schedule.cron for j in project.jobs if j.schedule and j.schedule.cron}
    after = {j.name: j.schedule.after for j in project.jobs if j.schedule and j.schedule.after}
    return World(crons, after, failing=failing, minutes={"clean_orders": 12})


def test_retail_daily_revenue_fires_once_a_day() -> None:
    w = retail_world()
    got = simulate_alurc(w)
    assert got == simulate_reference(w)
    revenue = [m for m, job in got if job == "daily_revenue"]
    # ingest_products 01:00 -> clean_products 01:10 -> daily_revenue at 01:20, every day
    assert revenue == [day * 1440 + 80 for day in range(7)]


def test_retail_with_a_failing_predecessor() -> None:
    # the 2nd and 3rd clean_products runs fail: daily_revenue waits for its recovery
    w = retail_world(frozenset({("clean_products", 2), ("clean_products", 3)}))
    got = simulate_alurc(w)
    assert got == simulate_reference(w)
    revenue = [m // 1440 for m, job in got if job == "daily_revenue"]
    assert revenue == [0, 3, 4, 5, 6]


def test_generated_worlds_agree_with_the_reference() -> None:
    started = 0
    for seed in range(24):
        w = random_world(seed)
        got = simulate_alurc(w)
        assert got == simulate_reference(w), f"seed {seed}"
        started += sum(1 for _, job in got if job in w.after)
    assert started > 200  # the chains did fire, many times


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
