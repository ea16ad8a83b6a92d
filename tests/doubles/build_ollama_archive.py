"""Test double packaging: builds an Ollama "release archive" that holds the Ollama server double.

Not production code. Writes ``ollama-linux-<arch>.tgz`` laid out like the official release
archive, so the role installs the double exactly as it installs the real Ollama::

    bin/ollama           tests/doubles/ollama_server.py behind a "#!/usr/bin/env python3" line, 0755
    lib/ollama/README    says that the double ships no GPU libraries

The archive is deterministic (entries sorted, mtime 0, uid/gid 0, no gzip timestamp or file
name): the same ollama_server.py gives the same bytes, hence the same checksum. Standard
library only.

Usage::

    python3 tests/doubles/build_ollama_archive.py [--arch amd64|arm64] [--output-dir DIR] [--json]

Prints the archive path and ``sha256:<hex>``, the value for ``ollama_archive_checksum``.
"""

from __future__ import annotations

import argparse
import gzip
import os
import hashlib
import io
import json
import platform
import sys
import tarfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SERVER = HERE / "ollama_server.py"
SHEBANG = b"#!/usr/bin/env python3\n"
README = b"""This is the test double of Ollama built by tests/doubles/build_ollama_archive.py of the
foundrycloud.platform collection, not a release of Ollama.

bin/ollama is a Python 3 protocol double of the Ollama HTTP API (see its docstring). The real
release archive keeps its GPU runtime libraries (CUDA, ROCm) in this directory; the double has
none and never uses a GPU.
"""
ARCHES = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}


def server_script() -> bytes:
    source = SERVER.read_bytes()
    if source.startswith(b"#!"):
        source = source.split(b"\n", 1)[1]
    return SHEBANG + source


def build(output_dir: Path, arch: str) -> Path:
    entries = [  # (name, mode, content or None for a directory), sorted by name
        ("bin", 0o755, None),
        ("bin/ollama", 0o755, server_script()),
        ("lib", 0o755, None),
        ("lib/ollama", 0o755, None),
        ("lib/ollama/README", 0o644, README),
    ]
    tar_buffer = io.BytesIO()
    with tarfile.open(fileobj=tar_buffer, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, mode, content in sorted(entries):
            info = tarfile.TarInfo(name)
            info.mode = mode
            info.mtime = 0
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            if content is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            else:
                info.size = len(content)
                tar.addfile(info, io.BytesIO(content))
    gz_buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=gz_buffer, mtime=0, compresslevel=9) as gz:
        gz.write(tar_buffer.getvalue())
    output_dir.mkdir(parents=True, exist_ok=True)
    path = output_dir / f"ollama-linux-{arch}.tgz"
    # Written aside and renamed: scenarios running at the same time may read it meanwhile.
    partial = path.with_name(path.name + ".%d.partial" % os.getpid())
    partial.write_bytes(gz_buffer.getvalue())
    os.replace(partial, path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the Ollama double release archive.")
    default_arch = ARCHES.get(platform.machine().lower(), "amd64")
    parser.add_argument("--arch", choices=sorted(set(ARCHES.values())), default=default_arch)
    parser.add_argument("--output-dir", type=Path, default=Path.cwd(), help="where to write (default: current directory)")
    parser.add_argument("--json", action="store_true", help="print {path, sha256, checksum} as JSON")
    args = parser.parse_args(argv)
    path = build(args.output_dir, args.arch)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if args.json:
        print(json.dumps({"path": str(path), "sha256": digest, "checksum": f"sha256:{digest}"}))
    else:
        print(path)
        print(f"sha256:{digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
