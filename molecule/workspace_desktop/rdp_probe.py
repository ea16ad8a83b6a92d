"""RDP handshake probe: an X.224 Connection Request (in TPKT) asking for one security protocol.

Usage: rdp_probe.py HOST PORT. Prints JSON with one entry per request: "tls" asks for TLS
(PROTOCOL_SSL) and completes the TLS handshake when the server selects it; "rdp" asks for
standard RDP security only. Each entry holds the TPDU code (0xd0 is Connection Confirm), the
negotiation response type (2 response, 3 failure) and its value (selected protocol or failure code).
"""
import hashlib
import json
import socket
import ssl
import struct
import sys


def probe(host, port, protocol):
    neg_req = struct.pack("<BBHI", 1, 0, 8, protocol)  # RDP_NEG_REQ
    x224 = bytes([6 + len(neg_req), 0xE0, 0, 0, 0, 0, 0]) + neg_req  # CR TPDU
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(struct.pack(">BBH", 3, 0, 4 + len(x224)) + x224)  # TPKT
        reply = sock.recv(64)
        result = {"tpkt_version": reply[0], "tpdu": "0x%02x" % (reply[5] & 0xF0)}
        if len(reply) >= 19:
            neg_type, _flags, _length, neg_value = struct.unpack("<BBHI", reply[11:19])
            result["neg_type"], result["neg_value"] = neg_type, neg_value
        if protocol and result.get("neg_type") == 2 and result["neg_value"] & 1:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE  # the snakeoil certificate; compared by fingerprint instead
            with context.wrap_socket(sock) as tls:
                result["tls_version"] = tls.version()
                result["cert_sha256"] = hashlib.sha256(tls.getpeercert(binary_form=True)).hexdigest()
    return result


if __name__ == "__main__":
    print(json.dumps({"tls": probe(sys.argv[1], int(sys.argv[2]), 1),
                      "rdp": probe(sys.argv[1], int(sys.argv[2]), 0)}))
