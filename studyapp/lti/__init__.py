"""LTI 1.3 tool: registration, keys, launch, deep linking, grade passback and roster sync."""
