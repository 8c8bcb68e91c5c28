"""`python -m amazon_connector` runs the command-line tool."""

from amazon_connector.cli.app import main

main()
