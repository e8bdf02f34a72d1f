"""Routes of the auditor blueprint."""
