# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Connection options shared by the Ceph modules (CEPH_COMMON_ARGS in module_utils/ceph.py).
    DOCUMENTATION = r"""
options:
  cluster:
    description:
      - Name of the Ceph cluster (C(--cluster)); selects C(/etc/ceph/<cluster>.conf) and the default keyring paths.
    type: str
    default: ceph
  user:
    description:
      - The cephx entity the commands run as (C(--name)), for example C(client.admin).
    type: str
    default: client.admin
  keyring:
    description:
      - Keyring file of O(user). Default is Ceph's search path (C(/etc/ceph/<cluster>.<user>.keyring), ...).
    type: path
  conf:
    description:
      - Path of the cluster's configuration file. Default is C(/etc/ceph/<cluster>.conf).
    type: path
  connect_timeout:
    description:
      - Seconds each Ceph command may spend reaching the monitors (C(--connect-timeout), C(--client-mount-timeout)).
        A cluster that does not answer in this time makes the task fail with C(cluster not reachable).
    type: int
    default: 30
attributes:
  platform:
    platforms: posix
requirements:
  - The Ceph command line tools (C(ceph-common); C(radosgw) for C(radosgw-admin)) on the target host, with a
    C(ceph.conf) and a keyring allowed to do what the task asks.
"""
