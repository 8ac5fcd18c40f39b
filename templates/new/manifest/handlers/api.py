"""API handlers named in fluxlit.toml."""


def hello(name: str = "world") -> dict[str, str]:
    """Greet ``name``."""
    return {"message": f"Hello, {name}!"}
