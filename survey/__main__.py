"""``python -m survey`` runs the command line."""

from survey.cli import app

app(prog_name="survey")
