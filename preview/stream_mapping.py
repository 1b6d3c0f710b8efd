"""A stand-in for Lambda's event source mapping on the submissions table's stream.

moto keeps the table's stream (DynamoDB Streams' DescribeStream, GetShardIterator, GetRecords)
but runs no mapping, so the preview does what the template's `NotifierEventSource` asks of
Lambda: read the stream from its start, keep the records its filter lets through, gather a
batch for the batching window (or until it is full), hand it to the notifier, and when the
notifier raises, halve the batch and retry, then report what still fails to the on-failure
queue (the report `preview.lambda_events.stream_batch_failure` builds, never the records).

Lambda polls the stream four times a second. The preview reads it at once when woken (the
form's function wakes it after each request: nearly every record the filter lets through is a
submission it stored), when a batch's window ends, and otherwise every `IDLE_POLL_SECONDS`
(records written by others, the operator CLI's restores). Reading four times a second, an idle
preview kept 4.4 % of a core busy, between this process and the local AWS; 1.8 % so.

Approximations, all on the side of a faster preview: retries come half a second apart rather
than with Lambda's backoff, each retry of a halved batch counts against the retries left, and
records are never too old (the template's 24 hours outlive any preview).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from preview.lambda_events import dynamodb_stream_event, stream_batch_failure, stream_record

MAPPING_TYPE = "AWS::Lambda::EventSourceMapping"
IDLE_POLL_SECONDS = 2.0
RETRY_PAUSE_SECONDS = 0.5

Invoke = Callable[[dict], Any]
Report = Callable[[str], None]


@dataclass(frozen=True)
class MappingSettings:
    """What the template's mapping asks Lambda to do."""

    batch_size: int
    batching_window: float
    max_retries: int
    bisect: bool
    starting_position: str
    # The filter's patterns; a record goes through when it matches one (none: every record).
    patterns: tuple[dict[str, Any], ...]

    def lets_through(self, record: dict[str, Any]) -> bool:
        """Whether Lambda's filter hands this record (as the function receives it) over."""
        return not self.patterns or any(matches(p, record) for p in self.patterns)


# Lambda's filter rules are EventBridge's patterns. The preview knows their exact-value part,
# which is all the template uses: objects nest, and a list names the values a field may hold.
def _check_pattern(pattern: Any) -> None:
    if not isinstance(pattern, dict) or not pattern:
        raise ValueError(f"the preview's mapping cannot filter on {pattern!r}")
    for value in pattern.values():
        if isinstance(value, dict):
            _check_pattern(value)
        elif not (
            isinstance(value, list)
            and value
            and all(isinstance(v, str | int | float | bool) or v is None for v in value)
        ):
            raise ValueError(f"the preview's mapping filters on exact values only, not {value!r}")


def matches(pattern: dict[str, Any], record: Any) -> bool:
    """Whether a record matches an exact-value pattern (a list field: any of its values)."""
    if not isinstance(record, dict):
        return False
    for name, wanted in pattern.items():
        if name not in record:
            return False
        value = record[name]
        if isinstance(wanted, dict):
            if not matches(wanted, value):
                return False
        elif not any(v in wanted for v in (value if isinstance(value, list) else [value])):
            return False
    return True


def _patterns(properties: dict[str, Any]) -> tuple[dict[str, Any], ...]:
    patterns = []
    for rule in properties.get("FilterCriteria", {}).get("Filters", []):
        pattern = json.loads(rule["Pattern"])
        _check_pattern(pattern)
        patterns.append(pattern)
    return tuple(patterns)


def mapping_settings(template: dict[str, Any], batching_window: float | None) -> MappingSettings:
    """The settings of the template's one stream mapping; `batching_window` overrides its own."""
    (properties,) = [
        resource["Properties"]
        for resource in template["Resources"].values()
        if resource["Type"] == MAPPING_TYPE
    ]
    window = properties.get("MaximumBatchingWindowInSeconds", 0)
    return MappingSettings(
        batch_size=int(properties.get("BatchSize", 100)),
        batching_window=float(window if batching_window is None else batching_window),
        max_retries=int(properties.get("MaximumRetryAttempts", 0)),
        bisect=bool(properties.get("BisectBatchOnFunctionError", False)),
        starting_position=properties.get("StartingPosition", "TRIM_HORIZON"),
        patterns=_patterns(properties),
    )


@dataclass(frozen=True)
class MappingTarget:
    """Where the mapping reads from, whom it invokes, and where it reports failures."""

    stream_arn: str
    function_arn: str
    failure_queue_url: str


class StreamMapping:
    """Polls the stream in a thread and invokes the function with batches, as Lambda would."""

    def __init__(
        self,
        streams: Any,
        sqs: Any,
        target: MappingTarget,
        settings: MappingSettings,
        invoke: Invoke,
        report: Report,
        after_failure: Callable[[], None] = lambda: None,
    ) -> None:
        self._streams = streams
        self._sqs = sqs
        self._target = target
        self._settings = settings
        self._invoke = invoke
        self._report = report
        self._after_failure = after_failure
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stream-mapping", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        """Read the stream now, not at the next poll: something may have just been written."""
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join()

    def _iterators(self) -> dict[str, str]:
        description = self._streams.describe_stream(StreamArn=self._target.stream_arn)
        return {
            shard["ShardId"]: self._streams.get_shard_iterator(
                StreamArn=self._target.stream_arn,
                ShardId=shard["ShardId"],
                ShardIteratorType=self._settings.starting_position,
            )["ShardIterator"]
            for shard in description["StreamDescription"]["Shards"]
        }

    def _run(self) -> None:
        iterators = self._iterators()
        pending: dict[str, list[dict]] = {shard: [] for shard in iterators}
        window_started: dict[str, float] = {}
        while not self._stop.is_set():
            for shard, iterator in list(iterators.items()):
                try:
                    answer = self._streams.get_records(ShardIterator=iterator)
                except Exception as exc:  # the preview goes on; the next poll tries again
                    self._report(f"reading the stream failed: {type(exc).__name__}")
                    continue
                iterators[shard] = answer.get("NextShardIterator") or iterator
                wanted = [
                    record
                    for record in answer["Records"]
                    if self._settings.lets_through(stream_record(record, self._target.stream_arn))
                ]
                if wanted and not pending[shard]:
                    window_started[shard] = time.monotonic()
                pending[shard].extend(wanted)
                self._hand_over(shard, pending[shard], window_started)
            # A wake-up that comes during the reads above is kept: the next wait returns at once.
            self._wake.wait(self._pause(pending, window_started))
            self._wake.clear()

    def _pause(self, pending: dict[str, list[dict]], started: dict[str, float]) -> float:
        """Seconds until the next read: the idle poll, or sooner when a batch's window ends."""
        now = time.monotonic()
        ends = [
            started[shard] + self._settings.batching_window - now
            for shard, records in pending.items()
            if records
        ]
        return max(0.0, min([IDLE_POLL_SECONDS, *ends]))

    def _hand_over(self, shard: str, pending: list[dict], started: dict[str, float]) -> None:
        size = self._settings.batch_size
        while pending and (
            len(pending) >= size
            or time.monotonic() - started[shard] >= self._settings.batching_window
        ):
            batch = pending[:size]
            del pending[:size]
            self._deliver(shard, batch, self._settings.max_retries, attempts=1)
            # What is left waited already; the next window starts now.
            started[shard] = time.monotonic()

    def _deliver(self, shard: str, batch: list[dict], retries_left: int, attempts: int) -> None:
        try:
            self._invoke(dynamodb_stream_event(batch, self._target.stream_arn))
            return
        except Exception as exc:
            self._report(
                f"notifier raised {type(exc).__name__} on a batch of {len(batch)} "
                f"(attempt {attempts}, {retries_left} retries left)"
            )
        if retries_left <= 0:
            self._report_failure(shard, batch, attempts)
            return
        if self._stop.wait(RETRY_PAUSE_SECONDS):
            return
        halves = [batch]
        if self._settings.bisect and len(batch) > 1:
            middle = (len(batch) + 1) // 2
            halves = [batch[:middle], batch[middle:]]
        for half in halves:
            self._deliver(shard, half, retries_left - 1, attempts + 1)

    def _report_failure(self, shard: str, batch: list[dict], attempts: int) -> None:
        failure = stream_batch_failure(
            batch, self._target.stream_arn, shard, self._target.function_arn, attempts
        )
        self._sqs.send_message(
            QueueUrl=self._target.failure_queue_url, MessageBody=json.dumps(failure)
        )
        self._report(
            f"notifier gave up on {len(batch)} submission(s) after {attempts} attempts; "
            f"reported to the failure queue {self._target.failure_queue_url.rsplit('/', 1)[-1]}, "
            "whose alarm mails the operator"
        )
        self._after_failure()
