"""The FluxLit compiler: manifest front end, IR checks and template back end.

Kept empty on purpose: ``fluxlit_codegen.stamp`` must import without the compiler.
The front end lives in ``manifest`` (``load_manifest``, ``find_manifest``,
``manifest_source_hash``), ``errors``, ``checks`` (imports user code) and ``schema``.
"""
