"""``python -m credit_scoring``: the same CLI as the ``credit-scoring`` command."""

from credit_scoring.cli import app

app(prog_name="credit-scoring")
