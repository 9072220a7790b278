import numpy as np

from legal_orch.retrieval.embeddings import Embedder


def test_onnx_matches_torch(tmp_path):
    texts = [
        "This Agreement shall be governed by the laws of New York.",
        "Either party may terminate on notice.",
        "x",
    ]
    onnx = Embedder(cache_dir=tmp_path, backend="onnx").encode(texts)
    torch = Embedder(backend="torch").encode(texts)
    assert onnx.shape == (3, 384) and onnx.dtype == np.float32
    assert np.allclose(np.linalg.norm(onnx, axis=1), 1.0, atol=1e-5)
    assert np.abs(onnx - torch).max() < 1e-4
    assert list(tmp_path.glob("minilm-*.onnx"))  # exported once, then reused
    sims = onnx @ onnx.T
    assert sims[0, 1] > sims[0, 2]  # related legal sentences are closer than noise


def test_empty():
    assert Embedder(backend="torch").encode([]).shape == (0, 384)
