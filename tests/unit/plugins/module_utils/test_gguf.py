# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The GGUF reader against files written by the reference writer (the ``gguf`` package)."""

from __future__ import annotations

import struct

import numpy as np
import pytest
from gguf import GGUFEndian, GGUFWriter

from ansible_collections.foundrycloud.platform.plugins.module_utils import gguf as reader
from ansible_collections.foundrycloud.platform.plugins.module_utils.gguf import (
    GGUFArray,
    GGUFError,
    GGUFTruncated,
    architecture,
    has_architecture,
    read_metadata,
)

QWEN2_VOCAB = 151936
CHAT_TEMPLATE = "{% for message in messages %}<|im_start|>{{ message.role }}\n{{ message.content }}<|im_end|>\n{% endfor %}"


def write_gguf(path, arch="qwen2", vocab=QWEN2_VOCAB, tokenizer_model=True, endianess=GGUFEndian.LITTLE, rope_sections=None):
    """A GGUF file laid out as llama.cpp's converter writes it: general.*, <arch>.*, tokenizer.*, tensors."""
    writer = GGUFWriter(str(path), arch, endianess=endianess)
    writer.add_type("model")
    writer.add_name("Qwen2.5 7B Instruct")
    writer.add_size_label("7.6B")
    writer.add_file_type(15)  # MOSTLY_Q4_K_M
    writer.add_block_count(28)
    writer.add_context_length(32768)
    writer.add_embedding_length(3584)
    writer.add_feed_forward_length(18944)
    writer.add_head_count(28)
    writer.add_head_count_kv(4)
    writer.add_rope_freq_base(1000000.0)
    writer.add_layer_norm_rms_eps(1e-6)
    if rope_sections:
        writer.add_rope_dimension_sections(rope_sections)
    if tokenizer_model:
        writer.add_tokenizer_model("gpt2")
        writer.add_tokenizer_pre("qwen2")
    writer.add_token_list(["\u0120tok%d" % i for i in range(vocab)])
    writer.add_token_types([1] * vocab)
    writer.add_eos_token_id(151645)
    writer.add_pad_token_id(151643)
    writer.add_bos_token_id(151643)
    writer.add_add_bos_token(False)
    writer.add_chat_template(CHAT_TEMPLATE)
    writer.add_quantization_version(2)
    writer.add_tensor("token_embd.weight", np.zeros((4, 8), dtype=np.float32))
    writer.add_tensor("blk.0.attn_q.weight", np.ones((8, 8), dtype=np.float16))
    writer.add_tensor("output_norm.weight", np.ones(8, dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path.read_bytes()


@pytest.fixture(scope="module")
def qwen2(tmp_path_factory):
    return write_gguf(tmp_path_factory.mktemp("gguf") / "qwen2.5-7b.gguf", rope_sections=[16, 24, 24, 0])


def offset_of_key(data, key):
    """Where a key's length prefix starts in the file (the key is stored once)."""
    raw = key.encode()
    return data.index(struct.pack("<Q", len(raw)) + raw)


def fetch_until_parsed(data, start, stop_when=None):
    """Emulate range requests: fetch what GGUFTruncated asks for until the parse succeeds."""
    size, rounds = start, 0
    while True:
        rounds += 1
        try:
            return read_metadata(data[:size], stop_when), size, rounds
        except GGUFTruncated as truncated:
            assert truncated.needed > size, "no progress"
            size = truncated.needed


def test_full_parse(qwen2):
    kv = read_metadata(qwen2)
    assert kv["general.architecture"] == "qwen2"
    assert kv["general.name"] == "Qwen2.5 7B Instruct"
    assert kv["general.file_type"] == 15
    assert kv["qwen2.block_count"] == 28
    assert kv["qwen2.attention.head_count_kv"] == 4
    assert kv["qwen2.rope.freq_base"] == 1000000.0
    assert kv["qwen2.attention.layer_norm_rms_epsilon"] == pytest.approx(1e-6)
    assert kv["qwen2.rope.dimension_sections"] == [16, 24, 24, 0]
    assert kv["tokenizer.ggml.add_bos_token"] is False
    assert kv["tokenizer.chat_template"] == CHAT_TEMPLATE
    assert kv["tokenizer.ggml.tokens"] == GGUFArray(reader.T_STRING, QWEN2_VOCAB)
    assert kv["tokenizer.ggml.token_type"] == GGUFArray(reader.T_INT32, QWEN2_VOCAB)
    assert len(kv["tokenizer.ggml.tokens"]) == QWEN2_VOCAB
    assert kv["general.quantization_version"] == 2
    assert list(kv)[-1] == "general.quantization_version"


def test_architecture(qwen2):
    assert architecture(read_metadata(qwen2)) == {
        "architecture": "qwen2",
        "block_count": 28,
        "head_count": 28,
        "head_count_kv": 4,
        "embedding_length": 3584,
        "key_length": None,
        "value_length": None,
        "context_length": 32768,
        "vocab_size": QWEN2_VOCAB,
        "pooling_type": None,
    }


def test_architecture_defaults_and_per_layer_heads():
    kv = {
        "general.architecture": "llama",
        "llama.block_count": 2,
        "llama.attention.head_count": [32, 16],
        "llama.embedding_length": 4096,
        "llama.vocab_size": 128256,
    }
    arch = architecture(kv)
    assert arch["head_count"] == 32
    assert arch["head_count_kv"] == 32  # defaults to head_count, as in llama.cpp
    assert arch["context_length"] is None
    assert arch["vocab_size"] == 128256
    assert architecture({})["block_count"] is None
    assert architecture({"general.architecture": "nomic-bert", "nomic-bert.pooling_type": 1})["pooling_type"] == 1


def test_has_architecture_stops_inside_the_tokenizer_array(qwen2):
    tokens_at = offset_of_key(qwen2, "tokenizer.ggml.tokens")
    prefix = qwen2[:tokens_at + 100000]  # ends in the middle of 151936 strings
    with pytest.raises(GGUFTruncated):
        read_metadata(prefix)
    kv = read_metadata(prefix, stop_when=has_architecture)
    assert "tokenizer.ggml.tokens" not in kv
    assert list(kv)[-1] == "tokenizer.ggml.model"
    arch = architecture(kv)
    assert (arch["block_count"], arch["head_count_kv"], arch["context_length"]) == (28, 4, 32768)


def test_has_architecture_stops_at_the_array_header(tmp_path):
    # Without tokenizer.ggml.model the vocabulary follows the architecture keys directly: its
    # header is enough to stop, and the vocabulary's size is known without its strings.
    data = write_gguf(tmp_path / "bare.gguf", tokenizer_model=False)
    tokens_at = offset_of_key(data, "tokenizer.ggml.tokens")
    header_end = tokens_at + 8 + len("tokenizer.ggml.tokens") + 4 + 4 + 8
    kv = read_metadata(data[:header_end], stop_when=has_architecture)
    assert architecture(kv)["vocab_size"] == QWEN2_VOCAB
    with pytest.raises(GGUFTruncated) as cut:
        read_metadata(data[:header_end - 1], stop_when=has_architecture)
    assert cut.value.needed == header_end


def test_has_architecture_not_satisfied_raises_truncated(qwen2):
    ffn_at = offset_of_key(qwen2, "qwen2.feed_forward_length")
    with pytest.raises(GGUFTruncated) as cut:
        read_metadata(qwen2[:ffn_at + 3], stop_when=has_architecture)
    # The key's length prefix is cut: the 8 bytes of it are what is needed next.
    assert cut.value.needed == ffn_at + 8


@pytest.mark.parametrize("size", [0, 3, 10, 23])
def test_truncated_header(qwen2, size):
    with pytest.raises(GGUFTruncated) as cut:
        read_metadata(qwen2[:size])
    assert cut.value.needed == 24


def test_truncated_string_value_asks_for_its_end(qwen2):
    name_at = offset_of_key(qwen2, "general.name")
    value_at = name_at + 8 + len("general.name") + 4
    value_end = value_at + 8 + len("Qwen2.5 7B Instruct")
    with pytest.raises(GGUFTruncated) as cut:
        read_metadata(qwen2[:value_at + 12])
    assert cut.value.needed == value_end
    # Fetching what was asked for gets past the string.
    with pytest.raises(GGUFTruncated) as next_cut:
        read_metadata(qwen2[:cut.value.needed])
    assert next_cut.value.needed > value_end


def test_truncated_fixed_size_array_asks_for_all_of_it(qwen2):
    types_at = offset_of_key(qwen2, "tokenizer.ggml.token_type")
    items_at = types_at + 8 + len("tokenizer.ggml.token_type") + 4 + 4 + 8
    with pytest.raises(GGUFTruncated) as cut:
        read_metadata(qwen2[:items_at + 10])
    assert cut.value.needed == items_at + 4 * QWEN2_VOCAB


def test_truncated_string_array_doubles(qwen2):
    tokens_at = offset_of_key(qwen2, "tokenizer.ggml.tokens")
    size = tokens_at + 5000
    with pytest.raises(GGUFTruncated) as cut:
        read_metadata(qwen2[:size])
    assert cut.value.needed == 2 * size


def test_range_requests_converge(qwen2):
    kv, size, rounds = fetch_until_parsed(qwen2, 1024 * 1024)
    assert kv == read_metadata(qwen2)
    # Doubling may ask past the end of the file; a range request then returns what there is.
    assert size < 2 * len(qwen2)
    assert rounds < 12
    kv, size, rounds = fetch_until_parsed(qwen2, 64, stop_when=has_architecture)
    assert architecture(kv)["embedding_length"] == 3584
    assert size < offset_of_key(qwen2, "tokenizer.ggml.tokens")


def test_version_2_and_big_endian(qwen2, tmp_path):
    v2 = qwen2[:4] + struct.pack("<I", 2) + qwen2[8:]
    assert architecture(read_metadata(v2)) == architecture(read_metadata(qwen2))
    big = write_gguf(tmp_path / "be.gguf", vocab=300, endianess=GGUFEndian.BIG)
    kv = read_metadata(big)
    assert kv["qwen2.embedding_length"] == 3584
    assert kv["tokenizer.ggml.tokens"] == GGUFArray(reader.T_STRING, 300)


def header(version=3, tensors=0, kv_count=1):
    return b"GGUF" + struct.pack("<IQQ", version, tensors, kv_count)


def key(name):
    raw = name.encode()
    return struct.pack("<Q", len(raw)) + raw


@pytest.mark.parametrize(
    "data, message",
    [
        (b"GGML" + b"\0" * 40, "not a GGUF file"),
        (b"<h", "not a GGUF file"),
        (b"\x7fELF" + b"\0" * 40, "not a GGUF file"),
        (b"GGUF" + struct.pack("<III", 1, 0, 1), "version 1 is not supported"),
        (header(version=4), "unsupported GGUF version 4"),
        (header(kv_count=2_000_000), "corrupt"),
        (header() + struct.pack("<Q", 2 ** 40), "longer than"),
        (header() + key("general.name") + struct.pack("<IQ", reader.T_STRING, 65 * 1024 * 1024), "longer than"),
        (header() + key("tokenizer.ggml.tokens") + struct.pack("<IIQ", reader.T_ARRAY, reader.T_STRING, 2 ** 31 + 1),
         "longer than 2147483648 items"),
        (header() + key("general.alignment") + struct.pack("<I", 13), "unknown GGUF value type 13"),
        (header() + key("x.list") + struct.pack("<IIQ", reader.T_ARRAY, 99, 3), "unknown GGUF value type 99"),
        (header() + struct.pack("<Q", 2) + b"\xff\xfe" + struct.pack("<I", reader.T_UINT8) + b"\0", "not UTF-8"),
    ],
)
def test_garbage(data, message):
    with pytest.raises(GGUFError) as error:
        read_metadata(data)
    assert not isinstance(error.value, GGUFTruncated)
    assert message in str(error.value)


def test_truncated_is_a_gguf_error():
    assert issubclass(GGUFTruncated, GGUFError)
    assert GGUFTruncated(99).needed == 99


def test_every_scalar_type():
    pairs = [
        ("u8", reader.T_UINT8, struct.pack("<B", 200), 200),
        ("i8", reader.T_INT8, struct.pack("<b", -5), -5),
        ("u16", reader.T_UINT16, struct.pack("<H", 65535), 65535),
        ("i16", reader.T_INT16, struct.pack("<h", -300), -300),
        ("u32", reader.T_UINT32, struct.pack("<I", 4000000000), 4000000000),
        ("i32", reader.T_INT32, struct.pack("<i", -7), -7),
        ("f32", reader.T_FLOAT32, struct.pack("<f", 0.5), 0.5),
        ("bool", reader.T_BOOL, b"\x01", True),
        ("u64", reader.T_UINT64, struct.pack("<Q", 2 ** 40), 2 ** 40),
        ("i64", reader.T_INT64, struct.pack("<q", -(2 ** 40)), -(2 ** 40)),
        ("f64", reader.T_FLOAT64, struct.pack("<d", 1.25), 1.25),
    ]
    body = b"".join(key(name) + struct.pack("<I", kind) + raw for name, kind, raw, _value in pairs)
    nested = key("nested") + struct.pack("<IIQ", reader.T_ARRAY, reader.T_ARRAY, 2)
    nested += struct.pack("<IQ", reader.T_UINT8, 2) + b"\x01\x02" + struct.pack("<IQ", reader.T_STRING, 1) + key("a")
    kv = read_metadata(header(kv_count=len(pairs) + 1) + body + nested)
    assert kv == dict({name: value for name, _kind, _raw, value in pairs}, nested=[[1, 2], ["a"]])
