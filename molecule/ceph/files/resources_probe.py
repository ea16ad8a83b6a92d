# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Probes of the Ceph resources for molecule/ceph/verify_resources.yml; prints one JSON line.

  python3 - rbd POOL CLIENT_ID [FORBIDDEN_POOL]  librbd with the client's keyring: write an image,
                                                read it back, remove it; FORBIDDEN_POOL must refuse
  python3 - cephfs FS CLIENT_ID PATH            libcephfs with the client's keyring: read PATH
  python3 - s3 ENDPOINT BUCKET                  S3 (Signature V4, standard library only) with
                                                S3_ACCESS_KEY/S3_SECRET_KEY: put, get, list, delete

rbd and cephfs run inside a client container (python3-rbd, python3-cephfs); s3 runs anywhere.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

CONF = "/etc/ceph/ceph.conf"


def probe_rbd(pool, client_id, forbidden=None):
    import rados  # pylint: disable=import-outside-toplevel,import-error
    import rbd  # pylint: disable=import-outside-toplevel,import-error

    payload = b"foundrycloud-rbd-probe-" + os.urandom(8).hex().encode()
    cluster = rados.Rados(conffile=CONF, rados_id=client_id)
    cluster.connect(timeout=30)
    result = {"pool": pool, "client": "client." + client_id}
    try:
        with cluster.open_ioctx(pool) as ioctx:
            rbd.RBD().create(ioctx, "verify-probe", 8 * 1024 * 1024)
            try:
                with rbd.Image(ioctx, "verify-probe") as image:
                    image.write(payload, 4096)
                    result["read_back"] = image.read(4096, len(payload)) == payload
            finally:
                rbd.RBD().remove(ioctx, "verify-probe")
        if forbidden:
            try:
                with cluster.open_ioctx(forbidden) as ioctx:
                    rbd.RBD().create(ioctx, "verify-forbidden", 4 * 1024 * 1024)
                result["forbidden_refused"] = False
            except (rados.PermissionError, rbd.PermissionError, rados.Error, rbd.Error) as exc:
                result["forbidden_refused"] = True
                result["forbidden_error"] = type(exc).__name__
    finally:
        cluster.shutdown()
    return result


def probe_cephfs(fs_name, client_id, path):
    import cephfs  # pylint: disable=import-outside-toplevel,import-error

    fs = cephfs.LibCephFS(conffile=CONF, auth_id=client_id)
    fs.init()
    fs.mount(filesystem_name=fs_name.encode())
    try:
        fd = fs.open(path.encode(), "r")
        try:
            content = fs.read(fd, 0, 4096)
        finally:
            fs.close(fd)
    finally:
        fs.unmount()
        fs.shutdown()
    return {"fs": fs_name, "client": "client." + client_id, "path": path, "content": content.decode()}


def _sign(key, text):
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def s3_request(endpoint, method, path, body=b"", region="default"):
    """One S3 request signed with Signature V4 (credentials from the environment)."""
    access_key, secret_key = os.environ["S3_ACCESS_KEY"], os.environ["S3_SECRET_KEY"]
    url = urllib.parse.urlsplit(endpoint)
    now = datetime.datetime.now(datetime.timezone.utc)
    stamp, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
    payload_hash = hashlib.sha256(body).hexdigest()
    headers = {"host": url.netloc, "x-amz-content-sha256": payload_hash, "x-amz-date": stamp}
    signed = ";".join(sorted(headers))
    canonical = "\n".join([method, urllib.parse.quote(path), "", "".join("%s:%s\n" % (k, headers[k]) for k in sorted(headers)),
                           signed, payload_hash])
    scope = "%s/%s/s3/aws4_request" % (day, region)
    to_sign = "\n".join(["AWS4-HMAC-SHA256", stamp, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = _sign(_sign(_sign(_sign(("AWS4" + secret_key).encode(), day), region), "s3"), "aws4_request")
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    headers["authorization"] = "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s" % (access_key, scope, signed, signature)
    request = urllib.request.Request(endpoint.rstrip("/") + path, data=body if method == "PUT" else None, method=method,
                                     headers=headers)
    with urllib.request.urlopen(request, timeout=30) as answer:
        return answer.status, answer.read()


def probe_s3(endpoint, bucket):
    payload = b"foundrycloud-s3-probe-" + os.urandom(8).hex().encode()
    key = "/%s/verify-probe.txt" % bucket
    result = {"bucket": bucket}
    result["put"] = s3_request(endpoint, "PUT", key, payload)[0]
    status, body = s3_request(endpoint, "GET", key)
    result["read_back"] = status == 200 and body == payload
    result["listed"] = b"verify-probe.txt" in s3_request(endpoint, "GET", "/%s" % bucket)[1]
    result["deleted"] = s3_request(endpoint, "DELETE", key)[0]
    try:
        s3_request(endpoint, "GET", "/%s" % bucket, region="default")
        result["bucket_exists"] = True
    except urllib.error.HTTPError as exc:
        result["bucket_exists"] = exc.code != 404
    return result


def main(argv):
    kind, args = argv[1], argv[2:]
    probes = {"rbd": probe_rbd, "cephfs": probe_cephfs, "s3": probe_s3}
    print(json.dumps(probes[kind](*args)))


if __name__ == "__main__":
    main(sys.argv)
