"""When the preview's stream mapping reads the stream (`preview/stream_mapping.py`).

It reads at once when the form's function wakes it, when a batch's window ends, and otherwise
seldom. The idle poll is made an hour long here, so a read that came from the poll and not
from the wake-up or the window would take an hour: each wait below allows 30 s, a margin no
busy machine uses up, and none of them depends on how fast a read is.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from preview import stream_mapping
from preview.stream_mapping import MappingSettings, MappingTarget, StreamMapping

WAIT_SECONDS = 30
TARGET = MappingTarget(
    stream_arn="arn:aws:dynamodb:eu-central-1:123456789012:table/t/stream/1",
    function_arn="arn:aws:lambda:eu-central-1:123456789012:function:notifier",
    failure_queue_url="http://localhost/123456789012/failures",
)


class Stream:
    """One shard's records as GetRecords hands them out, each once; counts the reads."""

    def __init__(self) -> None:
        self.records: list[dict] = []
        self.reads = 0
        self.read = threading.Event()
        self._lock = threading.Lock()

    def add(self, number: int) -> None:
        with self._lock:
            self.records.append(
                {"eventID": str(number), "eventName": "INSERT", "dynamodb": {"Keys": {}}}
            )

    def describe_stream(self, StreamArn: str) -> dict:  # boto3's argument names
        return {"StreamDescription": {"Shards": [{"ShardId": "shard-1"}]}}

    def get_shard_iterator(self, **_: str) -> dict:
        return {"ShardIterator": "iterator"}

    def get_records(self, ShardIterator: str) -> dict:
        with self._lock:
            records, self.records = self.records, []
            self.reads += 1
        self.read.set()
        return {"Records": records, "NextShardIterator": ShardIterator}


class Notifier:
    """The function the mapping invokes: keeps the event ids of each batch."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.invoked = threading.Event()

    def __call__(self, event: dict) -> None:
        self.batches.append([record["eventID"] for record in event["Records"]])
        self.invoked.set()


def settings(window: float) -> MappingSettings:
    return MappingSettings(
        batch_size=100,
        batching_window=window,
        max_retries=0,
        bisect=False,
        starting_position="TRIM_HORIZON",
        patterns=(),
    )


@pytest.fixture(autouse=True)
def idle_poll_of_an_hour(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stream_mapping, "IDLE_POLL_SECONDS", 3600.0)


@pytest.fixture
def stream() -> Stream:
    return Stream()


@pytest.fixture
def notifier() -> Notifier:
    return Notifier()


def running(stream: Stream, notifier: Notifier, window: float) -> Iterator[StreamMapping]:
    mapping = StreamMapping(stream, None, TARGET, settings(window), notifier, lambda _: None)
    mapping.start()
    try:
        yield mapping
    finally:
        stopping = threading.Thread(target=mapping.stop)
        stopping.start()
        stopping.join(WAIT_SECONDS)
        assert not stopping.is_alive(), "stopping waited for the idle poll"


@pytest.fixture
def mapping(stream: Stream, notifier: Notifier) -> Iterator[StreamMapping]:
    yield from running(stream, notifier, window=0)


def test_stream_mapping_reads_at_once_when_woken(
    stream: Stream, notifier: Notifier, mapping: StreamMapping
) -> None:
    assert stream.read.wait(WAIT_SECONDS), "the first read never came"
    stream.add(1)

    mapping.wake()

    assert notifier.invoked.wait(WAIT_SECONDS), "the woken mapping waited for its idle poll"
    assert notifier.batches == [["1"]]


def test_stream_mapping_hands_a_batch_over_when_its_window_ends(
    stream: Stream, notifier: Notifier
) -> None:
    stream.add(1)
    for _ in running(stream, notifier, window=0.5):
        assert notifier.invoked.wait(WAIT_SECONDS), "the batch waited for the idle poll"
        assert notifier.batches == [["1"]]


def test_stream_mapping_reads_seldom_while_nothing_wakes_it(
    stream: Stream, notifier: Notifier, mapping: StreamMapping
) -> None:
    assert stream.read.wait(WAIT_SECONDS), "the first read never came"
    stream.read.clear()

    assert not stream.read.wait(1), "the mapping read again without being woken"
    assert stream.reads == 1
