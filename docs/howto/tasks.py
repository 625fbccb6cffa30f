"""The task-queue how-to's Celery app: the library's backup task, registered on your app."""

from celery import Celery

from invoicebackup import BackupOptions, FileSystemStore
from invoicebackup.celery_tasks import register

app = Celery("backups", broker="redis://localhost:6379/0", backend="redis://localhost:6379/1")
app.conf.update(task_serializer="json", result_serializer="json", accept_content=["json"])

compile_project_backup = register(
    app,
    store_factory=FileSystemStore,  # a project folder holds its documents and its backups
    options=BackupOptions(on_bad_document="placeholder"),
    max_retries=5,  # then the task fails with the last transient error
    backoff=2.0,  # seconds before the first retry; doubled on each one
)
