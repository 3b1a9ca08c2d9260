"""``new_id``: UUIDv7 made without a system call per id or the checking constructor."""

import os
import pickle
import select
import signal
import threading
import uuid

from ordersmith import ids
from ordersmith.ids import new_id, uuid_of

RANDOM_BITS = (1 << 62) - 1


def test_an_id_behaves_as_the_uuid_parsed_from_its_text():
    # given
    made = new_id()
    # when
    parsed = uuid.UUID(str(made))
    # then
    assert made == parsed
    assert hash(made) == hash(parsed)
    assert made.version == 7
    assert made.variant == uuid.RFC_4122
    assert made.is_safe is parsed.is_safe
    assert pickle.loads(pickle.dumps(made)) == made
    assert {made: 1}[parsed] == 1


def test_uuid_of_stores_the_value_as_the_constructor_does():
    # given
    value = uuid.uuid4().int
    # when
    made = uuid_of(value)
    # then
    assert made == uuid.UUID(int=value)
    assert repr(made) == repr(uuid.UUID(int=value))


def test_ids_are_version_7_unique_and_increasing_across_many_refills_of_the_random_pool():
    # when: 512 ids use up one pool
    made = [new_id() for _ in range(20_000)]
    # then
    assert all(i.version == 7 for i in made)
    assert len(set(made)) == len(made)
    assert made == sorted(made)
    assert len({i.int & RANDOM_BITS for i in made}) == len(made)


def test_a_forked_child_never_hands_out_its_parents_random_bits():
    # given: the parent has a partly used pool
    new_id()
    reader, writer = os.pipe()
    # when: parent and child each take their next id
    pid = os.fork()
    if pid == 0:  # the child
        os.write(writer, new_id().bytes)
        os._exit(0)
    os.close(writer)
    mine = new_id()
    theirs = uuid.UUID(bytes=os.read(reader, 16))
    os.waitpid(pid, 0)
    os.close(reader)
    # then
    assert theirs.version == 7
    assert mine.int & RANDOM_BITS != theirs.int & RANDOM_BITS


def test_a_child_forked_while_another_thread_makes_an_id_can_make_ids():
    # given: another thread holds the id lock at the moment of the fork
    new_id()
    holding, release = threading.Event(), threading.Event()

    def hold_the_lock() -> None:
        with ids._lock:
            holding.set()
            release.wait(10)

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    holding.wait(10)
    reader, writer = os.pipe()
    # when
    pid = os.fork()
    if pid == 0:  # the child: only this thread lives on
        os.write(writer, new_id().bytes)
        os._exit(0)
    os.close(writer)
    answered, _, _ = select.select([reader], [], [], 10)
    release.set()
    holder.join()
    if not answered:
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    made = os.read(reader, 16) if answered else b""
    os.close(reader)
    # then
    assert answered, "the child waited forever for a lock its parent's thread held"
    assert uuid.UUID(bytes=made).version == 7
