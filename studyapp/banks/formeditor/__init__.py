"""The form editor for questions: every type written in fields instead of the bank format.

`mapping` turns the posted fields into a question document in the bank format and back
(pure), `checks` runs that document through the bank loader and places its messages at
the fields, `services` saves and grades, `views` is the blueprint.
"""
