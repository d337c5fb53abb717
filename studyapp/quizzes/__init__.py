"""Quizzes: what instructors build from banks, their settings and accommodations."""
