"""X12 5010 read and write for the eligibility exchange (270/271): text in, plain data out, no database."""
