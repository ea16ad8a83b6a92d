# FoundryCloud Platform: the inference gateway's plugin for the LiteLLM proxy.
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""API keys as data, budgets and usage accounting for the LiteLLM proxy, without LiteLLM's database.

LiteLLM loads this module inside the gateway container (catalog entry ``gateway``):
``general_settings.custom_auth: foundrycloud_gateway.user_api_key_auth`` and
``litellm_settings.callbacks: foundrycloud_gateway.usage_logger``.

* Keys: the inventory declares them (inference_gateway_api_keys), the platform keeps their values
  as secrets and writes only SHA-256 hashes with each key's limits to ``keys.json``
  (FOUNDRYCLOUD_GATEWAY_KEYS_FILE). The file is re-read when it changes, so adding or revoking a
  key needs no restart. A request without a known key is refused with 401.
* Limits: the key's requests and tokens per minute go back to LiteLLM on its ``UserAPIKeyAuth``,
  and LiteLLM's own rate limiter enforces them (429).
* Budgets: a key with ``max_budget`` is refused with 429 once its cost over the last
  ``budget_period_days`` reaches it. The cost comes from the usage table; if that table cannot be
  read, such a key is refused with 503 rather than served unaccounted.
* Usage: one row per request (success or failure) in ``gateway_usage`` of the gateway's
  PostgreSQL (FOUNDRYCLOUD_GATEWAY_DATABASE_URL), the base of pay-as-you-go accounting; the view
  ``gateway_usage_daily`` sums it per key, model and day.

This file is rendered as a template by the platform: it must not contain Jinja markers.
The functions that do not need LiteLLM or PostgreSQL are unit-tested
(tests/unit/catalog/test_gateway_plugin.py).
"""

import asyncio
import hashlib
import json
import logging
import os
import time
import urllib.parse

LOG = logging.getLogger("foundrycloud_gateway")

KEY_FIELDS = ("name", "sha256", "team", "kind", "models", "rpm", "tpm", "max_budget", "budget_period_days")
SPEND_CACHE_SECONDS = 5.0
HEALTH_CHECK_KEY = "litellm-internal-health-check"

SCHEMA = """
CREATE TABLE IF NOT EXISTS gateway_usage (
    id bigserial PRIMARY KEY,
    ts timestamptz NOT NULL DEFAULT now(),
    request_id text,
    key_name text NOT NULL,
    team text,
    model_group text,
    model text,
    api_base text,
    call_type text,
    status text NOT NULL,
    prompt_tokens integer NOT NULL DEFAULT 0,
    completion_tokens integer NOT NULL DEFAULT 0,
    total_tokens integer NOT NULL DEFAULT 0,
    cost double precision NOT NULL DEFAULT 0,
    duration_ms integer,
    error text
);
CREATE INDEX IF NOT EXISTS gateway_usage_key_ts ON gateway_usage (key_name, ts);
CREATE OR REPLACE VIEW gateway_usage_daily AS
    SELECT date_trunc('day', ts) AS day, key_name, team, model_group,
           count(*) AS requests,
           count(*) FILTER (WHERE status <> 'success') AS failed_requests,
           sum(prompt_tokens) AS prompt_tokens, sum(completion_tokens) AS completion_tokens,
           sum(total_tokens) AS total_tokens, sum(cost) AS cost
      FROM gateway_usage GROUP BY 1, 2, 3, 4;
"""

INSERT = """
INSERT INTO gateway_usage (request_id, key_name, team, model_group, model, api_base, call_type, status,
                           prompt_tokens, completion_tokens, total_tokens, cost, duration_ms, error)
VALUES (%(request_id)s, %(key_name)s, %(team)s, %(model_group)s, %(model)s, %(api_base)s, %(call_type)s,
        %(status)s, %(prompt_tokens)s, %(completion_tokens)s, %(total_tokens)s, %(cost)s, %(duration_ms)s,
        %(error)s)
"""

SPEND = """
SELECT coalesce(sum(cost), 0) FROM gateway_usage
 WHERE key_name = %s AND ts > now() - make_interval(days => %s)
"""


def hash_key(api_key):
    return hashlib.sha256(api_key.encode("utf-8")).hexdigest()


def parse_keys(text):
    """sha256 -> key entry, from the keys file's JSON. Raises ValueError naming the bad entry."""
    document = json.loads(text)
    entries = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise ValueError("keys file: expected {\"keys\": [...]}")
    keys = {}
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or not entry.get("name") or len(str(entry.get("sha256", ""))) != 64:
            raise ValueError("keys file: entry %d needs a name and a 64-character sha256" % index)
        unknown = sorted(set(entry) - set(KEY_FIELDS))
        if unknown:
            raise ValueError("keys file: key %s has unknown fields %s" % (entry["name"], ", ".join(unknown)))
        keys[entry["sha256"].lower()] = {
            "name": str(entry["name"]),
            "team": entry.get("team") or None,
            "kind": entry.get("kind") or "user",
            "models": list(entry.get("models") or []),
            "rpm": entry.get("rpm"),
            "tpm": entry.get("tpm"),
            "max_budget": entry.get("max_budget"),
            "budget_period_days": int(entry.get("budget_period_days") or 30),
        }
    return keys


class KeyStore:
    """The keys file, re-read when its modification time or size changes. A file that cannot be
    read or parsed keeps the keys read before (and says so in the log): a broken edit must not
    lock everybody out, nor let anybody in."""

    def __init__(self, path):
        self.path = path
        self._signature = None
        self._keys = {}

    def lookup(self, api_key):
        self._refresh()
        if not api_key:
            return None
        return self._keys.get(hash_key(api_key))

    def _refresh(self):
        try:
            stat = os.stat(self.path)
        except OSError as exc:
            if self._signature is not None:
                LOG.error("keys file %s is gone (%s); keeping the %d keys read before", self.path, exc, len(self._keys))
            return
        signature = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        if signature == self._signature:
            return
        try:
            with open(self.path, encoding="utf-8") as handle:
                keys = parse_keys(handle.read())
        except (OSError, ValueError) as exc:
            LOG.error("keys file %s not loaded (%s); keeping the %d keys read before", self.path, exc, len(self._keys))
            return
        self._keys, self._signature = keys, signature
        LOG.info("keys file %s loaded: %d keys", self.path, len(keys))


def node_of(api_base):
    """scheme://host:port of the deployment that served (LiteLLM adds the route, e.g. /api/chat)."""
    if not api_base:
        return None
    parts = urllib.parse.urlsplit(str(api_base))
    return "%s://%s" % (parts.scheme, parts.netloc) if parts.scheme and parts.netloc else str(api_base)


def is_health_check(payload):
    """LiteLLM's own background health checks are logged like requests; they are nobody's usage."""
    metadata = (payload or {}).get("metadata") or {}
    return HEALTH_CHECK_KEY in (metadata.get("user_api_key_alias"), metadata.get("user_api_key_user_id"))


def usage_row(payload, status):
    """The gateway_usage row of one request, from LiteLLM's standard logging payload."""
    payload = payload or {}
    metadata = payload.get("metadata") or {}
    start, end = payload.get("startTime"), payload.get("endTime")
    duration = int(round((end - start) * 1000)) if isinstance(start, (int, float)) and isinstance(end, (int, float)) else None
    return {
        "request_id": payload.get("id"),
        "key_name": metadata.get("user_api_key_alias") or metadata.get("user_api_key_user_id") or "unknown",
        "team": metadata.get("user_api_key_team_id"),
        "model_group": payload.get("model_group"),
        "model": payload.get("model"),
        "api_base": node_of(payload.get("api_base")),
        "call_type": payload.get("call_type"),
        "status": status,
        "prompt_tokens": int(payload.get("prompt_tokens") or 0),
        "completion_tokens": int(payload.get("completion_tokens") or 0),
        "total_tokens": int(payload.get("total_tokens") or 0),
        "cost": float(payload.get("response_cost") or 0.0),
        "duration_ms": duration,
        "error": (payload.get("error_str") or None) if status != "success" else None,
    }


class UsageStore:
    """One connection to the gateway's PostgreSQL, opened lazily and again after an error."""

    def __init__(self, url):
        self.url = url
        self._connection = None
        self._lock = asyncio.Lock()
        self._spend = {}

    async def _connect(self):
        import psycopg  # the gateway image carries psycopg 3 (litellm's extra-proxy set)

        if self._connection is None or self._connection.closed:
            self._connection = await psycopg.AsyncConnection.connect(self.url, autocommit=True, connect_timeout=5)
            await self._connection.execute(SCHEMA)
        return self._connection

    async def record(self, row):
        async with self._lock:
            try:
                connection = await self._connect()
                await connection.execute(INSERT, row)
            except Exception as exc:  # noqa: BLE001 - accounting must never break a served request
                LOG.error("usage of key %s not recorded: %s", row.get("key_name"), exc)
                self._connection = None

    async def spend(self, key_name, days):
        cached = self._spend.get((key_name, days))
        if cached and time.monotonic() - cached[0] < SPEND_CACHE_SECONDS:
            return cached[1]
        async with self._lock:
            try:
                connection = await self._connect()
                cursor = await connection.execute(SPEND, (key_name, days))
                value = float((await cursor.fetchone())[0])
            except Exception:
                self._connection = None
                raise
        self._spend[(key_name, days)] = (time.monotonic(), value)
        return value


KEYS = KeyStore(os.environ.get("FOUNDRYCLOUD_GATEWAY_KEYS_FILE", "/app/foundrycloud/keys.json"))
USAGE = UsageStore(os.environ.get("FOUNDRYCLOUD_GATEWAY_DATABASE_URL", ""))


def _refuse(message, kind, code):
    from litellm.proxy._types import ProxyException

    return ProxyException(message=message, type=kind, param="api_key", code=code)


async def _requested_model(request):
    """The model a request names, if it names one. LiteLLM's reader caches the parsed body on
    the request, so the route reads the same body afterwards."""
    from litellm.proxy.common_utils.http_parsing_utils import _read_request_body

    try:
        body = await _read_request_body(request=request)
    except Exception:  # noqa: BLE001 - no JSON body: nothing to check here
        return None
    model = body.get("model") if isinstance(body, dict) else None
    return str(model) if model else None


async def user_api_key_auth(request, api_key):
    """LiteLLM's custom_auth hook: the key's identity and limits, or 401/429/503."""
    from litellm.proxy._types import UserAPIKeyAuth

    entry = KEYS.lookup(api_key)
    if entry is None:
        raise _refuse("Authentication error: missing or unknown API key", "auth_error", 401)
    if entry["max_budget"] is not None:
        try:
            spent = await USAGE.spend(entry["name"], entry["budget_period_days"])
        except Exception as exc:  # noqa: BLE001
            LOG.error("budget of key %s not checked: %s", entry["name"], exc)
            raise _refuse("Usage store unavailable: budgeted key refused", "service_unavailable", 503) from None
        if spent >= float(entry["max_budget"]):
            raise _refuse("Budget exceeded for key %s: %.4f of %.4f in %d days"
                          % (entry["name"], spent, float(entry["max_budget"]), entry["budget_period_days"]),
                          "budget_exceeded", 429)
    if entry["models"]:
        model = await _requested_model(request)
        if model is not None and model not in entry["models"]:
            raise _refuse("Key %s may not use model %s (allowed: %s)" % (entry["name"], model, ", ".join(entry["models"])),
                          "permission_denied", 403)
    return UserAPIKeyAuth(
        api_key=api_key,
        key_alias=entry["name"],
        user_id=entry["name"],
        team_id=entry["team"],
        models=entry["models"],
        rpm_limit=entry["rpm"],
        tpm_limit=entry["tpm"],
        metadata={"foundrycloud_kind": entry["kind"]},
    )


def _make_usage_logger():
    from litellm.integrations.custom_logger import CustomLogger

    class UsageLogger(CustomLogger):
        async def async_log_success_event(self, kwargs, response_obj, start_time, end_time):
            payload = kwargs.get("standard_logging_object")
            if not is_health_check(payload):
                await USAGE.record(usage_row(payload, "success"))

        async def async_log_failure_event(self, kwargs, response_obj, start_time, end_time):
            payload = kwargs.get("standard_logging_object")
            row = usage_row(payload, "failure")
            # Refused before a key was known (401), or a health check: not usage of any key.
            if row["key_name"] != "unknown" and not is_health_check(payload):
                await USAGE.record(row)

    return UsageLogger()


try:
    usage_logger = _make_usage_logger()
except ImportError:  # unit tests import this module without LiteLLM
    usage_logger = None
