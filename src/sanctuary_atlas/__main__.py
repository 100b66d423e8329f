"""``python -m sanctuary_atlas`` runs the command line."""

from sanctuary_atlas.cli import main

main()
