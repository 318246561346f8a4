"""Pydantic models shared by the API, the domain service and the dashboard: what goes over HTTP, in both directions.

The application fields (``ApplicationIn``) are built from ``credit_scoring.data.schema`` rather than written by hand,
so that the API accepts exactly the columns the model was trained on, with the Kaggle category levels, and a validation
error names the field, the value given and what was expected. Building the model is a class definition (no I/O).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from credit_scoring.data.schema import TABLES, Column

__all__ = [
    "APPLICATION_COLUMNS",
    "MAX_ID",
    "REQUIRED_APPLICATION_FIELDS",
    "ApplicationChanges",
    "ApplicationIn",
    "ApplicationScore",
    "ClientInfo",
    "ClientQuery",
    "ClientSummary",
    "Contribution",
    "DecisionOutcome",
    "DecisionPage",
    "DecisionQuery",
    "DecisionRecord",
    "Distribution",
    "DriftColumn",
    "DriftComparison",
    "DriftStatus",
    "DriftSummary",
    "ErrorResponse",
    "Explanation",
    "FairnessAttribute",
    "FairnessGroup",
    "FairnessSummary",
    "FeatureDescription",
    "FeatureImportance",
    "FieldError",
    "FieldValue",
    "HealthStatus",
    "Kind",
    "Lang",
    "ModelCardText",
    "ModelInfo",
    "OverrideAction",
    "OverrideIn",
    "OverrideRecord",
    "PopulationPoint",
    "Principal",
    "ReadyStatus",
    "Reason",
    "Role",
    "ScoreResult",
    "SimilarClient",
    "Token",
    "WhatIfRequest",
    "WhatIfResult",
]

Role = Literal["advisor", "client"]
Lang = Literal["fr", "en"]
DecisionOutcome = Literal["granted", "refused"]
#: What an advisor may set on a decision: grant, refuse, or refer to a human committee.
OverrideAction = Literal["granted", "refused", "referred"]
#: score: a known client scored; simulation: a what-if; application: a new application; batch: a row of an upload.
Kind = Literal["score", "simulation", "application", "batch"]
#: One application field as scored: numbers, category labels, or missing.
FieldValue = int | float | str | None

# ---------------------------------------------------------------------------------------------------------------------
# Application fields, from the raw schema
# ---------------------------------------------------------------------------------------------------------------------

#: The application_test columns (the fields a new application carries), in file order.
APPLICATION_COLUMNS: tuple[Column, ...] = TABLES["application_test"].columns
#: Without these a score means nothing (the credit-to-income ratio and the age drive the model).
REQUIRED_APPLICATION_FIELDS: frozenset[str] = frozenset(
    {"NAME_CONTRACT_TYPE", "AMT_INCOME_TOTAL", "AMT_CREDIT", "DAYS_BIRTH"}
)

_FOUR_CENTURIES_DAYS = 146_000
#: Ids (SK_ID_CURR, decision ids) are stored as 32-bit integers; larger values can only be typos.
MAX_ID = 2**31 - 1
#: No NUL characters: PostgreSQL text cannot hold them.
_TEXT = r"^[^\x00]*$"


def _bounds(name: str) -> dict[str, float]:
    """Bounds that are obvious from the Kaggle data dictionary: they turn typos into 422s, not odd scores."""
    if name.startswith("FLAG_") or name.startswith(("REG_", "LIVE_")):
        return {"ge": 0, "le": 1}
    if name == "DAYS_EMPLOYED":  # 365243 is the Kaggle sentinel for "not employed"
        return {"ge": -_FOUR_CENTURIES_DAYS, "le": 365243}
    if name == "DAYS_BIRTH":
        return {"ge": -120 * 366, "le": -14 * 365}
    if name.startswith("DAYS_"):
        return {"ge": -_FOUR_CENTURIES_DAYS, "le": 0}
    if (
        name.startswith("EXT_SOURCE_")
        or name.endswith(("_AVG", "_MODE", "_MEDI"))
        or name == "REGION_POPULATION_RELATIVE"
    ):
        return {"ge": 0, "le": 1}
    if name in {"AMT_CREDIT", "AMT_INCOME_TOTAL"}:
        return {"gt": 0, "le": 1e12}
    if name.startswith(("AMT_", "CNT_", "OBS_", "DEF_")) or name == "OWN_CAR_AGE":
        return {"ge": 0, "le": 1e12}
    if name == "HOUR_APPR_PROCESS_START":
        return {"ge": 0, "le": 23}
    if name.startswith("REGION_RATING"):
        return {"ge": 1, "le": 3}
    if name == "SK_ID_CURR":
        return {"ge": 1, "le": MAX_ID}
    return {}


def _field(column: Column, *, required: bool) -> tuple[Any, Any]:
    if column.dtype == "category":
        annotation: Any = Literal[column.levels]
    elif column.dtype == "int64":
        annotation = int
    else:
        annotation = float
    extra: dict[str, Any] = {} if column.dtype == "category" else dict(_bounds(column.name))
    if column.dtype == "float64":
        extra["allow_inf_nan"] = False
    if required:
        return annotation, Field(..., **extra)
    return annotation | None, Field(None, **extra)


class ApplicationFields(BaseModel):
    """Base of the generated application models: unknown fields are refused (a misspelt field must not be ignored)."""

    model_config = ConfigDict(extra="forbid")

    def fields(self) -> dict[str, FieldValue]:
        """The fields that were given (missing ones left out), as the service and the decision log want them."""
        return {k: v for k, v in self.model_dump(exclude_none=True).items() if k != "SK_ID_CURR"}


def _application_model(name: str, *, partial: bool, doc: str) -> type[ApplicationFields]:
    fields: dict[str, Any] = {}
    for column in APPLICATION_COLUMNS:
        if column.name == "SK_ID_CURR" and partial:
            continue  # a what-if changes the fields of a client, never which client it is
        required = not partial and column.name in REQUIRED_APPLICATION_FIELDS
        fields[column.name] = _field(column, required=required)
    return create_model(name, __base__=ApplicationFields, __doc__=doc, **fields)


if TYPE_CHECKING:
    ApplicationIn = ApplicationFields
    ApplicationChanges = ApplicationFields
else:
    ApplicationIn = _application_model(
        "ApplicationIn",
        partial=False,
        doc="A loan application: the application_test columns. SK_ID_CURR is optional (a new applicant has none).",
    )
    ApplicationChanges = _application_model(
        "ApplicationChanges",
        partial=True,
        doc="Fields to change for a what-if simulation; every field optional, SK_ID_CURR excluded.",
    )

# ---------------------------------------------------------------------------------------------------------------------
# Domain results
# ---------------------------------------------------------------------------------------------------------------------


class ModelInfo(BaseModel):
    version: str
    threshold: float = Field(ge=0, le=1)
    metrics: dict[str, float] = {}
    fn_cost: float
    fp_cost: float
    n_features: int = Field(ge=0)
    trained_at: datetime | None = None


class FeatureDescription(BaseModel):
    """A feature whose population distribution may be shown (aggregated only)."""

    name: str
    label: str
    #: The same label in French (empty when there is none): the dashboard speaks French by default.
    label_fr: str = ""
    group: str = ""


class ClientQuery(BaseModel):
    """Search filters for known clients; every filter optional, results paginated."""

    model_config = ConfigDict(extra="forbid")

    id_prefix: str | None = Field(None, pattern=r"^[0-9]{1,9}$", description="Digits the client id starts with")
    decision: DecisionOutcome | None = None
    income_min: float | None = Field(None, ge=0, le=1e12)
    income_max: float | None = Field(None, ge=0, le=1e12)
    contract_type: Literal["Cash loans", "Revolving loans"] | None = None
    labelled: bool | None = Field(None, description="Only clients whose outcome (TARGET) is known, or unknown")
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=10_000_000)


class ClientSummary(BaseModel):
    sk_id: int
    contract_type: str | None = None
    income: float | None = None
    credit: float | None = None
    probability: float | None = Field(None, ge=0, le=1)
    decision: DecisionOutcome | None = None
    target: int | None = Field(None, description="1 = defaulted, 0 = repaid; None when the outcome is unknown")


class ClientInfo(BaseModel):
    sk_id: int
    fields: dict[str, FieldValue] = Field(description="Main application fields, by column name")
    target: int | None = None


class Reason(BaseModel):
    """A reason code: one sentence a client can read, and the figures behind it."""

    text: str
    feature: str
    feature_group: str = ""
    value: FieldValue = None
    percentile: float | None = Field(None, ge=0, le=100)


class ScoreResult(BaseModel):
    sk_id: int | None = Field(None, description="None for a new application without a client id")
    probability: float = Field(ge=0, le=1, description="Calibrated probability of default")
    decision: DecisionOutcome
    threshold: float = Field(ge=0, le=1)
    distance_to_threshold: float = Field(description="probability - threshold: negative means granted")
    model_version: str
    inputs: dict[str, FieldValue] = Field(default_factory=dict, description="The application fields as scored")
    top_reasons: list[Reason] = Field(default_factory=list, description="The strongest reasons, as logged")
    decision_id: int | None = Field(None, description="The decision log entry recording this score")


class Contribution(BaseModel):
    feature: str
    label: str
    value: FieldValue = None
    probability_points: float = Field(description="Change of the probability of default, in percentage points")
    logit: float = Field(description="Additive contribution to the log-odds of default")


class Explanation(BaseModel):
    sk_id: int | None = None
    lang: Lang
    probability: float = Field(ge=0, le=1)
    base_probability: float = Field(ge=0, le=1, description="The model's average probability (no information)")
    contributions: list[Contribution]
    reasons_refusal: list[Reason] = Field(description="What pushes toward refusal, strongest first")
    reasons_acceptance: list[Reason] = Field(description="What pushes toward acceptance, strongest first")


class SimilarClient(BaseModel):
    sk_id: int
    distance: float = Field(ge=0)
    probability: float = Field(ge=0, le=1)
    target: int | None = None


class FeatureImportance(BaseModel):
    """Global importance of one feature: mean absolute contribution (log-odds) over a sample of clients."""

    feature: str
    label: str
    importance: float


class PopulationPoint(BaseModel):
    """One anonymised client of a fixed population sample (no id): the requested feature values and the score."""

    values: dict[str, FieldValue]
    probability: float = Field(ge=0, le=1)
    target: int | None = None


class Distribution(BaseModel):
    """A histogram by outcome, never individual rows: the only population view a client may see."""

    feature: str
    label: str
    bin_edges: list[float]
    repaid: list[int]
    defaulted: list[int]
    unknown: list[int]
    categories: list[str] | None = Field(None, description="For a categorical feature: one bin per category")


class WhatIfRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    changes: ApplicationChanges
    lang: Lang = "fr"


class WhatIfResult(BaseModel):
    before: ScoreResult
    after: ScoreResult
    changed: list[str]
    contributions: list[Contribution] = Field(description="Contributions after the changes")


class ApplicationScore(BaseModel):
    score: ScoreResult
    explanation: Explanation


# ---------------------------------------------------------------------------------------------------------------------
# Decision log
# ---------------------------------------------------------------------------------------------------------------------


class OverrideIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: OverrideAction
    reason: str = Field(
        min_length=5, max_length=2000, pattern=_TEXT, description="Why the advisor changes the decision"
    )


class OverrideRecord(BaseModel):
    id: int
    decision_id: int
    created_at: datetime
    actor: str
    action: OverrideAction
    reason: str


class DecisionRecord(BaseModel):
    id: int
    created_at: datetime
    actor: str
    actor_role: str
    client_id: int | None
    model_version: str
    kind: Kind
    inputs: dict[str, FieldValue]
    probability: float
    threshold: float
    decision: DecisionOutcome
    top_reasons: list[dict[str, Any]]
    batch_id: str | None = None
    request_id: str | None = None
    overrides: list[OverrideRecord] = []
    final_decision: OverrideAction = Field(description="The last override's action, or the model's decision")


class DecisionQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    client_id: int | None = Field(None, ge=0, le=MAX_ID)
    kind: Kind | None = None
    decision: DecisionOutcome | None = None
    actor: str | None = Field(None, max_length=200, pattern=_TEXT)
    batch_id: str | None = Field(None, pattern=r"^[0-9a-f]{1,64}$")
    overridden: bool | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10_000_000)


class DecisionPage(BaseModel):
    total: int
    items: list[DecisionRecord]


# ---------------------------------------------------------------------------------------------------------------------
# Auth, health, errors
# ---------------------------------------------------------------------------------------------------------------------


class Principal(BaseModel):
    """Who is calling: an advisor (by login or API key) or a client linked to one SK_ID_CURR."""

    username: str
    role: Role
    client_id: int | None = None


class Token(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds")
    role: Role
    client_id: int | None = None


class HealthStatus(BaseModel):
    status: Literal["ok"] = "ok"
    version: str


class ReadyStatus(BaseModel):
    ready: bool
    model_loaded: bool
    database: bool
    model_version: str | None = None
    detail: str | None = None


class FieldError(BaseModel):
    field: str = Field(description="Dotted location: body.AMT_CREDIT, query.limit, line 3 column AMT_CREDIT, ...")
    value: Any = None
    expected: str


class ErrorResponse(BaseModel):
    detail: str
    errors: list[FieldError] = []
    request_id: str | None = None


# ---------------------------------------------------------------------------------------------------------------------
# Monitoring summaries (written by `credit-scoring monitor ...`, served to advisors, shown by the dashboard)
# ---------------------------------------------------------------------------------------------------------------------

#: ok: below the alert level; alert: at or above it; insufficient_data: too few rows for a meaningful comparison.
DriftStatus = Literal["ok", "alert", "insufficient_data"]


class DriftColumn(BaseModel):
    """One monitored application field in one comparison: Evidently's test, its score and verdict."""

    column: str
    kind: Literal["numerical", "categorical"]
    importance: float = Field(description="Share of the model's gain attributed to this field (0-1)")
    method: str | None = None
    threshold: float | None = None
    score: float | None = None
    drifted: bool | None = None
    note: str | None = None


class DriftComparison(BaseModel):
    """The training applicants (reference) against one current population."""

    name: Literal["new_clients", "scored"]
    description: str
    status: DriftStatus
    reference_rows: int = Field(description="Rows compared on the reference side (after sampling)")
    current_rows: int = Field(description="Rows compared on the current side (after sampling)")
    reference_total: int
    current_total: int
    sampled: bool
    drifted_columns: int | None = None
    drift_share: float | None = None
    columns: list[DriftColumn] = []
    report: str | None = Field(None, description="File name of the Evidently HTML report in the monitoring folder")
    note: str | None = None


class DriftSummary(BaseModel):
    created_at: datetime
    model_version: str
    alert_share: float
    alert: bool
    basis: str = Field(description="What is compared (which columns, chosen how)")
    monitored_columns: list[str]
    importance_covered: float = Field(description="Share of the model's gain carried by the monitored fields")
    sample_rows: int
    seed: int
    seconds: float
    comparisons: list[DriftComparison]


class FairnessGroup(BaseModel):
    """Out-of-fold outcomes of one group. Positive class = default (TARGET 1); predicted positive = refusal."""

    group: str
    count: int
    default_rate: float
    approval_rate: float
    false_negative_rate: float | None = Field(None, description="Defaulters who were granted, over all defaulters")
    false_positive_rate: float | None = Field(None, description="Good payers who were refused, over all good payers")
    compared: bool = Field(True, description="False when the group is too small to enter differences and ratios")


class FairnessAttribute(BaseModel):
    attribute: str
    groups: list[FairnessGroup]
    model_features: list[str] = Field([], description="Model features computed from this attribute's source field")
    difference: dict[str, float | None] = Field(description="Largest minus smallest rate between compared groups")
    ratio: dict[str, float | None] = Field(description="Smallest over largest rate between compared groups")


class FairnessSummary(BaseModel):
    created_at: datetime
    model_version: str
    threshold: float
    n_clients: int
    predictions: str
    positive_class: str
    min_group_size: int
    attributes: list[FairnessAttribute]


class ModelCardText(BaseModel):
    created_at: datetime
    model_version: str
    markdown: str
