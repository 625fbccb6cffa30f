"""The command line as scripts use it: --json, exit codes, help, bad paths, passwords.

Every ``--json`` output here is validated against the JSON Schema published in
``docs/reference/cli-output.schema.json``.
"""

from __future__ import annotations

import errno
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pypdf
import pytest
from click.testing import CliRunner, Result

from invoicebackup.cli import (
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_USAGE,
    EXIT_WARNINGS,
    JSON_SCHEMA,
    main,
)
from invoicebackup.errors import PROBLEM_KINDS
from invoicebackup.permissions import ReasonCode
from invoicebackup.storage import FileSystemStore
from invoicebackup.testing import write_sample_project

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "docs" / "reference" / "cli-output.schema.json"
NOW = "2026-11-03T09:30:00Z"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sample_project(tmp_path_factory.mktemp("sample") / "project")


@pytest.fixture
def fresh(tmp_path: Path, sample: Path) -> Path:
    """A copy of the sample to change."""
    return Path(shutil.copytree(sample, tmp_path / "project"))


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def no_traceback(result: Result) -> None:
    """The command ended by exiting with a code, saying no traceback on any stream."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.output
    assert "Traceback" not in result.stderr


def checked_json(result: Result) -> dict[str, Any]:
    """The one JSON object the command printed, valid against the published schema."""
    no_traceback(result)
    assert result.stderr == "", "under --json nothing goes to standard error"
    document = json.loads(result.stdout)
    jsonschema.validate(document, json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    assert document["exit_code"] == result.exit_code
    assert document["ok"] is (result.exit_code in (EXIT_OK, EXIT_WARNINGS))
    return document  # type: ignore[no-any-return]


def test_published_schema_is_the_one_the_code_follows() -> None:
    """docs/reference/cli-output.schema.json is JSON_SCHEMA, and a valid JSON Schema."""
    published = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert published == JSON_SCHEMA
    jsonschema.Draft202012Validator.check_schema(published)


def compile_args(sample: Path, out: Path, *more: str) -> list[str | Path]:
    return ["compile", sample, "--as", "u-admin", "-o", out, "--now", NOW, *more]


# Each command, in a success, a warning and a refusal, as (arguments, expected exit code).
CASES: dict[str, Any] = {
    "compile ok": (lambda s, t: compile_args(s, t, "--invoice", "i-3"), EXIT_OK),
    "compile warnings": (lambda s, t: compile_args(s, t), EXIT_WARNINGS),
    "compile denied": (
        lambda s, t: ["compile", s, "--as", "u-reader", "-o", t, "--now", NOW],
        EXIT_REFUSED,
    ),
    "compile bad document, fail": (
        lambda s, t: compile_args(s, t, "--contract", "k-11", "--on-bad-document", "fail"),
        EXIT_REFUSED,
    ),
    "plan ok": (lambda s, t: ["plan", s, "--as", "u-admin", "--invoice", "i-3"], EXIT_OK),
    "plan warnings": (lambda s, t: ["plan", s, "--as", "u-admin"], EXIT_WARNINGS),
    "plan denied": (lambda s, t: ["plan", s, "--as", "u-reader"], EXIT_REFUSED),
    "plan unknown contract": (
        lambda s, t: ["plan", s, "--as", "u-admin", "--contract", "k-404"],
        EXIT_REFUSED,
    ),
    "validate warnings": (lambda s, t: ["validate", s], EXIT_WARNINGS),
    "validate bad project file": (lambda s, t: ["validate", t.parent / "broken"], EXIT_REFUSED),
    "docusign status ok": (
        lambda s, t: ["docusign", "status", s, "--as", "u-admin", "--now", NOW],
        EXIT_OK,
    ),
    "docusign status unknown user": (
        lambda s, t: ["docusign", "status", s, "--as", "u-nobody"],
        EXIT_REFUSED,
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_json_output_has_one_shape_and_the_same_exit_code(
    case: str, sample: Path, tmp_path: Path
) -> None:
    """--json prints one schema-valid object on stdout for success, warnings and refusal.

    The exit code is the one the same command gives without --json; under --json standard
    error is silent. A refused compile used to print plain text on stderr and nothing on
    stdout.
    """
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "project.json").write_text('{"project": 1}', encoding="utf-8")
    make, code = CASES[case]
    text = run(*make(sample, tmp_path / "text"))
    assert text.exit_code == code, text.output
    document = checked_json(run(*make(sample, tmp_path / "json"), "--json"))
    assert document["exit_code"] == code
    command = "docusign status" if case.startswith("docusign") else case.split()[0]
    assert document["command"] == command
    severities = {p["severity"] for p in document["problems"]}
    if code == EXIT_OK:
        assert document["problems"] == []
        assert document["result"] is not None
    elif code == EXIT_WARNINGS:
        assert severities == {"warning"}
        assert document["result"] is not None
    else:
        assert "error" in severities
        assert document["result"] is None


def test_refusal_kinds_come_from_the_problem_codes(sample: Path, tmp_path: Path) -> None:
    """A denial is ``forbidden``, an unknown contract ``not_found``, a bad file ``invalid``."""
    denied = checked_json(run("plan", sample, "--as", "u-reader", "--json"))
    assert {p["kind"] for p in denied["problems"]} == {"forbidden"}
    assert {p["subject"] for p in denied["problems"]} == {"i-3", "i-4"}
    unknown = checked_json(run("plan", sample, "--as", "u-admin", "--contract", "k-9", "--json"))
    assert [(p["code"], p["kind"], p["subject"]) for p in unknown["problems"]] == [
        ("unknown_contract", "not_found", "k-9"),
        ("empty_selection", "invalid", None),
    ]
    (tmp_path / "project.json").write_text("{", encoding="utf-8")
    broken = checked_json(run("validate", tmp_path, "--json"))
    assert {p["kind"] for p in broken["problems"]} == {"invalid"}


def test_every_permission_reason_has_its_kind_in_the_table() -> None:
    """Each permission rule's reason code is mapped: denials forbidden, unknown ids not found."""
    for code in ReasonCode:
        expected = "not_found" if code.value.startswith("unknown_") else "forbidden"
        assert PROBLEM_KINDS[code.value].value == expected, code


def test_compile_json_names_both_files_and_each_warning(sample: Path, tmp_path: Path) -> None:
    """A compile with warnings lists each missing waiver and left-out document once."""
    document = checked_json(run(*compile_args(sample, tmp_path), "--json"))
    result = document["result"]
    assert Path(result["backup_path"]).is_file()
    assert Path(result["manifest_path"]).is_file()
    assert [(p["code"], p["subject"]) for p in document["problems"]] == [
        ("missing_waiver", "w-2-3"),
        ("not_pdf", "docs/i-2-quantities.csv"),
        ("damaged", "docs/i-4-mill-cert.pdf"),
    ]


def test_plan_json_gives_each_documents_fate(sample: Path) -> None:
    """`plan --json` lists every document with the fate compile would give it."""
    document = checked_json(run("plan", sample, "--as", "u-admin", "--json"))
    fates = {
        d["filename"]: (d["fate"], d["code"])
        for invoice in document["result"]["invoices"]
        for d in invoice["documents"]
    }
    assert fates["Invoice 2.pdf"] == ("replaced", "signed")
    assert fates["Invoice 2 (signed).pdf"] == ("included", None)
    assert fates["Quantities.csv"] == ("skipped", "not_pdf")
    assert fates["Mill certificate.pdf"] == ("placeholder", "damaged")
    assert fates["Invoice 1.pdf"] == ("included", None)


@pytest.mark.parametrize(
    ("mutation", "expected"),
    [
        ("none", EXIT_WARNINGS),
        ("missing document", EXIT_WARNINGS),
        ("missing attachment", EXIT_WARNINGS),
        ("clean", EXIT_OK),
    ],
)
def test_validate_plan_and_compile_give_one_verdict(
    mutation: str, expected: int, fresh: Path, tmp_path: Path
) -> None:
    """validate, plan and compile of every invoice agree: same exit code, same warned keys.

    Before, a missing document was an error for validate (exit 1) but a placeholder page
    for compile (exit 3).
    """
    if mutation == "missing document":
        (fresh / "docs" / "i-3.pdf").unlink()
    elif mutation == "missing attachment":
        (fresh / "docs" / "i-1-waiver.pdf").unlink()
    elif mutation == "clean":
        shutil.copyfile(fresh / "docs" / "i-3.pdf", fresh / "docs" / "i-4-mill-cert.pdf")
        data = json.loads((fresh / "project.json").read_text(encoding="utf-8"))
        for invoice in data["invoices"]:
            invoice["attachments"] = [
                a for a in invoice["attachments"] if not a["filename"].endswith(".csv")
            ]
            invoice["lien_waivers"] = [
                w for w in invoice.get("lien_waivers", []) if w["document"] is not None
            ]
        (fresh / "project.json").write_text(json.dumps(data), encoding="utf-8")
    everything = ["--contract", "k-2", "--contract", "k-10", "--contract", "k-11"]
    validated = checked_json(run("validate", fresh, "--json"))
    planned = checked_json(run("plan", fresh, "--as", "u-admin", *everything, "--json"))
    compiled = checked_json(run(*compile_args(fresh, tmp_path / "out", *everything), "--json"))
    assert validated["exit_code"] == planned["exit_code"] == compiled["exit_code"] == expected

    def warned(document: dict[str, Any]) -> list[tuple[str, str]]:
        return sorted((p["code"], p["subject"]) for p in document["problems"])

    assert warned(validated) == warned(planned) == warned(compiled)


@pytest.mark.parametrize("count", [1, 2])
def test_counts_are_in_words_that_match_the_lines(count: int, fresh: Path) -> None:
    """'1 problem' / '2 problems': the headline counts the lines that follow it."""
    data = json.loads((fresh / "project.json").read_text(encoding="utf-8"))
    for index in range(count):
        data["invoices"][index]["attachments"][0]["key"] = "../outside.pdf"
    (fresh / "project.json").write_text(json.dumps(data), encoding="utf-8")
    result = run("validate", fresh)
    no_traceback(result)
    assert result.exit_code == EXIT_REFUSED, result.output
    lines = result.stderr.splitlines()
    noun = "problem" if count == 1 else "problems"
    headline = next(line for line in lines if line.startswith("error: "))
    assert f": {count} {noun}" in headline
    assert "(s)" not in result.output
    assert len([line for line in lines if line.startswith("  - ")]) == count


# -- help ----------------------------------------------------------------------------------

COMMANDS = [[], ["compile"], ["plan"], ["validate"], ["docusign"], ["docusign", "status"]]
COMMANDS += [["sample"]]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "main")
def test_help_is_plain_text(command: list[str]) -> None:
    """Every --help exits 0 and shows no reStructuredText markup (``x``, :func:)."""
    result = run(*command, "--help")
    assert result.exit_code == EXIT_OK
    assert "Usage: " in result.output
    for markup in ("``", ":func:", ":class:", ":data:", ".. "):
        assert markup not in result.output, (command, markup)


@pytest.mark.parametrize("command", [["compile"], ["plan"], ["validate"], ["docusign", "status"]])
def test_each_command_has_the_same_reporting_options(command: list[str]) -> None:
    """--json, -q/--quiet and -v/--verbose on every command that reports."""
    result = run(*command, "--help")
    for option in ("--json", "-q, --quiet", "-v, --verbose"):
        assert option in result.output, (command, option)


def test_version() -> None:
    """--version and -V print the version."""
    from invoicebackup import __version__

    for flag in ("--version", "-V"):
        result = run(flag)
        assert result.exit_code == EXIT_OK
        assert __version__ in result.output


def test_quiet_prints_nothing_and_verbose_more(sample: Path, tmp_path: Path) -> None:
    """-q leaves stdout and stderr empty (the exit code tells); -v adds each document."""
    quiet = run(*compile_args(sample, tmp_path / "q"), "-q")
    assert quiet.exit_code == EXIT_WARNINGS
    assert quiet.output == ""
    normal = run(*compile_args(sample, tmp_path / "n"))
    verbose = run(*compile_args(sample, tmp_path / "v"), "-v")
    assert verbose.exit_code == EXIT_WARNINGS
    assert len(verbose.stdout.splitlines()) > len(normal.stdout.splitlines())
    assert "Lien waiver.pdf" in verbose.stdout
    assert "warning: " in normal.stderr
    assert "warning: " not in normal.stdout


# -- bad paths -----------------------------------------------------------------------------


@pytest.fixture
def bad_places(tmp_path: Path) -> dict[str, Path]:
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder", encoding="utf-8")
    empty = tmp_path / "empty"
    empty.mkdir()
    garbage = tmp_path / "garbage"
    garbage.mkdir()
    (garbage / "project.json").write_bytes(b"\xff\xfe\x00garbage")
    folder_as_file = tmp_path / "folder-as-file"
    (folder_as_file / "project.json").mkdir(parents=True)
    return {
        "missing": tmp_path / "nowhere",
        "a file": a_file,
        "under a file": a_file / "sub",
        "empty folder": empty,
        "garbage project file": garbage,
        "project file is a folder": folder_as_file,
        "under /dev/null": Path("/dev/null/out"),
        "in /proc": Path("/proc/invoicebackup-no-such-dir/out"),
    }


COMMAND_LINES = {
    "compile": lambda p: ["compile", p, "--as", "u-admin", "--now", NOW],
    "plan": lambda p: ["plan", p, "--as", "u-admin"],
    "validate": lambda p: ["validate", p],
    "docusign status": lambda p: ["docusign", "status", p, "--as", "u-admin"],
}


@pytest.mark.parametrize("command", sorted(COMMAND_LINES))
@pytest.mark.parametrize("json_flag", [[], ["--json"]], ids=["text", "json"])
def test_no_traceback_for_any_bad_project_folder(
    command: str, json_flag: list[str], bad_places: dict[str, Path]
) -> None:
    """Every command against every bad project folder: exit 1 or 2, a message, no traceback."""
    for name, place in bad_places.items():
        result = run(*COMMAND_LINES[command](place), *json_flag)
        no_traceback(result)
        assert result.exit_code in (EXIT_REFUSED, EXIT_USAGE), (name, result.output)
        if json_flag and result.exit_code == EXIT_REFUSED:
            checked_json(result)
        else:
            assert result.stderr.strip(), name


@pytest.mark.parametrize("json_flag", [[], ["--json"]], ids=["text", "json"])
def test_no_traceback_for_any_bad_output_folder(
    json_flag: list[str], sample: Path, bad_places: dict[str, Path]
) -> None:
    """`compile -o` at every bad place: one line saying what, where and why; exit 1 (or 2)."""
    for name, place in bad_places.items():
        if name in ("missing", "empty folder", "garbage project file", "project file is a folder"):
            continue  # folders that can be written to
        result = run(*compile_args(sample, place), *json_flag)
        no_traceback(result)
        assert result.exit_code in (EXIT_REFUSED, EXIT_USAGE), (name, result.output)
        if json_flag and result.exit_code == EXIT_REFUSED:
            document = checked_json(result)
            assert [p["code"] for p in document["problems"]] == ["path_unusable"] or [
                p["code"] for p in document["problems"]
            ] == ["path_not_found"]
        elif result.exit_code == EXIT_REFUSED:
            lines = result.stderr.splitlines()
            assert len(lines) == 1, (name, lines)
            assert str(place.parent) in lines[0] or str(place) in lines[0], (name, lines)


@pytest.mark.parametrize("json_flag", [[], ["--json"]], ids=["text", "json"])
def test_a_read_only_output_folder_is_one_line(
    json_flag: list[str], sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An output folder that refuses writes (read-only; simulated: the suite may run as root)."""

    def refuse(self: FileSystemStore, key: str) -> Any:
        raise PermissionError(errno.EACCES, "Permission denied", str(self.root / key))

    monkeypatch.setattr(FileSystemStore, "create", refuse)
    result = run(*compile_args(sample, tmp_path / "ro"), *json_flag)
    no_traceback(result)
    assert result.exit_code == EXIT_REFUSED, result.output
    if json_flag:
        assert [p["kind"] for p in checked_json(result)["problems"]] == ["invalid"]
    else:
        lines = result.stderr.splitlines()
        assert len(lines) == 1
        assert str(tmp_path / "ro") in lines[0]
        assert "Permission denied" in lines[0]


# -- passwords -----------------------------------------------------------------------------

PASSWORD = "open sesame\u00e9"


def _protect(folder: Path) -> None:
    """Encrypt the sample's riser diagram (an attachment of i-3) with a user password."""
    target = folder / "docs" / "i-3-drawing.pdf"
    writer = pypdf.PdfWriter(clone_from=folder / "docs" / "i-3.pdf")
    writer.encrypt(user_password=PASSWORD, owner_password="owner", algorithm="AES-128")
    with target.open("wb") as out:
        writer.write(out)


@pytest.mark.parametrize("form", ["json", "lines", "any key"])
def test_passwords_file_opens_protected_attachments(form: str, fresh: Path, tmp_path: Path) -> None:
    """--passwords FILE (JSON or KEY<tab>PASSWORD lines) opens a protected attachment.

    Without it the attachment is a placeholder (exit 3); with it, it is included (exit 0),
    marked encrypted, and the password is printed nowhere and written nowhere.
    """
    _protect(fresh)
    key = "docs/i-3-drawing.pdf"
    passwords = tmp_path / "passwords"
    if form == "json":
        passwords.write_text(json.dumps({key: ["wrong", PASSWORD]}), encoding="utf-8")
    elif form == "lines":
        passwords.write_text(f"# comment\n\n{key}\t{PASSWORD}\n", encoding="utf-8")
    else:
        passwords.write_text(f"*\t{PASSWORD}\n", encoding="utf-8")
    without = run(*compile_args(fresh, tmp_path / "without", "--invoice", "i-3"))
    assert without.exit_code == EXIT_WARNINGS, without.output
    for command in (
        compile_args(fresh, tmp_path / "with", "--invoice", "i-3"),
        ["plan", fresh, "--as", "u-admin", "--invoice", "i-3"],
    ):
        result = run(*command, "--passwords", passwords, "--json")
        document = checked_json(result)
        assert document["exit_code"] == EXIT_OK, result.output
        assert PASSWORD not in result.output
    manifest = next((tmp_path / "with").glob("*.manifest.json")).read_text(encoding="utf-8")
    assert PASSWORD not in manifest
    assert json.loads(manifest)["manifest"]["invoices"][0]["sources"][1]["encrypted"] is True
    pdf = next((tmp_path / "with").glob("*.pdf")).read_bytes()
    assert PASSWORD.encode() not in pdf
    validated = run("validate", fresh, "--passwords", passwords, "--json")
    assert "encrypted" not in {p["code"] for p in checked_json(validated)["problems"]}


@pytest.mark.parametrize(
    "content",
    [
        b'{"docs/a.pdf": 42}',
        b'{"docs/a.pdf": "secret-in-broken-json"',
        b"docs/a.pdf secret-without-tab\n",
        b"\xff\xfe secret",
    ],
)
def test_a_bad_passwords_file_is_one_line_that_quotes_no_password(
    content: bytes, sample: Path, tmp_path: Path
) -> None:
    """A passwords file that cannot be read is refused (exit 1) without echoing its content."""
    passwords = tmp_path / "passwords"
    passwords.write_bytes(content)
    result = run(*compile_args(sample, tmp_path / "out"), "--passwords", passwords)
    no_traceback(result)
    assert result.exit_code == EXIT_REFUSED
    assert len(result.stderr.splitlines()) == 1
    assert str(passwords) in result.stderr
    assert "secret" not in result.output
    missing = run(*compile_args(sample, tmp_path / "out"), "--passwords", tmp_path / "nope")
    no_traceback(missing)
    assert missing.exit_code == EXIT_REFUSED
    assert len(missing.stderr.splitlines()) == 1


# -- the README's summary ------------------------------------------------------------------


def test_readme_command_section_names_every_command_and_option() -> None:
    """Every command and every option of the CLI appears in the README's command section."""
    import click

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Command line", 1)[1].split("\n## ", 1)[0]

    def walk(command: click.Command, path: list[str]) -> Iterator[tuple[str, click.Command]]:
        yield " ".join(path), command
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                yield from walk(sub, [*path, name])

    for path, command in walk(main, ["invoicebackup"]):
        if not isinstance(command, click.Group):
            assert path in section, path
        for param in command.params:
            if isinstance(param, click.Option):
                names = [n for n in param.opts if n.startswith("--")]
                assert names, param
                if names[0] != "--help":
                    assert names[0] in section, (path, names[0])
