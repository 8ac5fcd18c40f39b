"""The deployment files are present and point at the right health endpoints."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_container_and_kubernetes_files() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "USER app" in dockerfile and "/api/healthz" in dockerfile
    k8s = (ROOT / "k8s" / "app.yaml").read_text()
    assert "path: /api/readyz" in k8s and "sessionAffinity: ClientIP" in k8s
    assert ".venv" in (ROOT / ".dockerignore").read_text()
