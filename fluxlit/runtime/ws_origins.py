"""Which foreign origins may open the UI's WebSocket: Streamlit's own configuration."""

from __future__ import annotations

from urllib.parse import urlsplit

from fluxlit.config.settings import FluxlitSettings
from fluxlit.runtime.streamlit_options import configure_inprocess_streamlit


def streamlit_ws_origins(settings: FluxlitSettings, *, dev: bool = False) -> frozenset[str]:
    """Host names Streamlit would accept as a cross-origin ``Origin``, from config only.

    ``{"*"}`` when ``server.enableCORS`` is off (Streamlit accepts every origin);
    otherwise the hosts of ``server.corsAllowedOrigins`` and of a manually set
    ``browser.serverAddress``. Streamlit also accepts the machine's internal and
    public IP, which it finds over the network; the gateway never looks them up
    (a browser on those addresses is same-origin anyway).
    """
    from streamlit import config

    configure_inprocess_streamlit(settings, dev=dev)
    if not config.get_option("server.enableCORS"):
        return frozenset({"*"})
    names = {urlsplit(o).hostname for o in config.get_option("server.corsAllowedOrigins") or []}
    if config.is_manually_set("browser.serverAddress"):
        names.add(urlsplit("//" + str(config.get_option("browser.serverAddress"))).hostname)
    return frozenset(name.lower() for name in names if name)
