# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read the metadata (key/value) section of a GGUF file, and nothing else.

The reader works on a byte prefix of the file, so callers can fetch the header with HTTP
range requests: if the prefix ends too early, GGUFTruncated says how many bytes to fetch
next. Tensor information and tensor data are never read.

Layout (GGUF v2 and v3; v1 used 32-bit counts and lengths and is rejected)::

    magic "GGUF" | version u32 | tensor_count u64 | kv_count u64 | kv_count x (key, type, value)
    key    = u64 length + UTF-8 bytes
    value  = scalar | string (u64 length + bytes) | array (item type u32, count u64, items)
"""

from __future__ import annotations

import struct

MAGIC = b"GGUF"
SUPPORTED_VERSIONS = (2, 3)

# Arrays up to this many elements are returned as lists; longer ones (the tokenizer's vocabulary,
# merges, scores) only as GGUFArray(item_type, count) so that 150k strings are never built.
MAX_LIST_ITEMS = 256

# Sanity limits: anything beyond these is corruption, not a model.
MAX_STRING_BYTES = 64 * 1024 * 1024
MAX_ARRAY_ITEMS = 2 ** 31
MAX_KV_COUNT = 1000000

_HEADER_SIZE = 4 + 4 + 8 + 8

# GGUF value type codes -> (name, struct format or None for variable-size types).
T_UINT8, T_INT8, T_UINT16, T_INT16, T_UINT32, T_INT32, T_FLOAT32, T_BOOL = range(8)
T_STRING, T_ARRAY, T_UINT64, T_INT64, T_FLOAT64 = range(8, 13)

_SCALAR_FORMATS = {
    T_UINT8: "B",
    T_INT8: "b",
    T_UINT16: "H",
    T_INT16: "h",
    T_UINT32: "I",
    T_INT32: "i",
    T_FLOAT32: "f",
    T_BOOL: "B",
    T_UINT64: "Q",
    T_INT64: "q",
    T_FLOAT64: "d",
}

TYPE_NAMES = {
    T_UINT8: "uint8",
    T_INT8: "int8",
    T_UINT16: "uint16",
    T_INT16: "int16",
    T_UINT32: "uint32",
    T_INT32: "int32",
    T_FLOAT32: "float32",
    T_BOOL: "bool",
    T_STRING: "string",
    T_ARRAY: "array",
    T_UINT64: "uint64",
    T_INT64: "int64",
    T_FLOAT64: "float64",
}

# Keys the VRAM estimator needs, relative to "<architecture>.".
_ARCH_KEYS = {
    "block_count": "block_count",
    "head_count": "attention.head_count",
    "head_count_kv": "attention.head_count_kv",
    "embedding_length": "embedding_length",
    "key_length": "attention.key_length",
    "value_length": "attention.value_length",
    "context_length": "context_length",
}
# Without these the estimate is meaningless; has_architecture waits for them.
_REQUIRED_ARCH_KEYS = ("block_count", "head_count", "embedding_length", "context_length")


class GGUFError(ValueError):
    """The bytes are not a GGUF header this reader understands."""


class GGUFTruncated(GGUFError):
    """The data ends before the header does; fetch ``needed`` bytes from the file start."""

    def __init__(self, needed, message=None):
        self.needed = int(needed)
        super().__init__(message or "GGUF header is truncated; need at least %d bytes" % self.needed)


class GGUFArray:
    """A large array whose items were skipped: only the item type and the count are kept."""

    __slots__ = ("item_type", "count")

    def __init__(self, item_type, count):
        self.item_type = item_type
        self.count = count

    def __len__(self):
        return self.count

    def __eq__(self, other):
        return isinstance(other, GGUFArray) and (self.item_type, self.count) == (other.item_type, other.count)

    def __hash__(self):
        return hash((self.item_type, self.count))

    def __repr__(self):
        return "GGUFArray(%s, %d)" % (TYPE_NAMES.get(self.item_type, self.item_type), self.count)


class _Stop(Exception):
    """Raised inside the parser when stop_when is satisfied."""


class _Reader:
    """A cursor over the available prefix of the file."""

    def __init__(self, data, endian="<"):
        self.data = data
        self.pos = 0
        self.endian = endian

    def require(self, size, end_hint=None):
        """Make sure ``size`` more bytes are there; otherwise say how many to fetch."""
        if self.pos + size <= len(self.data):
            return
        raise GGUFTruncated(self._needed(end_hint if end_hint is not None else self.pos + size))

    def _needed(self, known_end):
        # Always ask for real progress, and never fewer than the end of what is being read.
        return max(known_end, len(self.data) + 1)

    def unpack(self, fmt):
        fmt = self.endian + fmt
        size = struct.calcsize(fmt)
        self.require(size)
        value = struct.unpack_from(fmt, self.data, self.pos)[0]
        self.pos += size
        return value

    def string_length(self):
        length = self.unpack("Q")
        if length > MAX_STRING_BYTES:
            raise GGUFError("string of %d bytes at offset %d is longer than %d bytes" % (length, self.pos - 8, MAX_STRING_BYTES))
        return length

    def raw_string(self):
        length = self.string_length()
        self.require(length)
        raw = bytes(self.data[self.pos:self.pos + length])
        self.pos += length
        return raw

    def string(self):
        return self.raw_string().decode("utf-8", errors="replace")


def _scalar_size(value_type):
    return struct.calcsize("<" + _SCALAR_FORMATS[value_type])


def _check_type(value_type, offset):
    if value_type not in TYPE_NAMES:
        raise GGUFError("unknown GGUF value type %d at offset %d" % (value_type, offset))


def _read_array_header(reader):
    offset = reader.pos
    item_type = reader.unpack("I")
    _check_type(item_type, offset)
    count = reader.unpack("Q")
    if count > MAX_ARRAY_ITEMS:
        raise GGUFError("array of %d items at offset %d is longer than %d items" % (count, offset, MAX_ARRAY_ITEMS))
    return item_type, count


def _read_value(reader, value_type):
    """Read a value; small arrays become lists, large ones GGUFArray (items skipped)."""
    _check_type(value_type, reader.pos)
    if value_type == T_STRING:
        return reader.string()
    if value_type == T_ARRAY:
        item_type, count = _read_array_header(reader)
        if count > MAX_LIST_ITEMS:
            _skip_items(reader, item_type, count)
            return GGUFArray(item_type, count)
        return [_read_value(reader, item_type) for _index in range(count)]
    value = reader.unpack(_SCALAR_FORMATS[value_type])
    return bool(value) if value_type == T_BOOL else value


def _skip_items(reader, item_type, count):
    """Skip ``count`` array items without building them."""
    if item_type in _SCALAR_FORMATS:
        size = _scalar_size(item_type) * count
        # The end of a fixed-size array is known exactly: ask for all of it at once.
        reader.require(size, end_hint=reader.pos + size)
        reader.pos += size
        return
    for _index in range(count):
        if item_type == T_STRING:
            reader.require(8, end_hint=_guess_end(reader, reader.pos + 8))
            length = reader.string_length()
            reader.require(length, end_hint=_guess_end(reader, reader.pos + length))
            reader.pos += length
        else:
            nested_type, nested_count = _read_array_header(reader)
            _skip_items(reader, nested_type, nested_count)


def _guess_end(reader, known_end):
    # Inside a string array only the current item's end is known; doubling what we already
    # have keeps the number of round trips logarithmic in the vocabulary's size.
    return max(known_end, 2 * len(reader.data))


def _read_header(data):
    """Check magic and version; return a reader positioned at the first key and kv_count."""
    if len(data) < 4 and MAGIC.startswith(bytes(data)):
        raise GGUFTruncated(_HEADER_SIZE)
    if bytes(data[:4]) != MAGIC:
        raise GGUFError("not a GGUF file: magic is %r, expected %r" % (bytes(data[:4]), MAGIC))
    if len(data) < 8:
        raise GGUFTruncated(_HEADER_SIZE)
    endian = _detect_endian(data)
    reader = _Reader(data, endian)
    reader.pos = 4
    version = reader.unpack("I")
    if version == 1:
        raise GGUFError("GGUF version 1 is not supported (it uses 32-bit lengths); convert the model to GGUF v2 or v3")
    if version not in SUPPORTED_VERSIONS:
        raise GGUFError("unsupported GGUF version %d (supported: 2, 3)" % version)
    reader.require(16, end_hint=_HEADER_SIZE)
    reader.unpack("Q")  # tensor_count: tensors are never read
    kv_count = reader.unpack("Q")
    if kv_count > MAX_KV_COUNT:
        raise GGUFError("GGUF header claims %d metadata keys (more than %d): corrupt file" % (kv_count, MAX_KV_COUNT))
    return reader, kv_count


def _detect_endian(data):
    # The version is tiny, so a little-endian read that looks huge means a big-endian file.
    little = struct.unpack_from("<I", data, 4)[0]
    big = struct.unpack_from(">I", data, 4)[0]
    if little > 0xFFFF and big <= 0xFFFF:
        return ">"
    return "<"


def read_metadata(data, stop_when=None):
    """Parse the GGUF key/value section from the start of a file.

    ``data`` is the file's first bytes (all of it or a prefix). ``stop_when(kv)`` is called after
    every pair; when it returns true, what was read so far is returned.

    Raises GGUFTruncated (with ``needed``, a byte count from the file start to fetch next) when
    the prefix ends before the header does, and GGUFError for anything that is not GGUF.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        data = bytes(data)
    data = memoryview(data)
    reader, kv_count = _read_header(data)
    kv = {}
    try:
        for _index in range(kv_count):
            _read_pair(reader, kv, stop_when)
    except _Stop:
        pass
    return kv


def _read_pair(reader, kv, stop_when):
    key_offset = reader.pos
    try:
        key = reader.raw_string().decode("utf-8")
    except UnicodeDecodeError:
        raise GGUFError("metadata key at offset %d is not UTF-8" % key_offset)
    type_offset = reader.pos
    value_type = reader.unpack("I")
    _check_type(value_type, type_offset)
    if value_type == T_ARRAY:
        _read_array_pair(reader, kv, key, stop_when)
        return
    kv[key] = _read_value(reader, value_type)
    if stop_when is not None and stop_when(kv):
        raise _Stop()


def _read_array_pair(reader, kv, key, stop_when):
    item_type, count = _read_array_header(reader)
    if count <= MAX_LIST_ITEMS:
        kv[key] = [_read_value(reader, item_type) for _index in range(count)]
    else:
        # The pair is fully known from its header; a caller that is satisfied now need not
        # fetch the (possibly megabytes of) items.
        kv[key] = GGUFArray(item_type, count)
        if stop_when is not None and stop_when(kv):
            raise _Stop()
        _skip_items(reader, item_type, count)
        return
    if stop_when is not None and stop_when(kv):
        raise _Stop()


def _scalar(value):
    """A per-layer list (some models vary heads by layer) counts as its maximum."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return int(value)
    if isinstance(value, list):
        numbers = [int(v) for v in value if isinstance(v, (int, float)) and not isinstance(v, bool)]
        return max(numbers) if numbers else None
    return None


def architecture(kv):
    """The keys the VRAM estimator needs, from ``<arch>.*`` (missing keys are None).

    Besides the contract's keys the result has ``architecture`` (the estimator picks its graph
    formula by it) and ``pooling_type`` (set only for embedding models); all of them are
    ModelPlan fields.
    """
    arch = kv.get("general.architecture")
    result = {"architecture": arch if isinstance(arch, str) else None}
    for name, suffix in _ARCH_KEYS.items():
        result[name] = _scalar(kv.get("%s.%s" % (arch, suffix))) if arch else None
    if result["head_count_kv"] is None:
        # llama.cpp: n_head_kv defaults to n_head (no grouped-query attention).
        result["head_count_kv"] = result["head_count"]
    result["vocab_size"] = _vocab_size(kv, arch)
    # Present only in embedding models; Ollama then runs them without flash attention.
    result["pooling_type"] = _scalar(kv.get("%s.pooling_type" % arch)) if arch else None
    return result


def _vocab_size(kv, arch):
    explicit = _scalar(kv.get("%s.vocab_size" % arch)) if arch else None
    if explicit is not None:
        return explicit
    tokens = kv.get("tokenizer.ggml.tokens")
    if isinstance(tokens, (list, GGUFArray)):
        return len(tokens)
    return None


def has_architecture(kv):
    """A stop_when that is true once the architecture section has been read.

    The architecture keys are written together; the first key after them that is not
    ``<arch>.*`` (in practice ``tokenizer.ggml.model``, just before the vocabulary) shows
    that the section is complete, so no later ``<arch>.*`` key is missed.
    """
    arch = kv.get("general.architecture")
    if not isinstance(arch, str) or not arch:
        return False
    prefix = arch + "."
    if any(prefix + _ARCH_KEYS[name] not in kv for name in _REQUIRED_ARCH_KEYS):
        return False
    last_key = next(reversed(kv))
    return not last_key.startswith(prefix)
