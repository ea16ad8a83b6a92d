# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fixture the inventory validation tests share (their data: inventory_cases.py)."""

from __future__ import annotations

import pytest


@pytest.fixture
def platform(make_platform):
    return make_platform()
