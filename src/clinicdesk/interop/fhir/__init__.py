"""FHIR R4 API with OAuth 2.0 and SMART v2 scopes: thin endpoints over the same services and selectors as
the web UI.

Using it
--------
Register a back-end client and get a token (client credentials)::

    clinicdesk fhir-client create "Call centre" --scopes "system/Patient.rs system/Appointment.cruds system/Slot.rs"
    curl -u CLIENT_ID:SECRET -d grant_type=client_credentials https://HOST/o/token/
    curl -H "Authorization: Bearer TOKEN" "https://HOST/fhir/r4/Patient?family=garc&birthdate=ge1980"

An app acting for a staff user is registered with ``--user-app --redirect-uri URL`` and ``user/...`` scopes and
uses the authorization code flow with PKCE (S256, required) at ``/o/authorize/`` and ``/o/token/``. Discovery:
``/fhir/r4/metadata`` (CapabilityStatement, built from ``handlers.HANDLERS``) and
``/.well-known/smart-configuration``; both answer without a token, everything else needs one.

Rules
-----
- A request must be allowed by the token's scopes (``scopes.py``) *and* by the actor's permissions: a client's
  SystemActor holds only what its ``system/*`` scopes imply; a user token acts as the user (role, locations).
- Writes go through ``patients.services`` and ``scheduling.services`` (``appointment_book``, ``appointment_cancel``,
  ``appointment_arrive``, ``appointment_mark_noshow``, ``appointment_set_status``, ``appointment_reschedule``).
- Every response's resources are audited once (``selectors.record_shown``), on top of the audit of the selectors.
- Inbound resources are validated with the R4B models of ``fhir.resources`` before anything is written. Every
  input is size-limited first (``validation.MAX_STRING`` per string, ``MAX_BODY_BYTES`` per body): 400/422/413
  with an OperationOutcome naming the element.
- Token introspection (``/o/introspect/``) tells a client about its own tokens only; a resource server that must
  check other clients' tokens is registered with the ``introspection`` scope (``introspection.py``).
- Patient and Appointment versions live in ``ResourceVersion`` (see models.py), stored when the resource changes
  through any face (``history.py`` subscribes to the patients and scheduling hooks); a read never writes.
  ``vread`` and ``_history`` return stored versions.
- Patient create needs no proprietary extension: the home location comes from generalPractitioner,
  managingOrganization, the client's default location (``fhir-client create --location CODE``) or the caller's
  only location (``locations.py``); the optional extension is published at
  ``StructureDefinition/clinicdesk-home-location`` (read without a token).
- Slots are computed from ``scheduling.availability.Window``; a slot id (practitioner-location-type-start-length)
  is enough to recompute it.
- Restricted charts (break the glass) are never listed; reading one answers 403 like the UI until the glass is
  broken there.
"""
