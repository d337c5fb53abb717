"""Attempts: taking a quiz, saving answers, submitting, grading and review."""
