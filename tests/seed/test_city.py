"""The seeded small city: valid, consistent across departments, deterministic, replaceable."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from typing import TYPE_CHECKING

import pytest

from citybrain.connectors.civil_affairs.tables import persons
from citybrain.id_numbers import validate_id_number
from citybrain.regions import TIANJIN_DISTRICTS
from citybrain.seed import DEMO_GRID_CODE, DEMO_ID_NUMBER, REFERENCE_TIME, SCALES, seed_city
from citybrain.seed.hierarchy import build_hierarchy
from citybrain.seed.people import Population, generate_people
from citybrain.settings import DEPARTMENTS, Settings

if TYPE_CHECKING:
    from pathlib import Path

    from tests.seed.conftest import SeededCity

TODAY = REFERENCE_TIME.date()
# What the steps of an event are, in order, for each status it can have reached.
FULL_PATH = ["REPORT", "ACCEPT", "ANALYSE", "DISPATCH", "WHISTLE", "RESPOND", "RESOLVE", "CLOSE"]
STATUS_OF = {
    "REPORT": "REPORTED", "ACCEPT": "ACCEPTED", "ANALYSE": "ANALYSED", "DISPATCH": "DISPATCHED",
    "WHISTLE": "WHISTLED", "RESPOND": "RESPONDED", "RESOLVE": "RESOLVED", "CLOSE": "CLOSED",
    "EVALUATE": "EVALUATED",
}  # fmt: skip
SAMPLES = {
    "civil_affairs": "SELECT * FROM persons ORDER BY id_number LIMIT 300",
    "health": "SELECT * FROM nucleic_acid_tests ORDER BY id LIMIT 300",
    "transport": "SELECT * FROM drivers ORDER BY id_number",
    "grid": "SELECT * FROM event_steps ORDER BY id DESC LIMIT 300",
}


def test_every_department_has_its_own_file_and_the_report_matches(seeded: SeededCity) -> None:
    report = seeded.report
    assert report.scale == "small" and report.seed == 0
    assert 0 < report.elapsed_seconds < 60
    for department in DEPARTMENTS:
        size = report.database_bytes[department]
        assert size is not None and size == seeded.path(department).stat().st_size > 0
    for department, table in [("civil_affairs", "persons"), ("grid", "grid_events")]:
        count_rows = f"SELECT count(*) FROM {table}"  # noqa: S608 - names from this test
        assert seeded.scalar(department, count_rows) == report.row_counts[table]
    assert all(count > 0 for count in report.row_counts.values()), report.row_counts
    assert report.total_rows == sum(report.row_counts.values())


def test_every_person_has_a_valid_id_number_and_a_matching_gender(seeded: SeededCity) -> None:
    persons = seeded.rows(
        "civil_affairs", "SELECT id_number, gender, birth_date, phone FROM persons"
    )
    assert len(persons) > 128 * 40
    for id_number, gender, birth_date, phone in persons:
        assert validate_id_number(id_number, today=TODAY) == id_number
        assert gender == ("MALE" if int(id_number[16]) % 2 else "FEMALE")
        assert birth_date == f"{id_number[6:10]}-{id_number[10:12]}-{id_number[12:14]}"
        assert "1930-01-01" <= birth_date <= "2020-12-31"
        assert re.fullmatch(r"1[358]\d{9}", phone)
    tianjin = sum(1 for p in persons if p[0].startswith("12"))
    assert 0.6 < tianjin / len(persons) < 0.95


def test_resident_types_and_households(seeded: SeededCity) -> None:
    types = Counter(seeded.column("civil_affairs", "SELECT resident_type FROM persons"))
    assert set(types) <= {"PERMANENT", "FLOATING", "NON_LOCAL", "FOREIGN"}
    assert 0.7 < types["PERMANENT"] / types.total() < 0.9
    members = Counter(seeded.column("civil_affairs", "SELECT household_id FROM persons"))
    assert set(members.values()) <= {2, 3, 4}
    heads = seeded.rows(
        "civil_affairs",
        "SELECT h.household_id, p.household_id, h.grid_code, p.home_grid_code FROM households h "
        "JOIN persons p ON p.id_number = h.head_id_number",
    )
    assert len(heads) == len(members)
    assert all(h[0] == h[1] and h[2] == h[3] for h in heads)


def test_the_hierarchy_is_tianjins(seeded: SeededCity) -> None:
    assert seeded.rows("grid", "SELECT code, name FROM districts ORDER BY code") == list(
        TIANJIN_DISTRICTS
    )
    streets = seeded.rows("grid", "SELECT code, district_code FROM streets")
    communities = seeded.rows("grid", "SELECT code, street_code FROM communities")
    grids = seeded.rows("grid", "SELECT code, community_code FROM grids")
    assert (len(streets), len(communities), len(grids)) == (32, 64, 128)
    for rows, length in [(streets, 9), (communities, 12), (grids, 15)]:
        assert all(len(code) == length and code.startswith(parent) for code, parent in rows)
    grid_codes = {code for code, _ in grids}
    homes = set(seeded.column("civil_affairs", "SELECT DISTINCT home_grid_code FROM persons"))
    assert homes == grid_codes
    assert set(seeded.column("health", "SELECT DISTINCT grid_code FROM places")) <= grid_codes


def test_event_categories(seeded: SeededCity) -> None:
    rows = seeded.rows(
        "grid", "SELECT code, name, parent_code, deadline_hours FROM event_categories"
    )
    tops = [r for r in rows if r[2] is None]
    subs = [r for r in rows if r[2] is not None]
    assert len(tops) == 9 and len(subs) == 239
    assert {r[1] for r in tops} == {
        "城市管理", "社会治安", "矛盾纠纷", "安全隐患", "环境保护", "民生服务", "市场监管",
        "公共卫生", "其他",
    }  # fmt: skip
    assert all(code.startswith(parent) and len(code) <= 8 for code, _, parent, _ in subs)
    assert all(hours > 0 for *_, hours in rows)


def test_events_timelines_and_whistles_agree(seeded: SeededCity) -> None:
    events = {
        r[0]: r
        for r in seeded.rows(
            "grid",
            "SELECT id, status, grid_code, reporter_id_number, reported_at, closed_at, "
            "version FROM grid_events",
        )
    }
    steps: dict[int, list[tuple[str, str]]] = {}
    for event_id, action, at in seeded.rows(
        "grid", "SELECT event_id, action, at FROM event_steps ORDER BY id"
    ):
        steps.setdefault(event_id, []).append((action, at))
    whistles = seeded.rows(
        "grid", "SELECT event_id, street_code, responded_at, speed_score FROM whistles"
    )
    residents = dict(seeded.rows("civil_affairs", "SELECT id_number, home_grid_code FROM persons"))
    start = str(REFERENCE_TIME - dt.timedelta(days=731))
    for event_id, status, grid_code, reporter, reported_at, closed_at, version in events.values():
        actions = [a for a, _ in steps[event_id]]
        times = [t for _, t in steps[event_id]]
        assert residents[reporter] == grid_code
        assert actions[0] == "REPORT" and times[0] == reported_at
        assert times == sorted(times) and times[-1] < str(REFERENCE_TIME)
        assert reported_at > start
        assert STATUS_OF[actions[-1]] == status and version == len(actions)
        path = [a for a in FULL_PATH if "WHISTLE" in actions or a not in ("WHISTLE", "RESPOND")]
        assert actions == [*path, "EVALUATE"][: len(actions)]
        assert (closed_at is not None) == ("CLOSE" in actions)
        if closed_at is not None:
            assert closed_at == dict(steps[event_id])["CLOSE"]
    statuses = Counter(e[1] for e in events.values())
    assert (statuses["CLOSED"] + statuses["EVALUATED"]) / len(events) > 0.93
    assert 0.02 < len(whistles) / len(events) < 0.07
    for event_id, street_code, responded_at, speed_score in whistles:
        assert events[event_id][2].startswith(street_code) and len(street_code) == 9
        assert "WHISTLE" in dict(steps[event_id])
        assert (responded_at is not None) == ("RESPOND" in dict(steps[event_id]))
        assert (speed_score is not None) == (events[event_id][1] == "EVALUATED")


def test_health_transport_and_workers_point_at_residents(seeded: SeededCity) -> None:
    residents = dict(seeded.rows("civil_affairs", "SELECT id_number, home_grid_code FROM persons"))
    codes = dict(seeded.rows("health", "SELECT id_number, color FROM health_codes"))
    assert set(codes) == set(residents)
    colors = Counter(codes.values())
    assert set(colors) <= {"GREEN", "YELLOW", "RED"} and colors["GREEN"] / len(codes) > 0.9
    for table in ("vaccinations", "nucleic_acid_tests", "place_scans", "code_shows"):
        people = f"SELECT DISTINCT id_number FROM {table}"  # noqa: S608 - names from this test
        assert set(seeded.column("health", people)) <= set(residents)
    days = seeded.column("health", "SELECT DISTINCT substr(shown_at, 1, 10) FROM code_shows")
    assert len(days) >= 28
    industries = set(seeded.column("health", "SELECT DISTINCT industry FROM places"))
    assert industries == {"餐饮", "商超", "医疗", "交通", "学校", "政务", "文娱", "酒店"}
    assert all(
        re.fullmatch(r"TJ\d{12}", c)
        for c in seeded.column("health", "SELECT place_code FROM places")
    )
    drivers = seeded.rows("transport", "SELECT id_number, licence_number, status FROM drivers")
    assert {d[0] for d in drivers} <= set(residents)
    assert Counter(d[2] for d in drivers).most_common(1)[0][0] == "VALID"
    plates = seeded.column("transport", "SELECT plate FROM vehicles")
    assert all(re.fullmatch(r"津[A-HJ-NQR][DF]?\d{5}", p) for p in plates)
    owners = set(seeded.column("transport", "SELECT owner_id_number FROM vehicles"))
    assert owners <= set(residents)
    workers = seeded.rows("grid", "SELECT id_number, grid_code FROM grid_workers")
    assert len(workers) == SCALES["small"].workers
    assert all(residents[id_number] == grid_code for id_number, grid_code in workers)


def test_the_demo_resident_is_in_every_department(seeded: SeededCity) -> None:
    demo = (DEMO_ID_NUMBER,)
    person = seeded.rows(
        "civil_affairs", "SELECT home_grid_code, gender FROM persons WHERE id_number = ?", demo
    )
    assert person == [(DEMO_GRID_CODE, "MALE")]
    assert (
        seeded.scalar("civil_affairs", "SELECT count(*) FROM subsidies WHERE id_number = ?", demo)
        >= 1
    )
    assert seeded.scalar("health", "SELECT color FROM health_codes WHERE id_number = ?", demo)
    assert (
        seeded.scalar("health", "SELECT count(*) FROM vaccinations WHERE id_number = ?", demo) >= 2
    )
    tests = seeded.column(
        "health", "SELECT sampled_at FROM nucleic_acid_tests WHERE id_number = ?", demo
    )
    assert len(tests) >= 2 and max(tests) >= str(REFERENCE_TIME - dt.timedelta(days=30))
    assert (
        seeded.scalar("health", "SELECT count(*) FROM place_scans WHERE id_number = ?", demo) >= 1
    )
    licence = seeded.rows(
        "transport", "SELECT status, platform_code FROM drivers WHERE id_number = ?", demo
    )
    assert licence == [("VALID", "DIDI")]
    assert seeded.column("transport", "SELECT plate FROM vehicles WHERE owner_id_number = ?", demo)
    assert (
        seeded.scalar("transport", "SELECT count(*) FROM violations WHERE id_number = ?", demo) >= 1
    )
    events = seeded.column("grid", "SELECT id FROM grid_events WHERE reporter_id_number = ?", demo)
    assert len(events) >= 3
    whistled = seeded.column(
        "grid",
        f"SELECT event_id FROM whistles WHERE event_id IN ({','.join('?' * len(events))})",  # noqa: S608
        tuple(events),
    )
    assert whistled
    timeline = seeded.column(
        "grid", "SELECT action FROM event_steps WHERE event_id = ? ORDER BY id", (whistled[0],)
    )
    assert timeline == [*FULL_PATH, "EVALUATE"]


def test_the_demo_grid(seeded: SeededCity) -> None:
    grid = (DEMO_GRID_CODE,)
    assert (
        seeded.scalar(
            "civil_affairs", "SELECT count(*) FROM persons WHERE home_grid_code = ?", grid
        )
        >= 1100
    )
    assert seeded.scalar("health", "SELECT count(*) FROM places WHERE grid_code = ?", grid) >= 1
    assert seeded.scalar("grid", "SELECT count(*) FROM grid_workers WHERE grid_code = ?", grid) >= 1
    assert seeded.scalar("grid", "SELECT count(*) FROM grid_events WHERE grid_code = ?", grid) >= 4


def test_a_different_seed_gives_different_people() -> None:
    hierarchy = build_hierarchy(SCALES["small"])

    def first_batch(seed: int) -> list[str]:
        batch = next(generate_people(seed, hierarchy, SCALES["small"], Population()))
        return sorted(str(row["id_number"]) for row in batch.rows[persons])

    assert first_batch(0) == first_batch(0)
    assert first_batch(0) != first_batch(1)


async def test_seeding_again_replaces_with_identical_rows(seeded: SeededCity) -> None:
    before = {d: seeded.rows(d, sql) for d, sql in SAMPLES.items()}
    report = await seed_city(seeded.settings, scale="small", seed=0, progress=False)
    assert report.row_counts == seeded.report.row_counts
    assert {d: seeded.rows(d, sql) for d, sql in SAMPLES.items()} == before
    assert all(rows for rows in before.values())


async def test_an_unknown_scale_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="small, city"):
        await seed_city(Settings(data_dir=tmp_path / "data"), scale="huge", progress=False)
    assert not (tmp_path / "data").exists()
