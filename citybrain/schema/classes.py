"""The sensitivity class of every field of the graph (PIPL), and how each is masked.

Every field of an entity type is listed here; building the schema fails on one that is
not, so a new field cannot slip out unclassified. Personal and sensitive fields are denied
unless the policy (``citybrain/auth/default_policy.toml``) says otherwise.
"""

from __future__ import annotations

from citybrain.auth.sensitivity import Sensitivity
from citybrain.resolvers import RELATIONS

__all__ = ["AUDIT_KEYS", "FIELD_CLASSES", "MASK_KINDS", "field_catalogue", "maskable_fields"]

PUBLIC, INTERNAL = Sensitivity.PUBLIC, Sensitivity.INTERNAL
PERSONAL, SENSITIVE = Sensitivity.PERSONAL, Sensitivity.SENSITIVE


def _all(level: Sensitivity, names: str) -> dict[str, Sensitivity]:
    return dict.fromkeys(names.split(), level)


FIELD_CLASSES: dict[str, dict[str, Sensitivity]] = {
    "District": _all(PUBLIC, "code name streets"),
    "Street": _all(PUBLIC, "code name districtCode district communities"),
    "Community": _all(PUBLIC, "code name streetCode street grids"),
    "Grid": {
        **_all(PUBLIC, "code name communityCode community places"),
        **_all(PERSONAL, "residents households"),
        **_all(INTERNAL, "workers events"),
    },
    "GridWorker": {
        **_all(INTERNAL, "workerId gridCode"),
        **_all(PERSONAL, "name phone"),
        "grid": PUBLIC,
    },
    "EventCategory": _all(PUBLIC, "code name parentCode deadlineHours parent subCategories"),
    "GridEvent": {
        **_all(
            INTERNAL,
            "id title description status categoryCode gridCode reportedAt closedAt "
            "grid category timeline whistles version deadlineAt overdue",
        ),
        "reporter": PERSONAL,
    },
    "EventStep": _all(INTERNAL, "id action actorRole actorName at note"),
    "GridEventUpdate": _all(
        INTERNAL, "eventId stepId action status version gridCode at event step"
    ),
    "Whistle": {
        **_all(
            INTERNAL,
            "id department streetCode whistledAt respondedAt speedScore handlingScore",
        ),
        "street": PUBLIC,
    },
    "Person": {
        "idNumber": SENSITIVE,
        **_all(
            PERSONAL,
            "name gender birthDate phone address residentType householdId homeGridCode "
            "household subsidies driverLicence vehicles violations homeGrid reportedEvents",
        ),
        **_all(
            SENSITIVE,
            "elderlyCare healthCode vaccinations nucleicAcidTests latestNucleicAcidTest placeScans",
        ),
    },
    "Household": _all(PERSONAL, "householdId address gridCode head members grid"),
    "ElderlyCare": _all(SENSITIVE, "careLevel serviceType provider since"),
    "Subsidy": _all(PERSONAL, "id programme amount grantedOn"),
    "HealthCode": _all(SENSITIVE, "color reason updatedAt"),
    "Vaccination": _all(SENSITIVE, "id vaccine dose vaccinatedOn site"),
    "NucleicAcidTest": _all(SENSITIVE, "id sampledAt result institution"),
    "Place": {
        **_all(
            PUBLIC,
            "placeCode name industry address gridCode districtCode issuedOn active grid district",
        ),
        "scans": SENSITIVE,
    },
    "PlaceScan": _all(SENSITIVE, "id placeCode scannedAt place person"),
    "RideHailingPlatform": _all(PUBLIC, "code name permitNumber"),
    "DriverLicence": {
        **_all(
            PERSONAL,
            "licenceNumber status issuedOn expiresOn platformCode person violations",
        ),
        "platform": PUBLIC,
    },
    "Vehicle": {
        **_all(PERSONAL, "plate model color registeredOn platformCode owner violations"),
        "platform": PUBLIC,
    },
    "Violation": _all(PERSONAL, "id plate kind points fine occurredAt vehicle"),
    # Statistics (统计): aggregates only, with small cells withheld; no personal field.
    "EventStatistics": _all(
        INTERNAL,
        "regionCode categoryCode from before asOf suppressionThreshold total byRegion byCategory",
    ),
    "EventFigures": _all(
        INTERNAL,
        "code name reported closed closeRate averageHandlingHours overdue suppressed",
    ),
    "WhistleStatistics": _all(INTERNAL, "regionCode from before asOf total byDepartment"),
    "WhistleFigures": _all(
        INTERNAL,
        "department whistles responded averageResponseHours scored averageSpeedScore "
        "averageHandlingScore suppressed",
    ),
    "HealthDailyReport": _all(INTERNAL, "from before suppressionThreshold city districts"),
    "DistrictHealthReport": _all(
        INTERNAL,
        "districtCode districtName codesShown scans placeCodesIssued activePlaceCodes "
        "suppressed days issuedByIndustry",
    ),
    "DailyHealthFigures": _all(INTERNAL, "day codesShown scans placeCodesIssued suppressed"),
    "IndustryFigures": _all(INTERNAL, "industry placeCodes suppressed"),
    # Data verification (数据核验): what screening needs about a person, nothing more.
    "ScreeningBatch": _all(INTERNAL, "at testWindowHours checked results"),
    "ScreeningResult": {
        **_all(INTERNAL, "index problem"),
        **_all(SENSITIVE, "idNumber outcome codeColor negativeTestWithinWindow vaccinated"),
    },
}

MASK_KINDS: dict[str, str] = {
    "Person.idNumber": "id_number",
    "Person.name": "name",
    "Person.phone": "phone",
    "Person.address": "address",
    "Household.address": "address",
    "GridWorker.name": "name",
    "GridWorker.phone": "phone",
}
"""Fields with a masked form; masking any other field withholds it like a denial."""

AUDIT_KEYS: dict[str, str] = {
    "Person": "id_number",
    "Household": "household_id",
    "ElderlyCare": "id_number",
    "Subsidy": "id",
    "HealthCode": "id_number",
    "Vaccination": "id",
    "NucleicAcidTest": "id",
    "PlaceScan": "id",
    "DriverLicence": "id_number",
    "Vehicle": "plate",
    "Violation": "id",
    "GridWorker": "worker_id",
    "GridEvent": "id",
    "Grid": "code",
    "Place": "place_code",
}
"""The row column that names an entity in audit records (only key values are recorded)."""


def field_catalogue() -> dict[str, Sensitivity]:
    """``"Type.field"`` -> class, for every field of every entity type."""
    return {f"{t}.{f}": level for t, fields in FIELD_CLASSES.items() for f, level in fields.items()}


def maskable_fields() -> frozenset[str]:
    """Fields a policy may mask: those with a masked form, and object fields (whose own
    fields are then checked one by one)."""
    objects = {f"{t}.{f}" for t, fields in RELATIONS.items() for f in fields}
    return frozenset(MASK_KINDS) | objects
