"""A deterministic stand-in for the domain service: a few dozen clients and a tiny logistic score on four fields.

Realistic enough for the API's tests: scores move with the inputs (a what-if changes them), explanations add up, unknown
clients and features raise the domain errors, and one business rule raises ``InvalidInputError``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence

from credit_scoring.schemas import (
    ApplicationIn,
    ApplicationScore,
    ClientInfo,
    ClientQuery,
    ClientSummary,
    Contribution,
    Distribution,
    Explanation,
    FeatureDescription,
    FeatureImportance,
    FieldValue,
    Lang,
    ModelInfo,
    PopulationPoint,
    Reason,
    ScoreResult,
    SimilarClient,
    WhatIfResult,
)
from credit_scoring.service import BatchItem, InvalidInputError, UnknownClientError, UnknownFeatureError

FIRST_ID = 100001
N_CLIENTS = 40
N_LABELLED = 30
THRESHOLD = 0.3
VERSION = "fake-1"
BASE_LOGIT = -1.2

_LABELS = {
    "fr": {
        "EXT_SOURCE_2": "Score externe 2",
        "CREDIT_INCOME_RATIO": "Crédit / revenu",
        "AGE_YEARS": "Âge",
        "AMT_INCOME_TOTAL": "Revenu",
        "AMT_CREDIT": "Montant du crédit",
        "NAME_CONTRACT_TYPE": "Type de contrat",
    },
    "en": {
        "EXT_SOURCE_2": "External score 2",
        "CREDIT_INCOME_RATIO": "Credit / income",
        "AGE_YEARS": "Age",
        "AMT_INCOME_TOTAL": "Income",
        "AMT_CREDIT": "Credit amount",
        "NAME_CONTRACT_TYPE": "Contract type",
    },
}


def _client_fields(sk_id: int) -> dict[str, FieldValue]:
    rng = random.Random(sk_id)
    income = round(rng.uniform(40_000, 300_000), -3)
    return {
        "NAME_CONTRACT_TYPE": "Cash loans" if rng.random() < 0.85 else "Revolving loans",
        "CODE_GENDER": rng.choice(["F", "M"]),
        "CNT_CHILDREN": rng.randint(0, 3),
        "AMT_INCOME_TOTAL": income,
        "AMT_CREDIT": round(income * rng.uniform(0.5, 6.0), -3),
        "AMT_ANNUITY": round(income * rng.uniform(0.05, 0.3), -2),
        "DAYS_BIRTH": -rng.randint(21 * 365, 68 * 365),
        "DAYS_EMPLOYED": -rng.randint(0, 30 * 365),
        "EXT_SOURCE_2": round(rng.uniform(0.0, 0.9), 4),
    }


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _terms(fields: Mapping[str, FieldValue]) -> dict[str, tuple[float, FieldValue]]:
    """Each term's logit contribution and the value shown for it."""
    ext = fields.get("EXT_SOURCE_2")
    income = float(fields.get("AMT_INCOME_TOTAL") or 100_000)
    credit = float(fields.get("AMT_CREDIT") or 300_000)
    age = -float(fields.get("DAYS_BIRTH") or -40 * 365) / 365.25
    ratio = credit / income
    return {
        "EXT_SOURCE_2": (-4.0 * (float(ext) - 0.5) if isinstance(ext, int | float) else 0.0, ext),
        "CREDIT_INCOME_RATIO": (0.3 * (ratio - 3.0), round(ratio, 3)),
        "AGE_YEARS": (0.03 * (40.0 - age), round(age, 1)),
    }


class FakeService:
    """Satisfies ``credit_scoring.service.ScoringService``."""

    def __init__(self) -> None:
        #: Whether scores of known clients are lookups (the route then stays on the event loop); tests flip it.
        self.precomputed = True
        self.clients = {FIRST_ID + i: _client_fields(FIRST_ID + i) for i in range(N_CLIENTS)}
        self.targets = {sk: (1 if random.Random(-sk).random() < 0.25 else 0) for sk in list(self.clients)[:N_LABELLED]}

    # --- helpers -----------------------------------------------------------------------------------------------------
    def _fields(self, sk_id: int) -> dict[str, FieldValue]:
        if sk_id not in self.clients:
            raise UnknownClientError(sk_id)
        return dict(self.clients[sk_id])

    def _contributions(self, fields: Mapping[str, FieldValue], lang: Lang) -> list[Contribution]:
        base = _sigmoid(BASE_LOGIT)
        out = []
        for name, (logit, value) in _terms(fields).items():
            points = 100 * (_sigmoid(BASE_LOGIT + logit) - base)
            out.append(
                Contribution(
                    feature=name, label=_LABELS[lang][name], value=value, probability_points=points, logit=logit
                )
            )
        return sorted(out, key=lambda c: -abs(c.logit))

    def _reasons(self, contributions: list[Contribution], lang: Lang) -> tuple[list[Reason], list[Reason]]:
        refusal, acceptance = [], []
        for c in contributions:
            verb = (
                ("augmente le risque" if c.logit > 0 else "réduit le risque")
                if lang == "fr"
                else ("raises the risk" if c.logit > 0 else "lowers the risk")
            )
            reason = Reason(
                text=f"{c.label} ({c.value}) {verb}",
                feature=c.feature,
                feature_group="application",
                value=c.value,
                percentile=50.0,
            )
            (refusal if c.logit > 0 else acceptance).append(reason)
        return refusal, acceptance

    def _score(self, sk_id: int | None, fields: Mapping[str, FieldValue]) -> ScoreResult:
        logit = BASE_LOGIT + sum(t for t, _ in _terms(fields).values())
        probability = _sigmoid(logit)
        refusal, _ = self._reasons(self._contributions(fields, "fr"), "fr")
        return ScoreResult(
            sk_id=sk_id,
            probability=probability,
            decision="refused" if probability >= THRESHOLD else "granted",
            threshold=THRESHOLD,
            distance_to_threshold=probability - THRESHOLD,
            model_version=VERSION,
            inputs=dict(fields),
            top_reasons=refusal[:3],
        )

    @staticmethod
    def _check(fields: Mapping[str, FieldValue]) -> None:
        annuity, credit = fields.get("AMT_ANNUITY"), fields.get("AMT_CREDIT")
        if isinstance(annuity, int | float) and isinstance(credit, int | float) and annuity > credit:
            raise InvalidInputError("AMT_ANNUITY", annuity, f"at most AMT_CREDIT ({credit})")

    # --- protocol ----------------------------------------------------------------------------------------------------
    def model_info(self) -> ModelInfo:
        return ModelInfo(
            version=VERSION,
            threshold=THRESHOLD,
            metrics={"auc": 0.75, "cost": 0.5},
            fn_cost=10.0,
            fp_cost=1.0,
            n_features=3,
        )

    def distribution_features(self) -> list[FeatureDescription]:
        return [
            FeatureDescription(name=n, label=_LABELS["en"][n], label_fr=_LABELS["fr"][n])
            for n in ("AMT_INCOME_TOTAL", "AMT_CREDIT", "EXT_SOURCE_2", "NAME_CONTRACT_TYPE")
        ]

    def search_clients(self, query: ClientQuery) -> list[ClientSummary]:
        found = []
        for sk_id, fields in sorted(self.clients.items()):
            score = self._score(sk_id, fields)
            income = fields["AMT_INCOME_TOTAL"]
            assert isinstance(income, float)
            if query.id_prefix and not str(sk_id).startswith(query.id_prefix):
                continue
            if query.decision and score.decision != query.decision:
                continue
            if query.income_min is not None and income < query.income_min:
                continue
            if query.income_max is not None and income > query.income_max:
                continue
            if query.contract_type and fields["NAME_CONTRACT_TYPE"] != query.contract_type:
                continue
            if query.labelled is not None and (sk_id in self.targets) != query.labelled:
                continue
            found.append(
                ClientSummary(
                    sk_id=sk_id,
                    contract_type=str(fields["NAME_CONTRACT_TYPE"]),
                    income=income,
                    credit=float(fields["AMT_CREDIT"] or 0),
                    probability=score.probability,
                    decision=score.decision,
                    target=self.targets.get(sk_id),
                )
            )
        return found[query.offset : query.offset + query.limit]

    def unknown_clients(self, sk_ids: Collection[int]) -> set[int]:
        return set(sk_ids) - set(self.clients)

    def client(self, sk_id: int) -> ClientInfo:
        return ClientInfo(sk_id=sk_id, fields=self._fields(sk_id), target=self.targets.get(sk_id))

    def score_client(self, sk_id: int) -> ScoreResult:
        return self._score(sk_id, self._fields(sk_id))

    def stored_score(self, sk_id: int) -> ScoreResult | None:
        return self.score_client(sk_id) if self.precomputed else None

    def _explain(self, sk_id: int | None, fields: Mapping[str, FieldValue], lang: Lang, top: int) -> Explanation:
        contributions = self._contributions(fields, lang)
        refusal, acceptance = self._reasons(contributions, lang)
        return Explanation(
            sk_id=sk_id,
            lang=lang,
            probability=self._score(sk_id, fields).probability,
            base_probability=_sigmoid(BASE_LOGIT),
            contributions=contributions[:top],
            reasons_refusal=refusal[:top],
            reasons_acceptance=acceptance[:top],
        )

    def explain_client(self, sk_id: int, *, lang: Lang = "fr", top: int = 10) -> Explanation:
        return self._explain(sk_id, self._fields(sk_id), lang, top)

    def similar_clients(self, sk_id: int, *, k: int = 10) -> list[SimilarClient]:
        mine = self._fields(sk_id)

        def distance(other: Mapping[str, FieldValue]) -> float:
            return sum(
                abs(float(mine[f] or 0) - float(other[f] or 0)) / scale
                for f, scale in (("AMT_INCOME_TOTAL", 1e5), ("AMT_CREDIT", 1e6), ("EXT_SOURCE_2", 1.0))
            )

        others = sorted((distance(f), s) for s, f in self.clients.items() if s != sk_id)[:k]
        return [
            SimilarClient(
                sk_id=s, distance=d, probability=self._score(s, self.clients[s]).probability, target=self.targets.get(s)
            )
            for d, s in others
        ]

    def feature_importance(self, *, lang: Lang = "fr", top: int = 30) -> list[FeatureImportance]:
        weights = {"EXT_SOURCE_2": 0.6, "AMT_CREDIT": 0.3, "AMT_INCOME_TOTAL": 0.1}
        return [FeatureImportance(feature=f, label=_LABELS[lang][f], importance=w) for f, w in weights.items()][:top]

    def population_sample(self, features: Sequence[str], *, n: int = 500) -> list[PopulationPoint]:
        known = {d.name for d in self.distribution_features()}
        for feature in features:
            if feature not in known:
                raise UnknownFeatureError(feature)
        return [
            PopulationPoint(
                values={f: self.clients[s][f] for f in features},
                probability=self._score(s, self.clients[s]).probability,
                target=self.targets.get(s),
            )
            for s in list(self.clients)[:n]
        ]

    def distribution(self, feature: str, *, bins: int = 20) -> Distribution:
        if feature not in {d.name for d in self.distribution_features()}:
            raise UnknownFeatureError(feature)
        values = [(self.clients[s][feature], self.targets.get(s)) for s in self.clients]
        if feature == "NAME_CONTRACT_TYPE":
            cats = ["Cash loans", "Revolving loans"]
            counts = {k: [0] * len(cats) for k in ("repaid", "defaulted", "unknown")}
            for v, t in values:
                counts["unknown" if t is None else ("defaulted" if t else "repaid")][cats.index(str(v))] += 1
            return Distribution(feature=feature, label=_LABELS["en"][feature], bin_edges=[], categories=cats, **counts)
        numbers = [float(v or 0) for v, _ in values]
        low, high = min(numbers), max(numbers)
        width = (high - low) / bins or 1.0
        edges = [low + i * width for i in range(bins + 1)]
        counts = {k: [0] * bins for k in ("repaid", "defaulted", "unknown")}
        for x, (_, t) in zip(numbers, values, strict=True):
            index = min(int((x - low) / width), bins - 1)
            counts["unknown" if t is None else ("defaulted" if t else "repaid")][index] += 1
        return Distribution(feature=feature, label=_LABELS["en"][feature], bin_edges=edges, **counts)

    def what_if(self, sk_id: int, changes: Mapping[str, FieldValue], *, lang: Lang = "fr") -> WhatIfResult:
        before_fields = self._fields(sk_id)
        after_fields = {**before_fields, **changes}
        self._check(after_fields)
        return WhatIfResult(
            before=self._score(sk_id, before_fields),
            after=self._score(sk_id, after_fields),
            changed=sorted(k for k in changes if before_fields.get(k) != changes[k]),
            contributions=self._contributions(after_fields, lang),
        )

    def score_application(self, application: ApplicationIn, *, lang: Lang = "fr", top: int = 10) -> ApplicationScore:
        fields = application.fields()
        self._check(fields)
        sk_id = application.SK_ID_CURR  # type: ignore[attr-defined]
        return ApplicationScore(score=self._score(sk_id, fields), explanation=self._explain(sk_id, fields, lang, top))

    def score_batch(self, items: Iterable[BatchItem]) -> Iterator[ScoreResult]:
        for item in items:
            if isinstance(item, int):
                yield self.score_client(item)
            else:
                fields = item.fields()
                self._check(fields)
                yield self._score(item.SK_ID_CURR, fields)  # type: ignore[attr-defined]
