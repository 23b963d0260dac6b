"""Runs the DfE's SSDA903 validation rules (csc-validator-be-903, import name lac_validator) over the
files of `export_returns` and prints what failed, as JSON.

It runs with .venv-903/bin/python (scripts/setup-903.sh), never inside Django: the validator pins
pandas<2 and numpy<1.25. Usage:

    .venv-903/bin/python returns/validator/run_903.py --year 2025 DIR

Output: {"ruleset", "issues": [{"rule", "message", "table", "child", "row", "columns", "ours"}],
"crashed": [{"rule", "error", "ours"}], "skipped": [...], "ours": [issues and crashes caused by our files]}.

Which failures are "caused by our files" (`ours`):
- The validator is given only what we produce: header.csv and oc3.csv for "This year". A rule that
  needs a table we do not produce (Episodes, UASC, Reviews, AD1, the previous year's files...)
  returns nothing when that table is absent, so it is skipped, never a failure of ours.
- Every issue a rule reports on Header or OC3 rows is ours: those rows and columns are what we wrote.
- A rule that crashes is ours unless it crashed on a column that exists only in the DfE's XML
  format or in tables we do not produce (UASC_STATUS, which the validator adds to Header from the
  XML or from the UASC table; the CSV format of CONTRACT.md has no such column).
"""

import argparse
import contextlib
import io
import json
import logging
import sys
import traceback
from pathlib import Path

#: Tables we produce, in the validator's names.
OUR_TABLES = {"Header", "OC3"}
#: Columns the validator derives from inputs we do not produce; a rule that crashes for lack of one is not ours.
NOT_OUR_COLUMNS = {"UASC_STATUS", "UASC", "DUC"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, required=True, help="collection year starting 1 April YYYY")
    parser.add_argument("--la", default="E09000027", help="local authority code (used only with Episodes)")
    parser.add_argument("directory", type=Path)
    args = parser.parse_args(argv)

    logging.disable(logging.CRITICAL)  # the validator logs every rule at INFO
    import importlib

    from lac_validator import lac_validator
    from lac_validator.utils import process_uploaded_files

    ruleset = f"lac{args.year}_{str(args.year + 1)[2:]}"
    registry = importlib.import_module(f"lac_validator.rules.{ruleset}").registry
    files = [str(args.directory / name) for name in ("header.csv", "oc3.csv")]
    # The validator's collectionYear is the year the collection ENDS: it sets collection_start to
    # 1 April of the year before (lac_validator.datastore._process_metadata).
    metadata = {"collectionYear": str(args.year + 1), "localAuthority": args.la}

    crashes: dict[str, str] = {}
    original_exception = lac_validator.logger.exception

    def record_crash(message, *a, **k):
        code = message.split("Rule code ", 1)[-1].split(" ", 1)[0]
        crashes[code] = traceback.format_exc().strip().splitlines()[-1]

    lac_validator.logger.exception = record_crash
    with contextlib.redirect_stdout(io.StringIO()):
        validator = lac_validator.LacValidator(
            metadata=metadata, files=process_uploaded_files({"This year": files}), registry=registry,
        )
    lac_validator.logger.exception = original_exception

    issues = []
    for table, frame in validator.ds_results.items():
        if table == "metadata":
            continue
        for column in [c for c in frame.columns if str(c).startswith("ERR_")]:
            code = column[4:]
            rule = registry[code]
            for row in frame.index[frame[column] == True].tolist():  # noqa: E712 (pandas mask)
                issues.append({
                    "rule": code, "message": rule.message, "table": table,
                    "child": str(frame.loc[row, "CHILD"]), "row": int(row),
                    "columns": list(rule.affected_fields or []),
                    "ours": table in OUR_TABLES,
                })
    crashed = []
    for code, error in sorted(crashes.items()):
        not_ours = any(f"'{name}'" in error for name in NOT_OUR_COLUMNS)
        crashed.append({"rule": code, "error": error, "ours": not not_ours})
    result = {
        "ruleset": ruleset,
        "metadata": {k: v for k, v in validator.metadata.items() if isinstance(v, str)},
        "rules": len(registry),
        "done": sorted(validator.dones),
        "skipped": sorted(validator.skips),
        "issues": issues,
        "crashed": crashed,
        "ours": [i for i in issues if i["ours"]] + [c for c in crashed if c["ours"]],
    }
    json.dump(result, sys.stdout, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
