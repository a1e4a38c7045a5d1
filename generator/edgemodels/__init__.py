"""edgemodels: distribute AI models to edge Kubernetes sites through GitOps."""

__version__ = "0.2.0"
