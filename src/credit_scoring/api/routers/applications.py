"""New applications, one (JSON body) or many (CSV / JSON / NDJSON upload, streamed result). Advisors only.

A batch is validated whole before anything is scored; then it is scored and logged in chunks, each chunk committed
before its lines are streamed, all rows sharing one ``batch_id`` (also in the ``X-Batch-ID`` header).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Annotated, Literal

from fastapi import APIRouter, FastAPI, File, HTTPException, Query, Request, UploadFile, status
from fastapi.responses import StreamingResponse

from credit_scoring.api.batch_io import OutputFormat, ParsedBatch, format_rows, parse_batch
from credit_scoring.api.deps import Advisor, RequestId, Service, SettingsDep
from credit_scoring.api.errors import BatchInputError
from credit_scoring.api.recording import record
from credit_scoring.api.responses import errors
from credit_scoring.errors import CreditScoringError
from credit_scoring.schemas import ApplicationIn, ApplicationScore, FieldError, Lang, Principal
from credit_scoring.service import ScoringService
from credit_scoring.storage.decisions import new_batch_id

__all__ = ["router"]

logger = logging.getLogger(__name__)

router = APIRouter(tags=["applications"])

_CHUNK = 500
_MEDIA = {"ndjson": "application/x-ndjson", "csv": "text/csv"}


@router.post(
    "/applications",
    summary="Score a new application and explain it (logged as kind=application)",
    responses=errors(401, 403, 422, 503),
)
def score_application(
    application: ApplicationIn,
    user: Advisor,
    service: Service,
    request: Request,
    request_id: RequestId,
    lang: Annotated[Lang, Query()] = "fr",
    top: Annotated[int, Query(ge=1, le=50)] = 10,
) -> ApplicationScore:
    result = service.score_application(application, lang=lang, top=top)
    (logged,) = record(request.app, [result.score], actor=user, kind="application", request_id=request_id)
    return result.model_copy(update={"score": logged})


def _stream(
    parsed: ParsedBatch,
    output: OutputFormat,
    *,
    service: ScoringService,
    app: FastAPI,
    actor: Principal,
    batch_id: str,
    request_id: str | None,
) -> Iterator[str]:
    done = 0
    try:
        for start in range(0, len(parsed.items), _CHUNK):
            chunk = parsed.items[start : start + _CHUNK]
            scores = list(service.score_batch(chunk))
            logged = record(app, scores, actor=actor, kind="batch", request_id=request_id, batch_id=batch_id)
            lines = parsed.lines[start : start + len(logged)]
            yield from format_rows(zip(lines, logged, strict=True), output, header=start == 0)
            done += len(logged)
    except CreditScoringError as exc:
        # The status line is gone already: end the stream with an explicit error record instead of a cut connection.
        logger.warning("batch %s stopped after %d rows: %s", batch_id, done, exc)
        line = parsed.lines[done] if done < len(parsed.lines) else None
        if output == "csv":
            yield f"# error at line {line}: {exc}\n"
        else:
            yield FieldError(field=f"line {line}", value=None, expected=str(exc)).model_dump_json() + "\n"


@router.post(
    "/batch",
    summary="Score a CSV / JSON / NDJSON upload; streams CSV or NDJSON results (rows logged as kind=batch)",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "One result per input row: line, sk_id, probability, decision, threshold, model_version, "
            "decision_id. The X-Batch-ID header names the batch in the decision log.",
            "content": {"application/x-ndjson": {}, "text/csv": {}},
        },
        **errors(401, 403, 413, 422, 503),
    },
)
def score_batch(
    file: Annotated[UploadFile, File(description="CSV with a header, a JSON array of objects, or NDJSON")],
    user: Advisor,
    service: Service,
    settings: SettingsDep,
    request: Request,
    request_id: RequestId,
    output: Annotated[Literal["ndjson", "csv"], Query(alias="format")] = "ndjson",
) -> StreamingResponse:
    data = file.file.read(settings.batch_max_bytes + 1)
    if len(data) > settings.batch_max_bytes:
        raise HTTPException(
            status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            detail=f"the upload is larger than {settings.batch_max_bytes} bytes: split it",
        )
    parsed = parse_batch(data, max_rows=settings.batch_max_rows)
    if parsed.by_id:
        unknown = service.unknown_clients([i for i in parsed.items if isinstance(i, int)])
        if unknown:
            errors_ = [
                FieldError(field=f"line {line}, column SK_ID_CURR", value=item, expected="a known client id")
                for line, item in zip(parsed.lines, parsed.items, strict=True)
                if item in unknown
            ][:20]
            raise BatchInputError(errors_, f"{len(unknown)} unknown client id(s) in the upload")
    batch_id = new_batch_id()
    body = _stream(
        parsed,
        output,
        service=service,
        app=request.app,
        actor=user,
        batch_id=batch_id,
        request_id=request_id,
    )
    return StreamingResponse(body, media_type=_MEDIA[output], headers={"X-Batch-ID": batch_id})
