"""Prometheus metrics for FluxLit (the ``metrics`` extra), off unless ``metrics_enabled``.

Names start with ``fluxlit_``; labels are bounded (route templates, never raw paths).
See docs/observability.md for every metric, label and setting.
"""
