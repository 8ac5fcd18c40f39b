"""A multipage FluxLit app: three pages, sidebar order, and ?page= deep links."""

from typing import Any

from fluxlit import FluxLit, PageMeta

app = FluxLit(title="__TITLE__", import_target="app:app")

SALES = {"north": 120, "south": 80, "west": 95}


@app.api.get("/sales")
def sales() -> dict[str, int]:
    return SALES


@app.page("/", title="Overview", icon=":material/dashboard:")
def overview(st: Any, client: Any) -> PageMeta:
    st.title("Overview")
    st.metric("Total sales", sum(client.get("/sales").json().values()))
    return PageMeta(breadcrumbs=["__TITLE__", "Overview"])


@app.page("/regions", title="Regions", icon=":material/map:")
def regions(st: Any, client: Any) -> None:
    st.title("Regions")
    for region, value in client.get("/sales").json().items():
        st.write(f"{region}: {value}")


@app.page("/settings", title="Settings", icon=":material/settings:")
def settings(st: Any, client: Any) -> None:
    st.title("Settings")
    st.toggle("Dark mode", key="dark")


app.navigation_order("/", "/regions", "/settings")
