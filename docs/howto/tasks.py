"""A Celery task that compiles one project's backup (the task-queue how-to's code)."""

from celery import Celery

from invoicebackup import (
    BackupOptions,
    BackupPreconditionsError,
    FileSystemStore,
    compile_backup,
    load_project,
)
from invoicebackup.serialization import result_to_dict

app = Celery("backups", broker="redis://localhost:6379/0", backend="redis://localhost:6379/1")


@app.task(bind=True, acks_late=True, max_retries=3)
def compile_project_backup(self, project_dir: str, user_id: str, contract_ids: list[str]) -> dict:
    """Compile the backup of *contract_ids* in the project folder *project_dir*, as *user_id*."""
    project = load_project(project_dir)
    try:
        result = compile_backup(
            project,
            contract_ids=contract_ids,
            user_id=user_id,
            store=FileSystemStore(project_dir),
            options=BackupOptions(on_bad_document="placeholder"),
            progress=lambda event: self.update_state(
                state="PROGRESS",
                meta={"done": event.documents_done, "total": event.documents_total},
            ),
        )
    except BackupPreconditionsError as error:
        # A refusal is an answer, not a crash: report every problem, do not retry.
        return {"ok": False, "problems": [str(p) for p in error.problems]}
    return {"ok": True, "result": result_to_dict(result)}
