"""The names of a set of volumes: within the name limits at any project name, one stem a set."""

from __future__ import annotations

import attrs
from hypothesis import given
from hypothesis import strategies as st

from invoicebackup import (
    BackupOptions,
    BackupResult,
    InMemoryStore,
    backup_filename,
    compile_backup,
    validate_key,
    verify_volumes,
)
from invoicebackup._volumes import set_names
from invoicebackup.domain import Project
from invoicebackup.storage import MAX_SEGMENT_BYTES
from invoicebackup.testing import SAMPLE_ADMIN, sample_documents, sample_project

from .pdf_craft import NOW

#: The limit of a name without a `` (2)`` (see invoicebackup.naming.backup_filename).
NAME_BYTES = 240
#: A name far over the limit, in two-byte characters (so bytes, not characters, must count).
LONG = attrs.evolve(sample_project(), name="Ö" * 200 + " Tower")


def volume_ending(number: int, count: int, extension: str = "pdf") -> str:
    return f" - Vol {number} of {count}.{extension}"


def stem_of(result: BackupResult) -> str:
    """The stem the set's names share, from its manifest's name."""
    assert result.filename.endswith(" - Volumes.json")
    return result.filename.removesuffix(" - Volumes.json")


def test_a_project_at_the_name_limit_compiles_as_ten_volumes_twice_into_one_store() -> None:
    """A project whose one-file name is at the limit compiles into 10+ volumes, twice.

    Before, the set's names were the one file's stem with `` (2)`` and `` - Vol k of N``
    added: over the 255-byte segment limit, an UnsafeKeyError before anything was written.
    Now each set's names share one stem, shortened as the one file's name is, each within
    the limit; the second set takes the `` (2)`` names; every file is in the store and each
    set verifies as a set.
    """
    assert len(backup_filename(LONG, now=NOW).encode()) == NAME_BYTES  # the premise
    store = InMemoryStore(sample_documents())
    results = [
        compile_backup(
            LONG,
            contract_ids=[c.id for c in LONG.contracts],
            user_id=SAMPLE_ADMIN,
            store=store,
            options=BackupOptions(max_volume_bytes=1000),
            now=NOW,
        )
        for _ in range(2)
    ]
    first, second = (stem_of(result) for result in results)
    assert second == first + " (2)"
    for result, suffix in zip(results, ["", " (2)"], strict=True):
        count = len(result.volumes)
        assert count >= 10
        names = [str(volume.filename) for volume in result.volumes] + [result.filename]
        assert len(set(names)) == len(names)
        for volume in result.volumes:
            assert volume.filename == stem_of(result) + volume_ending(volume.number, count)
        for name in names:
            assert len(name.encode()) <= NAME_BYTES + len(suffix)
        files = [store.read_bytes(str(volume.key)) for volume in result.volumes]
        checked = verify_volumes([*files, store.read_bytes(result.key)], store=store)
        assert checked.verified, checked.mismatches
    # The longest name of the first set is at the limit: only what must go was cut.
    longest = max(len(str(v.filename).encode()) for v in results[0].volumes)
    assert NAME_BYTES - 2 <= longest <= NAME_BYTES  # a two-byte "Ö" may not fit the last byte


@given(
    name=st.text(st.characters(codec="utf-8"), max_size=300),
    number=st.text(st.characters(codec="utf-8"), max_size=80),
    count=st.integers(1, 1200),
    attempt=st.integers(1, 1000),
    extension=st.sampled_from(["pdf", "zip"]),
    prefix=st.sampled_from(["", "backups/", "a/b/"]),
)
def test_every_set_of_names_is_of_valid_unique_keys_sharing_one_stem(
    name: str, number: str, count: int, attempt: int, extension: str, prefix: str
) -> None:
    """Any project name and number, volume count and attempt: the set's names are valid keys.

    They pass storage.validate_key (under a prefix too), are unique, share one stem, keep
    `` - Vol k of N`` and the extension whole, and are within the one file's limit but for
    the `` (n)``; where nothing must be cut, the stem is the one file's name's.
    """
    project = Project(id="p-1", name=name, number=number)
    names = set_names(
        project, now=NOW, language=None, extension=extension, count=count, attempt=attempt
    )
    assert len(names) == count + 1 == len(set(names))
    stem = names[-1].removesuffix(" - Volumes.json")
    assert names[-1] == stem + " - Volumes.json"
    suffix = f" ({attempt})" if attempt > 1 else ""
    assert stem.endswith(suffix)
    for number_, volume in enumerate(names[:-1], 1):
        assert volume == stem + volume_ending(number_, count, extension)
    for each in names:
        assert validate_key(prefix + each)
        assert len(each.encode()) <= min(NAME_BYTES + len(suffix), MAX_SEGMENT_BYTES)
    # Where nothing had to be cut, the stem is the one file's name's.
    one_file = backup_filename(project, now=NOW).removesuffix(".pdf")
    if len(one_file.encode()) + len(volume_ending(count, count, extension)) <= NAME_BYTES:
        assert stem == one_file + suffix
