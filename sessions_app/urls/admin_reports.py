"""Administration: attendance reports and their exports, the sign-in sheet,
the audit trail and the consent registry. Not under admin/, which is Django's admin."""

from django.urls import path

from ..views import audit, consent, plans, reports

urlpatterns = [
    # Attendance reports, drilled down site › group › participant › session.
    path("reports/", reports.report_overview, name="report_overview"),
    path("reports/export.csv", reports.report_overview_csv, name="report_overview_csv"),
    path("reports/sites/<int:site_id>/", reports.report_site, name="report_site"),
    path(
        "reports/sites/<int:site_id>/export.csv",
        reports.report_site_csv,
        name="report_site_csv",
    ),
    path("reports/groups/<int:group_id>/", reports.report_group, name="report_group"),
    path(
        "reports/groups/<int:group_id>/export.csv",
        reports.report_group_csv,
        name="report_group_csv",
    ),
    path(
        "reports/therapists/<int:therapist_id>/",
        reports.report_therapist,
        name="report_therapist",
    ),
    path(
        "reports/therapists/<int:therapist_id>/export.csv",
        reports.report_therapist_csv,
        name="report_therapist_csv",
    ),
    path(
        "reports/participants/<int:participant_id>/",
        reports.report_participant,
        name="report_participant",
    ),
    path(
        "reports/participants/<int:participant_id>/export.csv",
        reports.report_participant_csv,
        name="report_participant_csv",
    ),
    path("reports/slipping-away/", reports.report_slipping, name="report_slipping"),
    path(
        "reports/slipping-away/export.csv",
        reports.report_slipping_csv,
        name="report_slipping_csv",
    ),
    # Treatment plans: in place and reviewed on time (dates and counts only).
    path("reports/plans/", plans.report_plans, name="report_plans"),
    # For whoever runs the door: staff who may see the session.
    path(
        "sessions/<int:session_id>/sign-in-sheet/",
        reports.session_sign_in_sheet,
        name="session_sign_in_sheet",
    ),
    # The audit trail.
    path("audit/", audit.audit_log, name="audit_log"),
    path("audit/export.csv", audit.audit_log_csv, name="audit_log_csv"),
    # The consent registry (42 CFR Part 2 style).
    path("consents/", consent.consent_list, name="consent_list"),
    path(
        "consents/participants/<int:participant_id>/",
        consent.participant_consents,
        name="participant_consents",
    ),
    path(
        "consents/participants/<int:participant_id>/new/",
        consent.consent_record,
        name="consent_record",
    ),
    path(
        "consents/participants/<int:participant_id>/export/",
        consent.participant_records_export,
        name="participant_records_export",
    ),
    path("consents/<int:consent_id>/revoke/", consent.consent_revoke, name="consent_revoke"),
]
