"""JSON: the month for machines, above all for the merge (a commune adds up its
stations, a province its communes).

``MonthReport.to_json()`` (the commune's name, province and station, the recipient,
and ``chain_head``: the head of the month's hash chain, so the log that was counted can
be proven later) plus the counting rule as it was printed, so the province can see which
rule each station's figures follow. Readable Vietnamese (no ``\\u`` escapes), indented,
UTF-8 without a byte-order mark (JSON forbids one).
"""

from __future__ import annotations

import json
from typing import Any

from firmware_host.report import wording
from firmware_host.report.counts import MonthReport

FORMAT = "loaxa-month-report/1"


def month_document(report: MonthReport) -> dict[str, Any]:
    data = report.to_json()
    data["counting_rule"] = wording.counting_rule(report.timezone, report.month)
    return data


def month_json(report: MonthReport) -> bytes:
    text = json.dumps(month_document(report), ensure_ascii=False, indent=2, default=str)
    return (text + "\n").encode("utf-8")
