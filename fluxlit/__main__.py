"""``python -m fluxlit`` runs the same CLI as the ``fluxlit`` console script."""

from fluxlit.cli import main

main()
