"""Test double fixtures: builds the content served by the Ollama registry double.

Not production code, never imported by the collection's plugins. Runs on the controller with
the repository venv (it needs the ``gguf`` package, ``gguf>=0.17,<0.20``) and writes, from
``tests/doubles/models.json``::

    DIR/manifests/<namespace>/<model>/<tag>   manifest JSON, the exact bytes the registry serves
    DIR/headers/<hex>.gguf                    GGUF header of a model or projector layer
    DIR/headers/<hex>.bin                     full content of a small layer (config, template,
                                              params, license)
    DIR/blobs.json                            "sha256:<hex>" -> size, header file, media type
    DIR/catalog.json                          per model: manifest digest, layer digests, sizes

Each GGUF header is a real one written with ``gguf.GGUFWriter``: the model's key/value
metadata (models.json), a ``tokenizer.ggml.tokens`` array with the real token count (short
synthetic strings) and the tensor info of ONE small tensor, padded to the GGUF alignment. The
registry double serves it as the start of a "virtual" blob that continues with zeros up to
the declared size.

Digests: a small layer's digest is the sha256 of its content, as in a real registry. A model or
projector layer's digest is an identifier, sha256(header bytes + declared size as ASCII
decimal): it is NOT the hash of the (virtual) content, which nobody downloads in full.

The output is deterministic (no timestamps, stable ordering): the same models.json and the
same script give the same bytes, so callers can cache DIR under ``--print-cache-key``.

Usage::

    .venv/bin/python tests/doubles/build_registry_fixtures.py --output DIR [--only NAME ...]
    .venv/bin/python tests/doubles/build_registry_fixtures.py --print-cache-key
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_MODELS = HERE / "models.json"

MANIFEST_MEDIA_TYPE = "application/vnd.docker.distribution.manifest.v2+json"
CONFIG_MEDIA_TYPE = "application/vnd.docker.container.image.v1+json"
LAYER_MEDIA_TYPES = {
    "model": "application/vnd.ollama.image.model",
    "projector": "application/vnd.ollama.image.projector",
    "template": "application/vnd.ollama.image.template",
    "system": "application/vnd.ollama.image.system",
    "params": "application/vnd.ollama.image.params",
    "license": "application/vnd.ollama.image.license",
}
# Manifest order of the layers (model first: Ollama pulls in manifest order, config last).
LAYER_ORDER = ("model", "projector", "template", "system", "license", "params")
GGUF_ALIGNMENT = 32


def compact_json(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def parse_name(name: str) -> tuple[str, str, str]:
    """'model[:tag]' or 'namespace/model[:tag]' -> (namespace, model, tag)."""
    base, _sep, tag = name.partition(":")
    parts = base.split("/")
    if len(parts) == 1:
        namespace, model = "library", parts[0]
    elif len(parts) == 2:
        namespace, model = parts
    else:
        raise ValueError(f"{name}: the fixtures hold names of one registry, give namespace/model:tag")
    return namespace, model, tag or "latest"


def synthetic_tokens(count: int) -> list[str]:
    # Short, unique, deterministic strings: only the count matters to the readers.
    return [f"t{i:x}" for i in range(count)]


def gguf_header(arch: str, layer: dict, name: str) -> bytes:
    """A real GGUF header (KV metadata + one tensor info, padded) written by gguf.GGUFWriter."""
    try:
        import gguf  # noqa: PLC0415 - optional dependency, only this builder needs it
    except ImportError:
        sys.exit("build_registry_fixtures.py needs the gguf package: .venv/bin/pip install 'gguf>=0.17,<0.20'")
    import numpy as np  # noqa: PLC0415 - comes with gguf

    with tempfile.TemporaryDirectory(prefix="gguf-header-") as tmp:
        path = Path(tmp) / "header.gguf"
        writer = gguf.GGUFWriter(path, arch)
        for key, value in layer.get("gguf", {}).items():
            if key == "general.architecture":
                continue
            add_kv(writer, gguf, key, value)
        tok = layer.get("tokenizer")
        if tok:
            writer.add_string("tokenizer.ggml.model", tok["model"])
            if tok.get("pre"):
                writer.add_string("tokenizer.ggml.pre", tok["pre"])
            writer.add_array("tokenizer.ggml.tokens", synthetic_tokens(int(tok["tokens"])))
            for key in ("bos_token_id", "eos_token_id"):
                if key in tok:
                    writer.add_uint32(f"tokenizer.ggml.{key}", int(tok[key]))
        tensor = layer.get("tensor") or {"name": "output_norm.weight", "shape": [64], "dtype": "F32"}
        dtype = {"F32": np.float32, "F16": np.float16}[tensor.get("dtype", "F32")]
        n_elements = 1
        for dim in tensor["shape"]:
            n_elements *= int(dim)
        writer.add_tensor_info(
            tensor["name"], [int(d) for d in tensor["shape"]], np.dtype(dtype), n_elements * np.dtype(dtype).itemsize
        )
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_ti_data_to_file()
        writer.close()
        data = path.read_bytes()
    pad = (-len(data)) % GGUF_ALIGNMENT
    data += b"\0" * pad
    if not data.startswith(b"GGUF"):
        raise RuntimeError(f"{name}: gguf.GGUFWriter did not write a GGUF header")
    return data


def add_kv(writer, gguf, key: str, value) -> None:
    if isinstance(value, dict):  # {"type": "uint64", "value": N}
        vtype = value["type"]
        getattr(writer, f"add_{vtype}")(key, value["value"])
    elif isinstance(value, bool):
        writer.add_bool(key, value)
    elif isinstance(value, int):
        if 0 <= value < 2**32:
            writer.add_uint32(key, value)
        else:
            writer.add_uint64(key, value)
    elif isinstance(value, float):
        writer.add_float32(key, value)
    elif isinstance(value, str):
        writer.add_string(key, value)
    elif isinstance(value, list):
        writer.add_array(key, value)
    else:
        raise TypeError(f"{key}: unsupported value {value!r}")


def identifier_digest(header: bytes, size: int) -> str:
    return "sha256:" + hashlib.sha256(header + str(size).encode("ascii")).hexdigest()


def content_digest(content: bytes) -> str:
    return "sha256:" + hashlib.sha256(content).hexdigest()


class Builder:
    def __init__(self, out: Path):
        self.out = out
        self.blobs: dict[str, dict] = {}
        self.catalog: dict[str, dict] = {}

    def add_blob(self, digest: str, header: bytes, size: int, media_type: str, ext: str) -> None:
        hexd = digest.split(":", 1)[1]
        rel = f"headers/{hexd}.{ext}"
        (self.out / rel).write_bytes(header)
        self.blobs[digest] = {
            "size": size,
            "header": rel,
            "header_length": len(header),
            "media_type": media_type,
            "content_hash": len(header) == size,
        }

    def small_blob(self, kind: str, content: bytes) -> dict:
        media_type = CONFIG_MEDIA_TYPE if kind == "config" else LAYER_MEDIA_TYPES[kind]
        digest = content_digest(content)
        self.add_blob(digest, content, len(content), media_type, "bin")
        return {"mediaType": media_type, "digest": digest, "size": len(content)}

    def gguf_blob(self, kind: str, arch: str, layer: dict, model_name: str) -> dict:
        size = int(layer["size"])
        header = gguf_header(arch, layer, model_name)
        if len(header) > size:
            raise ValueError(f"{model_name} {kind}: header ({len(header)} bytes) larger than the layer ({size})")
        digest = content_digest(header) if len(header) == size else identifier_digest(header, size)
        self.add_blob(digest, header, size, LAYER_MEDIA_TYPES[kind], "gguf")
        return {"mediaType": LAYER_MEDIA_TYPES[kind], "digest": digest, "size": size}

    def model(self, spec: dict) -> None:
        name = spec["name"]
        layers_spec = spec["layers"]
        layers = []
        for kind in LAYER_ORDER:
            if kind not in layers_spec:
                continue
            value = layers_spec[kind]
            if kind in ("model", "projector"):
                arch = value.get("architecture") or spec["architecture"]
                layers.append(self.gguf_blob(kind, arch, value, name))
            elif kind == "params":
                layers.append(self.small_blob(kind, compact_json(value)))
            else:
                layers.append(self.small_blob(kind, str(value).encode("utf-8")))
        config = {
            "model_format": "gguf",
            "model_family": spec["family"],
            "model_families": spec["families"],
            "model_type": spec["parameter_size"],
            "file_type": spec["quantization_level"],
            "architecture": "amd64",
            "os": "linux",
            "rootfs": {"type": "layers", "diff_ids": [layer["digest"] for layer in layers]},
        }
        config_desc = self.small_blob("config", compact_json(config))
        manifest = compact_json(
            {"schemaVersion": 2, "mediaType": MANIFEST_MEDIA_TYPE, "config": config_desc, "layers": layers}
        )
        manifest_digest = content_digest(manifest)
        names = [name, *spec.get("aliases", [])]
        for tagged in names:
            namespace, model, tag = parse_name(tagged)
            path = self.out / "manifests" / namespace / model / tag
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(manifest)
        model_layer = layers[0]
        self.catalog[name] = {
            "aliases": spec.get("aliases", []),
            "manifest_digest": manifest_digest,
            "config_digest": config_desc["digest"],
            "layers": dict(zip([k for k in LAYER_ORDER if k in layers_spec], layers)),
            "model_digest": model_layer["digest"],
            "model_size": model_layer["size"],
            "header_length": self.blobs[model_layer["digest"]]["header_length"],
            "total_size": sum(layer["size"] for layer in layers) + config_desc["size"],
            "architecture": spec["architecture"],
        }

    def finish(self) -> None:
        (self.out / "blobs.json").write_text(json.dumps(self.blobs, indent=1, sort_keys=True) + "\n")
        (self.out / "catalog.json").write_text(json.dumps(self.catalog, indent=1, sort_keys=True) + "\n")


def cache_key(models_path: Path) -> str:
    digest = hashlib.sha256()
    digest.update(models_path.read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=Path, default=DEFAULT_MODELS, help="seed models (default: %(default)s)")
    parser.add_argument("--output", type=Path, help="fixtures directory to (re)write")
    parser.add_argument("--only", action="append", default=[], metavar="NAME", help="build only these models")
    parser.add_argument("--print-cache-key", action="store_true", help="print sha256(models.json + this script)")
    args = parser.parse_args(argv)

    if args.print_cache_key:
        print(cache_key(args.models))
        return 0
    if not args.output:
        parser.error("--output is required")

    spec = json.loads(args.models.read_text(encoding="utf-8"))
    models = spec["models"]
    if args.only:
        known = {m["name"] for m in models}
        unknown = [n for n in args.only if n not in known]
        if unknown:
            parser.error(f"unknown model(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        models = [m for m in models if m["name"] in args.only]

    out = args.output
    out.mkdir(parents=True, exist_ok=True)
    for stale in ("manifests", "headers"):
        shutil.rmtree(out / stale, ignore_errors=True)
    (out / "headers").mkdir()
    builder = Builder(out)
    for model in models:
        builder.model(model)
    builder.finish()
    (out / "cache-key").write_text(cache_key(args.models) + "\n")
    print(f"{len(models)} model(s), {len(builder.blobs)} blob(s) written to {os.fspath(out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
