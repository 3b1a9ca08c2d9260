"""``in_forked_children``: a module's reset runs in every forked child, once per fork."""

import os

from ordersmith import sqlite_writers
from ordersmith.forks import in_forked_children

RUNS: list[int] = []


def _count_a_run() -> None:
    RUNS.append(os.getpid())


def test_a_callback_asked_for_twice_runs_once_in_a_forked_child():
    # given
    in_forked_children(_count_a_run)
    in_forked_children(_count_a_run)
    reader, writer = os.pipe()
    # when
    pid = os.fork()
    if pid == 0:  # the child reports how often the callback ran in it
        os.write(writer, bytes([RUNS.count(os.getpid())]))
        os._exit(0)
    os.close(writer)
    runs_in_child = os.read(reader, 1)
    os.waitpid(pid, 0)
    os.close(reader)
    # then
    assert runs_in_child == bytes([1])
    assert os.getpid() not in RUNS


def test_a_forked_child_starts_with_no_sqlite_writer_in_line():
    # given: this process has a writer holding its turn on a database file
    held = sqlite_writers._queue("/tmp/forks-test.db")
    assert held.enter(1)
    reader, writer = os.pipe()
    # when: a child asks for a turn on the same file
    pid = os.fork()
    if pid == 0:
        took = sqlite_writers._queue("/tmp/forks-test.db").enter(2)
        os.write(writer, b"y" if took else b"n")
        os._exit(0)
    os.close(writer)
    answer = os.read(reader, 1)
    os.waitpid(pid, 0)
    os.close(reader)
    held.lock.release()
    # then: the parent's held turn is not the child's
    assert answer == b"y"
