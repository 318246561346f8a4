"""The feature manifest: every feature column with its source, aggregation and a description in English and French.

The dashboard and the reason codes read it, so each description is a sentence a client could read. Raw application
fields reuse the reviewed translation of the Kaggle column descriptions kept in ``column_descriptions.json``.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from credit_scoring.data.schema import SENTINEL_DAYS
from credit_scoring.features.pipeline import KEY, LABEL, LABELLED, feature_infos

__all__ = ["MANIFEST_VERSION", "column_descriptions", "manifest"]

MANIFEST_VERSION = 1


@cache
def column_descriptions() -> dict[tuple[str, str], dict[str, str]]:
    """(table, column) -> {"en": Kaggle text, "fr": reviewed French translation}; "application" covers train/test."""
    text = resources.files("credit_scoring.features").joinpath("column_descriptions.json").read_text("utf-8")
    return {(e["table"], e["column"]): e for e in json.loads(text)}


# The Kaggle file gives the same sentence for all 47 building statistics; reason codes need to tell them apart.
_BUILDING: dict[str, tuple[str, str]] = {
    "APARTMENTS": ("apartment size", "taille des appartements"),
    "BASEMENTAREA": ("basement area", "surface du sous-sol"),
    "YEARS_BEGINEXPLUATATION": ("years since the building came into use", "années depuis la mise en service"),
    "YEARS_BUILD": ("age of the building", "âge de l'immeuble"),
    "COMMONAREA": ("common area", "surface des parties communes"),
    "ELEVATORS": ("number of elevators", "nombre d'ascenseurs"),
    "ENTRANCES": ("number of entrances", "nombre d'entrées"),
    "FLOORSMAX": ("highest number of floors", "nombre maximal d'étages"),
    "FLOORSMIN": ("lowest number of floors", "nombre minimal d'étages"),
    "LANDAREA": ("land area", "surface du terrain"),
    "LIVINGAPARTMENTS": ("number of living apartments", "nombre de logements habités"),
    "LIVINGAREA": ("living area", "surface habitable"),
    "NONLIVINGAPARTMENTS": ("number of non-living apartments", "nombre de locaux non habités"),
    "NONLIVINGAREA": ("non-living area", "surface non habitable"),
    "TOTALAREA": ("total area", "surface totale"),
}
_STAT = {"AVG": ("average", "moyenne"), "MODE": ("mode", "mode"), "MEDI": ("median", "médiane")}


def _building(column: str) -> tuple[str, str] | None:
    stem, _, stat = column.rpartition("_")
    if stem not in _BUILDING or stat not in _STAT:
        return None
    (en, fr), (s_en, s_fr) = _BUILDING[stem], _STAT[stat]
    return (
        f"Building where the client lives: {en} ({s_en}, normalised)",
        f"Immeuble où vit le client : {fr} ({s_fr}, valeur normalisée)",
    )


def _first_upper(s: str) -> str:
    return s[:1].upper() + s[1:]


def manifest() -> dict[str, Any]:
    """The manifest as a JSON-ready dict (pure: no I/O beyond the packaged descriptions)."""
    desc = column_descriptions()
    features = []
    for info in feature_infos():
        en, fr = info.en, info.fr
        if not en:
            col = desc[("application", info.sources[0])]
            en, fr = _building(info.sources[0]) or (_first_upper(col["en"]), _first_upper(col["fr"]))
            if info.name == "DAYS_EMPLOYED":
                en += f" ({SENTINEL_DAYS} “not applicable” treated as missing)"
                fr += f" ({SENTINEL_DAYS} « sans objet » traité comme manquant)"
        features.append(
            {
                "name": info.name,
                "table": info.table,
                "aggregation": info.aggregation,
                "sources": list(info.sources),
                "description_en": en,
                "description_fr": fr,
                "count": info.is_count,
            }
        )
    return {
        "version": MANIFEST_VERSION,
        "key": KEY,
        "label": LABEL,
        "labelled_flag": LABELLED,
        "label_note": (
            f"{LABEL} is the training label, filled for application_train clients ({LABELLED} true) and NULL for the "
            "others; it is not a feature and no feature is derived from it."
        ),
        "n_features": len(features),
        "features": features,
    }
