# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

from pathlib import Path

import pytest

from ansible_collections.foundrycloud.platform.plugins.module_utils import nvidia_smi

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "nvidia_smi"
MIB = 1024 * 1024


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text()


@pytest.mark.parametrize(
    "name, gpu_name, total_mib, driver, compute_cap",
    [
        ("h100_80gb_hbm3", "NVIDIA H100 80GB HBM3", 81559, "550.54.15", "9.0"),
        ("l4", "NVIDIA L4", 23034, "535.183.01", "8.9"),
        ("rtx6000_ada", "NVIDIA RTX 6000 Ada Generation", 49140, "550.127.05", "8.9"),
        ("a100_mig", "NVIDIA A100-SXM4-80GB", 81920, "535.161.08", "8.0"),
    ],
)
def test_single_gpu_fixtures(name, gpu_name, total_mib, driver, compute_cap):
    (gpu,) = nvidia_smi.parse_query(fixture(name + ".query.txt"))
    assert gpu["index"] == 0
    assert gpu["name"] == gpu_name
    assert gpu["uuid"].startswith("GPU-") and len(gpu["uuid"]) == 40
    assert gpu["memory_total_mib"] == total_mib
    assert gpu["memory_total_bytes"] == total_mib * MIB
    assert gpu["driver_version"] == driver
    assert gpu["compute_cap"] == compute_cap
    assert gpu["mig_devices"] == []


def test_four_gpu_box():
    gpus = nvidia_smi.parse_query(fixture("4x_l40s.query.txt"))
    assert [g["index"] for g in gpus] == [0, 1, 2, 3]
    assert {g["name"] for g in gpus} == {"NVIDIA L40S"}
    assert [g["memory_total_mib"] for g in gpus] == [46068] * 4
    assert [g["memory_used_mib"] for g in gpus] == [45012, 1, 1, 18230]
    assert len({g["uuid"] for g in gpus}) == 4


def test_crlf_extra_spaces_and_blank_lines():
    text = "\r\n" + fixture("4x_l40s.query.txt").replace(", ", " ,   ").replace("\n", "\r\n") + "\r\n\r\n"
    gpus = nvidia_smi.parse_query(text)
    assert [g["memory_total_bytes"] for g in gpus] == [46068 * MIB] * 4
    assert gpus[3]["compute_cap"] == "8.9"
    assert gpus[0]["name"] == "NVIDIA L40S"


@pytest.mark.parametrize("text", ["", "\n", "\r\n\r\n", None])
def test_empty_output(text):
    assert nvidia_smi.parse_query(text) == []
    assert nvidia_smi.parse_list(text) == []


def test_not_available_and_not_supported_values():
    text = "0, NVIDIA GB10, GPU-0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9, [N/A], [Not Supported], 580.95.05, 12.1\n"
    (gpu,) = nvidia_smi.parse_query(text)
    assert gpu["memory_total_mib"] is None
    assert gpu["memory_total_bytes"] is None
    assert gpu["memory_used_mib"] is None
    assert gpu["driver_version"] == "580.95.05"
    assert gpu["compute_cap"] == "12.1"


def test_units_left_in_and_comma_in_name():
    text = "1, NVIDIA Example, Rev 2, GPU-11111111-2222-3333-4444-555555555555, 24576 MiB, 10 MiB, 550.54.15, 8.6\n"
    (gpu,) = nvidia_smi.parse_query(text)
    assert gpu["index"] == 1
    assert gpu["name"] == "NVIDIA Example, Rev 2"
    assert gpu["memory_total_mib"] == 24576
    assert gpu["memory_used_mib"] == 10


def test_short_and_garbage_lines_are_skipped():
    text = "No devices were found\n0, NVIDIA L4\nx, NVIDIA L4, GPU-a, 1, 1, 1, 1\n" + fixture("l4.query.txt")
    gpus = nvidia_smi.parse_query(text)
    assert [g["name"] for g in gpus] == ["NVIDIA L4"]


def test_query_without_compute_cap_field():
    fields = tuple(f for f in nvidia_smi.QUERY_FIELDS if f != "compute_cap")
    (gpu,) = nvidia_smi.parse_query("0, Tesla T4, GPU-abc, 15360, 0, 470.256.02\n", fields)
    assert gpu["memory_total_mib"] == 15360
    assert gpu["compute_cap"] is None


def test_query_command():
    assert nvidia_smi.query_command("/usr/bin/nvidia-smi") == [
        "/usr/bin/nvidia-smi",
        "--query-gpu=index,name,uuid,memory.total,memory.used,driver_version,compute_cap",
        "--format=csv,noheader,nounits",
    ]


def test_mig_listing():
    (gpu,) = nvidia_smi.parse_list(fixture("a100_mig.list.txt"))
    assert gpu["name"] == "NVIDIA A100-SXM4-80GB"
    assert [(m["profile"], m["device"], m["memory_gb"]) for m in gpu["mig_devices"]] == [
        ("3g.40gb", 0, 40),
        ("2g.20gb", 1, 20),
        ("1g.10gb", 2, 10),
        ("1g.10gb", 3, 10),
    ]
    assert all(m["uuid"].startswith("MIG-") for m in gpu["mig_devices"])


def test_mig_attached_by_uuid():
    gpus = nvidia_smi.parse_query(fixture("a100_mig.query.txt"))
    nvidia_smi.attach_mig_devices(gpus, nvidia_smi.parse_list(fixture("a100_mig.list.txt").replace("\n", "\r\n")))
    assert len(gpus[0]["mig_devices"]) == 4
    assert gpus[0]["mig_devices"][0]["uuid"] == "MIG-0b6e2f41-8d3c-5e7a-9f10-2a3b4c5d6e7f"


def test_listing_without_mig():
    listing = nvidia_smi.parse_list(fixture("4x_l40s.list.txt"))
    assert [(g["index"], g["mig_devices"]) for g in listing] == [(i, []) for i in range(4)]
    gpus = nvidia_smi.attach_mig_devices(nvidia_smi.parse_query(fixture("4x_l40s.query.txt")), listing)
    assert all(g["mig_devices"] == [] for g in gpus)


def test_old_driver_mig_uuid_format():
    text = ("GPU 0: A100-SXM4-40GB (UUID: GPU-5d5ba0d6-d33d-2b2c-524d-9e3d8d2b8a77)\n"
            "  MIG 1g.5gb Device 0: (UUID: MIG-GPU-5d5ba0d6-d33d-2b2c-524d-9e3d8d2b8a77/7/0)\n")
    (gpu,) = nvidia_smi.parse_list(text)
    assert gpu["mig_devices"] == [
        {"profile": "1g.5gb", "device": 0, "uuid": "MIG-GPU-5d5ba0d6-d33d-2b2c-524d-9e3d8d2b8a77/7/0", "memory_gb": 5}
    ]


def test_first_line_of_driver_failure():
    assert nvidia_smi.first_line("", fixture("driver_failure.txt")) == (
        "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. "
        "Make sure that the latest NVIDIA driver is installed and running."
    )
    assert nvidia_smi.first_line("\n  \nsecond\n", "other") == "second"
    assert nvidia_smi.first_line("", None) == ""
