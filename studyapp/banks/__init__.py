"""Question banks: YAML files in questions/, read into plain data, checked and graded.

Nothing here imports Flask or the database except `cli.py`.
"""
