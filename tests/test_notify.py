"""The notifier in-process against moto: the table's stream in, one message per batch out.

Each message names ids, times, languages and the command that shows a submission, in the
site's default language, and none of what the visitor typed (checked against every value
posted, as the storage tests check the table), nor the item's blob or keyed hash.
"""

from __future__ import annotations

import json
import re
import shlex
import uuid
from typing import Any

import boto3
import pytest

from functions.notify.message import MAX_SUBJECT_LENGTH, OPERATOR_PROGRAM
from functions.notify.notifier import MAX_PER_MESSAGE
from functions.notify.publisher import PublishFailed
from functions.notify.settings import SettingsError
from functions.operator.cli import PROGRAM, main
from infra.cloudformation import load_template
from tests.support.contact import (  # noqa: F401 (an autouse fixture)
    ContactFunction,
    captured_output,
    personal_data_kept_out_of_logs,
    valid_fields,
)
from tests.support.notify import Notifier, notifier_on
from tests.support.site import copy_content, set_site_option
from tests.support.stack import REGION

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture
def notifier(contact: ContactFunction) -> Any:
    with notifier_on(contact.stack) as running:
        running.stream.new_records()  # what earlier tests stored is theirs
        yield running


def submit(contact: ContactFunction, **changes: Any) -> str:
    tag = uuid.uuid4().hex[:8]
    defaults = {"email": f"notify.{tag}@example.kz", "message": f"Вопрос {tag}"}
    fields = valid_fields(**{**defaults, **changes})
    answer = contact.post_json(fields)
    assert answer["statusCode"] == 201, answer["body"]
    return json.loads(answer["body"])["id"]


def stored_secrets(contact: ContactFunction, ids: list[str]) -> list[str]:
    """What the items hold that no message may: the encrypted blob and the email's hash."""
    items = [contact.item(submission_id) for submission_id in ids]
    return [item[name]["S"] for item in items for name in ("personal_data", "email_hash")]


def test_notify_one_batch_is_one_message_naming_every_id(
    contact: ContactFunction, notifier: Notifier
) -> None:
    ids = [submit(contact, locale=locale) for locale in ("ru", "en", "ru")]

    notifier.run()

    (message,) = notifier.mailbox.messages()
    assert message["subject"] == "estimation.kz: новые обращения: 3"
    text = message["text"]
    assert text.startswith("Новые обращения через форму на сайте: 3.")
    # Each id three times: the entry, its link to the staff inbox, and its command.
    assert UUID.findall(text) == [i for i in ids for _ in range(3)]
    assert text.count("Язык: Русский (ru)") == 2 and text.count("Язык: English (en)") == 1
    assert "Все обращения без ответа: estimation-operator --stack" in text  # noqa: RUF001


def test_notify_message_holds_no_submitted_value_nor_blob_nor_hash(
    contact: ContactFunction, notifier: Notifier
) -> None:
    ids = [
        submit(contact, locale="en", marketing=True),
        submit(contact, phone=["+7 701 555 0000", "+44 20 7946 0958"], patronymic=None),
        submit(contact, message=None, phone=None),
    ]

    notifier.run()

    (message,) = notifier.mailbox.messages()
    everything = message["subject"] + "\n" + message["text"]
    contact.assert_not_in(everything)
    for secret in stored_secrets(contact, ids):
        assert secret not in everything


def test_notify_times_are_utc_and_kazakhstan_time(
    contact: ContactFunction, notifier: Notifier
) -> None:
    submission_id = submit(contact)
    created_at = contact.item(submission_id)["created_at"]["S"]

    notifier.run()

    (message,) = notifier.mailbox.messages()
    date, time = created_at[:10], created_at[11:16]
    hour = (int(time[:2]) + 5) % 24
    assert f"Получено {date} {time} UTC, " in message["text"]
    assert f"{hour:02d}:{time[3:]} по времени Казахстана (UTC+5)" in message["text"]


def test_notify_command_in_the_message_shows_the_submission(
    contact: ContactFunction, notifier: Notifier, capsys: pytest.CaptureFixture[str]
) -> None:
    submission_id = submit(contact, first_name="Мәдина")
    notifier.run()
    (message,) = notifier.mailbox.messages()
    lines = message["text"].splitlines()
    (line,) = [line for line in lines if line.strip().endswith(f"show {submission_id}")]
    words = shlex.split(line)
    assert words[0] == OPERATOR_PROGRAM == PROGRAM
    capsys.readouterr()

    code = main(words[1:])

    assert code == 0
    assert "Мәдина" in capsys.readouterr().out
    assert words[1:5] == ["--stack", contact.stack.name, "--region", REGION]


def test_notify_links_each_id_to_the_staff_inbox_beside_the_command(
    contact: ContactFunction, notifier: Notifier
) -> None:
    submission_id = submit(contact)
    notifier.run()
    (message,) = notifier.mailbox.messages()
    lines = [line.strip() for line in message["text"].splitlines()]
    link = f"https://estimation.kz/admin/#{submission_id}"
    (index,) = [i for i, line in enumerate(lines) if line.endswith(link)]
    # The CLI command stays, right under the link.
    assert lines[index + 1].endswith(f"show {submission_id}")


@pytest.mark.parametrize(("language", "subject"), [("en", "estimation.kz: new submissions: 1")])
def test_notify_speaks_the_sites_default_language(
    contact: ContactFunction, tmp_path, language: str, subject: str
) -> None:
    content = copy_content(tmp_path)
    set_site_option(content, "default_language", f'default_language = "{language}"')
    with notifier_on(contact.stack, CONTENT_DIR=str(content)) as running:
        running.stream.new_records()
        submit(contact, locale="ru")
        running.run()
        (message,) = running.mailbox.messages()
    assert message["subject"] == subject
    assert "Language: Русский (ru)" in message["text"]
    assert "Received " in message["text"] and " Kazakhstan time (UTC+5)" in message["text"]


def test_notify_leaves_out_records_that_are_not_new_submissions(
    contact: ContactFunction, notifier: Notifier, capsys: pytest.CaptureFixture[str]
) -> None:
    submission_id = submit(contact)
    notifier.run()
    notifier.mailbox.messages()
    assert main(["--stack", contact.stack.name, "block", submission_id]) == 0
    modified = notifier.stream.new_records()
    assert [record["eventName"] for record in modified] == ["MODIFY"]

    notifier.run(modified)

    assert notifier.mailbox.messages() == []


def test_notify_splits_a_batch_longer_than_one_message(
    contact: ContactFunction, notifier: Notifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The template's BatchSize keeps a batch to one message; a longer one is still all sent.
    monkeypatch.setattr("functions.notify.notifier.MAX_PER_MESSAGE", 2)
    ids = [submit(contact) for _ in range(5)]
    records = notifier.stream.new_records()

    notifier.run(records)

    messages = notifier.mailbox.messages()
    assert [len(UUID.findall(m["text"])) // 3 for m in messages] == [2, 2, 1]
    assert {i for m in messages for i in UUID.findall(m["text"])} == set(ids)


def test_notify_batch_size_of_the_mapping_fits_one_message() -> None:
    (mapping,) = [
        r["Properties"]
        for r in load_template()["Resources"].values()
        if r["Type"] == "AWS::Lambda::EventSourceMapping"
    ]
    assert mapping["BatchSize"] <= MAX_PER_MESSAGE


def test_notify_subject_stays_under_sns_limit(contact: ContactFunction, tmp_path) -> None:
    content = copy_content(tmp_path)
    strings = content / "ru" / "strings.toml"
    text = strings.read_text(encoding="utf-8")
    strings.write_text(
        text.replace('subject = "estimation.kz: новые', 'subject = "' + "очень " * 30 + "новые"),
        encoding="utf-8",
    )
    with notifier_on(contact.stack, CONTENT_DIR=str(content)) as running:
        running.stream.new_records()
        submit(contact)
        running.run()
        (message,) = running.mailbox.messages()
    assert len(message["subject"]) == MAX_SUBJECT_LENGTH < 100


def test_notify_failing_publish_raises_so_lambda_retries(
    contact: ContactFunction, notifier: Notifier, capsys, caplog
) -> None:
    submission_id = submit(contact)
    records = notifier.stream.new_records()
    boto3.client("sns", region_name=REGION).delete_topic(
        TopicArn=contact.stack.outputs["NotificationTopicArn"]
    )
    try:
        with pytest.raises(PublishFailed):
            notifier.run(records)
        logged = captured_output(capsys, caplog)
        assert "notification not published" in logged
        assert submission_id in logged
    finally:
        # The module's other tests keep their topic: the same name gives the same ARN.
        name = contact.stack.outputs["NotificationTopicArn"].rsplit(":", 1)[-1]
        boto3.client("sns", region_name=REGION).create_topic(Name=name)


def test_notify_without_its_topic_setting_says_which_variable(contact: ContactFunction) -> None:
    with (
        notifier_on(contact.stack, NOTIFICATION_TOPIC_ARN="") as running,
        pytest.raises(SettingsError, match="NOTIFICATION_TOPIC_ARN"),
    ):
        running.run([])
