"""The notifier: tells the operator that submissions arrived, without any personal data.

The submissions table streams each new item to `functions.notify.app.handler` (a Lambda event
source mapping batches about a minute of them); the notifier publishes one message per batch to
the operator's encrypted SNS topic: how many arrived and, for each, its id, time, language and
the `estimation-operator` command that shows it. It reads only those attributes of the stream's
new image (`submission_item.NOTIFIED`), never the table, and cannot decrypt: no pydantic, no
Encryption SDK, and a role without `kms:Decrypt` on the data key. It also writes the trail of
what DynamoDB's time to live deleted, one audit record per expired submission
(`functions.notify.expiries`): the only write its role allows.
"""
