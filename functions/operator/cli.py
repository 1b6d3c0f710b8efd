"""`estimation-operator`: answer the requests the privacy policy invites, from a terminal.

Thin: it parses arguments, asks for confirmation, prints results and turns errors into exit
codes; the work is done in `queries` and `actions`.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TextIO

from functions.operator import actions, display, inbox, queries, restore, staff
from functions.operator.audit import AuditTrail, caller_identity, printable
from functions.operator.aws import Aws
from functions.operator.errors import EXIT_OK, OperatorError, RefusedError, UsageError
from functions.operator.records import Submissions, submission_id
from functions.operator.resources import (
    ENVIRONMENT,
    OPTIONS,
    STACK_VARIABLE,
    deployed_outputs,
    resolve_resources,
)
from functions.operator.store import AuditedStore
from functions.submission_item import PERSONAL_DATA_FIELDS, utc_timestamp

PROGRAM = "estimation-operator"
USER_POOL_VARIABLE = "STAFF_USER_POOL_ID"
USER_POOL_OUTPUT = "StaffUserPoolId"
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
# `update` takes one option per text field; phones come as repeated `--phone` options.
TEXT_FIELDS = tuple(field for field in PERSONAL_DATA_FIELDS if field != "phones")
EXIT_CODES = (
    "exit codes: 0 done, 1 no such submission or email, 2 usage error or invalid value,\n"
    "3 refused (not confirmed, or not allowed in the submission's state), 4 AWS failure"
)


@dataclass
class Run:
    """What one command needs: the submissions, the audit trail, the terminal."""

    submissions: Submissions
    aws: Aws
    yes: bool
    stdin: TextIO
    stdout: TextIO
    stderr: TextIO

    @functools.cached_property
    def audit(self) -> AuditTrail:
        return AuditTrail(caller_identity(self.aws))

    def confirm(self, question: str) -> bool:
        """Ask at a terminal; refuse when nobody can answer and `--yes` was not given."""
        if self.yes:
            return True
        if not self.stdin.isatty():
            raise RefusedError("this command destroys or overwrites data: add --yes to confirm")
        self.stderr.write(f"{question}\nType 'yes' to go on: ")
        self.stderr.flush()
        return self.stdin.readline().strip().lower() in {"y", "yes"}

    def print_json(self, value: Any) -> None:
        self.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")


def _since(text: str) -> str:
    """`--since` as the table's time format: a date, or a date and time (UTC when no zone)."""
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text)
        return utc_timestamp(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date such as 2026-11-25") from None
    except OverflowError:
        # 0001-01-01T00:00:00+05:00 is a real moment, but one before year 1 in UTC.
        raise argparse.ArgumentTypeError(
            f"{text!r} is outside the years 1 to 9999 in UTC"
        ) from None


def _page_size(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_PAGE_SIZE:
        raise argparse.ArgumentTypeError(f"give a number from 1 to {MAX_PAGE_SIZE}")
    return int(text)


def _add_global_options(parser: argparse.ArgumentParser, default: Any) -> None:
    # Accepted before and after the command; the copy after it must not reset the one before,
    # hence `default` is SUPPRESS there.
    group = parser.add_argument_group("where to act (default: the environment variables named)")
    group.add_argument(
        "--stack",
        metavar="NAME",
        default=default,
        help=f"CloudFormation stack whose outputs name the tables and keys [{STACK_VARIABLE}]",
    )
    for name, option in OPTIONS.items():
        metavar = "ARN" if name.endswith("_arn") else "NAME"
        group.add_argument(
            option, dest=name, metavar=metavar, default=default, help=f"[{ENVIRONMENT[name]}]"
        )
    group.add_argument("--region", metavar="REGION", default=default, help="[AWS_REGION]")
    group.add_argument(
        "--endpoint-url",
        metavar="URL",
        default=default,
        help="send every AWS call here, e.g. the preview's moto server [AWS_ENDPOINT_URL]",
    )
    group.add_argument(
        "--yes", action="store_true", default=default, help="confirm destructive commands"
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with one subparser per command."""
    parser = argparse.ArgumentParser(
        prog=PROGRAM,
        description="Answer the requests the privacy policy invites; see docs/operating.md.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_global_options(parser, None)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        _add_global_options(sub, argparse.SUPPRESS)
        return sub

    for name, help_text in (
        ("find", "metadata of every submission of the person with this email"),
        ("export", "everything held on the person, decrypted, as JSON (right of access)"),
        ("unsubscribe", "turn marketing consent off on every submission of the person"),
        ("withdraw", "destroy the person's personal data, keeping tombstones"),
    ):
        command(name, help_text).add_argument("email", metavar="EMAIL")
    for name, help_text in (
        ("block", "stop all use of a submission, keeping it"),
        ("unblock", "return a blocked submission to use"),
        ("anonymise", "remove a submission's personal data, keeping coarse metadata"),
    ):
        command(name, help_text).add_argument("id", metavar="ID")
    update = command("update", "correct a submission's personal data")
    update.add_argument("id", metavar="ID")
    for field in TEXT_FIELDS:
        option = "--" + field.replace("_", "-")
        optional = field in {"patronymic", "message"}
        update.add_argument(
            option, dest=field, metavar="VALUE", help="'' removes it" if optional else None
        )
    update.add_argument(
        "--phone",
        action="append",
        metavar="NUMBER",
        help="replaces all numbers; repeat for several",
    )
    update.add_argument("--no-phone", action="store_true", help="remove every phone number")
    command("mailing-list", "CSV of the people who consented to news and offers")
    waiting = command("inbox", "the submissions not yet answered, oldest first, decrypted")
    waiting.add_argument("--since", type=_since, metavar="DATE")
    waiting.add_argument("--json", action="store_true", help="JSON instead of text")
    one = command("show", "one submission, decrypted, with a mailto: link to answer it")
    one.add_argument("id", metavar="ID")
    one.add_argument("--json", action="store_true", help="JSON instead of text")
    command("answered", "mark a submission answered: the inbox no longer lists it").add_argument(
        "id", metavar="ID"
    )
    command("reapply", "after a backup restore, destroy again what was withdrawn or anonymised")
    command(
        "index-unanswered",
        "once after upgrading: put unanswered submissions stored before the inbox's index in it",
    )
    listing = command("list", "metadata of submissions, a page at a time")
    listing.add_argument("--since", type=_since, metavar="DATE")
    listing.add_argument("--limit", type=_page_size, default=DEFAULT_PAGE_SIZE, metavar="N")
    listing.add_argument("--next-token", metavar="TOKEN")
    members = command("staff", "the staff who sign in to the browser's inbox (/admin/)")
    members.add_argument(
        "--user-pool",
        dest="user_pool_id",
        metavar="ID",
        help=f"the staff's Cognito user pool [{USER_POOL_VARIABLE}; else the stack's output]",
    )
    member_actions = members.add_subparsers(dest="staff_command", required=True, metavar="ACTION")
    member_actions.add_parser(
        "add", help="add a member of staff; Cognito emails them a temporary password"
    ).add_argument("email", metavar="EMAIL")
    member_actions.add_parser("list", help="every member of staff, by email")
    member_actions.add_parser(
        "remove", help="disable a member of staff and sign them out everywhere"
    ).add_argument("email", metavar="EMAIL")
    audit = command("audit", "the audit trail of operator actions, oldest first")
    audit.add_argument("--since", type=_since, metavar="DATE")
    audit.add_argument("--submission", metavar="ID", help="only actions on this submission")
    return parser


def _corrections(args: argparse.Namespace) -> dict[str, Any]:
    corrections = {
        field: getattr(args, field) for field in TEXT_FIELDS if getattr(args, field) is not None
    }
    if args.phone and args.no_phone:
        raise UsageError("give --phone or --no-phone, not both")
    if args.phone or args.no_phone:
        corrections["phones"] = list(args.phone or [])
    return corrections


def _inbox(run: Run, args: argparse.Namespace) -> None:
    found = inbox.inbox(run.submissions, run.audit, args.since, inbox.reply_subjects())
    if args.json:
        run.print_json(found.as_json())
    else:
        run.stdout.write(display.inbox_text(found.submissions, found.blocked, PROGRAM))


def _show(run: Run, args: argparse.Namespace) -> None:
    entry = inbox.show(run.submissions, run.audit, args.id, inbox.reply_subjects())
    if args.json:
        run.print_json(entry)
    else:
        run.stdout.write(display.submission_text(entry, PROGRAM) + "\n")


def _audit(run: Run, args: argparse.Namespace) -> None:
    wanted = submission_id(args.submission) if args.submission is not None else None
    records = [
        printable(record)
        for record in run.submissions.store.audit_records()
        if (not args.since or record["at"] >= args.since)
        and (wanted is None or wanted in record["submission_ids"])
    ]
    run.print_json(records)


def _user_pool_id(run: Run, args: argparse.Namespace) -> str:
    pool = args.user_pool_id or os.environ.get(USER_POOL_VARIABLE)
    if not pool and args.stack:
        pool = deployed_outputs(run.aws, args.stack).get(USER_POOL_OUTPUT)
    if not pool:
        raise UsageError(f"no user pool: give --user-pool ID, {USER_POOL_VARIABLE} or --stack NAME")
    return pool


def _staff(run: Run, args: argparse.Namespace) -> None:
    pool = _user_pool_id(run, args)
    cognito = run.aws.client("cognito-idp")
    store = run.submissions.store
    if args.staff_command == "list":
        run.print_json([member.as_json() for member in staff.members(cognito, pool)])
    elif args.staff_command == "add":
        name = staff.add(cognito, pool, store, run.audit, args.email)
        run.stdout.write(f"added {name}: Cognito emails them a temporary password\n")
    else:
        name = staff.remove(cognito, pool, store, run.audit, args.email)
        run.stdout.write(f"removed {name}: disabled and signed out everywhere\n")


COMMANDS: dict[str, Callable[[Run, argparse.Namespace], None]] = {
    "find": lambda run, a: run.print_json(queries.find(run.submissions, a.email)),
    "export": lambda run, a: run.print_json(queries.export(run.submissions, run.audit, a.email)),
    "list": lambda run, a: run.print_json(
        queries.list_page(run.submissions, a.limit, a.since, a.next_token)
    ),
    "mailing-list": lambda run, a: run.stdout.write(
        queries.mailing_list(run.submissions, run.audit)
    ),
    "audit": _audit,
    "inbox": _inbox,
    "show": _show,
    "staff": _staff,
}
CHANGES: dict[str, Callable[[Run, argparse.Namespace], actions.Outcome]] = {
    "unsubscribe": lambda run, a: actions.unsubscribe(run.submissions, run.audit, a.email),
    "block": lambda run, a: actions.block(run.submissions, run.audit, a.id),
    "unblock": lambda run, a: actions.unblock(run.submissions, run.audit, a.id),
    "withdraw": lambda run, a: actions.withdraw(run.submissions, run.audit, a.email, run.confirm),
    "anonymise": lambda run, a: actions.anonymise(run.submissions, run.audit, a.id, run.confirm),
    "update": lambda run, a: actions.update(
        run.submissions, run.audit, a.id, _corrections(a), run.confirm
    ),
    "answered": lambda run, a: actions.answered(run.submissions, run.audit, a.id, run.confirm),
    "reapply": lambda run, a: restore.reapply(run.submissions, run.audit, run.confirm),
    "index-unanswered": lambda run, a: actions.index_unanswered(run.submissions, run.audit),
}


def _from_environment(args: argparse.Namespace) -> None:
    if not args.stack:
        args.stack = os.environ.get(STACK_VARIABLE)
    for name, variable in ENVIRONMENT.items():
        if not getattr(args, name):
            setattr(args, name, os.environ.get(variable))


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return the exit code docs/operating.md documents."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse has printed the usage error (or the help)
        return int(exc.code or 0)
    _from_environment(args)
    aws = Aws(region=args.region, endpoint_url=args.endpoint_url)
    try:
        with aws.encryption_endpoint():
            resources = resolve_resources(
                aws, args.stack, {n: getattr(args, n) for n in ENVIRONMENT}
            )
            submissions = Submissions(aws, resources, AuditedStore(aws, resources))
            run = Run(submissions, aws, bool(args.yes), sys.stdin, sys.stdout, sys.stderr)
            if args.command in CHANGES:
                run.stdout.write(CHANGES[args.command](run, args).summary() + "\n")
            else:
                COMMANDS[args.command](run, args)
    except OperatorError as exc:
        print(f"{PROGRAM}: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"{PROGRAM}: interrupted", file=sys.stderr)
        return RefusedError.exit_code
    return EXIT_OK
