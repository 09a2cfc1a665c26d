"""The Operations page's workers: one row a `flask worker` command, with how many of its processes
are alive and in which state, and its processes in a disclosure. The workers here are registered
in Redis as RQ registers them (tests/integration/test_operations.py runs real commands)."""

import re

import pytest
from rq import Worker

from extensions import redis_connection
from services.queue import check_queue
from services.workers import worker_name


@pytest.fixture
def registered(app):
    """Registers RQ workers as (command pid, size, process pid, state), or (None, ...) for one that
    `flask worker` did not name (`rq worker`); unregisters them after the test."""
    workers = []

    def register(command, size, pid, state):
        with app.app_context():
            name = worker_name(command, size) if command else None
            worker = Worker([check_queue()], name=name, connection=redis_connection())
            worker.pid = pid
            worker.register_birth()
            worker.set_state(state)
            workers.append(worker)
            return worker

    yield register
    for worker in workers:
        worker.register_death()


def rows(page: str) -> dict[int, str]:
    """Each command's row of the workers table, by the command's pid."""
    table = re.search(r'<table class="leads ops" id="workers"[^>]*>(.*?)</table>', page, re.S).group(1)
    return {int(pid): row for pid, row in re.findall(r'<tr data-host="[^"]+" data-pid="(\d+)"(.*?)</tr>', table, re.S)}


def test_a_command_is_one_row_with_its_processes_counted_by_state(app, logged_in, registered):
    # A command of 3 one of whose processes was killed (its replacement not started yet), a plain
    # `flask worker`, and a worker `rq worker` started.
    busy = registered(4100, 3, 4101, "busy")
    registered(4100, 3, 4102, "idle")
    registered(4200, 1, 4200, "idle")
    stranger = registered(None, 1, 4300, "busy")

    page = logged_in.get("/operations/live").get_data(as_text=True)
    commands = rows(page)
    assert set(commands) == {4100, 4200, 4300}, page

    pool = commands[4100]
    assert 'data-alive="2" data-size="3"' in pool
    assert re.search(
        r'<span class="short">2 of 3 processes up</span> <span class="chip chip-busy">1 busy</span> '
        r'<span class="chip chip-idle">1 idle</span></summary>',
        pool,
    ), pool
    assert "1 ended: the command is starting another." in pool
    # Its processes, in a disclosure a poll keeps open (it has an id: static/page.js).
    details = re.search(r'<details class="processes" id="processes-[^"]+-4100">(.*?)</details>', pool, re.S)
    assert details, pool
    assert re.findall(r'<li data-pid="(\d+)">pid \d+ <span class="chip chip-(\w+)">', details.group(1)) == [
        ("4101", "busy"),
        ("4102", "idle"),
    ]
    assert re.search(r">up \d+ s</time>", pool) and re.search(r">(just now|\d+ s ago)</time>", pool)

    plain = commands[4200]
    assert 'data-alive="1" data-size="1"' in plain and "<span>1 of 1 processes up</span>" in plain
    assert "ended" not in plain
    assert 'data-alive="1" data-size="1"' in commands[4300] and "1 busy" in commands[4300]
    # Names are for RQ: a person is shown hosts and processes.
    assert busy.name not in page and stranger.name not in page
    # The queue's figures are as they were.
    assert re.search(r'<dl class="stats" id="queue-counts">.*<dt>Waiting</dt><dd>0</dd>', page, re.S)


def test_a_command_whose_processes_are_all_alive_says_nothing_ended(app, logged_in, registered):
    for pid in (4501, 4502):
        registered(4500, 2, pid, "idle")
    page = logged_in.get("/operations/").get_data(as_text=True)
    (row,) = rows(page).values()
    assert '<span>2 of 2 processes up</span> <span class="chip chip-idle">2 idle</span>' in row
    assert "ended" not in row and "short" not in row
    with app.app_context():
        assert len(Worker.all(queue=check_queue())) == 2
