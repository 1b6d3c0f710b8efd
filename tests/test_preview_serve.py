"""`python build.py serve` as a developer runs it: one command, the whole product locally.

The preview here serves a copy of `content/`, so the rebuild test can edit it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pytest

from preview.local_aws import ensure_port_free
from sitecontent.policy import current_policy_version
from sitegen.security import headers_for
from tests.support.preview import (
    ROOT,
    Preview,
    free_port,
    post_json,
    running_preview,
    serve_command,
    start_preview,
)
from tests.support.site import LANGUAGES, copy_content

pytestmark = pytest.mark.slow
REBUILD_SECONDS = 15.0


@pytest.fixture(scope="module")
def content_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_content(tmp_path_factory.mktemp("preview-content"))


@pytest.fixture(scope="module")
def preview(tmp_path_factory: pytest.TempPathFactory, content_dir: Path) -> Iterator[Preview]:
    with running_preview(tmp_path_factory.mktemp("preview-serve"), content_dir) as running:
        yield running


def get(url: str) -> tuple[int, Message, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status, answer.headers, answer.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode("utf-8")


def valid_submission(preview: Preview, content_dir: Path, language: str = "en") -> dict:
    return {
        "last_name": "Preview",
        "first_name": "Tester",
        "email": "preview.tester@example.kz",
        "phone": ["+7 701 234 56 78"],
        "consent": True,
        "policy_version": current_policy_version(content_dir, language).version,
        "locale": language,
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_serve_serves_the_built_pages_with_the_builds_security_headers(preview, language):
    status, headers, html = get(f"{preview.url}/{language}/contact/")

    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert f'lang="{language}"' in html
    for name, value in headers_for(preview.out_dir).items():
        assert headers[name] == value


def test_serve_answers_a_missing_page_with_the_sites_404_page(preview):
    status, _, html = get(f"{preview.url}/ru/no-such-page/")

    assert status == 404
    # The built page, with the live reload's script tag the preview adds when serving it.
    built = (preview.out_dir / "404.html").read_text(encoding="utf-8")
    assert re.sub(r'<script src="/_preview/reload\.js"[^>]*></script>', "", html) == built


def test_serve_publishes_the_functions_openapi_document(preview):
    status, headers, text = get(f"{preview.url}/api/openapi.json")

    assert status == 200
    assert headers["Content-Type"].startswith("application/json")
    assert "/api/contact" in text


def test_serve_stores_a_submission_in_the_local_table(preview, content_dir):
    before = preview.stored_items()

    status, answer = post_json(preview, valid_submission(preview, content_dir))

    assert status == 201
    assert answer["status"] == "received"
    new = set(preview.stored_items()) - set(before)
    assert new == {answer["id"]}


def test_serve_runs_the_function_behind_a_cdn_of_its_own(preview, content_dir):
    # The preview adds an origin secret to each API request, as the distribution does, and the
    # function refuses requests without it: so it runs as it does in production.
    function = preview.outputs["ContactFunctionName"]
    configuration = preview.client("lambda").get_function_configuration(FunctionName=function)
    secret = configuration["Environment"]["Variables"]["ORIGIN_SECRET"]

    status, _ = post_json(preview, valid_submission(preview, content_dir))

    assert len(secret) >= 32
    assert status == 201
    assert secret not in preview.log()


@pytest.mark.parametrize(
    ("origin", "status"),
    [
        ("http://127.0.0.1:{port}", 201),
        ("http://localhost:{port}", 201),
        ("https://evil.example", 403),
    ],
)
def test_serve_accepts_the_form_only_from_the_previews_own_origin(
    preview, content_dir, origin, status
):
    request = urllib.request.Request(
        f"{preview.url}/api/contact",
        data=json.dumps(valid_submission(preview, content_dir)).encode("utf-8"),
        headers={"Content-Type": "application/json", "Origin": origin.format(port=preview.port)},
    )

    answer_status = get_response_status(request)

    assert answer_status == status


def get_response_status(request: urllib.request.Request) -> int:
    try:
        with urllib.request.urlopen(request, timeout=15) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def test_serve_prints_the_site_the_aws_endpoint_and_the_operator_command(preview):
    log = preview.log()

    assert f"Preview: {preview.url}/" in log
    assert f"AWS endpoint (moto, in memory): {preview.endpoint_url}" in log
    assert (
        f"estimation-operator --endpoint-url {preview.endpoint_url} --stack preview"
        " --region eu-central-1 list"
    ) in log


def test_serve_lets_the_printed_operator_command_list_what_was_submitted(preview, content_dir):
    status, answer = post_json(preview, valid_submission(preview, content_dir, "ru"))
    assert status == 201
    # The command exactly as printed, typed into a shell without any AWS settings.
    words = shlex.split(re.search(r"Operator CLI: (.+)", preview.log()).group(1))
    assignments = [word for word in words if "=" in word and not word.startswith("-")]
    program, *arguments = words[len(assignments) :]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    environment.update(word.split("=", 1) for word in assignments)

    listed = subprocess.run(
        [str(Path(sys.executable).with_name(program)), *arguments],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert listed.returncode == 0, listed.stderr
    assert answer["id"] in listed.stdout
    assert "preview.tester" not in listed.stdout


def wait_for(condition, seconds: float = REBUILD_SECONDS) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_serve_rebuilds_on_a_content_change_and_keeps_the_site_on_a_broken_one(
    preview, content_dir
):
    strings = content_dir / "en" / "strings.toml"
    original = strings.read_text(encoding="utf-8")
    label = "Send it now"
    try:
        # When an editor renames the submit button,
        strings.write_text(re.sub(r'(?m)^submit = ".*"$', f'submit = "{label}"', original))
        # then the page shows the new label after the rebuild.
        assert wait_for(lambda: label in get(f"{preview.url}/en/contact/")[2]), preview.log()

        # When the editor then breaks the strings file,
        strings.write_text(original + "\n[broken\n", encoding="utf-8")
        # then the error is printed and the last good site is still served.
        assert wait_for(lambda: "build failed" in preview.log()), preview.log()
        assert str(strings) in preview.log()
        status, _, html = get(f"{preview.url}/en/contact/")
        assert status == 200
        assert label in html
    finally:
        strings.write_text(original, encoding="utf-8")
    assert wait_for(lambda: label not in get(f"{preview.url}/en/contact/")[2]), preview.log()


@pytest.mark.parametrize("taken", ["port", "aws-port"])
def test_serve_refuses_a_port_in_use_with_a_clear_error(tmp_path, taken):
    ports = {"port": free_port(), "aws-port": free_port()}
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", ports[taken]))
        squatter.listen()

        result = subprocess.run(
            serve_command(ports["port"], ports["aws-port"], tmp_path / "dist"),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    assert result.returncode == 1
    assert f"port {ports[taken]} " in result.stderr
    assert "in use" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def assert_stops_cleanly_and_frees_both_ports(preview: Preview, stop_signal: signal.Signals):
    """Ctrl-C or SIGTERM: exit code 0, no traceback, and both ports free at once.

    The tests that start a preview of their own end with it, one with each signal, rather than
    two more previews started only to be stopped.
    """
    code = preview.stop(stop_signal)

    assert code == 0, preview.log()
    assert "Traceback" not in preview.log()
    # The next preview can start on the same ports at once.
    ensure_port_free("127.0.0.1", preview.port)
    ensure_port_free("127.0.0.1", preview.aws_port)


def test_serve_refuses_to_start_on_broken_content_naming_the_file(tmp_path):
    content = copy_content(tmp_path)
    strings = content / "ru" / "strings.toml"
    strings.write_text(strings.read_text(encoding="utf-8") + "\n[broken\n", encoding="utf-8")

    result = subprocess.run(
        serve_command(free_port(), free_port(), tmp_path / "dist", content),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 1
    assert str(strings) in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert not (tmp_path / "dist").exists()


def test_serve_lets_the_form_accept_a_newly_published_policy_version(preview, content_dir):
    previous = current_policy_version(content_dir, "ru").version
    # A warm function, which has read the content once already.
    assert post_json(preview, valid_submission(preview, content_dir, "ru"))[0] == 201
    published = []
    contact_pages = {
        path: path.read_text(encoding="utf-8") for path in content_dir.glob("*/contact.md")
    }
    try:
        # When an editor publishes version 9.9 in every language, and links it from the
        # contact page as the build asks,
        for language in LANGUAGES:
            current = current_policy_version(content_dir, language).path
            text = current.read_text(encoding="utf-8")
            text = re.sub(r'(?m)^version = ".*"$', 'version = "9.9"', text)
            text = re.sub(r"(?m)^effective = .*$", "effective = 2099-01-01", text)
            published.append(current.with_name("9.9.md"))
            published[-1].write_text(text, encoding="utf-8")
        for path, text in contact_pages.items():
            path.write_text(text.replace(f"/privacy/{previous}/", "/privacy/9.9/"), "utf-8")
        assert wait_for(lambda: "/ru/privacy/9.9/" in get(f"{preview.url}/ru/contact/")[2])

        # then the function takes posts of the new version and turns the old one away.
        new = {**valid_submission(preview, content_dir, "ru"), "policy_version": "9.9"}
        old = {**new, "policy_version": previous, "email": "old.page@example.kz"}
        assert post_json(preview, new)[0] == 201
        assert post_json(preview, old) == (409, {"errors": {"policy_version": "stale_policy"}})
    finally:
        for path in published:
            path.unlink(missing_ok=True)
        for path, text in contact_pages.items():
            path.write_text(text, encoding="utf-8")
    assert wait_for(lambda: "/ru/privacy/9.9/" not in get(f"{preview.url}/ru/contact/")[2])


def test_serve_sends_the_production_headers_with_its_live_reload_too(preview):
    page_status, page_headers, _ = get(f"{preview.url}/en/")
    script_status, script_headers, _ = get(f"{preview.url}/_preview/reload.js")

    assert (page_status, script_status) == (200, 200)
    assert script_headers["Content-Type"] == "text/javascript; charset=utf-8"
    for name, value in headers_for(preview.out_dir).items():
        assert page_headers[name] == value
        assert script_headers[name] == value
    # The script the page loads is allowed by the production policy as it stands.
    assert "script-src 'self'" in page_headers["Content-Security-Policy"]
    assert "connect-src 'self'" in page_headers["Content-Security-Policy"]


def started_on_free_ports(tmp_path: Path, environment: dict[str, str]) -> Preview:
    """`build.py serve --port 0 --aws-port 0 --open`, read back from the banner."""
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*serve_command(0, 0, tmp_path / "dist"), "--open"],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=environment,
        )
    preview = Preview(process, 0, 0, tmp_path / "dist", log_path)
    try:
        assert wait_for(lambda: "AWS endpoint" in preview.log(), 90), preview.log()
        preview.port = int(re.search(r"Preview: http://127\.0\.0\.1:(\d+)/", preview.log())[1])
        endpoint = re.search(r"in memory\): http://127\.0\.0\.1:(\d+)", preview.log())
        preview.aws_port = int(endpoint[1])
        preview.wait_until_ready()
    except BaseException:
        preview.stop()
        raise
    return preview


def test_serve_picks_free_ports_prints_them_opens_the_browser_and_stops_on_ctrl_c(
    tmp_path, content_dir
):
    # A stand-in browser (webbrowser honours $BROWSER) that notes the address it was given.
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser.sh"
    browser.write_text(f'#!/bin/sh\necho "$1" > {opened}\n', encoding="utf-8")
    browser.chmod(0o755)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    environment.update(PYTHONUNBUFFERED="1", BROWSER=f"{browser} %s")

    preview = started_on_free_ports(tmp_path, environment)
    try:
        assert 0 not in (preview.port, preview.aws_port)
        assert wait_for(opened.exists), preview.log()
        assert opened.read_text(encoding="utf-8").strip() == f"{preview.url}/"
        status, answer = post_json(preview, valid_submission(preview, content_dir))
        assert status == 201
        assert answer["id"] in preview.stored_items()
    except BaseException:
        preview.stop()
        raise
    assert_stops_cleanly_and_frees_both_ports(preview, signal.SIGINT)


def test_serve_stores_a_form_sent_as_soon_as_the_address_shows_and_stops_on_term(
    tmp_path, content_dir
):
    # Issue 26: the address showed while the local AWS still started, and a form sent then got
    # 503 "try again in a minute". Now it waits for the local AWS and is stored.
    port, aws_port = free_port(), free_port()
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            serve_command(port, aws_port, tmp_path / "dist", content_dir),
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={
                **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
                "PYTHONUNBUFFERED": "1",
            },
        )
    preview = Preview(process, port, aws_port, tmp_path / "dist", log_path)
    try:
        assert wait_for(lambda: f"Preview: {preview.url}/" in preview.log(), 90), preview.log()
        # At once: the local AWS takes seconds more to start (moto's import alone).
        status, answer = post_json(preview, valid_submission(preview, content_dir), timeout=90)
        assert status == 201, (answer, preview.log())
        assert answer["id"] in preview.stored_items()
    except BaseException:
        preview.stop()
        raise
    assert_stops_cleanly_and_frees_both_ports(preview, signal.SIGTERM)


def child_processes(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text(encoding="ascii")
    return [int(child) for child in children.split()]


def test_serve_says_in_one_line_when_the_local_aws_dies_and_the_form_answers_503(
    tmp_path, content_dir
):
    preview = start_preview(tmp_path, content_dir)
    try:
        (moto,) = child_processes(preview.process.pid)

        os.kill(moto, signal.SIGKILL)

        assert wait_for(lambda: "local AWS (moto) stopped" in preview.log()), preview.log()
        lines = [line for line in preview.log().splitlines() if "local AWS (moto)" in line]
        assert len(lines) == 1
        assert "the form now answers 503" in lines[0]
        status, answer = post_json(preview, valid_submission(preview, content_dir))
        assert (status, answer) == (503, {"errors": {"request": "unavailable"}})
        # The site itself goes on.
        assert get(f"{preview.url}/en/")[0] == 200
    finally:
        assert preview.stop() == 0


# Starts a child the way the tests start previews, says its pid, then waits to be killed.
STARTER = """
import subprocess, sys, time
from tests.support.preview import ending_with_this_process
# Catching Ctrl-C as `build.py serve` does (preview/serve.py): a process started with SIGINT
# ignored, as a shell starts `./dev test &`, passes that on, and a bare sleeper kept it.
catch_then_sleep = "signal.signal(signal.SIGINT, signal.default_int_handler); time.sleep(300)"
sleeper = [sys.executable, "-c", f"import signal, time; {catch_then_sleep}"]
child = subprocess.Popen(ending_with_this_process(sleeper))
print(child.pid, flush=True)
time.sleep(300)
"""


def _command_line(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return b""


def _signal_status(pid: int) -> str:
    """The lines of /proc/PID/status that say why a signal did or did not end it."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except FileNotFoundError:
        return "gone"
    wanted = ("State", "PPid", "SigPnd", "ShdPnd", "SigBlk", "SigIgn", "SigCgt")
    return "; ".join(line for line in lines if line.startswith(wanted))


def _catches_ctrl_c(pid: int) -> bool:
    """Whether the process has a handler of its own for SIGINT (/proc's SigCgt mask)."""
    for line in _signal_status(pid).split("; "):
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) & 1 << (signal.SIGINT - 1))
    return False


def _has_ended(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in {"Z", "X"}  # a zombie has ended; only its parent's reaping is left


def test_a_preview_a_test_started_stops_when_the_tests_process_is_killed() -> None:
    # As pytest-timeout ends a hung worker: SIGKILL, so no fixture's clean-up runs.
    with subprocess.Popen(
        [sys.executable, "-c", STARTER], cwd=ROOT, stdout=subprocess.PIPE, text=True
    ) as starter:
        child = int(starter.stdout.readline())
        # setpriv asks for the signal, then becomes the command, which then catches it: a kill
        # before that is a race no worker meets (its tests run for seconds), and failed this
        # test under load. (setpriv's own command line names the command too: only its first
        # word tells.)
        assert wait_for(
            lambda: (
                _command_line(child).startswith(sys.executable.encode()) and _catches_ctrl_c(child)
            )
        ), "the child never became the command"
        starter.kill()
    deadline = time.monotonic() + 60
    while not _has_ended(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    ended = _has_ended(child)
    status = "" if ended else _signal_status(child)
    if not ended:
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signal.SIGKILL)
    assert ended, f"the child outlived the process that started it: {status}"
