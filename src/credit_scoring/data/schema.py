"""The eight Kaggle "Home Credit Default Risk" tables: columns in file order, dtypes, keys and categorical levels.

This module is the single source of truth for the raw data layout. Ingest validates against it, the synthetic
generator writes it, and features read it. Categorical levels are the full Kaggle level sets, including rare levels
that the shared real sample lacks (XNA gender, "Unknown" family status, "Bad debt", "currency 4", ...). A level that is
not listed here is counted and reported by ingest, never fatal: lenders add products over time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "HISTORY_TABLES",
    "KAGGLE_ROWS",
    "LEVELS",
    "SENTINEL_DAYS",
    "TABLES",
    "TABLE_NAMES",
    "Column",
    "DType",
    "ForeignKey",
    "TableSchema",
    "get_table",
]

DType = Literal["int64", "float64", "category"]

#: DAYS_EMPLOYED and several DAYS_* columns of previous_application use 365243 (about 1,000 years) for "not applicable".
SENTINEL_DAYS = 365243

#: Rows per table in the full Kaggle data (58,489,893 in all): the generator's target at full scale.
KAGGLE_ROWS: dict[str, int] = {
    "application_train": 307_511,
    "application_test": 48_744,
    "bureau": 1_716_428,
    "bureau_balance": 27_299_925,
    "previous_application": 1_670_214,
    "POS_CASH_balance": 10_001_358,
    "installments_payments": 13_605_401,
    "credit_card_balance": 3_840_312,
}


@dataclass(frozen=True)
class Column:
    """One column of a raw table. ``levels`` is empty unless ``dtype`` is ``category``."""

    name: str
    dtype: DType
    levels: tuple[str, ...] = ()


@dataclass(frozen=True)
class ForeignKey:
    """``columns`` of this table refer to ``ref_columns`` of any of ``ref_tables`` (application_* share SK_ID_CURR)."""

    columns: tuple[str, ...]
    ref_tables: tuple[str, ...]
    ref_columns: tuple[str, ...]


@dataclass(frozen=True)
class TableSchema:
    """A raw table: its columns in file order, its natural key (empty when it has none) and its foreign keys."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = field(default=())

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"

    @property
    def parquet_name(self) -> str:
        return f"{self.name}.parquet"

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"table {self.name} has no column {name!r}")

    @property
    def categorical(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.dtype == "category")


LEVELS: dict[tuple[str, str], tuple[str, ...]] = {
    ("application", "NAME_CONTRACT_TYPE"): (
        "Cash loans",
        "Revolving loans",
    ),
    ("application", "CODE_GENDER"): (
        "F",
        "M",
        "XNA",
    ),
    ("application", "FLAG_OWN_CAR"): (
        "N",
        "Y",
    ),
    ("application", "FLAG_OWN_REALTY"): (
        "N",
        "Y",
    ),
    ("application", "NAME_TYPE_SUITE"): (
        "Children",
        "Family",
        "Group of people",
        "Other_A",
        "Other_B",
        "Spouse, partner",
        "Unaccompanied",
    ),
    ("application", "NAME_INCOME_TYPE"): (
        "Businessman",
        "Commercial associate",
        "Maternity leave",
        "Pensioner",
        "State servant",
        "Student",
        "Unemployed",
        "Working",
    ),
    ("application", "NAME_EDUCATION_TYPE"): (
        "Academic degree",
        "Higher education",
        "Incomplete higher",
        "Lower secondary",
        "Secondary / secondary special",
    ),
    ("application", "NAME_FAMILY_STATUS"): (
        "Civil marriage",
        "Married",
        "Separated",
        "Single / not married",
        "Unknown",
        "Widow",
    ),
    ("application", "NAME_HOUSING_TYPE"): (
        "Co-op apartment",
        "House / apartment",
        "Municipal apartment",
        "Office apartment",
        "Rented apartment",
        "With parents",
    ),
    ("application", "OCCUPATION_TYPE"): (
        "Accountants",
        "Cleaning staff",
        "Cooking staff",
        "Core staff",
        "Drivers",
        "HR staff",
        "High skill tech staff",
        "IT staff",
        "Laborers",
        "Low-skill Laborers",
        "Managers",
        "Medicine staff",
        "Private service staff",
        "Realty agents",
        "Sales staff",
        "Secretaries",
        "Security staff",
        "Waiters/barmen staff",
    ),
    ("application", "WEEKDAY_APPR_PROCESS_START"): (
        "FRIDAY",
        "MONDAY",
        "SATURDAY",
        "SUNDAY",
        "THURSDAY",
        "TUESDAY",
        "WEDNESDAY",
    ),
    ("application", "ORGANIZATION_TYPE"): (
        "Advertising",
        "Agriculture",
        "Bank",
        "Business Entity Type 1",
        "Business Entity Type 2",
        "Business Entity Type 3",
        "Cleaning",
        "Construction",
        "Culture",
        "Electricity",
        "Emergency",
        "Government",
        "Hotel",
        "Housing",
        "Industry: type 1",
        "Industry: type 10",
        "Industry: type 11",
        "Industry: type 12",
        "Industry: type 13",
        "Industry: type 2",
        "Industry: type 3",
        "Industry: type 4",
        "Industry: type 5",
        "Industry: type 6",
        "Industry: type 7",
        "Industry: type 8",
        "Industry: type 9",
        "Insurance",
        "Kindergarten",
        "Legal Services",
        "Medicine",
        "Military",
        "Mobile",
        "Other",
        "Police",
        "Postal",
        "Realtor",
        "Religion",
        "Restaurant",
        "School",
        "Security",
        "Security Ministries",
        "Self-employed",
        "Services",
        "Telecom",
        "Trade: type 1",
        "Trade: type 2",
        "Trade: type 3",
        "Trade: type 4",
        "Trade: type 5",
        "Trade: type 6",
        "Trade: type 7",
        "Transport: type 1",
        "Transport: type 2",
        "Transport: type 3",
        "Transport: type 4",
        "University",
        "XNA",
    ),
    ("application", "FONDKAPREMONT_MODE"): (
        "not specified",
        "org spec account",
        "reg oper account",
        "reg oper spec account",
    ),
    ("application", "HOUSETYPE_MODE"): (
        "block of flats",
        "specific housing",
        "terraced house",
    ),
    ("application", "WALLSMATERIAL_MODE"): (
        "Block",
        "Mixed",
        "Monolithic",
        "Others",
        "Panel",
        "Stone, brick",
        "Wooden",
    ),
    ("application", "EMERGENCYSTATE_MODE"): (
        "No",
        "Yes",
    ),
    ("bureau", "CREDIT_ACTIVE"): (
        "Active",
        "Bad debt",
        "Closed",
        "Sold",
    ),
    ("bureau", "CREDIT_CURRENCY"): (
        "currency 1",
        "currency 2",
        "currency 3",
        "currency 4",
    ),
    ("bureau", "CREDIT_TYPE"): (
        "Another type of loan",
        "Car loan",
        "Cash loan (non-earmarked)",
        "Consumer credit",
        "Credit card",
        "Interbank credit",
        "Loan for business development",
        "Loan for purchase of shares (margin lending)",
        "Loan for the purchase of equipment",
        "Loan for working capital replenishment",
        "Microloan",
        "Mobile operator loan",
        "Mortgage",
        "Real estate loan",
        "Unknown type of loan",
    ),
    ("bureau_balance", "STATUS"): (
        "0",
        "1",
        "2",
        "3",
        "4",
        "5",
        "C",
        "X",
    ),
    ("previous_application", "NAME_CONTRACT_TYPE"): (
        "Cash loans",
        "Consumer loans",
        "Revolving loans",
        "XNA",
    ),
    ("previous_application", "WEEKDAY_APPR_PROCESS_START"): (
        "FRIDAY",
        "MONDAY",
        "SATURDAY",
        "SUNDAY",
        "THURSDAY",
        "TUESDAY",
        "WEDNESDAY",
    ),
    ("previous_application", "FLAG_LAST_APPL_PER_CONTRACT"): (
        "N",
        "Y",
    ),
    ("previous_application", "NAME_CASH_LOAN_PURPOSE"): (
        "Building a house or an annex",
        "Business development",
        "Buying a garage",
        "Buying a holiday home / land",
        "Buying a home",
        "Buying a new car",
        "Buying a used car",
        "Car repairs",
        "Education",
        "Everyday expenses",
        "Furniture",
        "Gasification / water supply",
        "Hobby",
        "Journey",
        "Medicine",
        "Money for a third person",
        "Other",
        "Payments on other loans",
        "Purchase of electronic equipment",
        "Refusal to name the goal",
        "Repairs",
        "Urgent needs",
        "Wedding / gift / holiday",
        "XAP",
        "XNA",
    ),
    ("previous_application", "NAME_CONTRACT_STATUS"): (
        "Approved",
        "Canceled",
        "Refused",
        "Unused offer",
    ),
    ("previous_application", "NAME_PAYMENT_TYPE"): (
        "Cash through the bank",
        "Cashless from the account of the employer",
        "Non-cash from your account",
        "XNA",
    ),
    ("previous_application", "CODE_REJECT_REASON"): (
        "CLIENT",
        "HC",
        "LIMIT",
        "SCO",
        "SCOFR",
        "SYSTEM",
        "VERIF",
        "XAP",
        "XNA",
    ),
    ("previous_application", "NAME_TYPE_SUITE"): (
        "Children",
        "Family",
        "Group of people",
        "Other_A",
        "Other_B",
        "Spouse, partner",
        "Unaccompanied",
    ),
    ("previous_application", "NAME_CLIENT_TYPE"): (
        "New",
        "Refreshed",
        "Repeater",
        "XNA",
    ),
    ("previous_application", "NAME_GOODS_CATEGORY"): (
        "Additional Service",
        "Animals",
        "Audio/Video",
        "Auto Accessories",
        "Clothing and Accessories",
        "Computers",
        "Construction Materials",
        "Consumer Electronics",
        "Direct Sales",
        "Education",
        "Fitness",
        "Furniture",
        "Gardening",
        "Homewares",
        "House Construction",
        "Insurance",
        "Jewelry",
        "Medical Supplies",
        "Medicine",
        "Mobile",
        "Office Appliances",
        "Other",
        "Photo / Cinema Equipment",
        "Sport and Leisure",
        "Tourism",
        "Vehicles",
        "Weapon",
        "XNA",
    ),
    ("previous_application", "NAME_PORTFOLIO"): (
        "Cards",
        "Cars",
        "Cash",
        "POS",
        "XNA",
    ),
    ("previous_application", "NAME_PRODUCT_TYPE"): (
        "XNA",
        "walk-in",
        "x-sell",
    ),
    ("previous_application", "CHANNEL_TYPE"): (
        "AP+ (Cash loan)",
        "Car dealer",
        "Channel of corporate sales",
        "Contact center",
        "Country-wide",
        "Credit and cash offices",
        "Regional / Local",
        "Stone",
    ),
    ("previous_application", "NAME_SELLER_INDUSTRY"): (
        "Auto technology",
        "Clothing",
        "Connectivity",
        "Construction",
        "Consumer electronics",
        "Furniture",
        "Industry",
        "Jewelry",
        "MLM partners",
        "Tourism",
        "XNA",
    ),
    ("previous_application", "NAME_YIELD_GROUP"): (
        "XNA",
        "high",
        "low_action",
        "low_normal",
        "middle",
    ),
    ("previous_application", "PRODUCT_COMBINATION"): (
        "Card Street",
        "Card X-Sell",
        "Cash",
        "Cash Street: high",
        "Cash Street: low",
        "Cash Street: middle",
        "Cash X-Sell: high",
        "Cash X-Sell: low",
        "Cash X-Sell: middle",
        "POS household with interest",
        "POS household without interest",
        "POS industry with interest",
        "POS industry without interest",
        "POS mobile with interest",
        "POS mobile without interest",
        "POS other with interest",
        "POS others without interest",
    ),
    ("POS_CASH_balance", "NAME_CONTRACT_STATUS"): (
        "Active",
        "Amortized debt",
        "Approved",
        "Canceled",
        "Completed",
        "Demand",
        "Returned to the store",
        "Signed",
        "XNA",
    ),
    ("credit_card_balance", "NAME_CONTRACT_STATUS"): (
        "Active",
        "Approved",
        "Completed",
        "Demand",
        "Refused",
        "Sent proposal",
        "Signed",
    ),
}

_COLUMNS: dict[str, list[tuple[str, str, tuple[str, ...] | None]]] = {
    "application_train": [
        ("SK_ID_CURR", "int64", None),
        ("TARGET", "int64", None),
        ("NAME_CONTRACT_TYPE", "category", LEVELS[("application", "NAME_CONTRACT_TYPE")]),
        ("CODE_GENDER", "category", LEVELS[("application", "CODE_GENDER")]),
        ("FLAG_OWN_CAR", "category", LEVELS[("application", "FLAG_OWN_CAR")]),
        ("FLAG_OWN_REALTY", "category", LEVELS[("application", "FLAG_OWN_REALTY")]),
        ("CNT_CHILDREN", "int64", None),
        ("AMT_INCOME_TOTAL", "float64", None),
        ("AMT_CREDIT", "float64", None),
        ("AMT_ANNUITY", "float64", None),
        ("AMT_GOODS_PRICE", "float64", None),
        ("NAME_TYPE_SUITE", "category", LEVELS[("application", "NAME_TYPE_SUITE")]),
        ("NAME_INCOME_TYPE", "category", LEVELS[("application", "NAME_INCOME_TYPE")]),
        ("NAME_EDUCATION_TYPE", "category", LEVELS[("application", "NAME_EDUCATION_TYPE")]),
        ("NAME_FAMILY_STATUS", "category", LEVELS[("application", "NAME_FAMILY_STATUS")]),
        ("NAME_HOUSING_TYPE", "category", LEVELS[("application", "NAME_HOUSING_TYPE")]),
        ("REGION_POPULATION_RELATIVE", "float64", None),
        ("DAYS_BIRTH", "int64", None),
        ("DAYS_EMPLOYED", "int64", None),
        ("DAYS_REGISTRATION", "float64", None),
        ("DAYS_ID_PUBLISH", "int64", None),
        ("OWN_CAR_AGE", "float64", None),
        ("FLAG_MOBIL", "int64", None),
        ("FLAG_EMP_PHONE", "int64", None),
        ("FLAG_WORK_PHONE", "int64", None),
        ("FLAG_CONT_MOBILE", "int64", None),
        ("FLAG_PHONE", "int64", None),
        ("FLAG_EMAIL", "int64", None),
        ("OCCUPATION_TYPE", "category", LEVELS[("application", "OCCUPATION_TYPE")]),
        ("CNT_FAM_MEMBERS", "float64", None),
        ("REGION_RATING_CLIENT", "int64", None),
        ("REGION_RATING_CLIENT_W_CITY", "int64", None),
        ("WEEKDAY_APPR_PROCESS_START", "category", LEVELS[("application", "WEEKDAY_APPR_PROCESS_START")]),
        ("HOUR_APPR_PROCESS_START", "int64", None),
        ("REG_REGION_NOT_LIVE_REGION", "int64", None),
        ("REG_REGION_NOT_WORK_REGION", "int64", None),
        ("LIVE_REGION_NOT_WORK_REGION", "int64", None),
        ("REG_CITY_NOT_LIVE_CITY", "int64", None),
        ("REG_CITY_NOT_WORK_CITY", "int64", None),
        ("LIVE_CITY_NOT_WORK_CITY", "int64", None),
        ("ORGANIZATION_TYPE", "category", LEVELS[("application", "ORGANIZATION_TYPE")]),
        ("EXT_SOURCE_1", "float64", None),
        ("EXT_SOURCE_2", "float64", None),
        ("EXT_SOURCE_3", "float64", None),
        ("APARTMENTS_AVG", "float64", None),
        ("BASEMENTAREA_AVG", "float64", None),
        ("YEARS_BEGINEXPLUATATION_AVG", "float64", None),
        ("YEARS_BUILD_AVG", "float64", None),
        ("COMMONAREA_AVG", "float64", None),
        ("ELEVATORS_AVG", "float64", None),
        ("ENTRANCES_AVG", "float64", None),
        ("FLOORSMAX_AVG", "float64", None),
        ("FLOORSMIN_AVG", "float64", None),
        ("LANDAREA_AVG", "float64", None),
        ("LIVINGAPARTMENTS_AVG", "float64", None),
        ("LIVINGAREA_AVG", "float64", None),
        ("NONLIVINGAPARTMENTS_AVG", "float64", None),
        ("NONLIVINGAREA_AVG", "float64", None),
        ("APARTMENTS_MODE", "float64", None),
        ("BASEMENTAREA_MODE", "float64", None),
        ("YEARS_BEGINEXPLUATATION_MODE", "float64", None),
        ("YEARS_BUILD_MODE", "float64", None),
        ("COMMONAREA_MODE", "float64", None),
        ("ELEVATORS_MODE", "float64", None),
        ("ENTRANCES_MODE", "float64", None),
        ("FLOORSMAX_MODE", "float64", None),
        ("FLOORSMIN_MODE", "float64", None),
        ("LANDAREA_MODE", "float64", None),
        ("LIVINGAPARTMENTS_MODE", "float64", None),
        ("LIVINGAREA_MODE", "float64", None),
        ("NONLIVINGAPARTMENTS_MODE", "float64", None),
        ("NONLIVINGAREA_MODE", "float64", None),
        ("APARTMENTS_MEDI", "float64", None),
        ("BASEMENTAREA_MEDI", "float64", None),
        ("YEARS_BEGINEXPLUATATION_MEDI", "float64", None),
        ("YEARS_BUILD_MEDI", "float64", None),
        ("COMMONAREA_MEDI", "float64", None),
        ("ELEVATORS_MEDI", "float64", None),
        ("ENTRANCES_MEDI", "float64", None),
        ("FLOORSMAX_MEDI", "float64", None),
        ("FLOORSMIN_MEDI", "float64", None),
        ("LANDAREA_MEDI", "float64", None),
        ("LIVINGAPARTMENTS_MEDI", "float64", None),
        ("LIVINGAREA_MEDI", "float64", None),
        ("NONLIVINGAPARTMENTS_MEDI", "float64", None),
        ("NONLIVINGAREA_MEDI", "float64", None),
        ("FONDKAPREMONT_MODE", "category", LEVELS[("application", "FONDKAPREMONT_MODE")]),
        ("HOUSETYPE_MODE", "category", LEVELS[("application", "HOUSETYPE_MODE")]),
        ("TOTALAREA_MODE", "float64", None),
        ("WALLSMATERIAL_MODE", "category", LEVELS[("application", "WALLSMATERIAL_MODE")]),
        ("EMERGENCYSTATE_MODE", "category", LEVELS[("application", "EMERGENCYSTATE_MODE")]),
        ("OBS_30_CNT_SOCIAL_CIRCLE", "float64", None),
        ("DEF_30_CNT_SOCIAL_CIRCLE", "float64", None),
        ("OBS_60_CNT_SOCIAL_CIRCLE", "float64", None),
        ("DEF_60_CNT_SOCIAL_CIRCLE", "float64", None),
        ("DAYS_LAST_PHONE_CHANGE", "float64", None),
        ("FLAG_DOCUMENT_2", "int64", None),
        ("FLAG_DOCUMENT_3", "int64", None),
        ("FLAG_DOCUMENT_4", "int64", None),
        ("FLAG_DOCUMENT_5", "int64", None),
        ("FLAG_DOCUMENT_6", "int64", None),
        ("FLAG_DOCUMENT_7", "int64", None),
        ("FLAG_DOCUMENT_8", "int64", None),
        ("FLAG_DOCUMENT_9", "int64", None),
        ("FLAG_DOCUMENT_10", "int64", None),
        ("FLAG_DOCUMENT_11", "int64", None),
        ("FLAG_DOCUMENT_12", "int64", None),
        ("FLAG_DOCUMENT_13", "int64", None),
        ("FLAG_DOCUMENT_14", "int64", None),
        ("FLAG_DOCUMENT_15", "int64", None),
        ("FLAG_DOCUMENT_16", "int64", None),
        ("FLAG_DOCUMENT_17", "int64", None),
        ("FLAG_DOCUMENT_18", "int64", None),
        ("FLAG_DOCUMENT_19", "int64", None),
        ("FLAG_DOCUMENT_20", "int64", None),
        ("FLAG_DOCUMENT_21", "int64", None),
        ("AMT_REQ_CREDIT_BUREAU_HOUR", "float64", None),
        ("AMT_REQ_CREDIT_BUREAU_DAY", "float64", None),
        ("AMT_REQ_CREDIT_BUREAU_WEEK", "float64", None),
        ("AMT_REQ_CREDIT_BUREAU_MON", "float64", None),
        ("AMT_REQ_CREDIT_BUREAU_QRT", "float64", None),
        ("AMT_REQ_CREDIT_BUREAU_YEAR", "float64", None),
    ],
    "bureau": [
        ("SK_ID_CURR", "int64", None),
        ("SK_ID_BUREAU", "int64", None),
        ("CREDIT_ACTIVE", "category", LEVELS[("bureau", "CREDIT_ACTIVE")]),
        ("CREDIT_CURRENCY", "category", LEVELS[("bureau", "CREDIT_CURRENCY")]),
        ("DAYS_CREDIT", "int64", None),
        ("CREDIT_DAY_OVERDUE", "int64", None),
        ("DAYS_CREDIT_ENDDATE", "float64", None),
        ("DAYS_ENDDATE_FACT", "float64", None),
        ("AMT_CREDIT_MAX_OVERDUE", "float64", None),
        ("CNT_CREDIT_PROLONG", "int64", None),
        ("AMT_CREDIT_SUM", "float64", None),
        ("AMT_CREDIT_SUM_DEBT", "float64", None),
        ("AMT_CREDIT_SUM_LIMIT", "float64", None),
        ("AMT_CREDIT_SUM_OVERDUE", "float64", None),
        ("CREDIT_TYPE", "category", LEVELS[("bureau", "CREDIT_TYPE")]),
        ("DAYS_CREDIT_UPDATE", "int64", None),
        ("AMT_ANNUITY", "float64", None),
    ],
    "bureau_balance": [
        ("SK_ID_BUREAU", "int64", None),
        ("MONTHS_BALANCE", "int64", None),
        ("STATUS", "category", LEVELS[("bureau_balance", "STATUS")]),
    ],
    "previous_application": [
        ("SK_ID_PREV", "int64", None),
        ("SK_ID_CURR", "int64", None),
        ("NAME_CONTRACT_TYPE", "category", LEVELS[("previous_application", "NAME_CONTRACT_TYPE")]),
        ("AMT_ANNUITY", "float64", None),
        ("AMT_APPLICATION", "float64", None),
        ("AMT_CREDIT", "float64", None),
        ("AMT_DOWN_PAYMENT", "float64", None),
        ("AMT_GOODS_PRICE", "float64", None),
        (
            "WEEKDAY_APPR_PROCESS_START",
            "category",
            LEVELS[("previous_application", "WEEKDAY_APPR_PROCESS_START")],
        ),
        ("HOUR_APPR_PROCESS_START", "int64", None),
        (
            "FLAG_LAST_APPL_PER_CONTRACT",
            "category",
            LEVELS[("previous_application", "FLAG_LAST_APPL_PER_CONTRACT")],
        ),
        ("NFLAG_LAST_APPL_IN_DAY", "int64", None),
        ("RATE_DOWN_PAYMENT", "float64", None),
        ("RATE_INTEREST_PRIMARY", "float64", None),
        ("RATE_INTEREST_PRIVILEGED", "float64", None),
        ("NAME_CASH_LOAN_PURPOSE", "category", LEVELS[("previous_application", "NAME_CASH_LOAN_PURPOSE")]),
        ("NAME_CONTRACT_STATUS", "category", LEVELS[("previous_application", "NAME_CONTRACT_STATUS")]),
        ("DAYS_DECISION", "int64", None),
        ("NAME_PAYMENT_TYPE", "category", LEVELS[("previous_application", "NAME_PAYMENT_TYPE")]),
        ("CODE_REJECT_REASON", "category", LEVELS[("previous_application", "CODE_REJECT_REASON")]),
        ("NAME_TYPE_SUITE", "category", LEVELS[("previous_application", "NAME_TYPE_SUITE")]),
        ("NAME_CLIENT_TYPE", "category", LEVELS[("previous_application", "NAME_CLIENT_TYPE")]),
        ("NAME_GOODS_CATEGORY", "category", LEVELS[("previous_application", "NAME_GOODS_CATEGORY")]),
        ("NAME_PORTFOLIO", "category", LEVELS[("previous_application", "NAME_PORTFOLIO")]),
        ("NAME_PRODUCT_TYPE", "category", LEVELS[("previous_application", "NAME_PRODUCT_TYPE")]),
        ("CHANNEL_TYPE", "category", LEVELS[("previous_application", "CHANNEL_TYPE")]),
        ("SELLERPLACE_AREA", "int64", None),
        ("NAME_SELLER_INDUSTRY", "category", LEVELS[("previous_application", "NAME_SELLER_INDUSTRY")]),
        ("CNT_PAYMENT", "float64", None),
        ("NAME_YIELD_GROUP", "category", LEVELS[("previous_application", "NAME_YIELD_GROUP")]),
        ("PRODUCT_COMBINATION", "category", LEVELS[("previous_application", "PRODUCT_COMBINATION")]),
        ("DAYS_FIRST_DRAWING", "float64", None),
        ("DAYS_FIRST_DUE", "float64", None),
        ("DAYS_LAST_DUE_1ST_VERSION", "float64", None),
        ("DAYS_LAST_DUE", "float64", None),
        ("DAYS_TERMINATION", "float64", None),
        ("NFLAG_INSURED_ON_APPROVAL", "float64", None),
    ],
    "POS_CASH_balance": [
        ("SK_ID_PREV", "int64", None),
        ("SK_ID_CURR", "int64", None),
        ("MONTHS_BALANCE", "int64", None),
        ("CNT_INSTALMENT", "float64", None),
        ("CNT_INSTALMENT_FUTURE", "float64", None),
        ("NAME_CONTRACT_STATUS", "category", LEVELS[("POS_CASH_balance", "NAME_CONTRACT_STATUS")]),
        ("SK_DPD", "int64", None),
        ("SK_DPD_DEF", "int64", None),
    ],
    "installments_payments": [
        ("SK_ID_PREV", "int64", None),
        ("SK_ID_CURR", "int64", None),
        ("NUM_INSTALMENT_VERSION", "float64", None),
        ("NUM_INSTALMENT_NUMBER", "int64", None),
        ("DAYS_INSTALMENT", "float64", None),
        ("DAYS_ENTRY_PAYMENT", "float64", None),
        ("AMT_INSTALMENT", "float64", None),
        ("AMT_PAYMENT", "float64", None),
    ],
    "credit_card_balance": [
        ("SK_ID_PREV", "int64", None),
        ("SK_ID_CURR", "int64", None),
        ("MONTHS_BALANCE", "int64", None),
        ("AMT_BALANCE", "float64", None),
        ("AMT_CREDIT_LIMIT_ACTUAL", "int64", None),
        ("AMT_DRAWINGS_ATM_CURRENT", "float64", None),
        ("AMT_DRAWINGS_CURRENT", "float64", None),
        ("AMT_DRAWINGS_OTHER_CURRENT", "float64", None),
        ("AMT_DRAWINGS_POS_CURRENT", "float64", None),
        ("AMT_INST_MIN_REGULARITY", "float64", None),
        ("AMT_PAYMENT_CURRENT", "float64", None),
        ("AMT_PAYMENT_TOTAL_CURRENT", "float64", None),
        ("AMT_RECEIVABLE_PRINCIPAL", "float64", None),
        ("AMT_RECIVABLE", "float64", None),
        ("AMT_TOTAL_RECEIVABLE", "float64", None),
        ("CNT_DRAWINGS_ATM_CURRENT", "float64", None),
        ("CNT_DRAWINGS_CURRENT", "int64", None),
        ("CNT_DRAWINGS_OTHER_CURRENT", "float64", None),
        ("CNT_DRAWINGS_POS_CURRENT", "float64", None),
        ("CNT_INSTALMENT_MATURE_CUM", "float64", None),
        ("NAME_CONTRACT_STATUS", "category", LEVELS[("credit_card_balance", "NAME_CONTRACT_STATUS")]),
        ("SK_DPD", "int64", None),
        ("SK_DPD_DEF", "int64", None),
    ],
}


# application_test is application_train without TARGET, in the same order.
_COLUMNS["application_test"] = [c for c in _COLUMNS["application_train"] if c[0] != "TARGET"]
_COLUMNS = {name: _COLUMNS[name] for name in (
    "application_train", "application_test", "bureau", "bureau_balance", "previous_application",
    "POS_CASH_balance", "installments_payments", "credit_card_balance",
)}  # fmt: skip

_APPS = ("application_train", "application_test")
_KEYS: dict[str, tuple[str, ...]] = {
    "application_train": ("SK_ID_CURR",),
    "application_test": ("SK_ID_CURR",),
    "bureau": ("SK_ID_BUREAU",),
    "bureau_balance": ("SK_ID_BUREAU", "MONTHS_BALANCE"),
    "previous_application": ("SK_ID_PREV",),
    "POS_CASH_balance": ("SK_ID_PREV", "MONTHS_BALANCE"),
    # The real file repeats rows, so installments_payments has no natural key.
    "installments_payments": (),
    "credit_card_balance": ("SK_ID_PREV", "MONTHS_BALANCE"),
}
_CURR = ForeignKey(("SK_ID_CURR",), _APPS, ("SK_ID_CURR",))
_PREV = ForeignKey(("SK_ID_PREV",), ("previous_application",), ("SK_ID_PREV",))
_FKS: dict[str, tuple[ForeignKey, ...]] = {
    "bureau": (_CURR,),
    "bureau_balance": (ForeignKey(("SK_ID_BUREAU",), ("bureau",), ("SK_ID_BUREAU",)),),
    "previous_application": (_CURR,),
    "POS_CASH_balance": (_PREV, _CURR),
    "installments_payments": (_PREV, _CURR),
    "credit_card_balance": (_PREV, _CURR),
}

TABLES: dict[str, TableSchema] = {
    name: TableSchema(
        name=name,
        columns=tuple(Column(c, d, lv or ()) for c, d, lv in cols),  # type: ignore[arg-type]
        key=_KEYS[name],
        foreign_keys=_FKS.get(name, ()),
    )
    for name, cols in _COLUMNS.items()
}
TABLE_NAMES: tuple[str, ...] = tuple(TABLES)
HISTORY_TABLES: tuple[str, ...] = tuple(n for n in TABLE_NAMES if not n.startswith("application_"))


def get_table(name: str) -> TableSchema:
    """The schema of table ``name``; the error lists the known tables."""
    try:
        return TABLES[name]
    except KeyError:
        raise KeyError(f"unknown table {name!r}; expected one of {', '.join(TABLE_NAMES)}") from None
