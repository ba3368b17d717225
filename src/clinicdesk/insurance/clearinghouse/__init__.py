"""Transports to the clearinghouse: CAQH CORE real time over HTTP(S), and batch drop folders (SFTP or local)."""
