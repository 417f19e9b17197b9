"""The journal's keepers: verification, anchors, signing keys, the auditor's export and backups."""
