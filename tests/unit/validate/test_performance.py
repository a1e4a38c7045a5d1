"""Schemas compile once; the built-in path keeps its rate on thousands of manifests.

The floor (1,000 manifests/s) is far below the ~5,000/s measured on a 2-core machine,
so it only fails when something is badly wrong (a schema compiled per manifest gives ~100/s).
"""

from __future__ import annotations

import time
from pathlib import Path

from edgemodels.validate import builtin
from edgemodels.validate.run import ValidateOptions, validate_tree

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: m{i}
  namespace: edge
spec:
  selector:
    matchLabels: {{app: m{i}}}
  template:
    metadata:
      labels: {{app: m{i}}}
    spec:
      containers:
      - name: model
        image: registry.example.com/m{i}:1.0
        ports: [{{containerPort: 8080}}]
"""
SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: m{i}
  namespace: edge
spec:
  selector: {{app: m{i}}}
  ports: [{{port: 80, targetPort: 8080}}]
"""


def test_compiled_once_and_fast(tmp_path: Path, options: ValidateOptions) -> None:
    count = 1200
    for i in range(count):
        text = (DEPLOYMENT if i % 2 else SERVICE).format(i=i)
        path = tmp_path / "big" / f"d{i // 200}" / f"m{i}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    warm = tmp_path / "warm"
    warm.mkdir()
    for i in range(2):
        (warm / f"m{i}.yaml").write_text((DEPLOYMENT if i % 2 else SERVICE).format(i=i))
    validate_tree(warm, options)  # schemas compiled here
    misses = builtin.compiled.cache_info().misses
    start = time.perf_counter()
    assert validate_tree(tmp_path / "big", options) == []
    rate = count / (time.perf_counter() - start)
    assert builtin.compiled.cache_info().misses == misses  # nothing compiled again
    assert rate > 1000, f"{rate:.0f} manifests/s"
