# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parsers for nvidia-smi output: the GPU query (CSV) and the device listing with MIG devices.

Only text in, dicts out; running nvidia-smi is the module's job.
"""

from __future__ import annotations

import re

QUERY_FIELDS = ("index", "name", "uuid", "memory.total", "memory.used", "driver_version", "compute_cap")
QUERY_FORMAT = "csv,noheader,nounits"

MIB = 2 ** 20

# What nvidia-smi prints for a value it cannot give ("[N/A]", "[Not Supported]", ...).
_MISSING = re.compile(r"^\[?\s*(n/?a|not supported|unknown error|insufficient permissions|gpu requires reset)\s*\]?$", re.I)
_LEADING_NUMBER = re.compile(r"^\s*(\d+)")

_GPU_LINE = re.compile(r"^\s*GPU\s+(\d+):\s*(.*?)\s*\(UUID:\s*([^)\s]+)\s*\)\s*$")
_MIG_LINE = re.compile(r"^\s*MIG\s+(\S+)\s+Device\s+(\d+):\s*\(UUID:\s*([^)\s]+)\s*\)\s*$")
_MIG_MEMORY = re.compile(r"(\d+)gb$", re.I)


def query_command(binary, fields=QUERY_FIELDS):
    """The argv for the GPU query."""
    return [binary, "--query-gpu=" + ",".join(fields), "--format=" + QUERY_FORMAT]


def _lines(text):
    return [line.strip() for line in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n") if line.strip()]


def _value(text):
    """A field's text, or None when nvidia-smi says it has no value."""
    text = text.strip()
    if not text or _MISSING.match(text):
        return None
    return text


def _int(text):
    """An integer field; tolerates a unit left in by a missing ``nounits``."""
    text = _value(text)
    if text is None:
        return None
    match = _LEADING_NUMBER.match(text)
    return int(match.group(1)) if match else None


def _split_row(line, field_count):
    """Split a CSV row; a name with a comma in it is put back together."""
    cells = [cell.strip() for cell in line.split(",")]
    if len(cells) < field_count:
        return None
    extra = len(cells) - field_count
    if extra and field_count >= 3:
        # index, name..., then the fixed fields: the surplus commas belong to the name.
        cells = [cells[0], ", ".join(cells[1:2 + extra])] + cells[2 + extra:]
    return cells


def parse_query(text, fields=QUERY_FIELDS):
    """GPUs from ``nvidia-smi --query-gpu=<fields> --format=csv,noheader,nounits``.

    Each GPU: index, name, uuid, memory_total_mib, memory_total_bytes, memory_used_mib,
    driver_version, compute_cap (fields that were not queried or have no value are None).
    Lines that do not have the expected number of fields are skipped.
    """
    gpus = []
    for line in _lines(text):
        cells = _split_row(line, len(fields))
        if cells is None:
            continue
        row = dict(zip(fields, cells))
        index = _int(row.get("index", ""))
        if index is None:
            continue
        gpus.append(_gpu_from_row(index, row))
    return gpus


def _gpu_from_row(index, row):
    total_mib = _int(row.get("memory.total", ""))
    return {
        "index": index,
        "name": _value(row.get("name", "")),
        "uuid": _value(row.get("uuid", "")),
        "memory_total_mib": total_mib,
        "memory_total_bytes": total_mib * MIB if total_mib is not None else None,
        "memory_used_mib": _int(row.get("memory.used", "")),
        "driver_version": _value(row.get("driver_version", "")),
        "compute_cap": _value(row.get("compute_cap", "")),
        "mig_devices": [],
    }


def parse_list(text):
    """GPUs and their MIG devices from ``nvidia-smi -L``.

    Returns a list of {index, name, uuid, mig_devices}; each MIG device is {profile, device,
    uuid, memory_gb} where memory_gb is the nominal size from the profile name (1g.10gb -> 10).
    """
    gpus = []
    for line in _lines(text):
        gpu = _GPU_LINE.match(line)
        if gpu:
            gpus.append({"index": int(gpu.group(1)), "name": gpu.group(2), "uuid": gpu.group(3), "mig_devices": []})
            continue
        mig = _MIG_LINE.match(line)
        if mig and gpus:
            gpus[-1]["mig_devices"].append(_mig_device(mig))
    return gpus


def _mig_device(match):
    profile = match.group(1)
    memory = _MIG_MEMORY.search(profile)
    return {
        "profile": profile,
        "device": int(match.group(2)),
        "uuid": match.group(3),
        "memory_gb": int(memory.group(1)) if memory else None,
    }


def attach_mig_devices(gpus, listing):
    """Copy MIG devices from a parse_list result onto parse_query GPUs (by UUID, else index)."""
    by_uuid = {entry["uuid"]: entry for entry in listing if entry.get("uuid")}
    by_index = {entry["index"]: entry for entry in listing}
    for gpu in gpus:
        entry = by_uuid.get(gpu.get("uuid")) or by_index.get(gpu["index"])
        gpu["mig_devices"] = list(entry["mig_devices"]) if entry else []
    return gpus


def first_line(*texts):
    """The first non-empty line of the first text that has one (for error reasons)."""
    for text in texts:
        lines = _lines(text)
        if lines:
            return lines[0]
    return ""
