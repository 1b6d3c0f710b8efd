"""The site's command line: build the static site, preview it, or deploy it.

python build.py [build] [--content DIR] [--out DIR]
python build.py serve [--host 127.0.0.1] [--port 8000] [--aws-port 5000] [--open]
python build.py deploy --stack NAME [--region R] [--endpoint-url URL] [--dry-run]
python build.py local-aws [--port 5001] [--stack demo]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
DEFAULT_CONTENT = ROOT / "content"
DEFAULT_OUT = ROOT / "dist"
COMMANDS = ("build", "serve", "deploy", "local-aws")


def _add_folders(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--content",
        type=Path,
        default=DEFAULT_CONTENT,
        metavar="DIR",
        help="the editors' folder: site.toml and one folder per language (default: content/)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        metavar="DIR",
        help="where the built site goes; replaced as a whole (default: dist/)",
    )


def _retention_days(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 36500:
        raise argparse.ArgumentTypeError("give a whole number of days from 1 to 36500")
    return int(text)


def make_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand and option documented."""
    parser = argparse.ArgumentParser(
        prog="build.py",
        description="Build, preview or deploy the estimation.kz site. Without a command: build.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    build = commands.add_parser(
        "build",
        help="build the static site into --out (the default command)",
        description="Build the static site from Markdown and templates into --out.",
    )
    _add_folders(build)
    serve = commands.add_parser(
        "serve",
        help="build, serve and rebuild on change, with a working contact form",
        description="Preview the site on this machine; the form posts to the real handler "
        "backed by a local moto server.",
    )
    _add_folders(serve)
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    serve.add_argument(
        "--port", type=int, default=8000, help="site port; 0: a free one (default: %(default)s)"
    )
    serve.add_argument(
        "--aws-port",
        type=int,
        default=5000,
        help="local moto server port; 0: a free one (default: %(default)s)",
    )
    serve.add_argument(
        "--open", action="store_true", help="open the preview in the default web browser"
    )
    deploy = commands.add_parser(
        "deploy",
        help="build and deploy the stack, upload the site, invalidate the CDN",
        description="Build the site, deploy the CloudFormation stack and publish the site.",
    )
    _add_folders(deploy)
    deploy.add_argument("--stack", required=True, help="CloudFormation stack name")
    deploy.add_argument("--region", default=None, help="AWS region (default: from the environment)")
    deploy.add_argument(
        "--endpoint-url", default=None, metavar="URL", help="send every AWS call to this endpoint"
    )
    deploy.add_argument(
        "--retention-days",
        type=_retention_days,
        default=None,
        metavar="N",
        help="days a submission is kept after its answer and the end of its marketing consent "
        "(the stack's RetentionDays; default: the stack's own, 365 for a new stack)",
    )
    deploy.add_argument(
        "--dry-run", action="store_true", help="print what would be done, change nothing"
    )
    local_aws = commands.add_parser(
        "local-aws",
        help="run a local AWS (moto with the project's fixes) to rehearse a deploy against",
        description="Run the project's moto server on loopback until Ctrl-C and print the "
        "deploy command to try against it.",
    )
    local_aws.add_argument(
        "--port", type=int, default=5001, help="port; 0: a free one (default: %(default)s)"
    )
    local_aws.add_argument(
        "--stack", default="demo", help="stack name in the printed deploy line (default: demo)"
    )
    return parser


def _build(content_dir: Path, out_dir: Path) -> int:
    from sitegen.build import build
    from sitegen.errors import BuildError

    try:
        result = build(content_dir, out_dir)
    except BuildError as error:
        print(f"build failed: {error}", file=sys.stderr)
        return 1
    print(f"built {len(result.pages)} pages into {result.out_dir}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from preview.serve import serve

    return serve(args.content, args.out, args.host, args.port, args.aws_port, args.open)


def _deploy(args: argparse.Namespace) -> int:
    from infra.deploy import deploy

    adapt = None
    if args.endpoint_url:
        # Another endpoint is a local stand-in: moto, which creates only part of the template.
        from preview.local_aws import moto_template

        adapt = moto_template
    return deploy(
        args.content,
        args.out,
        args.stack,
        args.region,
        args.endpoint_url,
        args.dry_run,
        adapt,
        retention_days=args.retention_days,
    )


def main(argv: list[str] | None = None) -> int:
    """Run one command; a build error is a one-line message and exit code 1."""
    argv = list(sys.argv[1:] if argv is None else argv)
    # `build` is the default command, so `build.py --out x` means `build.py build --out x`.
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help")):
        argv.insert(0, "build")
    args = make_parser().parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    if args.command == "deploy":
        return _deploy(args)
    if args.command == "local-aws":
        from preview.rehearsal import run

        return run(args.port, args.stack)
    return _build(args.content, args.out)


if __name__ == "__main__":
    sys.exit(main())
