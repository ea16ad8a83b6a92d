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


# --- PCI detection -----------------------------------------------------------------------
# GPUs are found on the PCI bus whether or not a driver is loaded: display controllers
# (class 0x03xx: VGA 0300, 3D 0302, display 0380) from these vendors. NVIDIA's audio
# functions (0403) and NVSwitches (0680) are not GPUs. AMD is reported, not managed.

PCI_VENDORS = {"0x10de": "NVIDIA", "0x1002": "AMD"}
PCI_DISPLAY_CLASS_PREFIX = "0x03"

# "0000:01:00.0 3D controller [0302]: NVIDIA Corporation AD104GL [L4] [10de:27b8] (rev a1)"
# (the domain only with -D). The last [vvvv:dddd] of the line holds the IDs; the name may
# contain brackets of its own ("[AMD/ATI]", "[L4]").
_LSPCI_LINE = re.compile(
    r"^(?P<address>(?:[0-9a-f]{4}:)?[0-9a-f]{2}:[0-9a-f]{2}\.[0-7])\s+"
    r"(?P<class_name>[^\[]*?)\s*\[(?P<class>[0-9a-f]{4})\]:\s*"
    r"(?P<name>.*)\s+\[(?P<vendor>[0-9a-f]{4}):(?P<device>[0-9a-f]{4})\]"
    r"(?P<rest>(?:\s+\([^)]*\))*)\s*$",
    re.I,
)
_LSPCI_DRIVER = re.compile(r"^\s+Kernel driver in use:\s*(\S+)\s*$")


def pci_device(address, vendor_id, device_id, pci_class, driver=None, name=None):
    """A PCI display controller of a known GPU vendor as the modules report it, else None.

    IDs are normalised to lower-case ``0x`` hex; the address gets the ``0000:`` domain when
    it has none.
    """
    vendor_id = _hex_id(vendor_id)
    pci_class = _hex_id(pci_class)
    if vendor_id not in PCI_VENDORS or not pci_class or not pci_class.startswith(PCI_DISPLAY_CLASS_PREFIX):
        return None
    address = (address or "").strip().lower()
    if address.count(":") == 1:
        address = "0000:" + address
    return {
        "address": address,
        "vendor": PCI_VENDORS[vendor_id],
        "vendor_id": vendor_id,
        "device_id": _hex_id(device_id),
        "class": pci_class,
        "driver": driver or None,
        "name": name or None,
    }


def _hex_id(value):
    value = (value or "").strip().lower()
    if not value:
        return None
    return value if value.startswith("0x") else "0x" + value


def parse_lspci(text):
    """NVIDIA and AMD GPUs from ``lspci -nn`` output (``-D`` and ``-k`` are understood).

    Returns the same dicts as :func:`pci_device`; ``driver`` comes from a following
    ``Kernel driver in use:`` line (``-k``), else None. Other devices are skipped.
    """
    devices = []
    current = None
    for raw in (text or "").replace("\r\n", "\n").split("\n"):
        match = _LSPCI_LINE.match(raw.strip()) if raw[:1] not in (" ", "\t") else None
        if match:
            current = pci_device(
                match.group("address"),
                match.group("vendor"),
                match.group("device"),
                match.group("class"),
                name=match.group("name").strip(),
            )
            if current:
                devices.append(current)
            continue
        driver = _LSPCI_DRIVER.match(raw)
        if driver and current is not None:
            current["driver"] = driver.group(1)
    return devices


def detect(pci_devices):
    """What the PCI bus says about GPUs: the NVIDIA ones (managed) and the AMD ones (reported).

    Returns {nvidia, amd, nvidia_count, amd_count, summary}; ``summary`` is one line for
    messages, e.g. ``1 NVIDIA (0000:01:00.0 10de:27b8), 1 AMD (0000:03:00.0 1002:744c)``.
    """
    nvidia = [dict(d) for d in pci_devices or [] if d.get("vendor_id") == "0x10de"]
    amd = [dict(d) for d in pci_devices or [] if d.get("vendor_id") == "0x1002"]
    parts = []
    for label, group in (("NVIDIA", nvidia), ("AMD", amd)):
        if group:
            parts.append("%d %s (%s)" % (len(group), label, ", ".join(_short(d) for d in group)))
    return {
        "nvidia": nvidia,
        "amd": amd,
        "nvidia_count": len(nvidia),
        "amd_count": len(amd),
        "summary": ", ".join(parts) or "no NVIDIA or AMD GPU on the PCI bus",
    }


def _short(device):
    ids = "%s:%s" % ((device.get("vendor_id") or "?").replace("0x", ""), (device.get("device_id") or "?").replace("0x", ""))
    name = " %s" % device["name"] if device.get("name") else ""
    return "%s %s%s" % (device.get("address"), ids, name)
