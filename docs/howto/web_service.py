"""A web service over invoicebackup: compile a backup into S3, download it, answer refusals.

This is the code of the how-to "Embed invoicebackup in a web service"; the test suite runs it
(FastAPI's test client, moto's S3). Who the caller is comes from the ``X-User-Id`` header here:
put your own authentication in its place.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI, Header, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel

from invoicebackup import (
    DocumentNotFoundError,
    DocumentStore,
    InvoiceBackupError,
    Project,
    can_view_invoice,
    compile_backup,
    result_to_dict,
)


class BackupRequest(BaseModel):
    """What to compile: invoices and/or whole contracts."""

    invoice_ids: list[str] = []
    contract_ids: list[str] = []


class ProjectNotFoundError(LookupError):
    """The service has no project under that id."""


def make_app(
    *,
    project_of: Callable[[str], Project | None],
    documents_of: Callable[[Project], DocumentStore],
    backups_of: Callable[[Project], DocumentStore],
) -> FastAPI:
    """The service, over your own project lookup and stores.

    Args:
        project_of: The project under an id, or ``None`` (read it from your ERP's rows).
        documents_of: Where a project's invoices and attachments are (an S3 prefix, say).
        backups_of: Where its backups go, each beside its manifest (``….manifest.json``).
    """
    app = FastAPI()

    @app.exception_handler(InvoiceBackupError)
    async def refused(_request: Request, error: InvoiceBackupError) -> JSONResponse:
        # The library says what kind of "no" each refusal is: no table of codes here.
        problems = getattr(error, "problems", ())
        return JSONResponse(
            {
                "ok": False,
                "kind": error.kind.value,
                "message": str(error),
                "problems": [
                    {"code": p.code, "kind": p.kind.value, "path": p.path, "message": p.message}
                    for p in problems
                ],
            },
            status_code=error.kind.http_status,
        )

    @app.exception_handler(ProjectNotFoundError)
    async def no_project(_request: Request, error: ProjectNotFoundError) -> JSONResponse:
        return JSONResponse({"ok": False, "kind": "not_found", "message": str(error)}, 404)

    def project_or_404(project_id: str) -> Project:
        project = project_of(project_id)
        if project is None:
            raise ProjectNotFoundError(f"project {project_id!r} is not here")
        return project

    @app.post("/projects/{project_id}/backups", status_code=201)
    def create_backup(
        project_id: str, body: BackupRequest, x_user_id: str = Header()
    ) -> dict[str, Any]:
        project = project_or_404(project_id)
        backups = backups_of(project)
        result = compile_backup(
            project,
            invoice_ids=body.invoice_ids,
            contract_ids=body.contract_ids,
            user_id=x_user_id,
            store=documents_of(project),
            output=backups,
        )
        record = result_to_dict(result)
        with backups.create(_manifest_key(result.key)) as out:
            out.write(json.dumps(record).encode("utf-8"))
        return {"ok": True, "key": result.key, **record}

    @app.get("/projects/{project_id}/backups/{key:path}")
    def download_backup(project_id: str, key: str, x_user_id: str = Header()) -> Response:
        project = project_or_404(project_id)
        backups = backups_of(project)
        try:
            record = json.loads(backups.read_bytes(_manifest_key(key)))
        except DocumentNotFoundError:
            raise DocumentNotFoundError(key, "no backup is stored under this key") from None
        # A backup shows its invoices: only someone who may see every one of them gets it.
        for invoice in record["manifest"]["invoices"]:
            decision = can_view_invoice(
                project, user_id=x_user_id, invoice_id=invoice["invoice_id"]
            )
            if not decision.allowed:
                return JSONResponse(
                    {
                        "ok": False,
                        "kind": "forbidden",
                        "message": "you may not see every invoice of this backup",
                    },
                    403,
                )
        data = backups.read_bytes(key)
        filename = key.rsplit("/", 1)[-1]
        return StreamingResponse(
            _chunks(data),
            media_type="application/pdf",
            headers={"Content-Disposition": _attachment(filename)},
        )

    return app


def _manifest_key(key: str) -> str:
    return key.removesuffix(".pdf") + ".manifest.json"


def _chunks(data: bytes, size: int = 1 << 20) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def _attachment(filename: str) -> str:
    # RFC 6266: an ASCII fallback and the UTF-8 name.
    from urllib.parse import quote

    fallback = filename.encode("ascii", "replace").decode("ascii").replace('"', "'")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
