"""Reports: build the report of a snapshot against the previous one, render it as md/json/html."""

from __future__ import annotations

from journeyctl.reports.build import build_report
from journeyctl.reports.model import Report
from journeyctl.reports.run import ReportRun, run_report

__all__ = ["Report", "ReportRun", "build_report", "run_report"]
