"""Audit the locked dependencies with pip-audit, and say plainly when that was not possible.

pip-audit asks a vulnerability database about every pinned release. Where the database
cannot be reached (a machine that sees only a package mirror), it skips every package;
that is reported as "not audited", not as a clean bill. Exit status: 1 when a known
vulnerability is found, 0 otherwise (audited clean, or not auditable here: see the output).
"""
from __future__ import annotations

import json
import subprocess
import sys


def main(lock: str) -> int:
    try:
        run = subprocess.run([sys.executable, "-m", "pip_audit", "-r", lock, "--disable-pip", "--no-deps",
                              "--format", "json", "--progress-spinner", "off"],
                             capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        print("pip-audit: NOT AUDITED — the vulnerability database did not answer within 300 s")
        return 0
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        print("pip-audit: NOT AUDITED — it did not run:", (run.stderr.strip().splitlines() or ["?"])[-1])
        return 0
    deps = report.get("dependencies", [])
    skipped = [d for d in deps if "skip_reason" in d]
    vulnerable = [d for d in deps if d.get("vulns")]
    if deps and len(skipped) == len(deps):
        print(f"pip-audit: NOT AUDITED — the vulnerability database is not reachable from this machine "
              f"({len(deps)} pinned packages, none could be looked up)")
        return 0
    for d in vulnerable:
        for v in d["vulns"]:
            fixes = ", ".join(v.get("fix_versions", [])) or "none yet"
            print(f"pip-audit: {d['name']} {d['version']}: {v['id']} (fixed in {fixes})")
    audited = len(deps) - len(skipped)
    print(f"pip-audit: {audited} of {len(deps)} pinned packages audited, "
          f"{len(vulnerable)} with known vulnerabilities" + (f", {len(skipped)} not found" if skipped else ""))
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "requirements.lock"))
