"""Words for the codes the audit trail stores: actions, outcomes and roles, in the user's language.

The trail keeps stable codes (`patient.read`, `denied`, `front_desk`); screens show these words instead.
Every action recorded anywhere has a label here: tests/audit/test_labels.py reads every `record(...)` call in
the source and fails on a code without one. Codes built at run time are labelled by their family:
`visit.<status>`, `appointment.<move>`, `fhir.<interaction>.<resource type>`.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from clinicdesk.core.permissions import ROLE_LABELS, Role

ACTION_LABELS: dict[str, Promise] = {
    "access.denied": _("Access refused"),
    "account.read": _("Patient account viewed"),
    "appointment.book": _("Appointment booked"),
    "appointment.cancel": _("Appointment cancelled"),
    "appointment.checklist": _("Appointment checklist updated"),
    "appointment.confirm": _("Appointment confirmed"),
    "appointment.history": _("Appointment history read for reports"),
    "appointment.list": _("Appointment list viewed"),
    "appointment.noshow": _("Appointment marked no-show"),
    "appointment.overbook": _("Appointment overbooked"),
    "appointment.read": _("Appointment viewed"),
    "appointment.reschedule": _("Appointment rescheduled"),
    "appointment.status": _("Appointment status changed"),
    "appointment_type.create": _("Appointment type added"),
    "appointment_type.deactivate": _("Appointment type deactivated"),
    "appointment_type.update": _("Appointment type changed"),
    "arrivals.list": _("Arrivals list viewed"),
    "audit.export": _("Audit trail exported"),
    "audit.repair": _("Audit entry repaired"),
    "audit.search": _("Audit trail searched"),
    "auth.lockout": _("Account locked after failed sign-ins"),
    "auth.login": _("Sign-in"),
    "auth.mfa": _("Second factor checked"),
    "auth.mfa_enrol": _("Second factor set up"),
    "auth.mfa_reset": _("Second factor reset"),
    "availability.exception.add": _("Availability exception added"),
    "availability.exception.remove": _("Availability exception removed"),
    "availability.template.add": _("Weekly availability added"),
    "availability.template.remove": _("Weekly availability ended"),
    "availability.template.update": _("Weekly availability changed"),
    "backup.create": _("Backup taken"),
    "break_glass.report": _("Emergency access report viewed"),
    "calendar.feed.issue": _("Calendar feed link issued"),
    "calendar.feed.read": _("Calendar feed read"),
    "calendar.feed.revoke": _("Calendar feed link revoked"),
    "call.record": _("Phone call recorded"),
    "calls.list": _("Call list viewed"),
    "checkin.read": _("Check-in page viewed"),
    "coverage.create": _("Insurance added"),
    "coverage.end": _("Insurance ended"),
    "demo.generate": _("Demo data created"),
    "document.create": _("Document uploaded"),
    "document.read": _("Document opened"),
    "duplicate.dismiss": _("Possible duplicate dismissed"),
    "duplicate.list": _("Duplicate review list viewed"),
    "duplicate.read": _("Possible duplicate viewed"),
    "duplicate.scan": _("Duplicate scan run"),
    "equipment.create": _("Equipment added"),
    "equipment.deactivate": _("Equipment deactivated"),
    "equipment.update": _("Equipment changed"),
    "fhir.client.create": _("FHIR client registered"),
    "flowboard.read": _("Patient flow board viewed"),
    "form.deactivate": _("Form withdrawn from signing"),
    "form.publish": _("Form published"),
    "form.read": _("Signed form opened"),
    "form.sign": _("Form signed"),
    "import.passwords": _("Temporary passwords issued after a staff import"),
    "import.run": _("File imported"),
    "import.undo": _("Import undone"),
    "inbox.read": _("Task inbox viewed"),
    "insight.noshow_train": _("No-show model trained"),
    "insight.forecast_compute": _("Demand forecast computed"),
    "ledger.adjust": _("Account adjustment posted"),
    "ledger.charge": _("Charge posted"),
    "ledger.merge_transfer": _("Balance moved by a merge"),
    "ledger.read": _("Ledger viewed"),
    "ledger.reverse": _("Ledger entry reversed"),
    "location.holiday.add": _("Location holiday added"),
    "location.holiday.remove": _("Location holiday removed"),
    "location.create": _("Location added"),
    "location.deactivate": _("Location deactivated"),
    "location.hours": _("Opening hours changed"),
    "location.update": _("Location changed"),
    "organization.create": _("Organization set up"),
    "organization.update": _("Organization changed"),
    "message.list": _("Messages viewed"),
    "message.resend": _("Message sent again"),
    "message_template.update": _("Message wording changed"),
    "message.worklist": _("Message worklist viewed"),
    "patient.break_glass": _("Emergency access to a restricted chart"),
    "patient.contact.add": _("Patient contact added"),
    "patient.create": _("Patient registered"),
    "patient.create.duplicate_override": _("Patient registered despite a possible duplicate"),
    "patient.match.shown": _("Chart shown as a possible duplicate of a new registration"),
    "matching.train": _("Duplicate matching weights learned"),
    "patient.deceased": _("Patient recorded as deceased"),
    "patient.export": _("Patients exported"),
    "patient.import": _("Patients imported"),
    "patient.inactivate": _("Patient made inactive"),
    "patient.match": _("Patient matching run"),
    "patient.merge": _("Patients merged"),
    "patient.merged_away": _("Chart merged into another"),
    "patient.opt_out": _("Patient opted out of messages"),
    "patient.opt_in": _("Patient opted in to messages"),
    "consent.record": _("Consent to be contacted recorded"),
    "consent.record_address": _("Consent to be contacted recorded for an address"),
    "consent.sms_keyword": _("Text message reply STOP or START received"),
    "consent.unsubscribe": _("Unsubscribed from e-mails"),
    "consent.read": _("Contact preferences viewed"),
    "patient.reactivate": _("Patient made active again"),
    "patient.read": _("Patient chart opened"),
    "patient.search": _("Patient search"),
    "patient.update": _("Patient details changed"),
    "payer.create": _("Payer added"),
    # patient alerts and the desk-to-provider heads-up (#15)
    "patient_alert.add": _("Patient alert set"),
    "patient_alert.end": _("Patient alert ended"),
    "patient_alert.list": _("Patient alerts viewed"),
    "alert_kind.create": _("Alert kind added"),
    "alert_kind.update": _("Alert kind changed"),
    "alert_kind.deactivate": _("Alert kind deactivated"),
    "headsup.send": _("Heads-up sent to a provider"),
    "headsup.deliver": _("Heads-up shown to the provider"),
    "headsup.acknowledge": _("Heads-up acknowledged"),
    # electronic eligibility (#18)
    "eligibility.request": _("Coverage check sent to the payer"),
    "eligibility.answer": _("Coverage check answer stored"),
    "eligibility.view": _("Coverage check viewed"),
    "eligibility.list": _("Coverage checks of a day viewed"),
    "payer.deactivate": _("Payer deactivated"),
    "payer.update": _("Payer changed"),
    # payer plans and coverage changed (#18 payers)
    "payer_plan.create": _("Payer plan added"),
    "payer_plan.update": _("Payer plan changed"),
    "payer_plan.deactivate": _("Payer plan deactivated"),
    "coverage.update": _("Insurance changed"),
    "payment.collect": _("Payment collected"),
    "payment.refund": _("Payment refunded"),
    "practice_settings.update": _("Practice settings changed"),
    "practitioner.create": _("Practitioner added"),
    "practitioner.locations": _("Practitioner locations changed"),
    "practitioner.deactivate": _("Practitioner deactivated"),
    "practitioner.update": _("Practitioner changed"),
    "previsit.list": _("Pre-visit list viewed"),
    "quiet_hours.update": _("Quiet hours for messages changed"),
    "recall.add": _("Recall added"),
    "reminder_rule.create": _("Reminder rule added"),
    "reminder_rule.deactivate": _("Reminder rule deactivated"),
    "reminder_rule.update": _("Reminder rule changed"),
    "receipt.email": _("Receipt e-mailed"),
    "room.create": _("Room added"),
    "room.deactivate": _("Room deactivated"),
    "room.update": _("Room changed"),
    "series.book": _("Appointment series booked"),
    "setup.first_run": _("First administrator created with the setup token"),
    "setup.token_issue": _("Setup token issued"),
    "task.create": _("Task created"),
    "task.status": _("Task status changed"),
    "triage.answer": _("Triage slip answered"),
    "triage.close": _("Triage slip closed"),
    "triage.create": _("Triage slip created"),
    "user.create": _("Staff user created"),
    "user.deactivate": _("Staff user deactivated"),
    "user.password_change": _("Password changed"),
    "user.password_reset": _("Staff user's password reset"),
    "user.two_factor_require": _("Two-factor requirement changed"),
    "user.unlock": _("Staff user unlocked"),
    "user.update": _("Staff user changed"),
    "visit.arrive": _("Patient arrived"),
    "visit.arrived": _("Visit: arrived"),
    "visit.checked-in": _("Visit: checked in"),
    "visit.checked-out": _("Visit: checked out"),
    "visit.follow_up": _("Follow-up booked at check-out"),
    "visit.left": _("Visit: left without being seen"),
    "visit.read": _("Visit viewed"),
    "visit.ready-checkout": _("Visit: ready for check-out"),
    "visit.roomed": _("Visit: roomed"),
    "visit.undo_arrival": _("Arrival undone"),
    "visit.walk_in": _("Walk-in registered"),
    "visit.with-provider": _("Visit: with provider"),
    "visitor.sign_in": _("Visitor signed in"),
    "visitor.sign_out": _("Visitor signed out"),
    "waitlist.add": _("Added to the waitlist"),
    "waitlist.list": _("Waitlist viewed"),
    "waitlist.match": _("Waitlist matches viewed"),
    "waitlist.offer": _("Waitlist offer sent"),
    "waitlist.offer_accept": _("Waitlist offer accepted"),
    "waitlist.remove": _("Removed from the waitlist"),
    "walkins.list": _("Walk-in list viewed"),
    # compliance (#21)
    "breach.close": _("Breach file closed"),
    "breach.log": _("Breach logged"),
    "breach.notify": _("Breach notice recorded"),
    "complaint.escalate": _("Complaint escalated to the practice coordinator"),
    "complaint.list": _("Complaints viewed"),
    "complaint.log": _("Complaint logged"),
    "complaint.read": _("Complaint viewed"),
    "complaint.resolve": _("Complaint resolved by staff present"),
    "compliance.dashboard": _("Compliance dashboard viewed"),
    "disclosure.accounting": _("Accounting of disclosures produced"),
    "disclosure.record": _("Disclosure recorded"),
    "grievance.acknowledge": _("Grievance acknowledgement letter sent"),
    "grievance.answer": _("Grievance resolution letter sent"),
    "grievance.log-export": _("Grievance log exported"),
    "grievance.mark": _("Complaint marked a grievance"),
    "incident.action-add": _("Corrective action added"),
    "incident.action-done": _("Corrective action done"),
    "incident.close": _("Incident closed"),
    "incident.read": _("Incident viewed"),
    "incident.report": _("Incident reported"),
    "incident.review": _("Incident reviewed"),
    "rights-request.deny": _("Rights request denied"),
    "rights-request.fulfil": _("Rights request fulfilled"),
    "rights-request.list": _("Rights requests viewed"),
    "rights-request.log": _("Rights request logged"),
    "rights-request.read": _("Rights request viewed"),
    "rights-request.start": _("Rights request started"),
    "rights-request.withdraw": _("Rights request withdrawn"),
}
# Compliance program: calendar, OSHA, HIPAA program, policies (#21)
ACTION_LABELS |= {
    "duty.add": _("Compliance duty added"), "duty.complete": _("Compliance duty done"),
    "duty.escalate": _("Overdue compliance duty escalated"), "safety-document.add": _("Safety document added"),
    "safety-document.review": _("Safety document reviewed"), "sharps-injury.log": _("Sharps injury logged"),
    "osha-case.record": _("OSHA 300 case recorded"), "osha-log.read": _("OSHA logs viewed"),
    "risk-assessment.start": _("Security risk assessment started"),
    "risk-assessment.answer": _("Risk assessment question answered"),
    "risk-assessment.complete": _("Security risk assessment completed"),
    "baa.add": _("Business associate agreement recorded"),
    "officer.designate": _("Privacy or security officer designated"),
    "policy.add": _("Policy added"), "policy.publish": _("Policy version published"),
    "policy.acknowledge": _("Policy acknowledged"), "policy.remind": _("Policy acknowledgement reminders sent"),
    "compliance-file.read": _("Compliance file opened"),
}
# CLIA waived testing (compliance, #21)
ACTION_LABELS |= {
    "clia-certificate.set": _("CLIA certificate recorded"), "clia-test.add": _("Waived test added"),
    "clia-qc.record": _("Quality control run recorded"),
    "clia-qc.correct": _("Quality control corrective action recorded"),
    "clia-patient-test.record": _("Waived test performed for a patient"),
    "clia-patient-test.read": _("Waived test log viewed"),
}
# Supplies (operations, #21)
ACTION_LABELS |= {
    "item.create": _("Supply item added"), "item.update": _("Supply item changed"),
    "item.place": _("Supply storage or levels changed"), "supplier.create": _("Supplier added"),
    "supplier.update": _("Supplier changed"), "supplier.item": _("Supplier price changed"),
    "visit_supply.set": _("Supplies used per visit changed"), "stock.receive": _("Stock received"),
    "stock.use": _("Stock used"), "stock.adjust": _("Stock corrected"), "stock.waste": _("Stock wasted"),
    "stock.transfer-out": _("Stock sent to another location"),
    "stock.transfer-in": _("Stock received from another location"), "stock.count": _("Stock count correction"),
    "stockcount.start": _("Stock count started"), "stockcount.enter": _("Stock count entered"),
    "stockcount.post": _("Stock count posted"), "purchaseorder.create": _("Purchase order drafted"),
    "purchaseorder.line": _("Purchase order line changed"), "purchaseorder.submit": _("Purchase order submitted"),
    "purchaseorder.approve": _("Purchase order approved"), "purchaseorder.send": _("Purchase order sent"),
    "purchaseorder.cancel": _("Purchase order cancelled"), "purchaseorder.receive": _("Purchase order received"),
    "invoice.record": _("Supplier invoice recorded"),
}
# Staff rosters (staffing, #20)
ACTION_LABELS |= {
    "staffing.shift_type.create": _("Shift type added"), "staffing.shift_type.update": _("Shift type changed"),
    "staffing.skill.create": _("Skill added"), "staffing.skill.update": _("Skill changed"),
    "staffing.staff_member.create": _("Staff contract added"),
    "staffing.staff_member.update": _("Staff contract changed"),
    "staffing.cover_need.create": _("Cover need added"), "staffing.cover_need.delete": _("Cover need removed"),
    "staffing.shift_request.create": _("Shift request recorded"), "staffing.roster.solve": _("Roster solved"),
    "staffing.roster.publish": _("Roster published"),
    "staffing.swap.offer": _("Shift offered for a swap"), "staffing.swap.take": _("Offered shift taken"),
    "staffing.swap.claim": _("Open shift claimed"), "staffing.swap.approve": _("Shift swap approved"),
    "staffing.swap.decline": _("Shift swap declined"), "staffing.swap.cancel": _("Shift swap withdrawn"),
    "staffing.training.create": _("Training added"), "staffing.training.update": _("Training changed"),
    "staffing.training_record.create": _("Completed training recorded"),
}

# Referrals, authorizations, payer rules (#18); coding (#19); leave (#20); correspondence (#24); portal (#23)
ACTION_LABELS |= {
    "authorization.create": _("Prior authorization recorded"),
    "authorization.link": _("Prior authorization linked to an appointment"),
    "authorization.list": _("Prior authorizations viewed"),
    "authorization.status": _("Prior authorization status changed"),
    "authorization.unit-used": _("Prior authorization unit used"),
    "authorization.view": _("Prior authorization viewed"),
    "coding.worklist": _("Visits to code viewed"),
    "compose_template.create": _("Message template added"),
    "compose_template.revise": _("Message template revised"),
    "correspondence.send": _("Letter or message sent to a patient"),
    "correspondence.skip": _("Patient skipped when writing (no consent or address)"),
    "fee.contract_remove": _("Payer contracted amount removed"),
    "fee.contract_set": _("Payer contracted amount set"),
    "fee.create": _("Fee schedule entry added"),
    "fee.update": _("Fee schedule entry changed"),
    "fee.usual_add": _("Usual code added to a visit type"),
    "fee.usual_remove": _("Usual code removed from a visit type"),
    "incoming.done": _("Incoming mail item closed"),
    "incoming.file.read": _("Incoming mail scan viewed"),
    "incoming.log": _("Incoming mail logged"),
    "incoming.mail": _("E-mail filed from the intake mailbox"),
    "incoming.update": _("Incoming mail item changed"),
    "leave.approve": _("Leave approved"),
    "leave.cancel": _("Leave cancelled"),
    "leave.cover.apply": _("Appointments moved to cover a leave"),
    "leave.decline": _("Leave declined"),
    "leave.request": _("Leave requested"),
    "leave.rosters.resolve": _("Rosters re-solved for a leave"),
    "outgoing-referral.create": _("Referral to a specialist sent"),
    "outgoing-referral.print": _("Referral letter printed"),
    "outgoing-referral.status": _("Referral to a specialist updated"),
    "patient.list": _("Patient list viewed"),
    "payer-rule.create": _("Payer rule added"),
    "payer-rule.delete": _("Payer rule removed"),
    "payer-rule.update": _("Payer rule changed"),
    "portal.appointment_book": _("Appointment booked in the portal"),
    "portal.appointment_cancel": _("Appointment cancelled in the portal"),
    "portal.appointment_reschedule": _("Appointment moved in the portal"),
    "portal.intake_accept": _("Patient's intake accepted into the chart"),
    "portal.intake_reject": _("Patient's intake not accepted"),
    "portal.intake_submit": _("Intake sent by a patient (waiting for review)"),
    "portal.kiosk_check_in": _("Patient checked in at the kiosk"),
    "portal.kiosk_enable": _("Check-in kiosk started on a device"),
    "portal.kiosk_find": _("Visit looked up at the kiosk"),
    "portal.kiosk_throttled": _("Kiosk look-ups limited"),
    "portal.kiosk_visit_end": _("Kiosk visit ended"),
    "portal.booking_throttled": _("Portal booking requests limited (too many refused)"),
    "portal.sign_in_confirm_throttled": _("Portal sign-in attempts limited (too many refused)"),
    "portal.booking_rule_save": _("Online booking rule saved"),
    "portal.language_set": _("Portal language chosen"),
    "portal.message_answer": _("Portal message answered"),
    "portal.message_send": _("Portal message sent by a patient"),
    "portal.options": _("Open times viewed in the portal"),
    "portal.payment_expired": _("Online payment closed unfinished (checkout expired)"),
    "portal.payment_failed": _("Online payment not completed"),
    "portal.payment_paid": _("Online payment received"),
    "portal.payment_start": _("Online payment started in the portal"),
    "portal.payment_webhook_refused": _("Payment notice refused (bad signature or time)"),
    "portal.plan_agree": _("Payment plan agreed in the portal"),
    "portal.proxy_authorize": _("Proxy access recorded"),
    "portal.proxy_revoke": _("Proxy access ended"),
    "portal.read": _("Record viewed in the portal"),
    "portal.sign_in": _("Patient signed in to the portal"),
    "portal.sign_in_request": _("Portal sign-in link or code asked for"),
    "portal.sign_in_throttled": _("Portal sign-in attempts limited"),
    "portal.sign_out": _("Patient signed out of the portal"),
    "portal.subject_choose": _("Portal patient switched to a dependent"),
    "portal.waitlist_join": _("Waitlist joined in the portal"),
    "referral.create": _("Incoming referral recorded"),
    "referral.link": _("Referral linked to an appointment"),
    "referral.list": _("Referrals viewed"),
    "referral.view": _("Referral viewed"),
    "referral.visit-used": _("Referral visit used"),
    "report.aging_patients": _("A/R aging by patient viewed"),
    "report.day_sheet": _("Day sheet viewed"),
    "superbill.open": _("Visit coding started"),
    "superbill.post": _("Coded charges posted"),
    "superbill.read": _("Coded visit viewed"),
    "superbill.reverse": _("Coded charges reversed"),
    "superbill.save": _("Visit coding saved"),
}

# Claims, their answers and remittances (#19 items 3-5)
ACTION_LABELS |= {
    "claim.accept": _("Claim accepted by the payer"),
    "claim.answer_read": _("Claim answer file read"),
    "claim.batch_send": _("Claim batch sent"),
    "claim.build": _("Claim made"),
    "claim.list": _("Claims viewed"),
    "claim.print_form": _("Claim form (CMS-1500) printed"),
    "claim.reject": _("Claim rejected"),
    "claim.remit": _("Claim payment posted"),
    "claim.replace": _("Claim replaced by a corrected claim"),
    "claim.scrub": _("Claim scrubbed again"),
    "claim.submit": _("Claim sent"),
    "claim.view": _("Claim viewed"),
    "claim.void": _("Claim voided"),
    "ledger.insurance_adjustment": _("Insurance adjustment posted"),
    "ledger.insurance_payment": _("Insurance payment posted"),
    "remittance.post": _("Remittance posted"),
}

# Denials (#19 item 7)
ACTION_LABELS |= {
    "denial.appeal": _("Appeal letter of a denied claim written"),
    "denial.list": _("Denials viewed"),
    "denial.rate": _("Denial rate viewed"),
    "denial.view": _("Denial viewed"),
    "denial.write_off_approve": _("Write-off of a denial approved"),
    "denial.write_off_list": _("Write-offs waiting for approval viewed"),
    "denial.write_off_refuse": _("Write-off of a denial refused"),
    "denial.write_off_request": _("Write-off of a denial asked"),
    # statements, balances, credit refunds, payment plans, disputes (#19 items 8-9)
    "statement.settings": _("Statement cycle settings changed"),
    "statement.cycle_preview": _("Statement cycle previewed"),
    "statement.create": _("Statement made"),
    "statement.print": _("Statement marked printed"),
    "statement.list": _("Statements to print viewed"),
    "balance.read": _("Balance and statements viewed"),
    "collections.hold": _("Collections hold placed"),
    "collections.release": _("Collections hold released"),
    "refund.request": _("Refund of a credit balance requested"),
    "refund.approve": _("Refund of a credit balance approved and posted"),
    "refund.decline": _("Refund of a credit balance declined"),
    "refund.list": _("Refunds waiting for approval viewed"),
    "plan.read": _("Payment plans viewed"),
    "plan.create": _("Payment plan set up"),
    "plan.end": _("Payment plan ended"),
    "plan.default": _("Payment plan defaulted"),
    "dispute.open": _("Billing dispute recorded"),
    "dispute.close": _("Billing dispute answered and closed"),
    "dispute.read": _("Billing dispute viewed"),
    "dispute.list": _("Billing disputes viewed"),
}

# Estimates and Good Faith Estimates (#19 item 10)
ACTION_LABELS |= {
    "estimate.create": _("Cost estimate made"),
    "estimate.view": _("Cost estimate viewed"),
    "estimate.list": _("Cost estimates viewed"),
    "estimate.sign": _("Cost estimate signed or received"),
    "estimate.print": _("Cost estimate printed"),
}

# Workshops and events (#24 item 3)
ACTION_LABELS |= {
    "event.create": _("Workshop or event added"),
    "event.update": _("Workshop or event changed"),
    "event.cancel": _("Workshop or event cancelled"),
    "event.registrations.read": _("Event registrations viewed"),
    "event_contact.add": _("Event contact added (not a patient)"),
    "event_registration.add": _("Registered for an event"),
    "event_registration.waitlist": _("Put on an event's waitlist"),
    "event_registration.promote": _("Given a place from an event's waitlist"),
    "event_registration.cancel": _("Event registration cancelled"),
    "event_registration.attend": _("Marked present at an event"),
    "event_registration.unattend": _("Presence at an event taken back"),
    "event_registration.remind": _("Event reminder sent"),
    "event_registration.cancel_notice": _("Told that an event was cancelled"),
    "event_registration.read": _("Event registration viewed"),
    "event_survey.send": _("Event survey link sent"),
    "event_survey.answer": _("Event survey answered"),
}

# Outreach campaigns (#24 item 4)
ACTION_LABELS |= {
    "campaign.create": _("Outreach campaign added"),
    "campaign.update": _("Outreach campaign changed"),
    "campaign.cohort_preview": _("Campaign cohort previewed"),
    "campaign.cohort_freeze": _("Campaign cohort chosen"),
    "campaign.members_read": _("Campaign members viewed"),
    "campaign.member_exclude": _("Left out of a campaign"),
    "campaign.member_include": _("Put back into a campaign"),
    "campaign.approve": _("Outreach campaign approved"),
    "campaign.reopen": _("Outreach campaign reopened for changes"),
    "campaign.wave_send": _("Campaign wave sent"),
    "campaign.member_decline": _("Campaign answer: declined"),
    "campaign.member_undecline": _("Campaign decline taken back"),
    "campaign.finish": _("Outreach campaign finished"),
    "campaign.export": _("Campaign report downloaded"),
}

# Surgery readiness and admissions and transfers (#18 items 8, 9)
ACTION_LABELS |= {
    "readiness.template": _("Readiness list changed"),
    "readiness.create": _("Readiness packet started"),
    "readiness.item": _("Readiness item updated"),
    "readiness.send": _("Readiness packet sent to the patient"),
    "readiness.acknowledge": _("Readiness packet acknowledged by the patient"),
    "readiness.list": _("Readiness board viewed"),
    "readiness.view": _("Readiness packet viewed"),
    "facility.save": _("Facility saved"),
    "transfer.create": _("Admission or transfer recorded"),
    "transfer.status": _("Admission or transfer status changed"),
    "transfer.follow-up": _("Admission or transfer follow-up task added"),
    "transfer.list": _("Admissions and transfers viewed"),
    "transfer.view": _("Admission or transfer viewed"),
    "transfer.packet": _("Transfer packet printed"),
}

# fhir.<interaction>.<resource type>[.exists] and fhir.operation.<type>.<name>
FHIR_INTERACTIONS: dict[str, Promise] = {
    "search": _("FHIR search: %(type)s"),
    "read": _("FHIR read: %(type)s"),
    "vread": _("FHIR read of a version: %(type)s"),
    "history": _("FHIR history: %(type)s"),
    "create": _("FHIR create: %(type)s"),
    "update": _("FHIR update: %(type)s"),
}
FHIR_CREATE_EXISTING = _("FHIR create matched an existing record: %(type)s")
FHIR_OPERATIONS: dict[str, Promise] = {
    "fhir.operation.Patient.match": _("FHIR patient matching"),
    "fhir.operation.Appointment.find": _("FHIR appointment search for open times"),
}
FHIR_TYPES: dict[str, Promise] = {
    "Patient": _("patients"),
    "Practitioner": _("practitioners"),
    "PractitionerRole": _("practitioner roles"),
    "Organization": _("organizations"),
    "Location": _("locations"),
    "HealthcareService": _("services"),
    "Schedule": _("schedules"),
    "Slot": _("open times"),
    "Appointment": _("appointments"),
    "Coverage": _("insurance coverage"),
    "CoverageEligibilityRequest": _("coverage check requests"),
    "CoverageEligibilityResponse": _("coverage check answers"),
    "ServiceRequest": _("referrals and prior authorizations"),
    "Flag": _("patient alerts"),
    "AuditEvent": _("audit events"),
    "StructureDefinition": _("structure definitions"),
}

OUTCOME_LABELS: dict[str, Promise] = {"allowed": _("Allowed"), "denied": _("Refused")}
OUTCOME_CHOICES = list(OUTCOME_LABELS.items())


def action_choices() -> list[tuple[str, str]]:
    """The action filter's options, by label in the user's language (the value is a code prefix)."""
    options = [(code, str(label)) for code, label in ACTION_LABELS.items()]
    options.append(("fhir.", gettext("FHIR API: every request")))
    return sorted(options, key=lambda option: option[1].casefold())


def _fhir_label(code: str) -> str | None:
    if code in FHIR_OPERATIONS:
        return str(FHIR_OPERATIONS[code])
    parts = code.split(".")
    if len(parts) not in (3, 4) or parts[0] != "fhir" or parts[1] not in FHIR_INTERACTIONS:
        return None
    kind = FHIR_TYPES.get(parts[2])
    if kind is None:
        return None
    if len(parts) == 4:
        return str(FHIR_CREATE_EXISTING % {"type": kind}) if parts[1:4:2] == ["create", "exists"] else None
    return str(FHIR_INTERACTIONS[parts[1]]) % {"type": kind}


def action_label(code: str) -> str | None:
    """The words for an action code, or None when it has none (a test keeps that from happening)."""
    if code in ACTION_LABELS:
        return str(ACTION_LABELS[code])
    if code.startswith("fhir."):
        return _fhir_label(code)
    return None


def action_words(code: str) -> str:
    """What a screen shows for an action: its label; for a code without one, a plain fallback."""
    return action_label(code) or gettext("Other activity")


def outcome_words(code: str) -> str:
    return str(OUTCOME_LABELS.get(code, gettext("Other outcome")))


def role_words(code: str) -> str:
    if not code:
        return "—"  # no signed-in staff member: the system, or a sign-in with an unknown name
    try:
        return str(ROLE_LABELS[Role(code)])
    except ValueError:
        return gettext("Former role")


# Budgets (#21 item 11)
ACTION_LABELS |= {
    "budget.create": _("Budget added"),
    "budget.line": _("Budget line set"),
    "budget.line.remove": _("Budget line removed"),
    "budget.actual.add": _("Budget actual amount entered"),
    "budget.actual.remove": _("Budget actual amount removed"),
}

# Time and attendance (#20 item 7)
ACTION_LABELS |= {
    "staffing.clock.in": _("Clocked in"),
    "staffing.clock.out": _("Clocked out"),
    "staffing.clock.correct": _("Time-clock punch corrected"),
    "staffing.clock.pin_set": _("Time-clock PIN set"),
    "staffing.clock.pin_wrong": _("Wrong time-clock PIN"),
    "staffing.clock.settings": _("Pay-period settings changed"),
}

# Scheduled reports, risk on the schedule, overbook advice (#22 items 3 and 5)
ACTION_LABELS |= {
    "insight.noshow_risk": _("No-show risk viewed"),
    "insight.overbook_policy.set": _("Overbook advice setting changed"),
    "insight.report_subscription.create": _("Scheduled report added"),
    "insight.report_subscription.update": _("Scheduled report changed"),
    "insight.report_subscription.delete": _("Scheduled report removed"),
    "insight.report_subscription.preview": _("Scheduled report preview sent"),
    "insight.report_subscription.send": _("Scheduled report sent"),
}
